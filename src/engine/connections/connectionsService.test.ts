import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProfileDraft } from '../../shared/api/connections';
import { ConnectionsService } from './connectionsService';
import { probeTcp, probeTls } from './networkProbes';
import { StepRecorder } from './stepRecorder';

const SECRET = 'hunter2-but-longer';

describe('connections service', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-connections-'));
  const service = new ConnectionsService({ dataDir: dir });
  afterAll(() => {
    service.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const prodKafka = { kind: 'kafka', name: 'prod cluster', environment: 'prod', preset: 'custom', securityProtocol: 'PLAINTEXT', bootstrapServers: '127.0.0.1:1' } as ProfileDraft;

  it('asks for confirmation before writes to a prod profile and enforces it', async () => {
    const prod = await service.save({ profile: prodKafka });
    const dev = await service.save({ profile: { ...prodKafka, name: 'dev cluster', environment: 'dev' } });
    expect(await service.checkWrite({ profileId: prod.id, action: 'produce a record to topic orders' })).toEqual({
      environment: 'prod',
      confirmationRequired: true,
      prompt: '"prod cluster" is a PRODUCTION profile. Really produce a record to topic orders?',
    });
    expect((await service.checkWrite({ profileId: dev.id, action: 'x' })).confirmationRequired).toBe(false);
    expect(() => service.requireWriteConfirmation(prod.id, undefined, 'produce')).toThrow(expect.objectContaining({ code: 'PROFILE_WRITE_NOT_CONFIRMED' }));
    expect(() => service.requireWriteConfirmation(prod.id, true, 'produce')).not.toThrow();
    expect(() => service.requireWriteConfirmation(dev.id, undefined, 'produce')).not.toThrow();
  });

  it('reports a half-filled form as a failed settings step instead of throwing', async () => {
    const result = await service.test({ profile: { ...prodKafka, bootstrapServers: '' } as ProfileDraft });
    expect(result.ok).toBe(false);
    expect(result.failure).toMatchObject({ step: 'settings', code: 'PROFILE_INVALID' });
    expect(result.failure?.message).toMatch(/Bootstrap servers is empty/);
  });

  it('names a missing SASL secret before connecting', async () => {
    const cloud = { kind: 'kafka', name: 'cc', environment: 'dev', preset: 'confluentCloud', bootstrapServers: 'pkc-1.confluent.cloud:9092', securityProtocol: 'SASL_SSL', saslUsername: 'KEY' } as ProfileDraft;
    const result = await service.test({ profile: cloud });
    expect(result.failure).toMatchObject({ step: 'settings', code: 'CONNECTION_SETTINGS' });
    expect(result.failure?.message).toMatch(/No API secret is stored/);
  });

  it('resolves a profile into driver settings with its secret, refusing the wrong kind', async () => {
    const saved = await service.save({ profile: { kind: 'database', name: 'pg', product: 'postgres', host: 'h', port: 5432, database: 'd', user: 'u', tls: 'verify' } as ProfileDraft, secret: SECRET });
    expect(service.sqlSettings(saved.id)).toEqual({ dialect: 'postgres', host: 'h', port: 5432, user: 'u', password: SECRET, database: 'd', ssl: { verify: true } });
    expect(() => service.kafkaSettings(saved.id)).toThrow(/is a database profile; pick a kafka profile/);
  });
});

describe('step recorder', () => {
  it('times steps, skips the rest after a failure and scrubs the secret from every text', async () => {
    const recorder = new StepRecorder([SECRET]);
    await recorder.run('tcp', 'connect', async () => ({ outcome: { detail: 'open' }, value: 1 }));
    await recorder.run('auth', `login with ${SECRET}`, async () => {
      throw new Error(`driver said: password "${SECRET}" rejected`);
    });
    await recorder.run('topics', 'list', async () => ({ outcome: { detail: 'never' }, value: 2 }));
    const result = recorder.result('p', `kafka://${SECRET}@host`);
    expect(result.steps.map((step) => [step.step, step.status])).toEqual([
      ['tcp', 'ok'],
      ['auth', 'failed'],
      ['topics', 'skipped'],
    ]);
    expect(JSON.stringify(result)).not.toContain(SECRET);
    expect(result.failure).toMatchObject({ step: 'auth', message: 'driver said: password "****" rejected' });
  });
});

describe('network probes', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((socket) => socket.on('data', () => socket.end('not tls\n')));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('tells an open port from a refused one', async () => {
    await expect(probeTcp('127.0.0.1', port)).resolves.toBeUndefined();
    await expect(probeTcp('127.0.0.1', 1)).rejects.toMatchObject({ code: 'CONNECTION_TCP_REFUSED', message: 'Connection refused: nothing listens on 127.0.0.1:1.' });
  });

  it('says a plaintext port does not speak TLS', async () => {
    await expect(probeTls('127.0.0.1', port, { timeoutMs: 3000 })).rejects.toMatchObject({ code: 'CONNECTION_TLS' });
  });
});
