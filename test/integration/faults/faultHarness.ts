import mysql from 'mysql2/promise';
import { expect } from 'vitest';
import pg from 'pg';
import type { DatabaseEndpoint } from '../../../src/shared/api';
import { type FerryProcess, spawnFerry, waitForExit, writePipelineFile } from '../../helpers/pipelineCli';
import { type ConnectorConfig, managedConnection, type PipelineDocument, pipelineDocument } from '../../helpers/pipelineHarness';
import { until } from '../../helpers/until';

// What every fault case of this folder drives: a MariaDB table that grows while the fault happens (a writer that
// knows exactly which ids it committed), a PostgreSQL target read back for losses and duplicates (INSERT mode and
// no primary key, so a row applied twice shows as two rows), `ferry run` as a child process (so a crash is an exit
// code, not a dead test worker) and its progress line, which is the status a user sees.

/** The source table: `qty` is what the target's CHECK constraints look at (a bad row has qty < 0). */
export function sourceTableSql(table: string): string {
  return `CREATE TABLE \`${table}\` (
    id INT NOT NULL PRIMARY KEY,
    qty INT NOT NULL,
    note VARCHAR(64) NOT NULL,
    updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
  )`;
}

/** The target table made in advance (auto.create would make the same one): no key, optionally a CHECK on qty. */
export function targetTableSql(table: string, check: boolean): string {
  return `CREATE TABLE "${table}" (
    id INT NOT NULL,
    qty INT NOT NULL${check ? ' CHECK (qty >= 0)' : ''},
    note VARCHAR(64) NOT NULL,
    updated_at TIMESTAMP(3) NOT NULL
  )`;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Inserts rows with ids 1, 2, 3… into the source, `rowsPerTick` every `tickMs`, one autocommitted statement per
 * tick, and counts what committed. A statement cut off by a fault has an unknown outcome: after reconnecting the
 * writer looks whether its rows are there before it goes on, so `committed` is exact. `isBad(id)` rows carry a
 * negative qty (refused by a CHECK on the target).
 */
export class SourceWriter {
  /** Ids 1..committed are in the source table. */
  committed = 0;
  readonly failures: string[] = [];
  private connection: mysql.Connection | undefined;
  private loop: Promise<void> | undefined;
  private pausedFlag = false;
  private stopped = false;

  constructor(
    private readonly endpoint: DatabaseEndpoint,
    private readonly table: string,
    private readonly options: { rowsPerTick: number; tickMs: number; isBad?: (id: number) => boolean },
  ) {}

  /** Runs one statement on the writer's connection (e.g. the CREATE TABLE). */
  async exec(sql: string): Promise<void> {
    await (await this.open()).query(sql);
  }

  /** Writes `count` rows at once (the snapshot before the stream starts). */
  async insert(count: number): Promise<void> {
    for (let left = count; left > 0; ) {
      const n = Math.min(left, 1000);
      await this.insertNext(n);
      left -= n;
    }
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops writing after the statement in flight; resolves once it settled. */
  async pause(): Promise<void> {
    this.pausedFlag = true;
    await this.idle;
  }

  resume(): void {
    this.pausedFlag = false;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    await this.closeConnection();
  }

  private idle: Promise<void> = Promise.resolve();

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (!this.pausedFlag) {
        let settled = (): void => {};
        this.idle = new Promise((resolve) => (settled = resolve));
        try {
          await this.insertNext(this.options.rowsPerTick);
        } catch (error) {
          this.failures.push(errorText(error));
        } finally {
          settled();
        }
      }
      await new Promise((resolve) => setTimeout(resolve, this.options.tickMs));
    }
  }

  private async open(): Promise<mysql.Connection> {
    if (!this.connection) {
      const connection = await mysql.createConnection({
        host: this.endpoint.host,
        port: this.endpoint.port,
        user: this.endpoint.user,
        password: this.endpoint.password,
        database: this.endpoint.database,
        timezone: 'Z',
        connectTimeout: 5000,
      });
      // A server that goes away must not crash the test worker (an idle connection emits 'error').
      connection.on('error', () => {
        if (this.connection === connection) this.connection = undefined;
      });
      this.connection = connection;
    }
    return this.connection;
  }

  private async closeConnection(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    if (connection) await connection.end().catch(() => connection.destroy());
  }

  private async insertNext(count: number): Promise<void> {
    const first = this.committed + 1;
    const ids = Array.from({ length: count }, (_, i) => first + i);
    const values = ids.flatMap((id) => [id, this.options.isBad?.(id) ? -1 : id, `row ${id}`]);
    try {
      const connection = await this.open();
      await connection.query(`INSERT INTO \`${this.table}\` (id, qty, note) VALUES ${ids.map(() => '(?, ?, ?)').join(', ')}`, values);
      this.committed += count;
    } catch (error) {
      await this.closeConnection();
      // Cut off mid-statement: it committed entirely or not at all (one autocommitted statement). Find out which.
      const landed = await this.countIds(first, first + count - 1).catch(() => undefined);
      if (landed === count) this.committed += count;
      else throw error;
    }
  }

  private async countIds(from: number, to: number): Promise<number> {
    const connection = await this.open();
    const [rows] = await connection.query(`SELECT COUNT(*) AS n FROM \`${this.table}\` WHERE id BETWEEN ? AND ?`, [from, to]);
    return Number((rows as { n: number | string }[])[0]?.n ?? 0);
  }
}

