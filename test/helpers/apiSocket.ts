import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import type { IEngineApi } from '../../src/shared/api';
import { type IDisposable, toDisposable } from '../../src/shared/lifecycle';
import { createMessagePortClientTransport, createRpcClient, type IMessagePort, type ITransport } from '../../src/shared/rpc';

/** The outcome of one WebSocket handshake against the web host: open, refused with an HTTP status, or closed at once. */
export type HandshakeOutcome = { open: true; socket: WebSocket } | { open: false; status: number; body: string };

/**
 * Opens a real socket to the web host's API, sending `origin` as a browser would (none when undefined, as the CLI
 * and scripts do). Resolves with the refusal rather than rejecting, so tests can assert on the status and text.
 */
export function openApiSocket(port: number, token: string, origin?: string): Promise<HandshakeOutcome> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/rpc?token=${encodeURIComponent(token)}`, origin === undefined ? {} : { origin });
    socket.once('open', () => resolve({ open: true, socket }));
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ open: false, status: response.statusCode ?? 0, body }));
    });
    socket.once('error', reject);
  });
}

function messagePort(socket: WebSocket): IMessagePort {
  return {
    send: (text) => socket.send(text),
    onMessage(listener) {
      const handler = (data: Buffer): void => listener(data.toString('utf8'));
      socket.on('message', handler);
      return toDisposable(() => socket.off('message', handler));
    },
    onClose(listener) {
      socket.on('close', listener);
      return toDisposable(() => socket.off('close', listener));
    },
  };
}

/** The raw RPC transport (any path can be sent) and the typed client, over one open socket. */
export function apiOver(socket: WebSocket): { transport: ITransport & IDisposable; api: IEngineApi } {
  const transport = createMessagePortClientTransport(messagePort(socket));
  return { transport, api: createRpcClient<IEngineApi>(transport) };
}

/** A stand-in renderer directory (the host only serves files from it); the API tests need no built app. */
export function writeMinimalRenderer(dir: string, html = '<!doctype html><title>Ferry</title>'): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.html'), html);
  return dir;
}
