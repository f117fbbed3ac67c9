import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { parsePipelineFile, requireValidPipeline, type ResolvedJdbcSource } from '../../src/engine/config';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../../src/engine/demo/embeddedPostgres';
import { pollingOptions, sourceConnection } from '../../src/engine/pipeline/sourceOptions';
import { createPollingReader } from '../../src/engine/sources';

// batch.max.rows ≈ 150,000 failed the source with "Maximum call stack size exceeded" (issue 10, item 10): the
// reader gathered a batch's rows with `rows.push(...result.rows)`, and a spread passes every row as an argument.
// A real reader against PostgreSQL (PGlite, in process) reads one batch of 200,000 rows in each mode that
// assembles batches, and the largest value validation accepts is one the reader takes too.

const ROWS = 200_000;
let server: EmbeddedPostgres;

beforeAll(async () => {
  server = await startEmbeddedPostgres();
  const client = new pg.Client({ host: server.host, port: server.port, user: server.user, password: server.password, database: server.database });
  await client.connect();
  try {
    await client.query('CREATE TABLE big (id BIGINT PRIMARY KEY, updated TIMESTAMP(3) NOT NULL)');
    // One timestamp for every row: timestamp mode then completes the last timestamp with all of them.
    await client.query(`INSERT INTO big SELECT g, TIMESTAMP '2026-01-01 00:00:00' FROM generate_series(1, ${ROWS}) AS g`);
  } finally {
    await client.end();
  }
}, 60_000);

afterAll(async () => {
  await server?.close();
});

function parse(settings: Record<string, unknown>): ReturnType<typeof parsePipelineFile> {
  const document = {
    name: 'large-batch',
    kafka: { 'bootstrap.servers': '127.0.0.1:9' },
    connectors: [
      {
        name: 'large-batch-source',
        'connector.class': 'PostgresSource',
        'connection.host': server.host,
        'connection.port': String(server.port),
        'connection.user': server.user,
        'connection.password': 'unused',
        'db.name': server.database,
        'table.whitelist': 'big',
        'topic.prefix': 'large-',
        'output.data.format': 'JSON',
        ...settings,
      },
    ],
  };
  return parsePipelineFile(JSON.stringify(document), 'large-batch.json');
}

function source(settings: Record<string, unknown>): ResolvedJdbcSource {
  const resolved = requireValidPipeline(parse(settings), 'large-batch.json');
  const found = resolved.connectors.find((connector): connector is ResolvedJdbcSource => connector.role === 'source');
  if (!found) throw new Error('no source resolved');
  return found;
}

async function firstBatch(config: ResolvedJdbcSource): Promise<{ count: number; first: unknown; last: unknown }> {
  const reader = createPollingReader(config.dialect, { connection: sourceConnection(config), options: pollingOptions(config), loadPosition: () => undefined });
  try {
    await reader.start();
    const batch = await reader.poll();
    const id = (index: number): unknown => (batch.records[index]?.after as Record<string, unknown> | undefined)?.id;
    return { count: batch.records.length, first: id(0), last: id(batch.records.length - 1) };
  } finally {
    await reader.close();
  }
}

describe('a batch of 200,000 rows', () => {
  it.each([
    { mode: 'bulk', settings: {} },
    { mode: 'incrementing', settings: { 'incrementing.column.name': 'id' } },
    { mode: 'timestamp (the last timestamp completed)', settings: { mode: 'timestamp', 'timestamp.column.name': 'updated', 'batch.max.rows': 1000 } },
  ])('is read in one batch in $mode mode', async ({ mode, settings }) => {
    const config = source({ mode: mode.split(' ')[0], 'batch.max.rows': ROWS, ...settings });
    expect(await firstBatch(config)).toEqual({ count: ROWS, first: 1n, last: BigInt(ROWS) });
  }, 60_000);

  it('is read with the largest batch.max.rows validation accepts', async () => {
    const config = source({ mode: 'incrementing', 'incrementing.column.name': 'id', 'batch.max.rows': 2_147_483_647 });
    expect(config.batchMaxRows).toBe(2_147_483_647);
    expect(await firstBatch(config)).toEqual({ count: ROWS, first: 1n, last: BigInt(ROWS) });
    const tooLarge = parse({ mode: 'incrementing', 'incrementing.column.name': 'id', 'batch.max.rows': 2_147_483_648 }).problems.filter((problem) => problem.severity === 'error');
    expect(tooLarge.map((problem) => [problem.path, problem.message])).toEqual([["$.connectors[0]['batch.max.rows']", '`batch.max.rows` must be from 1 to 2147483647, got 2147483648']]);
  }, 60_000);
});
