import avro from 'avsc';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { RecordSchema } from '../../model';
import { compileJodaPattern, createPartitioner, floorInZone } from './partitioner';
import type { ObjectStoreRecord } from './records';
import { DEFAULT_OBJECT_STORE_SETTINGS, type ObjectStoreSinkSettings } from './settings';
import { type ObjectStore, ObjectStoreWriter } from './writer';

const schema: RecordSchema = {
  name: 'orders',
  fields: [
    { name: 'id', type: { kind: 'int32' }, optional: false },
    { name: 'amount', type: { kind: 'decimal', precision: 10, scale: 2 }, optional: true },
    { name: 'placed', type: { kind: 'timestamp' }, optional: true },
    { name: 'region', type: { kind: 'string' }, optional: true },
  ],
};

class MemoryStore implements ObjectStore {
  readonly objects = new Map<string, Buffer>();
  puts = 0;
  async put(name: string, bytes: Buffer): Promise<void> {
    this.puts += 1;
    this.objects.set(name, bytes);
  }
}

function record(offset: number, overrides: Partial<ObjectStoreRecord> = {}): ObjectStoreRecord {
  return {
    topic: 'shop.orders',
    partition: 0,
    offset: String(offset),
    timestampMs: Date.UTC(2026, 11, 5, 10, 0, 0) + offset * 1000,
    valueSchema: schema,
    value: { id: offset, amount: '12.50', placed: new Date(Date.UTC(2026, 11, 5)), region: offset % 2 === 0 ? 'eu' : 'us' },
    ...overrides,
  };
}

function settings(overrides: Partial<ObjectStoreSinkSettings> = {}): ObjectStoreSinkSettings {
  return { ...DEFAULT_OBJECT_STORE_SETTINGS, ...overrides };
}

async function readAvro(bytes: Buffer): Promise<{ schema: unknown; rows: Record<string, unknown>[] }> {
  const decoder = new avro.streams.BlockDecoder({ parseHook: (s: unknown) => avro.Type.forSchema(s as avro.Schema, { wrapUnions: false }) });
  let header: unknown;
  decoder.on('metadata', (type: avro.Type) => (header = type.schema()));
  const rows: Record<string, unknown>[] = [];
  await new Promise<void>((resolve, reject) => {
    Readable.from([bytes]).pipe(decoder).on('data', (row: Record<string, unknown>) => rows.push(row)).on('end', resolve).on('error', reject);
  });
  return { schema: header, rows };
}

