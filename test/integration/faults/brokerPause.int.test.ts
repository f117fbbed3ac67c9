import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { progressLine } from '../../../src/engine/host/cliRun';
import { createLab, type Lab } from '../../../src/engine/lab';
import type { PipelineRunner, PipelineStatus } from '../../../src/engine/pipeline';
import { type EmbeddedSchemaRegistry, startEmbeddedSchemaRegistry } from '../../../src/engine/schema';
import { freeLabPortOffset, releaseLabPortOffset } from '../../helpers/labPorts';
import { uniqueName } from '../../helpers/names';
import { createTypedTableSql, dropTables, insertTypedRows, openDb, readCanonical, type TestDb, typedRows } from '../../helpers/pipelineDb';
import { describeStatus, KafkaScratch, mariadbToPostgresDocument, recordStates, Scratch, sinkGroup, startPipeline, waitForIdle } from '../../helpers/pipelineHarness';
import { until } from '../../helpers/until';

// The broker stops answering mid-stream (SIGSTOP: its sockets stay open, nothing is refused, every request just
// waits), then answers again (SIGCONT); later it is stopped and started. The status must say what is known now:
// before the fix the progress line said `RUNNING … lag 0` through a 30 s pause, because nothing had failed yet and
// the lag shown was the last one measured. The broker is a private lab's (the shared lab's must never be paused),
// on ports nobody else uses.

const endpoints = inject('labEndpoints');
let portOffset: number | undefined;
let lab: Lab;
let labDir: string;
let bootstrap: string;
let registry: EmbeddedSchemaRegistry;
let kafka: KafkaScratch;
let mariadb: TestDb;
let postgres: TestDb;
const scratch = new Scratch();
const runners: PipelineRunner[] = [];
const tables: string[] = [];
let brokerPid: number | undefined;
let brokerPaused = false;

beforeAll(async () => {
  labDir = mkdtempSync('/var/tmp/ferry-lab-brokerpause-');
  chmodSync(labDir, 0o755);
  portOffset = await freeLabPortOffset();
  lab = createLab({ dir: labDir, env: { ...process.env, FERRY_LAB_PORT_OFFSET: String(portOffset) } });
  const up = await lab.up({ services: ['kafka-a'] });
  bootstrap = up.endpoints.kafka.a.bootstrap;
  expect(bootstrap).not.toBe(endpoints.kafka.a.bootstrap);
  kafka = new KafkaScratch(bootstrap);
  registry = await startEmbeddedSchemaRegistry();
  mariadb = await openDb('mariadb', endpoints.mariadb);
  postgres = await openDb('postgres', endpoints.postgres);
}, 180_000);

afterAll(async () => {
  // Never leave a stopped broker behind, whatever failed.
  if (brokerPaused && brokerPid) process.kill(brokerPid, 'SIGCONT');
  await Promise.all(runners.splice(0).map((runner) => runner.stop().catch(() => {})));
  for (const table of tables) {
    await dropTables(mariadb, [table]);
    await dropTables(postgres, [table]);
  }
  await mariadb?.close();
  await postgres?.close();
  await registry?.close();
  if (lab) {
    await lab.down().catch(() => {});
    lab.dispose();
  }
  if (labDir) rmSync(labDir, { recursive: true, force: true });
  if (portOffset !== undefined) releaseLabPortOffset(portOffset);
  scratch.cleanup();
}, 120_000);

async function brokerProcess(): Promise<number> {
  const service = (await lab.status()).services.find((candidate) => candidate.name === 'kafka-a');
  if (!service?.pid) throw new Error(`the private lab's broker has no pid: ${JSON.stringify(service)}`);
  return service.pid;
}

