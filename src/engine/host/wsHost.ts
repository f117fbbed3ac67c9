import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { IEngineApi } from '../../shared/api';
import { EngineError } from '../../shared/errors';
import { type IDisposable, toDisposable } from '../../shared/lifecycle';
import { createMessagePortServerTransport, type IMessagePort, serveRpc } from '../../shared/rpc';
import { createLogger } from '../base/logger';
import { readStaticFile } from './staticFiles';

const log = createLogger('web');

/** Same policy as the Electron window: only our own scripts, and sockets back to this host. */
export const WEB_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self' ws://127.0.0.1:*; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

export const RPC_PATH = '/rpc';

export interface WebHostOptions {
  engine: IEngineApi;
  /** Directory of the built renderer (out/renderer). */
  rendererDir: string;
  /** 0 picks a free port. */
  port?: number;
  /** Fixed token for tests; by default a fresh random one per launch. */
  token?: string;
}

export interface WebHost extends IDisposable {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

function tokenMatches(expected: string, given: string | null): boolean {
  if (given === null) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

function socketPort(socket: WebSocket): IMessagePort {
  return {
    send(text) {
      if (socket.readyState === socket.OPEN) socket.send(text);
    },
    onMessage(listener) {
      const handler = (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void => {
        if (!isBinary) listener(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8'));
      };
      socket.on('message', handler);
      return toDisposable(() => socket.off('message', handler));
    },
    onClose(listener) {
      socket.on('close', listener);
      return toDisposable(() => socket.off('close', listener));
    },
  };
}

/**
 * Serves the built renderer and the engine API over a WebSocket, on 127.0.0.1 only. The API needs the per-launch
 * token from the printed URL: another local page or process that does not know it is refused at the upgrade.
 */
export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const connections = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });

  const server: Server = createServer((request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    readStaticFile(options.rendererDir, request.url ?? '/').then(
      (file) => {
        if (!file) {
          response.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
          return;
        }
        response.writeHead(200, {
          'Content-Type': file.contentType,
          'Content-Security-Policy': WEB_CSP,
          'X-Content-Type-Options': 'nosniff',
          'Referrer-Policy': 'no-referrer',
          'Cache-Control': 'no-store',
        });
        response.end(request.method === 'HEAD' ? undefined : file.body);
      },
      (error: unknown) => {
        log.error('static file failed', { error: String(error) });
        response.writeHead(500).end();
      },
    );
  });

  server.on('upgrade', (request: IncomingMessage, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== RPC_PATH || !tokenMatches(token, url.searchParams.get('token'))) {
      log.warn('refused an API connection without a valid token', { remote: request.socket.remoteAddress });
      socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nFerry: missing or wrong token\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      connections.add(ws);
      const serving = serveRpc(options.engine, createMessagePortServerTransport(socketPort(ws)));
      ws.on('close', () => {
        serving.dispose();
        connections.delete(ws);
      });
    });
  });

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new EngineError('WEB_PORT_BUSY', `Port ${options.port ?? 0} on 127.0.0.1 is already in use. Choose another with \`ferry web --port N\`.`)
          : error,
      );
    });
    server.listen(options.port ?? 0, '127.0.0.1', () => resolvePromise());
  });
  const port = (server.address() as AddressInfo).port;

  const close = async (): Promise<void> => {
    for (const ws of connections) ws.terminate();
    wss.close();
    await new Promise<void>((resolvePromise) => server.close(() => resolvePromise()));
  };
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close,
    dispose: () => void close(),
  };
}
