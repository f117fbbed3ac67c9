import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parsePipelineFile, requireValidPipeline, type ResolvedJdbcSource } from '../config';
import { PollingSource } from '../connectors/pollingSource';
import { CheckpointStore } from '../store';
import { CheckpointFlusher } from './checkpoints';
import { produceRequests, SourceTask } from './sourceTask';

/** A port on which nothing listens: a real refused connection, as when the brokers are down. */
async function closedPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

function sourceConfig(bootstrap: string, databasePort: number): ResolvedJdbcSource {
  const document = {
    name: 'retrying',
    kafka: { 'bootstrap.servers': bootstrap },
    'schema.registry.url': 'http://127.0.0.1:1',
    connectors: [
      {
        name: 'retrying-source',
        'connector.class': 'MySqlSource',
        'connection.host': '127.0.0.1',
        'connection.port': String(databasePort),
        'connection.user': 'nobody',
        'connection.password': 'unused',
        'db.name': 'none',
        mode: 'incrementing',
        'incrementing.column.name': 'id',
        'table.whitelist': 'orders',
        'output.data.format': 'JSON',
      },
    ],
  };
  const resolved = requireValidPipeline(parsePipelineFile(JSON.stringify(document), 'retrying.json'), 'retrying.json');
  const source = resolved.connectors.find((connector): connector is ResolvedJdbcSource => connector.role === 'source');
  if (!source) throw new Error('no source in the document');
  return source;
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('SourceTask retries', () => {
  it('retries an unreachable Kafka many times on one abort signal without a MaxListenersExceededWarning', async () => {
    const port = await closedPort();
    const config = sourceConfig(`127.0.0.1:${port}`, port);
    const dir = mkdtempSync(join(tmpdir(), 'ferry-source-retry-'));
    dirs.push(dir);
    const flusher = new CheckpointFlusher(new CheckpointStore('retrying', dir));
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning);
    process.on('warning', onWarning);
    let changes = 0;
    const task = new SourceTask({
      config,
      connector: (context) => new PollingSource(config, context),
      kafka: { bootstrapServers: [`127.0.0.1:${port}`], retries: 1, connectionTimeoutMs: 1000 },
      checkpoints: flusher.forConnector(config.name, () => Promise.resolve()),
      onChange: () => void changes++,
      // Tiny pauses so the loop retries often; the pause length is not what this test is about.
      retryBackoff: { initialMs: 1, maxMs: 2 },
    });
    try {
      task.start();
      // Each failed attempt counts one error and waits once on the task's signal: 15 waits are more than the 10
      // listeners Node tolerates on one signal.
      while (task.metrics.errors < 15) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(changes).toBeGreaterThanOrEqual(15);
      const status = task.status(Date.now());
      expect(status.state).toBe('DEGRADED');
      expect(status.error?.code, status.error?.message).toBe('KAFKA_UNREACHABLE');
    } finally {
      await task.stop();
      flusher.dispose();
      // Warnings are emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
      process.off('warning', onWarning);
    }
    expect(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning').map((warning) => warning.message)).toEqual([]);
  });
});

describe('SourceTask produce requests', () => {
  const message = (topic: string, index: number, bytes: number) => ({ key: Buffer.from(`${topic}${index}`), value: Buffer.alloc(bytes - 24 - `${topic}${index}`.length) });
  const shape = (requests: ReturnType<typeof produceRequests>) => requests.map((request) => request.map(({ topic, messages }) => `${topic}:${messages.map((m) => m.key?.toString()).join(',')}`));

  it('splits a batch into requests of at most maxBytes and maxMessages, topics and messages in order', () => {
    const byTopic = new Map([
      ['a', [0, 1, 2, 3, 4].map((index) => message('a', index, 100))],
      ['b', [0, 1, 2].map((index) => message('b', index, 100))],
    ]);
    expect(shape(produceRequests(byTopic, 250, Infinity))).toEqual([['a:a0,a1'], ['a:a2,a3'], ['a:a4', 'b:b0'], ['b:b1,b2']]);
    expect(shape(produceRequests(byTopic, 10_000, 3))).toEqual([['a:a0,a1,a2'], ['a:a3,a4', 'b:b0'], ['b:b1,b2']]);
    expect(shape(produceRequests(byTopic, 10_000, Infinity))).toEqual([['a:a0,a1,a2,a3,a4', 'b:b0,b1,b2']]);
    // A message larger than a request goes alone; nothing is lost or repeated.
    const big = new Map([['c', [message('c', 0, 50), message('c', 1, 900), message('c', 2, 50)]]]);
    expect(shape(produceRequests(big, 300, Infinity))).toEqual([['c:c0'], ['c:c1'], ['c:c2']]);
    expect(produceRequests(new Map(), 300, Infinity)).toEqual([]);
  });
});
