import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { PipelineRunner, PipelineStatus } from '../../../src/engine/pipeline';
import { type EmbeddedSchemaRegistry, startEmbeddedSchemaRegistry } from '../../../src/engine/schema';
import type { DatabaseEndpoint } from '../../../src/shared/api';
import { uniqueName } from '../../helpers/names';
import { createTypedTableSql, dropTables, insertTypedRows, openDb, readCanonical, type TestDb, typedRows } from '../../helpers/pipelineDb';
import { describeStatus, KafkaScratch, mariadbToPostgresDocument, managedConnection, pipelineDocument, recordStates, Scratch, sinkGroup, startPipeline, waitForIdle } from '../../helpers/pipelineHarness';
import { until } from '../../helpers/until';

// The servers drop Ferry's connections mid-stream, from a second connection to the shared lab's databases:
// pg_terminate_backend of the PostgreSQL sink's backends (found by the application_name the sink gives them), and
// KILL CONNECTION of the MariaDB source reader's and the MariaDB sink's sessions (each connector logs in as a user
// of its own, made for this test, so only its sessions are killed). Before the fix the PostgreSQL case ended the
// process ("Unhandled 'error' event … terminating connection due to administrator command"). Each case proves: the
// process lives (no uncaught exception; vitest would also report an unhandled error), the status was DEGRADED with
// the cause while it lasted, and the target equals the source after, with INSERT mode, so a re-applied chunk would
// show as a duplicate row.

const endpoints = inject('labEndpoints');

let registry: EmbeddedSchemaRegistry;
let kafka: KafkaScratch;
let mariadb: TestDb;
let postgres: TestDb;
const scratch = new Scratch();
const runners: PipelineRunner[] = [];
const cleanups: (() => Promise<unknown>)[] = [];
const uncaught: unknown[] = [];
const onUncaught = (error: unknown): void => void uncaught.push(error);

beforeAll(async () => {
  process.on('uncaughtException', onUncaught);
  kafka = new KafkaScratch(endpoints.kafka.a.bootstrap);
  registry = await startEmbeddedSchemaRegistry();
  mariadb = await openDb('mariadb', endpoints.mariadb);
  postgres = await openDb('postgres', endpoints.postgres);
}, 60_000);

afterAll(async () => {
  await Promise.all(runners.splice(0).map((runner) => runner.stop().catch(() => {})));
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  await kafka?.cleanup();
  await mariadb?.close();
  await postgres?.close();
  await registry?.close();
  scratch.cleanup();
  process.off('uncaughtException', onUncaught);
}, 60_000);

