import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../index';
import { startWebHost, type WebHost } from './wsHost';

// A client that breaks the WebSocket protocol (here: an unmasked frame, which RFC 6455 forbids from clients) makes
// the server's socket emit 'error'. Without a listener that ended the web host's process, and with it every pipeline
// it ran.

/** A raw TCP client that completes the WebSocket handshake itself, so it can then send what a browser never would. */
async function rawApiSocket(host: WebHost): Promise<Socket> {
  const socket = connect(host.port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const url = new URL(host.url);
  socket.write(
    [
      `GET /rpc?token=${url.searchParams.get('token') ?? ''} HTTP/1.1`,
      `Host: 127.0.0.1:${host.port}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
      'Sec-WebSocket-Version: 13',
      `Origin: http://127.0.0.1:${host.port}`,
      '',
      '',
    ].join('\r\n'),
  );
  const answer = await new Promise<string>((resolve) => socket.once('data', (data: Buffer) => resolve(data.toString('latin1'))));
  expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 101 Switching Protocols');
  return socket;
}

describe('web host socket errors', () => {
  let dir: string;
  let engine: Engine;
  let host: WebHost;
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown): void => void uncaught.push(error);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-webhost-errors-'));
    const rendererDir = join(dir, 'renderer');
    mkdirSync(rendererDir, { recursive: true });
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Ferry</title>');
    engine = createEngine({ host: 'test', lab: { dir: join(dir, 'lab') } });
    host = await startWebHost({ engine, rendererDir });
    process.on('uncaughtException', onUncaught);
  });

  afterAll(async () => {
    process.off('uncaughtException', onUncaught);
    await host.close();
    engine.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a client breaking the protocol loses its connection, and the host lives on', async () => {
    const socket = await rawApiSocket(host);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => {});
    // FIN + text opcode, payload length 2 without the MASK bit.
    socket.write(Buffer.from([0x81, 0x02, 0x68, 0x69]));
    await closed;
    await new Promise((resolve) => setImmediate(resolve));
    expect(uncaught.map(String)).toEqual([]);
    const page = await fetch(`http://127.0.0.1:${host.port}/`);
    expect(page.status).toBe(200);
  });
});
