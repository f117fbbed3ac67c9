import { mkdtempSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createEngine, type Engine } from '../index';
import { startWorkspaceWebHost, webHostStateFile } from './webHostState';

function handshake(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    socket.once('error', reject);
  });
}

describe('a workspace web host', () => {
  let dir: string;
  let engine: Engine;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-webstate-'));
    mkdirSync(join(dir, 'renderer'));
    writeFileSync(join(dir, 'renderer', 'index.html'), '<!doctype html><title>Ferry</title>');
    engine = createEngine({ host: 'web', dataDir: join(dir, 'data') });
  });
  afterAll(() => {
    engine.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('comes back on the same port with the same token, which it still requires, kept in a 0600 file', async () => {
    const options = { engine, rendererDir: join(dir, 'renderer'), dataDir: join(dir, 'data') };
    const first = await startWorkspaceWebHost(options);
    await first.close();
    const second = await startWorkspaceWebHost(options);
    try {
      expect(second.port).toBe(first.port);
      expect(second.token).toBe(first.token);
      expect(second.url).toBe(first.url);
      expect(statSync(webHostStateFile(join(dir, 'data'))).mode & 0o777).toBe(0o600);
      expect(await handshake(`ws://127.0.0.1:${second.port}/rpc?token=${second.token}`)).toBe(101);
      expect(await handshake(`ws://127.0.0.1:${second.port}/rpc`)).toBe(401);
      expect(await handshake(`ws://127.0.0.1:${second.port}/rpc?token=${first.token.slice(1)}x`)).toBe(401);
    } finally {
      await second.close();
    }
  });

  it('takes another port when another program holds the remembered one, and says so', async () => {
    const options = { engine, rendererDir: join(dir, 'renderer'), dataDir: join(dir, 'data') };
    const first = await startWorkspaceWebHost(options);
    await first.close();
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(first.port, '127.0.0.1', resolve));
    try {
      const second = await startWorkspaceWebHost(options);
      expect(second.portChanged).toEqual({ from: first.port, to: second.port });
      expect(second.token).toBe(first.token);
      await second.close();
    } finally {
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
    }
  });
});
