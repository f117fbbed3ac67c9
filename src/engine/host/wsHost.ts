import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ENGINE_API_MEMBERS, type IEngineApi } from '../../shared/api';
import { EngineError } from '../../shared/errors';
import { type IDisposable, toDisposable } from '../../shared/lifecycle';
import { createMessagePortServerTransport, type IMessagePort, serveRpc } from '../../shared/rpc';
import { createLogger } from '../base/logger';
import { readStaticFile } from './staticFiles';

const log = createLogger('web');

/**
 * Same policy as the Electron window: only our own scripts, and sockets back to this host's own port only (a page of
 * ours must not be able to reach another local service, nor another Ferry on another port).
 */
export function webCsp(port: number): string {
  return `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}; object-src 'none'; base-uri 'none'; frame-ancestors 'none'`;
}

/**
 * Enough for a few tabs of the app and a script or two; a page that opens sockets in a loop is refused with a reason
 * instead of exhausting the engine's file descriptors and memory.
 */
export const MAX_API_CONNECTIONS = 16;
/** WebSocket close code 1013 "try again later", with a reason the client can show. */
const CLOSE_TRY_AGAIN_LATER = 1013;

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

/**
 * Browsers always send the page's Origin with a WebSocket handshake and a page cannot forge it, so a page served by
 * any other origin (`http://evil.example`, a sandboxed frame or a `file:` page sending `null`) is refused even when it
 * knows the token. Only this host's own origin is accepted: the desktop app reaches the engine over IPC, never over
 * this socket. A handshake without an Origin does not come from a browser (the CLI, scripts, tests): the token alone
 * guards it, as before.
 */
export function isAllowedOrigin(origin: string | undefined, port: number): boolean {
  if (origin === undefined) return true;
  return origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
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
  // Set once listening, before any request can arrive: the CSP and the accepted Origin both name this port.
  let port = 0;
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
          'Content-Security-Policy': webCsp(port),
          'X-Content-Type-Options': 'nosniff',
          'Referrer-Policy': 'no-referrer',
          'Cache-Control': 'no-store',
        });
        response.end(request.method === 'HEAD' ? undefined : file.body);
      },
      (error: unknown) => {
        log.error('static file failed', { error: String(error).split(token).join('****') });
        response.writeHead(500).end();
      },
    );
  });

  const refuseUpgrade = (socket: Duplex, status: string, reason: string): void => {
    socket.end(`HTTP/1.1 ${status}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nFerry: ${reason}\n`);
  };
  // Log lines say what was refused and from where, never the request URL: it carries the token.
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head) => {
    // A client that resets the connection mid-upgrade makes the raw socket emit 'error'; unheard, that ends the process.
    socket.on('error', (error) => log.debug('API socket error', { error: error.message }));
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== RPC_PATH || !tokenMatches(token, url.searchParams.get('token'))) {
      log.warn('refused an API connection without a valid token', { remote: request.socket.remoteAddress });
      refuseUpgrade(socket, '401 Unauthorized', 'missing or wrong token');
      return;
    }
    const origin = request.headers.origin;
    if (!isAllowedOrigin(origin, port)) {
      log.warn('refused an API connection from another origin', { origin: String(origin), remote: request.socket.remoteAddress });
      refuseUpgrade(socket, '403 Forbidden', `the API accepts pages served by this host (http://127.0.0.1:${port}) only, not ${String(origin)}`);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      // A client breaking the protocol (a bad frame, a message over maxPayload) makes the socket emit 'error': log it;
      // ws closes that connection itself. Unheard, the error ended the process with every pipeline it ran.
      ws.on('error', (error) => log.warn('API connection error; the connection is closed', { error: error.message }));
      if (connections.size >= MAX_API_CONNECTIONS) {
        log.warn('refused an API connection: too many open', { open: connections.size, limit: MAX_API_CONNECTIONS });
        ws.close(CLOSE_TRY_AGAIN_LATER, `Ferry: too many open API connections (limit ${MAX_API_CONNECTIONS}); close other Ferry tabs and reload.`);
        return;
      }
      connections.add(ws);
      const serving = serveRpc(options.engine, ENGINE_API_MEMBERS, createMessagePortServerTransport(socketPort(ws)));
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
  port = (server.address() as AddressInfo).port;

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
