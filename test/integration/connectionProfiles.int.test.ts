import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ConnectionsService } from '../../src/engine/connections';
import { startEmbeddedSchemaRegistry, type EmbeddedSchemaRegistry } from '../../src/engine/schema';
import { openSqlSession, type SqlSession } from '../../src/engine/db';
import type { ProfileDraft, ProfileTestResult } from '../../src/shared/api';
import { uniqueName } from '../helpers/names';
import { startEmbeddedPostgres } from '../../src/engine/demo/embeddedPostgres';

/**
 * Profile tests against the real lab: each failure is named for what it is (DNS, TCP refused, TLS, authentication,
 * missing privilege, missing table) with per-step timings, and no secret reaches a file or a message.
 */
describe('connection profile tests against the lab', () => {
  const endpoints = inject('labEndpoints');
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-profiles-'));
  const service = new ConnectionsService({ dataDir });
  const restricted = { user: uniqueName('ro').slice(0, 30), password: `Pw-${uniqueName('x')}` };
  const table = uniqueName('probe');
  let registry: EmbeddedSchemaRegistry;
  let mariadb: SqlSession;
  let postgres: SqlSession;

  const kafka = (bootstrapServers: string, extra: Partial<ProfileDraft> = {}): ProfileDraft =>
    ({ kind: 'kafka', name: 'lab kafka', environment: 'dev', preset: 'custom', securityProtocol: 'PLAINTEXT', bootstrapServers, ...extra }) as ProfileDraft;
  const database = (product: 'mysql' | 'postgres', extra: Record<string, unknown> = {}): ProfileDraft => {
    const endpoint = product === 'mysql' ? endpoints.mariadb : endpoints.postgres;
    return { kind: 'database', name: product, environment: 'dev', product, host: endpoint.host, port: endpoint.port, database: endpoint.database, user: endpoint.user, tls: 'disable', ...extra } as ProfileDraft;
  };
  const failedStep = (result: ProfileTestResult) => result.steps.find((step) => step.status === 'failed');

  beforeAll(async () => {
    registry = await startEmbeddedSchemaRegistry({ basicAuth: { username: 'sr-key', password: 'sr-secret-value' } });
    const labDb = (product: 'mysql' | 'postgres') => {
      const endpoint = product === 'mysql' ? endpoints.mariadb : endpoints.postgres;
      return openSqlSession({ dialect: product, host: endpoint.host, port: endpoint.port, user: endpoint.user, password: endpoint.password, database: endpoint.database });
    };
    mariadb = await labDb('mysql');
    postgres = await labDb('postgres');
    await mariadb.execute({ sql: `CREATE TABLE \`${table}\` (id INT PRIMARY KEY)`, params: [] });
    // MariaDB lets a user into a database only with some privilege in it: SELECT on another table, not on ours.
    await mariadb.execute({ sql: `CREATE TABLE \`${table}_granted\` (id INT PRIMARY KEY)`, params: [] });
    for (const host of ['%', '127.0.0.1', 'localhost']) {
      await mariadb.execute({ sql: 'CREATE USER ?@? IDENTIFIED BY ?', params: [restricted.user, host, restricted.password] });
      await mariadb.execute({ sql: `GRANT SELECT ON \`${endpoints.mariadb.database}\`.\`${table}_granted\` TO ?@?`, params: [restricted.user, host] });
    }
    await postgres.execute({ sql: `CREATE TABLE "${table}" (id INT PRIMARY KEY)`, params: [] });
    await postgres.execute({ sql: `CREATE ROLE "${restricted.user}" LOGIN PASSWORD '${restricted.password}'`, params: [] });
  });

  afterAll(async () => {
    for (const host of ['%', '127.0.0.1', 'localhost']) await mariadb?.execute({ sql: 'DROP USER IF EXISTS ?@?', params: [restricted.user, host] }).catch(() => {});
    await mariadb?.execute({ sql: `DROP TABLE IF EXISTS \`${table}\`, \`${table}_granted\``, params: [] });
    await postgres?.execute({ sql: `DROP TABLE IF EXISTS "${table}"`, params: [] });
    await postgres?.execute({ sql: `DROP ROLE IF EXISTS "${restricted.user}"`, params: [] });
    await Promise.all([mariadb?.close(), postgres?.close(), registry?.close()]);
    service.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('passes every step against the lab Kafka, timing each', async () => {
    const result = await service.test({ profile: kafka(endpoints.kafka.a.bootstrap) });
    expect(result.ok).toBe(true);
    expect(result.steps.map((step) => step.step)).toEqual(['dns', 'tcp', 'auth', 'cluster', 'brokers', 'topics']);
    expect(result.steps.every((step) => step.status === 'ok' && Number.isInteger(step.ms) && step.ms >= 0)).toBe(true);
    expect(result.steps.find((step) => step.step === 'cluster')?.detail).toMatch(/1 broker/);
  });

  it('names a wrong Kafka port as TCP refused, an unknown host as DNS, and TLS on a plaintext port as TLS', async () => {
    const refused = await service.test({ profile: kafka('127.0.0.1:1') });
    expect(refused.failure).toMatchObject({ step: 'tcp', code: 'CONNECTION_TCP_REFUSED' });
    expect(refused.failure?.message).toContain('Connection refused: nothing listens on 127.0.0.1:1');
    expect(refused.steps.at(-1)).toMatchObject({ step: 'topics', status: 'skipped' });

    const dns = await service.test({ profile: kafka('no-such-broker.invalid:9092') });
    expect(dns.failure).toMatchObject({ step: 'dns', code: 'CONNECTION_DNS' });
    expect(dns.failure?.message).toContain('The host name "no-such-broker.invalid" could not be resolved');

    const tls = await service.test({ profile: kafka(endpoints.kafka.a.bootstrap, { securityProtocol: 'SSL' }) });
    expect(tls.failure).toMatchObject({ step: 'tls', code: 'CONNECTION_TLS' });
  });

  it('passes against MariaDB and PostgreSQL as the lab user, including a table it can read', async () => {
    for (const product of ['mysql', 'postgres'] as const) {
      const password = product === 'mysql' ? endpoints.mariadb.password : endpoints.postgres.password;
      const result = await service.test({ profile: database(product, { checkTables: [table] }), secret: password });
      expect(result.ok, JSON.stringify(result.steps)).toBe(true);
      expect(result.steps.map((step) => [step.step, step.status])).toEqual([
        ['dns', 'ok'],
        ['tcp', 'ok'],
        ['auth', 'ok'],
        ['server', 'ok'],
        ['privileges', 'ok'],
        ...(product === 'postgres' ? [['sinkLoad', 'ok']] : []),
        ['table', 'ok'],
      ]);
    }
  });

  it('warns that a PostgreSQL role without TEMPORARY loads sink batches without COPY, naming the GRANT', async () => {
    const databaseName = uniqueName('notemp_profile').toLowerCase();
    await postgres.execute({ sql: `CREATE DATABASE "${databaseName}"`, params: [] });
    try {
      await postgres.execute({ sql: `REVOKE TEMPORARY ON DATABASE "${databaseName}" FROM PUBLIC`, params: [] });
      const result = await service.test({ profile: database('postgres', { user: restricted.user, database: databaseName }), secret: restricted.password });
      expect(result.ok, JSON.stringify(result.steps)).toBe(true);
      expect(result.steps.find((step) => step.step === 'sinkLoad')).toMatchObject({ status: 'warning', code: 'CONNECTION_PRIVILEGE', hint: `GRANT TEMPORARY ON DATABASE "${databaseName}" TO "${restricted.user}";` });
      expect(JSON.stringify(result)).not.toContain(restricted.password);
    } finally {
      await postgres.execute({ sql: `DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`, params: [] });
    }
  });

  it('warns that a PGlite target loads sink batches without COPY', async () => {
    const embedded = await startEmbeddedPostgres();
    try {
      const result = await service.test({ profile: database('postgres', { host: embedded.host, port: embedded.port, database: embedded.database, user: embedded.user }), secret: embedded.password });
      expect(result.ok, JSON.stringify(result.steps)).toBe(true);
      expect(result.steps.find((step) => step.step === 'sinkLoad')).toMatchObject({ status: 'warning', detail: expect.stringMatching(/PGlite takes no COPY FROM STDIN/) });
    } finally {
      await embedded.close();
    }
  }, 60_000);

  it('names a wrong database password as authentication and keeps it out of every message', async () => {
    for (const product of ['mysql', 'postgres'] as const) {
      const wrong = `wrong-${uniqueName('pw')}`;
      const result = await service.test({ profile: database(product), secret: wrong });
      expect(result.failure, product).toMatchObject({ step: 'auth', code: 'CONNECTION_AUTH' });
      expect(JSON.stringify(result)).not.toContain(wrong);
    }
  });

  it('names missing privileges: replication for log-based capture, SELECT on a table', async () => {
    for (const product of ['mysql', 'postgres'] as const) {
      const result = await service.test({ profile: database(product, { user: restricted.user, checkTables: [table] }), secret: restricted.password });
      const privileges = result.steps.find((step) => step.step === 'privileges');
      expect(privileges, JSON.stringify(result.steps)).toMatchObject({ status: 'warning', code: 'CONNECTION_PRIVILEGE' });
      expect(privileges?.detail).toMatch(product === 'mysql' ? /Missing REPLICATION CLIENT/ : /lacks REPLICATION/);
      expect(failedStep(result)).toMatchObject({ step: 'table', code: 'CONNECTION_PRIVILEGE' });
      expect(failedStep(result)?.detail).toContain(`may not read table ${table}`);
      expect(JSON.stringify(result)).not.toContain(restricted.password);
    }
  });

  it('names a missing database and a missing table', async () => {
    const noDb = await service.test({ profile: database('postgres', { database: 'no_such_db_here' }), secret: endpoints.postgres.password });
    expect(noDb.failure).toMatchObject({ step: 'auth', code: 'CONNECTION_NOT_FOUND' });
    const noTable = await service.test({ profile: database('mysql', { checkTables: ['no_such_table_here'] }), secret: endpoints.mariadb.password });
    expect(noTable.failure).toMatchObject({ step: 'table', code: 'CONNECTION_NOT_FOUND' });
  });

  it('tests a Schema Registry with basic auth: right key passes, a wrong secret is authentication', async () => {
    const draft = { kind: 'schemaRegistry', name: 'sr', environment: 'dev', url: registry.url, basicAuthUser: 'sr-key' } as ProfileDraft;
    const ok = await service.test({ profile: draft, secret: 'sr-secret-value' });
    expect(ok.ok, JSON.stringify(ok.steps)).toBe(true);
    const wrong = await service.test({ profile: draft, secret: 'not-the-secret' });
    expect(wrong.failure).toMatchObject({ step: 'auth', code: 'CONNECTION_AUTH' });
    expect(JSON.stringify(wrong)).not.toContain('not-the-secret');
  });

  it('tests a saved profile with its stored secret, which never lands in the profile file', async () => {
    const saved = await service.save({ profile: database('mysql', { name: 'lab mariadb' }), secret: endpoints.mariadb.password });
    expect(saved.hasSecret).toBe(true);
    expect((await service.test({ id: saved.id })).ok).toBe(true);
    for (const file of readdirSync(join(dataDir, 'profiles'))) {
      expect(readFileSync(join(dataDir, 'profiles', file), 'utf8')).not.toContain(endpoints.mariadb.password);
    }
    expect(JSON.stringify(await service.list())).not.toContain(endpoints.mariadb.password);
  });
});
