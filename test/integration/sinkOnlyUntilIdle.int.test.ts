import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type EmbeddedSchemaRegistry, startEmbeddedSchemaRegistry } from '../../src/engine/schema';
import { uniqueName } from '../helpers/names';
import { killLeftoverFerries, spawnFerry, waitForExit, writePipelineFile } from '../helpers/pipelineCli';
import { type ConnectorConfig, jdbcConnection, KafkaScratch, pipelineDocument, Scratch, sinkGroup } from '../helpers/pipelineHarness';

// A pipeline of sinks only, on a topic with nothing in it: `ferry run --until-idle` used to report "caught up" and
// exit 0 without ever connecting to the target, so a wrong host, port or password went unnoticed. The sink now
// reaches its target (connection.attempts tries) before it can be caught up, and fails with the cause when it cannot.

const endpoints = inject('labEndpoints');
const bootstrap = endpoints.kafka.a.bootstrap;
const kafka = new KafkaScratch(bootstrap);
const scratch = new Scratch();
let registry: EmbeddedSchemaRegistry;

beforeAll(async () => {
  registry = await startEmbeddedSchemaRegistry();
});

afterAll(async () => {
  killLeftoverFerries();
  await kafka.cleanup();
  await registry?.close();
  scratch.cleanup();
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function runSinkOnly(label: string, connection: ConnectorConfig): Promise<{ code: number | null; stderr: string }> {
  const id = uniqueName(label).toLowerCase();
  const topic = `pl_${id}`;
  const sinkName = `${id}-sink`;
  await kafka.createTopic(topic);
  kafka.track({ groups: [sinkGroup(sinkName)] });
  const file = writePipelineFile(
    scratch.dir(),
    pipelineDocument(id, bootstrap, registry.url, [
      {
        name: sinkName,
        'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector',
        ...connection,
        topics: topic,
        'insert.mode': 'upsert',
        'pk.mode': 'record_value',
        'pk.fields': 'id',
        'auto.create': 'true',
        'connection.attempts': '1',
        'connection.backoff.ms': '100',
        'value.converter': 'io.confluent.connect.avro.AvroConverter',
        'value.converter.schema.registry.url': registry.url,
      },
    ]),
  );
  const ferry = spawnFerry(['run', file, '--until-idle'], { FERRY_DATA_DIR: scratch.dir('ferry-data-') });
  const { code } = await waitForExit(ferry, 90_000);
  return { code, stderr: ferry.stderr() };
}

describe('ferry run --until-idle with sinks only, on an empty topic', () => {
  it('an unreachable target fails the run with the connection error instead of "caught up"', async () => {
    const port = await closedPort();
    const { code, stderr } = await runSinkOnly('sinkdown', jdbcConnection('postgres', { ...endpoints.postgres, port }));
    expect(code).toBe(1);
    expect(stderr).toContain(`connection refused: nothing listens on 127.0.0.1:${port}`);
  });

  it('a wrong password fails the run with the login error', async () => {
    const { code, stderr } = await runSinkOnly('sinkauth', jdbcConnection('postgres', { ...endpoints.postgres, password: `${endpoints.postgres.password}-wrong` }));
    expect(code).toBe(1);
    expect(stderr).toMatch(/password authentication failed/);
    expect(stderr).not.toContain(`${endpoints.postgres.password}-wrong`);
  });

  it('a reachable target: exits 0 once the sink has reached it', async () => {
    const { code, stderr } = await runSinkOnly('sinkok', jdbcConnection('postgres', endpoints.postgres));
    expect(stderr).not.toContain('failed');
    expect(code).toBe(0);
  });
});