/** The target read back: how many rows, how many distinct ids, the highest id, and every id applied more than once. */
export interface TargetCounts {
  rows: number;
  distinct: number;
  maxId: number;
  duplicated: number[];
}

/**
 * A PostgreSQL client for the target that survives the faults the tests inject (terminated backends, a restart):
 * one connection per question, never shared with the sink, so it is never the one a fault cut.
 */
export class TargetReader {
  constructor(private readonly endpoint: DatabaseEndpoint) {}

  async query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = [], database = this.endpoint.database): Promise<T[]> {
    const client = new pg.Client({ host: this.endpoint.host, port: this.endpoint.port, user: this.endpoint.user, password: this.endpoint.password, database, connectionTimeoutMillis: 5000 });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async counts(table: string): Promise<TargetCounts> {
    const exists = await this.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [`"${table}"`]);
    if (!exists[0]?.found) return { rows: 0, distinct: 0, maxId: 0, duplicated: [] };
    const [totals] = await this.query<{ rows: string; distinct: string; max: string | null }>(
      `SELECT COUNT(*) AS rows, COUNT(DISTINCT id) AS distinct, MAX(id) AS max FROM "${table}"`,
    );
    const duplicated = await this.query<{ id: number }>(`SELECT id FROM "${table}" GROUP BY id HAVING COUNT(*) > 1 ORDER BY id LIMIT 20`);
    return { rows: Number(totals?.rows ?? 0), distinct: Number(totals?.distinct ?? 0), maxId: Number(totals?.max ?? 0), duplicated: duplicated.map((row) => row.id) };
  }
}

/**
 * MariaDB → Kafka → PostgreSQL with managed classes: incrementing on id, INSERT into a table without a key.
 * `sourceKeys` and `sinkKeys` add or override connector keys.
 */
export function streamPipeline(options: {
  name: string;
  table: string;
  bootstrap: string;
  registryUrl: string;
  source: DatabaseEndpoint;
  target: DatabaseEndpoint;
  sourceKeys?: ConnectorConfig;
  sinkKeys?: ConnectorConfig;
  extra?: PipelineDocument['connectors'];
}): PipelineDocument {
  return pipelineDocument(options.name, options.bootstrap, options.registryUrl, [
    {
      name: `${options.name}-source`,
      'connector.class': 'MySqlSource',
      ...managedConnection(options.source),
      mode: 'incrementing',
      'incrementing.column.name': 'id',
      'table.whitelist': options.table,
      'topic.prefix': `${options.name}_`,
      'poll.interval.ms': '200',
      'batch.max.rows': '500',
      'output.data.format': 'AVRO',
      ...options.sourceKeys,
    },
    {
      name: `${options.name}-sink`,
      'connector.class': 'PostgresSink',
      ...managedConnection(options.target),
      topics: `${options.name}_${options.table}`,
      'table.name.format': options.table,
      'input.data.format': 'AVRO',
      'insert.mode': 'INSERT',
      'pk.mode': 'none',
      'auto.create': 'true',
      ...options.sinkKeys,
    },
    ...(options.extra ?? []),
  ]);
}

/** One part of the progress line: `<connector> <STATE>: <message>` for a connector that is DEGRADED or FAILED. */
/** What a shown message must say: a pattern, or a test with a description for the failure message. */
export type CauseMatcher = RegExp | { describe: string; test(message: string): boolean };

export interface ShownTrouble {
  connector: string;
  state: 'DEGRADED' | 'FAILED';
  message: string;
  /** The whole line it was read from. */
  line: string;
}

/** `ferry run FILE` as a child process, with its progress line parsed into what it says about each connector. */
export class FerryRun {
  readonly process: FerryProcess;