describe('ObjectStoreWriter', () => {
  it('names objects <topic>+<partition>+<start offset> under topics.dir/topic/partition=N and commits only what is written', async () => {
    const store = new MemoryStore();
    const writer = new ObjectStoreWriter(settings({ flushSize: 3 }), store);
    const first = await writer.write([record(0), record(1)]);
    expect(store.objects.size).toBe(0);
    expect(first).toEqual([{ topic: 'shop.orders', partition: 0, offset: '0' }]);
    const second = await writer.write([record(2), record(3), record(4)]);
    expect([...store.objects.keys()]).toEqual(['topics/shop.orders/partition=0/shop.orders+0+0000000000.avro']);
    expect(second).toEqual([{ topic: 'shop.orders', partition: 0, offset: '3' }]);
    expect(writer.pendingRecords).toBe(2);
    await writer.write([record(5)]);
    expect([...store.objects.keys()]).toContain('topics/shop.orders/partition=0/shop.orders+0+0000000003.avro');
  });

  it('writes Avro container files any Avro reader opens, with Connect logical types', async () => {
    const store = new MemoryStore();
    await new ObjectStoreWriter(settings({ flushSize: 2 }), store).write([record(0), record(1)]);
    const [bytes] = [...store.objects.values()];
    const { rows } = await readAvro(bytes as Buffer);
    expect(rows.map((row) => row.id)).toEqual([0, 1]);
    expect(rows[0]?.region).toBe('eu');
    expect((bytes as Buffer).subarray(0, 4).toString('latin1')).toBe('Obj\u0001');
  });

  it('rewrites byte-identical objects when the same records come again (a restart from the committed offset)', async () => {
    const a = new MemoryStore();
    const b = new MemoryStore();
    await new ObjectStoreWriter(settings({ flushSize: 2 }), a).write([record(0), record(1)]);
    await new ObjectStoreWriter(settings({ flushSize: 2 }), b).write([record(0), record(1)]);
    expect([...a.objects]).toEqual([...b.objects]);
  });

  it('writes JSON lines', async () => {
    const store = new MemoryStore();
    await new ObjectStoreWriter(settings({ flushSize: 2, format: 'JSON' }), store).write([record(0), record(1)]);
    const [[name, bytes]] = [...store.objects] as [[string, Buffer]];
    expect(name).toMatch(/\+0000000000\.json$/);
    const lines = bytes.toString('utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line.id)).toEqual([0, 1]);
  });

  it('FieldPartitioner: one directory per value, all rotating together so names stay deterministic', async () => {
    const store = new MemoryStore();
    await new ObjectStoreWriter(settings({ flushSize: 4, partitioner: { kind: 'field', fields: ['region'] } }), store).write([0, 1, 2, 3].map((n) => record(n)));
    expect([...store.objects.keys()].sort()).toEqual(['topics/shop.orders/region=eu/shop.orders+0+0000000000.avro', 'topics/shop.orders/region=us/shop.orders+0+0000000001.avro']);
  });

  it('rotate.interval.ms rotates before a record whose timestamp is that far past the first', async () => {
    const store = new MemoryStore();
    const writer = new ObjectStoreWriter(settings({ flushSize: 100, rotateIntervalMs: 2000 }), store);
    const committed = await writer.write([record(0), record(1), record(2)]);
    expect([...store.objects.keys()]).toEqual(['topics/shop.orders/partition=0/shop.orders+0+0000000000.avro']);
    expect(committed[0]?.offset).toBe('2');
  });

  it('rotate.schedule.interval.ms rotates on the clock', async () => {
    const store = new MemoryStore();
    let now = Date.UTC(2026, 11, 5, 10, 0, 30);
    const writer = new ObjectStoreWriter(settings({ flushSize: 100, rotateScheduleIntervalMs: 60_000 }), store, () => now);
    await writer.write([record(0)]);
    expect(await writer.rotateDue()).toEqual([]);
    now = Date.UTC(2026, 11, 5, 10, 1, 0);
    expect(await writer.rotateDue()).toEqual([{ topic: 'shop.orders', partition: 0, offset: '1' }]);
    expect(store.objects.size).toBe(1);
  });

  it('a schema change starts a new object', async () => {
    const store = new MemoryStore();
    const wider: RecordSchema = { name: 'orders', fields: [...schema.fields, { name: 'note', type: { kind: 'string' }, optional: true }] };
    await new ObjectStoreWriter(settings({ flushSize: 3 }), store).write([record(0), record(1, { valueSchema: wider, value: { id: 1, amount: null, placed: null, region: 'us', note: 'x' } }), record(2), record(3)]);
    expect([...store.objects.keys()].map((name) => name.split('/').pop())).toEqual(['shop.orders+0+0000000000.avro', 'shop.orders+0+0000000001.avro']);
  });

  it('tombstones stop the sink unless behavior.on.null.values=ignore, and never hold back the commit', async () => {
    await expect(new ObjectStoreWriter(settings(), new MemoryStore()).write([record(0, { value: null })])).rejects.toThrow(/behavior\.on\.null\.values=ignore/);
    const committed = await new ObjectStoreWriter(settings({ nullValues: 'ignore' }), new MemoryStore()).write([record(7, { value: null })]);
    expect(committed).toEqual([{ topic: 'shop.orders', partition: 0, offset: '8' }]);
  });

  it('keeps what it held after a failed put: the same records handed again are written once', async () => {
    const store = new MemoryStore();
    let refuse = true;
    const flaky: ObjectStore = { put: (name, bytes) => (refuse ? Promise.reject(new Error('refused')) : store.put(name, bytes)) };
    const writer = new ObjectStoreWriter(settings({ flushSize: 2 }), flaky);
    await expect(writer.write([record(0), record(1)])).rejects.toThrow('refused');
    refuse = false;
    expect(await writer.write([record(0), record(1), record(2)])).toEqual([{ topic: 'shop.orders', partition: 0, offset: '2' }]);
    const { rows } = await readAvro([...store.objects.values()][0] as Buffer);
    expect(rows.map((row) => row.id)).toEqual([0, 1]);
    expect(writer.pendingRecords).toBe(1);
    writer.reset();
    expect(writer.pendingRecords).toBe(0);
  });

  it('a refused record is skipped so the commit can pass it', () => {
    const writer = new ObjectStoreWriter(settings(), new MemoryStore());
    expect(writer.skip(record(4))).toEqual({ topic: 'shop.orders', partition: 0, offset: '5' });
  });
});

describe('TimeBasedPartitioner', () => {
  it("formats Joda path.format ('year'=YYYY/'month'=MM/'day'=dd/'hour'=HH) in the timezone, floored to partition.duration.ms", () => {
    const hourly = createPartitioner(
      { kind: 'time', pathFormat: "'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH", partitionDurationMs: 3_600_000, timezone: 'America/New_York', locale: 'en-US', extractor: { kind: 'record' } },
      '/',
    );
    expect(hourly(record(0, { timestampMs: Date.UTC(2026, 0, 1, 3, 59, 0) }))).toBe('year=2025/month=12/day=31/hour=22');
    const daily = createPartitioner({ kind: 'time', pathFormat: "'dt'=YYYY-MM-dd", partitionDurationMs: 86_400_000, timezone: 'UTC', locale: 'en', extractor: { kind: 'field', field: 'placed' } }, '/');
    expect(daily(record(0))).toBe('dt=2026-12-05');
  });

  it('floors in local time, and reads quotes as Joda does', () => {
    expect(floorInZone(Date.UTC(2026, 5, 1, 1, 30), 86_400_000, 'Europe/Paris')).toBe(Date.UTC(2026, 4, 31, 22, 0));
    const format = compileJodaPattern("'it''s' yyyy");
    expect(format({ year: 2026, month: 1, day: 1, hour: 0, minute: 0, second: 0, millisecond: 0, ms: 0, zone: 'UTC' }, 'en')).toBe("it's 2026");
    expect(() => compileJodaPattern("'open")).toThrow(/unclosed quote/);
    expect(() => compileJodaPattern('ww')).toThrow(/letter "w"/);
  });
});
