import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { type IEngineApi, LAB_SERVICE_NAMES } from '../../shared/api';
import { toDisposable } from '../../shared/lifecycle';
import { createMessagePortClientTransport, createRpcClient, type IMessagePort } from '../../shared/rpc';
import { createEngine, type Engine } from '../index';
import { startWebHost, type WebHost, webCsp } from './wsHost';

function clientPort(socket: WebSocket): IMessagePort {
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

function openSocket(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.once('open', () => resolve(socket));
    socket.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
    socket.once('error', reject);
  });
}

describe('web host', () => {
  let dir: string;
  let engine: Engine;
  let host: WebHost;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-webhost-'));
    const rendererDir = join(dir, 'renderer');
    mkdirSync(join(rendererDir, 'assets'), { recursive: true });
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Ferry</title>');
    writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(dir, 'secret.txt'), 'outside the renderer');
    // A lab directory of its own: this test only reads the lab's status, it never starts services.
    engine = createEngine({ host: 'test', lab: { dir: join(dir, 'lab') } });
    host = await startWebHost({ engine, rendererDir });
  });

  afterAll(async () => {
    await host.close();
    engine.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('listens on loopback only and prints a URL carrying the token', () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/);
  });

  it('serves the renderer with a strict CSP and falls back to index.html', async () => {
    const index = await fetch(`http://127.0.0.1:${host.port}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toBe(webCsp(host.port));
    expect(await index.text()).toContain('<title>Ferry</title>');
    const script = await fetch(`http://127.0.0.1:${host.port}/assets/app.js`);
    expect(script.headers.get('content-type')).toContain('text/javascript');
    const route = await fetch(`http://127.0.0.1:${host.port}/pipelines/orders`);
    expect(await route.text()).toContain('<title>Ferry</title>');
  });

  it('never serves files outside the renderer directory', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt']) {
      const response = await fetch(`http://127.0.0.1:${host.port}${path}`);
      expect(await response.text(), path).not.toContain('outside the renderer');
    }
  });

  it('refuses an API connection without the token or with a wrong one', async () => {
    await expect(openSocket(`ws://127.0.0.1:${host.port}/rpc`)).rejects.toThrow(/401/);
    await expect(openSocket(`ws://127.0.0.1:${host.port}/rpc?token=wrong`)).rejects.toThrow(/401/);
    await expect(openSocket(`ws://127.0.0.1:${host.port}/rpc?token=${host.token}x`)).rejects.toThrow(/401/);
  });

  it('serves the engine API to a client that has the token', async () => {
    const socket = await openSocket(`ws://127.0.0.1:${host.port}/rpc?token=${host.token}`);
    const api = createRpcClient<IEngineApi>(createMessagePortClientTransport(clientPort(socket)));
    await expect(api.system.info()).resolves.toMatchObject({ host: 'test', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    const status = await api.lab.status();
    expect(status.dir).toBe(join(dir, 'lab'));
    expect(status.services.map((service) => service.name)).toEqual(LAB_SERVICE_NAMES);
    expect(status.endpoints.kafka.a.bootstrap).toMatch(/^127\.0\.0\.1:\d+$/);
    socket.close();
  });
});