/** Inserts 20 rows about every 150 ms until `running()` turns false; returns the next free id. */
async function streamRows(table: string, firstId: number, baseMs: number, running: () => boolean): Promise<number> {
  let id = firstId;
  for (let batch = 0; running(); batch++) {
    await insertTypedRows(mariadb, table, typedRows(id, 20, baseMs + batch * 1000));
    id += 20;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  return id;
}

describe('Kafka broker paused and restarted mid-stream (private lab)', () => {
  it('while the broker does not answer, the status is not RUNNING with a fresh lag: lag is marked stale, the state DEGRADED with the cause', async () => {
    const name = uniqueName('bpause').toLowerCase();
    const sinkName = `${name}-sink`;
    tables.push(name);
    kafka.track({ topics: [`${name}_${name}`, `dlq-${sinkName}`], groups: [sinkGroup(sinkName)] });
    const base = Date.now() - 3_600_000;
    await mariadb.exec(createTypedTableSql(mariadb, name));
    await insertTypedRows(mariadb, name, typedRows(1, 200, base));
    const document = mariadbToPostgresDocument(name, name, endpoints, registry.url, { sink: { 'auto.create': 'true' } });
    document.kafka['bootstrap.servers'] = bootstrap;
    const runner = await startPipeline(document, scratch.dir());
    runners.push(runner);
    await waitForIdle(runner, 1000);
    const states = recordStates(runner);

    let streaming = true;
    const stream = streamRows(name, 201, base + 100_000, () => streaming);
    await until(async () => runner.status().connectors.every((connector) => connector.metrics.rowsApplied + connector.metrics.rowsProduced > 200), 'rows streaming through');

    brokerPid = await brokerProcess();
    process.kill(brokerPid, 'SIGSTOP');
    brokerPaused = true;
    const pausedAt = Date.now();
    // What a user watching the progress line sees while the broker is away: every sample of the last part of the
    // pause, once even the longest Kafka request of the pipeline has had time to notice (the pause is 30 s, as in
    // the report; what the samples must say does not depend on how fast this machine is).
    const samples: { at: number; status: PipelineStatus; line: string }[] = [];
    while (Date.now() - pausedAt < 30_000) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const status = runner.status();
      samples.push({ at: Date.now() - pausedAt, status, line: progressLine(status) });
    }
    const produced = (): number => runner.status().connectors.find((connector) => connector.role === 'source')?.metrics.rowsProduced ?? 0;
    const applied = (): number => runner.status().connectors.find((connector) => connector.role === 'sink')?.metrics.rowsApplied ?? 0;
    const [producedBefore, appliedBefore] = [produced(), applied()];
    process.kill(brokerPid, 'SIGCONT');
    brokerPaused = false;
    const resumedAt = Date.now();
    let sourceBackMs: number | undefined;
    let sinkBackMs: number | undefined;
    await until(
      async () => {
        if (sourceBackMs === undefined && produced() > producedBefore) sourceBackMs = Date.now() - resumedAt;
        if (sinkBackMs === undefined && applied() > appliedBefore) sinkBackMs = Date.now() - resumedAt;
        return sourceBackMs !== undefined && sinkBackMs !== undefined;
      },
      () => `source and sink working again after the pause: ${describeStatus(runner.status())}`,
      120_000,
    );
    // Measured, not asserted (timing depends on the machine): printed for the table.
    console.info(`broker paused 30 s: source producing again ${sourceBackMs} ms after SIGCONT, sink applying again after ${sinkBackMs} ms`);
    streaming = false;
    await stream;

    const late = samples.filter((sample) => sample.at >= 20_000);
    expect(late.length).toBeGreaterThan(0);
    for (const { status, line, at } of late) {
      const sink = status.connectors.find((connector) => connector.role === 'sink');
      // Nothing was measured since the pause began: the lag shown is marked as an old value, with its age.
      expect(sink?.metrics.lagStale, `${at} ms: ${line}`).toBe(true);
      expect(sink?.metrics.lagAsOf, `${at} ms: ${line}`).toBeLessThanOrEqual(pausedAt);
      expect(line, `${at} ms`).toMatch(/lag ≥ \d+\S* \(stale \d+ s\)/);
      // And the pipeline does not claim to run: it says which brokers do not answer.
      expect(status.state, `${at} ms: ${line}`).toBe('DEGRADED');
      expect(line, `${at} ms`).toContain(bootstrap);
    }

    await waitForIdle(runner, 1500, 120_000);
    const after = runner.status();
    expect(after.state, describeStatus(after)).toBe('RUNNING');
    const sinkAfter = after.connectors.find((connector) => connector.role === 'sink');
    expect(sinkAfter?.metrics.lagStale).toBe(false);
    expect(progressLine(after)).not.toContain('stale');
    expect(await readCanonical(postgres, name)).toEqual(await readCanonical(mariadb, name));
    // Every connector went DEGRADED during the pause and RUNNING after it.
    for (const connector of after.connectors) {
      const history = states.seen.map((status) => status.connectors.find((candidate) => candidate.name === connector.name)?.state);
      expect(history.slice(history.indexOf('DEGRADED')), `${connector.name}: ${history.join(' → ')}`).toContain('RUNNING');
      expect(history, connector.name).toContain('DEGRADED');
    }
    states.dispose();
    await runner.stop();
  }, 150_000);

  it('after a broker restart the sink rejoins and applies again (time measured from the broker being back)', async () => {
    const name = uniqueName('brestart').toLowerCase();
    const sinkName = `${name}-sink`;
    tables.push(name);
    kafka.track({ topics: [`${name}_${name}`, `dlq-${sinkName}`], groups: [sinkGroup(sinkName)] });
    const base = Date.now() - 3_600_000;
    await mariadb.exec(createTypedTableSql(mariadb, name));
    await insertTypedRows(mariadb, name, typedRows(1, 200, base));
    const document = mariadbToPostgresDocument(name, name, endpoints, registry.url, { sink: { 'auto.create': 'true' } });
    document.kafka['bootstrap.servers'] = bootstrap;
    const runner = await startPipeline(document, scratch.dir());
    runners.push(runner);
    await waitForIdle(runner, 1000);

    let streaming = true;
    const stream = streamRows(name, 201, base + 100_000, () => streaming);
    await lab.down();
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    const produced = (): number => runner.status().connectors.find((connector) => connector.role === 'source')?.metrics.rowsProduced ?? 0;
    const applied = (): number => runner.status().connectors.find((connector) => connector.role === 'sink')?.metrics.rowsApplied ?? 0;
    const [producedBefore, appliedBefore] = [produced(), applied()];
    await lab.up({ services: ['kafka-a'] });
    const backAt = Date.now();
    let sourceBackMs: number | undefined;
    let sinkBackMs: number | undefined;
    await until(
      async () => {
        if (sourceBackMs === undefined && produced() > producedBefore) sourceBackMs = Date.now() - backAt;
        if (sinkBackMs === undefined && applied() > appliedBefore) sinkBackMs = Date.now() - backAt;
        return sourceBackMs !== undefined && sinkBackMs !== undefined;
      },
      () => `source and sink working again: ${describeStatus(runner.status())}`,
      120_000,
    );
    // Measured, not asserted (timing depends on the machine): printed for the table.
    console.info(`broker restart: source producing again after ${sourceBackMs} ms, sink applying again after ${sinkBackMs} ms`);
    streaming = false;
    await stream;
    await waitForIdle(runner, 1500, 120_000);
    expect(runner.status().state, describeStatus(runner.status())).toBe('RUNNING');
    expect(await readCanonical(postgres, name)).toEqual(await readCanonical(mariadb, name));
    await runner.stop();
  }, 240_000);
});
