import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parsePipelineFile, requireValidPipeline, type ResolvedJdbcSource } from '../config';
import type { SourceBatch, SourceConnector, SourceRecord } from '../connectors/port';
import type { RecordSchema } from '../model';
import type * as Kafka from '../kafka';
import { CheckpointStore } from '../store';
import { CheckpointFlusher } from './checkpoints';
import { SourceTask } from './sourceTask';

type KafkaModule = typeof Kafka;

interface Send {
  topicMessages: { topic: string; messages: { key: Buffer | null; value: Buffer | null }[] }[];
  acknowledge: () => void;
}

/** The sends the task made; each waits until the test acknowledges it, as Kafka's round trip does. */
const sends: Send[] = [];

vi.mock('../kafka', async (importOriginal) => {
  const actual = await importOriginal<KafkaModule>();
  return {
    ...actual,
    createKafkaClient: () => ({
      producer: () => ({
        connect: () => Promise.resolve(),
        disconnect: () => Promise.resolve(),
        sendBatch: (request: { topicMessages: Send['topicMessages'] }) =>
          new Promise<void>((resolve) => {
            sends.push({ topicMessages: request.topicMessages, acknowledge: resolve });
          }),
      }),
      admin: () => ({ connect: () => Promise.resolve(), disconnect: () => Promise.resolve() }),
    }),
    ensureTopics: () => Promise.resolve(),
  };
});

function sourceConfig(): ResolvedJdbcSource {
  const document = {
    name: 'release',
    kafka: { 'bootstrap.servers': '127.0.0.1:9092' },
    connectors: [
      { name: 'release-source', 'connector.class': 'MySqlSource', 'connection.host': 'db', 'connection.port': '3306', 'connection.user': 'u', 'connection.password': 'p', 'db.name': 'shop', mode: 'bulk', 'table.whitelist': 'orders', 'output.data.format': 'JSON' },
    ],
  };
  const source = requireValidPipeline(parsePipelineFile(JSON.stringify(document), 'release.json'), 'release.json').connectors.find((connector): connector is ResolvedJdbcSource => connector.role === 'source');
  if (!source) throw new Error('no source');
  return source;
}

const schema: RecordSchema = { name: 'orders', fields: [{ name: 'id', type: { kind: 'int64' }, optional: false }] };
const row = (id: number): SourceRecord => ({ topic: 'orders', key: null, value: { kind: 'row', schema, row: { id: BigInt(id) } } });

async function until(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 5) {
    if (waited > 5_000) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  sends.splice(0);
});

describe('SourceTask memory', () => {
  it('lets go of a batch’s records once they are encoded, the next batch’s during the round trip too, and still produces, checkpoints and delivers them in order', async () => {
    const config = sourceConfig();
    const batch: SourceBatch = { records: [row(1), row(2), row(3)], changes: 3, positions: { orders: { id: 3 } } };
    const next: SourceBatch = { records: [row(4)], changes: 1, positions: { orders: { id: 4 } } };
    const delivered: SourceBatch[] = [];
    let reads = 0;
    const connector: SourceConnector = {
      capture: 'polling',
      open: () => Promise.resolve([]),
      read: async () => {
        reads += 1;
        if (reads === 1) return batch;
        if (reads === 2) return next;
        await new Promise((resolve) => setTimeout(resolve, 5));
        return { records: [], changes: 0 };
      },
      // Empty batches (nothing new) are reported delivered at once; only the batch with records is of interest here.
      delivered: (done) => void (done.changes > 0 && delivered.push(done)),
      recover: () => Promise.resolve(),
      caughtUp: false,
      progress: () => ({}),
      close: () => Promise.resolve(),
    };
    const dir = mkdtempSync(join(tmpdir(), 'ferry-source-release-'));
    dirs.push(dir);
    const flusher = new CheckpointFlusher(new CheckpointStore('release', dir));
    const checkpoints = flusher.forConnector(config.name, () => Promise.resolve());
    const task = new SourceTask({ config, connector: () => connector, kafka: { bootstrapServers: ['127.0.0.1:9092'] }, checkpoints, onChange: () => undefined });
    try {
      task.start();
      await until(() => sends.length === 1);
      const send = sends[0];
      if (!send) throw new Error('no send');
      // In the round trip: the messages are out, the rows are no longer held, nothing is checkpointed or delivered yet.
      expect(send.topicMessages.map(({ topic, messages }) => [topic, messages.map((message) => JSON.parse(String(message.value)) as unknown)])).toEqual([['orders', [{ id: 1 }, { id: 2 }, { id: 3 }]]]);
      expect(batch.records).toHaveLength(0);
      expect(batch.changes).toBe(3);
      expect(checkpoints.positions()).toEqual({});
      expect(delivered).toEqual([]);
      // The next batch is read and encoded while the first is on its way, but not sent before the first is acknowledged.
      await until(() => next.records.length === 0);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(sends).toHaveLength(1);
      send.acknowledge();
      await until(() => sends.length === 2);
      expect(delivered).toEqual([batch]);
      expect(delivered[0]).toBe(batch);
      expect(checkpoints.positions()).toEqual({ orders: { id: 3 } });
      expect(task.metrics.rowsProduced).toBe(3);
      expect(sends[1]?.topicMessages.map(({ messages }) => messages.map((message) => String(message.value)))).toEqual([['{"id":4}']]);
      sends[1]?.acknowledge();
      await until(() => delivered.length === 2);
      expect(delivered[1]).toBe(next);
      expect(checkpoints.positions()).toEqual({ orders: { id: 4 } });
      expect(task.metrics.rowsProduced).toBe(4);
    } finally {
      for (const send of sends) send.acknowledge();
      await task.stop();
      flusher.dispose();
    }
  });
});