/** Rows arriving at the source while the connections are being dropped: `batches` of 20, about every 100 ms. */
async function streamRows(table: string, firstId: number, batches: number, baseMs: number): Promise<number> {
  for (let batch = 0; batch < batches; batch++) {
    await insertTypedRows(mariadb, table, typedRows(firstId + batch * 20, 20, baseMs + batch * 1000));
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return firstId + batches * 20;
}

/** Calls `kill` every 250 ms while `running()`; returns how many sessions it ended. */
async function keepKilling(kill: () => Promise<number>, running: () => boolean): Promise<number> {
  let killed = 0;
  while (running()) {
    killed += await kill();
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return killed;
}

function connectorStates(seen: readonly PipelineStatus[], name: string): { state: string; code?: string; message?: string }[] {
  return seen.flatMap((status) => status.connectors.filter((connector) => connector.name === name)).map((connector) => ({ state: connector.state, code: connector.error?.code, message: connector.error?.message }));
}

/** A MariaDB user of the test's own, with the lab user's rights on the lab database; dropped at the end. */
async function mariadbUser(name: string): Promise<DatabaseEndpoint> {
  const password = randomBytes(12).toString('hex');
  await mariadb.exec(`CREATE USER ?@'127.0.0.1' IDENTIFIED BY ?`, [name, password]);
  cleanups.push(() => mariadb.exec(`DROP USER ?@'127.0.0.1'`, [name]));
  await mariadb.exec(`GRANT ALL PRIVILEGES ON ${mariadb.q(endpoints.mariadb.database)}.* TO ?@'127.0.0.1'`, [name]);
  return { ...endpoints.mariadb, user: name, password };
}

/** KILL CONNECTION of every session `user` has open; returns how many. */
async function killMariadbSessions(user: string): Promise<number> {
  const sessions = await mariadb.exec('SELECT ID AS id FROM information_schema.PROCESSLIST WHERE USER = ?', [user]);
  let killed = 0;
  for (const { id } of sessions) {
    // A session may end between the listing and the kill ("Unknown thread id").
    await mariadb.exec(`KILL CONNECTION ${Number(id)}`).then(
      () => killed++,
      () => {},
    );
  }
  return killed;
}

describe('a server drops Ferry\'s database connections mid-stream (shared lab)', () => {
  it('PostgreSQL sink backends terminated (pg_terminate_backend): the process lives, DEGRADED with the cause, then the target equals the source', async () => {
    const name = uniqueName('pgdrop').toLowerCase();
    const sinkName = `${name}-sink`;
    const topic = `${name}_${name}`;
    cleanups.push(() => dropTables(mariadb, [name]), () => dropTables(postgres, [name]));
    kafka.track({ topics: [topic, `dlq-${sinkName}`], groups: [sinkGroup(sinkName)] });
    const base = Date.now() - 3_600_000;
    await mariadb.exec(createTypedTableSql(mariadb, name));
    await insertTypedRows(mariadb, name, typedRows(1, 200, base));

    const runner = await startPipeline(
      mariadbToPostgresDocument(name, name, endpoints, registry.url, { sink: { 'insert.mode': 'INSERT', 'pk.mode': 'none', 'auto.create': 'true', 'batch.sizes': '20' } }),
      scratch.dir(),
    );
    runners.push(runner);
    const states = recordStates(runner);
    await waitForIdle(runner, 1000);
    expect(await readCanonical(postgres, name)).toEqual(await readCanonical(mariadb, name));

    const terminate = async (): Promise<number> =>
      (await postgres.exec('SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE application_name = ? AND pid <> pg_backend_pid()', [`ferry sink ${sinkName}`])).filter(
        (row) => row.ended === true,
      ).length;
    let streaming = true;
    const killing = keepKilling(terminate, () => streaming);
    await streamRows(name, 201, 40, base + 100_000).finally(() => (streaming = false));
    const terminated = await killing;
    // The sink had sessions to end: the fault really happened. It did not end the process.
    expect(terminated).toBeGreaterThan(0);
    expect(uncaught.map(String)).toEqual([]);

    // While it lasted, the status said what failed.
    await until(
      async () => connectorStates(states.seen, sinkName).some((entry) => entry.state === 'DEGRADED' && entry.code === 'SINK_TARGET_UNAVAILABLE'),
      () => `sink DEGRADED with the cause; seen ${JSON.stringify(connectorStates(states.seen, sinkName))}`,
    );
    const degraded = connectorStates(states.seen, sinkName).find((entry) => entry.state === 'DEGRADED' && entry.code === 'SINK_TARGET_UNAVAILABLE');
    expect(degraded?.message).toMatch(/administrator command|closed by the server|terminat/i);

    await waitForIdle(runner, 1500, 90_000);
    const after = runner.status();
    expect(after.state, describeStatus(after)).toBe('RUNNING');
    expect(after.connectors.map((connector) => connector.metrics.deadLettered)).toEqual([0, 0]);
    // INSERT mode without a key: a chunk applied twice would be a duplicate row here, a lost one a missing row.
    expect(await readCanonical(postgres, name)).toEqual(await readCanonical(mariadb, name));
    states.dispose();
    expect(uncaught.map(String)).toEqual([]);
  }, 120_000);

  it('PostgreSQL target refusing logins for longer than the sink\'s retries (its backends terminated, its role NOLOGIN): the sink stays DEGRADED and retries, never FAILED, and catches up after', async () => {
    const name = uniqueName('pgdown').toLowerCase();
    const sinkName = `${name}-sink`;
    const topic = `${name}_${name}`;
    const role = `${name}_snk`;
    const password = randomBytes(12).toString('hex');
    await postgres.exec(`CREATE ROLE ${postgres.q(role)} LOGIN PASSWORD '${password}'`);
    cleanups.push(() => postgres.exec(`DROP ROLE IF EXISTS ${postgres.q(role)}`), () => postgres.exec(`DROP OWNED BY ${postgres.q(role)}`));
    await postgres.exec(`GRANT CREATE, USAGE ON SCHEMA public TO ${postgres.q(role)}`);
    cleanups.push(() => dropTables(mariadb, [name]), () => dropTables(postgres, [name]));
    kafka.track({ topics: [topic, `dlq-${sinkName}`], groups: [sinkGroup(sinkName)] });
    const base = Date.now() - 3_600_000;
    await mariadb.exec(createTypedTableSql(mariadb, name));
    await insertTypedRows(mariadb, name, typedRows(1, 100, base));
    const runner = await startPipeline(
      mariadbToPostgresDocument(name, name, endpoints, registry.url, {
        // One quick retry inside the writer, so the outage outlasts it: the connector must not give up after it.
        sink: { ...managedConnection({ ...endpoints.postgres, user: role, password }), 'insert.mode': 'INSERT', 'pk.mode': 'none', 'auto.create': 'true', 'max.retries': '1', 'retry.backoff.ms': '200' },
      }),
      scratch.dir(),
    );
    runners.push(runner);
    const states = recordStates(runner);
    await waitForIdle(runner, 1000);

    await postgres.exec(`ALTER ROLE ${postgres.q(role)} NOLOGIN`);
    await postgres.exec('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = ? AND pid <> pg_backend_pid()', [role]);
    await insertTypedRows(mariadb, name, typedRows(101, 100, base + 100_000));
    await until(
      async () => connectorStates(states.seen, sinkName).some((entry) => entry.state === 'DEGRADED' && entry.code === 'SINK_TARGET_UNAVAILABLE'),
      () => `sink DEGRADED while the target refuses logins; seen ${JSON.stringify(connectorStates(states.seen, sinkName))}`,
    );
    // Several of the sink's own retry rounds pass while the target stays closed.
    const errorsAt = (): number => runner.status().connectors.find((connector) => connector.name === sinkName)?.metrics.errors ?? 0;
    const firstErrors = errorsAt();
    await until(async () => errorsAt() >= firstErrors + 3 || runner.status().state === 'FAILED', 'three more failed attempts');
    expect(runner.status().state, describeStatus(runner.status())).toBe('DEGRADED');
    expect(uncaught.map(String)).toEqual([]);

    await postgres.exec(`ALTER ROLE ${postgres.q(role)} LOGIN`);
    await waitForIdle(runner, 1500, 90_000);
    const after = runner.status();
    expect(after.state, describeStatus(after)).toBe('RUNNING');
    expect(connectorStates(states.seen, sinkName).map((entry) => entry.state)).not.toContain('FAILED');
    expect(await readCanonical(postgres, name)).toEqual(await readCanonical(mariadb, name));
    states.dispose();
    await runner.stop();
  }, 120_000);

  it('MariaDB source reader and MariaDB sink sessions killed (KILL CONNECTION): the process lives, both DEGRADED with the cause, then the target equals the source', async () => {
    const name = uniqueName('mydrop').toLowerCase();
    const target = `${name}_copy`;
    const sourceName = `${name}-source`;
    const sinkName = `${name}-sink`;
    const topic = `${name}_${name}`;
    cleanups.push(() => dropTables(mariadb, [name, target]));
    kafka.track({ topics: [topic, `dlq-${sinkName}`], groups: [sinkGroup(sinkName)] });
    const sourceUser = await mariadbUser(`${name.slice(-12)}_src`);
    const sinkUser = await mariadbUser(`${name.slice(-12)}_snk`);
    const base = Date.now() - 3_600_000;
    await mariadb.exec(createTypedTableSql(mariadb, name));
    await insertTypedRows(mariadb, name, typedRows(1, 200, base));

    const runner = await startPipeline(
      pipelineDocument(name, endpoints.kafka.a.bootstrap, registry.url, [
        {
          name: sourceName,
          'connector.class': 'MySqlSource',
          ...managedConnection(sourceUser),
          mode: 'timestamp+incrementing',
          'timestamp.column.name': 'updated_at',
          'incrementing.column.name': 'id',
          'table.whitelist': name,
          'topic.prefix': `${name}_`,
          'poll.interval.ms': '200',
          // The source reconnects after a short pause (the default 10 s would only slow the test down).
          'connection.backoff.ms': '200',
        },
        {
          name: sinkName,
          'connector.class': 'MySqlSink',
          ...managedConnection(sinkUser),
          topics: topic,
          'table.name.format': target,
          'insert.mode': 'INSERT',
          'pk.mode': 'none',
          'auto.create': 'true',
          'batch.sizes': '20',
        },
      ]),
      scratch.dir(),
    );
    runners.push(runner);
    const states = recordStates(runner);
    await waitForIdle(runner, 1000);
    expect(await readCanonical(mariadb, target)).toEqual(await readCanonical(mariadb, name));

    let streaming = true;
    const killing = keepKilling(async () => (await killMariadbSessions(sourceUser.user)) + (await killMariadbSessions(sinkUser.user)), () => streaming);
    await streamRows(name, 201, 40, base + 100_000).finally(() => (streaming = false));
    expect(await killing).toBeGreaterThan(0);
    expect(uncaught.map(String)).toEqual([]);

    await until(
      async () =>
        connectorStates(states.seen, sourceName).some((entry) => entry.state === 'DEGRADED' && entry.code === 'SOURCE_CONNECTION_FAILED') &&
        connectorStates(states.seen, sinkName).some((entry) => entry.state === 'DEGRADED' && entry.code === 'SINK_TARGET_UNAVAILABLE'),
      () => `source and sink DEGRADED with the cause; seen source ${JSON.stringify(connectorStates(states.seen, sourceName))} sink ${JSON.stringify(connectorStates(states.seen, sinkName))}`,
    );

    await waitForIdle(runner, 1500, 90_000);
    const after = runner.status();
    expect(after.state, describeStatus(after)).toBe('RUNNING');
    expect(after.connectors.map((connector) => connector.metrics.deadLettered)).toEqual([0, 0]);
    expect(await readCanonical(mariadb, target)).toEqual(await readCanonical(mariadb, name));
    states.dispose();
    expect(uncaught.map(String)).toEqual([]);
  }, 120_000);
});