  constructor(dir: string, document: PipelineDocument, dataDir: string, args: readonly string[] = []) {
    this.process = spawnFerry(['run', writePipelineFile(dir, document), ...args], { FERRY_DATA_DIR: dataDir });
  }

  get alive(): boolean {
    return this.process.child.exitCode === null && this.process.child.signalCode === null;
  }

  /** Fails with the exit and the end of its output when the process has ended. */
  assertAlive(when: string): void {
    if (this.alive) return;
    const { exitCode, signalCode } = this.process.child;
    throw new Error(`ferry run ended ${when} (code ${String(exitCode)}, signal ${String(signalCode)}); after its last progress line it wrote:\n${this.afterProgress()}`);
  }

  /** What the process wrote after its last progress line (a crash's message and stack), at most 25 lines. */
  afterProgress(): string {
    const lines = this.process.stderr().split('\n');
    let last = -1;
    lines.forEach((line, index) => {
      if (/^(STARTING|RUNNING|DEGRADED|FAILED|PAUSED|STOPPED) \| /.test(line)) last = index;
    });
    return lines.slice(last + 1, last + 26).join('\n');
  }

  tail(lines = 15): string {
    return this.process.stderr().split('\n').slice(-lines).join('\n');
  }

  /** Every DEGRADED/FAILED part the progress line has shown so far, oldest first. */
  troubles(): ShownTrouble[] {
    const shown: ShownTrouble[] = [];
    for (const line of this.process.stderr().split('\n')) {
      for (const part of line.split(' | ')) {
        const match = /^(\S+) (DEGRADED|FAILED): (.*)$/.exec(part);
        if (match) shown.push({ connector: match[1] ?? '', state: match[2] as ShownTrouble['state'], message: match[3] ?? '', line });
      }
    }
    return shown;
  }

  /** Offset into `troubles()` to look from, so a case only sees what its own fault caused. */
  mark(): number {
    return this.troubles().length;
  }

  /**
   * Waits until the progress line shows `connector` DEGRADED or FAILED with a message matching `cause`, looking only
   * at what was printed after `since`. The process must stay alive meanwhile.
   */
  async waitForTrouble(connector: string, cause: CauseMatcher, since: number, deadlineMs: number): Promise<ShownTrouble> {
    const wanted = cause instanceof RegExp ? String(cause) : cause.describe;
    let found: ShownTrouble | undefined;
    await until(
      async () => {
        this.assertAlive(`while waiting for ${connector} to show ${wanted}`);
        found = this.troubles()
          .slice(since)
          .find((trouble) => trouble.connector === connector && cause.test(trouble.message));
        return found !== undefined;
      },
      () => `${connector} to show DEGRADED/FAILED with ${wanted}; the progress line said:\n${this.tail()}`,
      deadlineMs,
    );
    return found as ShownTrouble;
  }

  /** Ctrl-C: a graceful stop; resolves with the exit. */
  async stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.alive) return this.process.exited;
    this.process.child.kill('SIGINT');
    return waitForExit(this.process, 60_000);
  }

  kill(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.alive) this.process.child.kill('SIGKILL');
    return this.process.exited;
  }
}

/**
 * Waits until the target holds exactly the rows 1..`expected` once each, failing with the counts (and the ferry
 * output) when it does not get there: the "nothing lost, nothing twice" check when a table starts empty.
 */
export async function expectExactlyOnce(target: TargetReader, table: string, expected: number, ferry: FerryRun | undefined, deadlineMs = 90_000): Promise<TargetCounts> {
  let counts: TargetCounts = { rows: 0, distinct: 0, maxId: 0, duplicated: [] };
  await until(
    async () => {
      ferry?.assertAlive('while the target caught up');
      counts = await target.counts(table);
      if (counts.duplicated.length > 0 || counts.rows > expected) return true;
      return counts.rows === expected && counts.distinct === expected && counts.maxId === expected;
    },
    () => `the target to hold rows 1..${expected} once each; it has ${JSON.stringify(counts)}${ferry ? `; ferry said:\n${ferry.tail()}` : ''}`,
    deadlineMs,
  );
  return counts;
}

/** Where a case starts from: what the writer had committed and the target held, all of it applied. */
export interface Baseline {
  committed: number;
  rows: number;
  /** Offset into the progress line's troubles: what the case's own fault shows comes after it. */
  since: number;
}

/**
 * One `ferry run` over a growing source table, shared by the cases of a file. Each case measures against its own
 * baseline, so a case that failed (a crash, duplicates) does not fail the ones after it: a dead process is started
 * again (with the same checkpoints) before the next case, and duplicates left by an earlier case are not counted.
 */
