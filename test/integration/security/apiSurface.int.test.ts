import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { startWebHost, type WebHost } from '../../../src/engine/host/wsHost';
import { createEngine, type Engine } from '../../../src/engine/index';
import { ENGINE_API_MEMBERS, type IEngineApi, type StoredProfile } from '../../../src/shared/api';
import type { IDisposable } from '../../../src/shared/lifecycle';
import type { ITransport } from '../../../src/shared/rpc';
import { apiOver, openApiSocket, writeMinimalRenderer } from '../../helpers/apiSocket';
import { uniqueName } from '../../helpers/names';

// Issue 11, item 1: the RPC server used to dispatch any function-valued member of the service objects, so a page
// with the token read saved passwords with `connections.sqlSettings(id)` and could call `lab.dispose`. These tests
// attack the real web host over a real WebSocket.

const DB_PASSWORD = `db-${uniqueName('secret')}`;
const SASL_PASSWORD = `sasl-${uniqueName('secret')}`;
const REGISTRY_SECRET = `sr-${uniqueName('secret')}`;
const SECRETS = [DB_PASSWORD, SASL_PASSWORD, REGISTRY_SECRET];

let dir: string;
let engine: Engine;
let host: WebHost;
let socket: WebSocket;
let transport: ITransport & IDisposable;
let api: IEngineApi;
const saved: Partial<Record<'database' | 'kafka' | 'schemaRegistry', StoredProfile>> = {};
const events: unknown[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-security-api-'));
  // Own data and lab directories: the engine's stores start empty and no shared lab state is read or touched.
  engine = createEngine({ host: 'test', dataDir: join(dir, 'data'), lab: { dir: join(dir, 'lab') } });
  host = await startWebHost({ engine, rendererDir: writeMinimalRenderer(join(dir, 'renderer')) });
  const handshake = await openApiSocket(host.port, host.token);
  if (!handshake.open) throw new Error(`the API socket was refused: HTTP ${handshake.status} ${handshake.body}`);
  socket = handshake.socket;
  ({ transport, api } = apiOver(socket));
  api.connections.onDidChangeProfiles((profiles) => events.push(profiles));
  saved.database = await api.connections.save({
    // Port 1: nothing listens, so `test` fails at TCP and never sends the password anywhere.
    profile: { kind: 'database', name: 'secure-db', environment: 'prod', product: 'postgres', host: '127.0.0.1', port: 1, database: 'd', user: 'u', tls: 'disable' },
    secret: DB_PASSWORD,
  });
  saved.kafka = await api.connections.save({
    profile: { kind: 'kafka', name: 'secure-kafka', environment: 'dev', preset: 'custom', bootstrapServers: '127.0.0.1:1', securityProtocol: 'SASL_PLAINTEXT', saslMechanism: 'PLAIN', saslUsername: 'alice' },
    secret: SASL_PASSWORD,
  });
  saved.schemaRegistry = await api.connections.save({
    profile: { kind: 'schemaRegistry', name: 'secure-registry', environment: 'dev', url: 'http://127.0.0.1:1', basicAuthUser: 'bob' },
    secret: REGISTRY_SECRET,
  });
});

afterAll(async () => {
  transport?.dispose();
  socket?.close();
  await host?.close();
  engine?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Every function-valued member a service object has (own and inherited, as the old dispatcher saw them). */
function reflectedMembers(target: object): string[] {
  const names = new Set<string>();
  for (let proto: object | null = target; proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    for (const name of Object.getOwnPropertyNames(proto)) names.add(name);
  }
  return [...names];
}

describe('the API serves exactly the members of IEngineApi', () => {
  it('answers RPC_UNKNOWN_METHOD for helpers that handed out secrets or tore the engine down', async () => {
    const id = saved.database?.id;
    const kafkaId = saved.kafka?.id;
    const attacks: [string, unknown[]][] = [
      ['connections.sqlSettings', [id]],
      ['connections.kafkaSettings', [kafkaId]],
      ['connections.registryOptions', [saved.schemaRegistry?.id]],
      ['connections.dispose', []],
      ['pipelines.runner', ['x']],
      ['lab.dispose', []],
      ['demo.dispose', []],
      ['connections.__proto__', []],
      ['connections.constructor', []],
      ['connections.toString', []],
      ['connections.hasOwnProperty', ['list']],
      ['__proto__.list', []],
      ['constructor.name', []],
      ['connections.onDidChangeProfiles', []],
      ['connections.list.call', []],
      ['connections', []],
    ];
    for (const [path, args] of attacks) {
      const outcome = await transport.invoke(path, args).then(
        (value) => ({ answered: JSON.stringify(value) }),
        (error: unknown) => error,
      );
      expect(outcome, path).toMatchObject({ code: 'RPC_UNKNOWN_METHOD' });
    }
    // The engine is still whole: the namespaces the attacks aimed at still answer.
    await expect(api.connections.list()).resolves.toHaveLength(3);
    await expect(api.lab.status()).resolves.toMatchObject({ dir: join(dir, 'lab') });
  });

  it('refuses every member of the service objects that the interfaces do not declare, calls and events alike', async () => {
    const allowList: Record<string, Record<string, string>> = ENGINE_API_MEMBERS;
    const namespaces = engine as unknown as Record<string, object>;
    let refused = 0;
    for (const [namespace, members] of Object.entries(allowList)) {
      const target = namespaces[namespace];
      expect(target, namespace).toBeTypeOf('object');
      for (const member of reflectedMembers(target as object)) {
        if (Object.hasOwn(members, member)) continue;
        const path = `${namespace}.${member}`;
        const outcome = await transport.invoke(path, []).then(
          () => 'answered',
          (error: unknown) => (error as { code?: string }).code,
        );
        expect(outcome, path).toBe('RPC_UNKNOWN_METHOD');
        refused++;
      }
    }
    // The service objects do carry extra members (sqlSettings, dispose, runner…): the loop attacked them all.
    expect(refused).toBeGreaterThan(5);
  });

  it('returns no stored secret from any read method or event', async () => {
    const ids = [saved.database?.id, saved.kafka?.id, saved.schemaRegistry?.id].filter((id): id is string => id !== undefined);
    expect(ids).toHaveLength(3);
    const results: [string, unknown][] = [
      ['connections.list', await api.connections.list()],
      ['connections.export', await api.connections.export()],
      ['connections.export(ids)', await api.connections.export(ids)],
      ['connections.secretStorage', await api.connections.secretStorage()],
      ['connections.checkWrite', await api.connections.checkWrite({ profileId: ids[0] ?? '', action: 'write' })],
      ['connections.test', await api.connections.test({ id: ids[0] ?? '' })],
      ['query.databases', await api.query.databases()],
      ['topics.clusters', await api.topics.clusters()],
      ['pipelines.list', await api.pipelines.list()],
      ['pipelines.listFiles', await api.pipelines.listFiles()],
      ['replicators.list', await api.replicators.list()],
      ['demo.status', await api.demo.status()],
      ['system.info', await api.system.info()],
      ['onDidChangeProfiles', events],
    ];
    expect(events.length).toBeGreaterThan(0);
    for (const [name, value] of results) {
      const json = JSON.stringify(value);
      for (const secret of SECRETS) expect(json, `${name} must not return a stored secret`).not.toContain(secret);
    }
    // The profiles say a secret is stored, which is all the UI needs.
    expect((results[0]?.[1] as StoredProfile[]).every((profile) => profile.hasSecret)).toBe(true);
  });
});