export class StreamUnderFault {
  ferry: FerryRun;
  /** What each crashed process wrote before it died, in order. */
  readonly crashes: string[] = [];

  constructor(
    readonly target: TargetReader,
    readonly table: string,
    readonly writer: SourceWriter,
    private readonly startFerry: () => FerryRun,
  ) {
    this.ferry = startFerry();
  }

  /** Pauses the writer and waits until every committed row is in the target (the writer stays paused). */
  private async settle(what: string, deadlineMs: number): Promise<TargetCounts> {
    await this.writer.pause();
    let counts: TargetCounts = { rows: 0, distinct: 0, maxId: 0, duplicated: [] };
    await until(
      async () => {
        this.ferry.assertAlive(what);
        counts = await this.target.counts(this.table);
        return counts.distinct >= this.writer.committed && counts.maxId >= this.writer.committed;
      },
      () => `every one of the ${this.writer.committed} source rows to be in the target (${what}); it has ${JSON.stringify(counts)}; ferry said:\n${this.ferry.tail()}`,
      deadlineMs,
    );
    return counts;
  }

  /**
   * Before a fault: a live process (restarted if an earlier case killed it), every row applied. `whileSettled` runs
   * before the writer resumes (to measure anything else at the same point, e.g. the topic).
   */
  async baseline(whileSettled?: () => Promise<void>): Promise<Baseline> {
    if (!this.ferry.alive) {
      this.crashes.push(this.ferry.afterProgress());
      this.ferry = this.startFerry();
    }
    try {
      const counts = await this.settle('before the fault', 120_000);
      await whileSettled?.();
      return { committed: this.writer.committed, rows: counts.rows, since: this.ferry.mark() };
    } finally {
      this.writer.resume();
    }
  }

  /**
   * After a fault was lifted: waits until rows written after it arrive (throughput recovered), then pauses the writer
   * and waits until the target holds every row. Never throws: a crash or a deadline becomes `failure`, so a caller
   * in a hook can report each property as its own test. `whileSettled` runs before the writer resumes.
   */
  async recover(baseline: Baseline, whileSettled?: () => Promise<void>): Promise<Recovery> {
    const writtenAtLift = this.writer.committed;
    try {
      this.ferry.assertAlive('after the fault was lifted');
      await until(
        async () => {
          this.ferry.assertAlive('while waiting for rows written after the fault');
          return (await this.target.counts(this.table)).maxId >= writtenAtLift + 50;
        },
        () => `rows written after the fault to arrive; ferry said:\n${this.ferry.tail()}`,
        120_000,
      );
      const counts = await this.settle('after the fault', 90_000);
      await whileSettled?.();
      return { writtenSinceBaseline: this.writer.committed - baseline.committed, committed: this.writer.committed, addedRows: counts.rows - baseline.rows, counts };
    } catch (error) {
      return { writtenSinceBaseline: this.writer.committed - baseline.committed, committed: this.writer.committed, failure: error instanceof Error ? error.message : String(error) };
    } finally {
      this.writer.resume();
    }
  }

  /**
   * After a fault was lifted: the process lives, rows written after it arrive (throughput recovered), and once the
   * writer pauses the target holds every row, and exactly one more row per row written since the baseline (INSERT
   * without a key: a row applied twice is one row too many).
   */
  async expectRecovered(baseline: Baseline): Promise<void> {
    expectExactlyOnceSince(await this.recover(baseline));
  }
}

/** What `StreamUnderFault.recover` found. */
export interface Recovery {
  writtenSinceBaseline: number;
  committed: number;
  /** Rows the target gained since the baseline (equal to writtenSinceBaseline when nothing was applied twice). */
  addedRows?: number;
  counts?: TargetCounts;
  /** Why it did not recover (the process ended, rows stopped arriving). */
  failure?: string;
}

/** Asserts a recovery: no failure, every source row in the target, and exactly one row added per row written. */
export function expectExactlyOnceSince(recovery: Recovery): void {
  expect(recovery.failure, 'the pipeline recovered').toBeUndefined();
  expect.soft(recovery.counts?.distinct, 'distinct source rows in the target').toBe(recovery.committed);
  expect
    .soft(recovery.addedRows, `rows added to the target for the ${recovery.writtenSinceBaseline} rows written since the fault began (ids applied twice: ${recovery.counts?.duplicated.join(', ') || 'none'})`)
    .toBe(recovery.writtenSinceBaseline);
}

