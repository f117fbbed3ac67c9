import { describe, expect, it } from 'vitest';
import type { ResolvedSerde, ResolvedTransform } from '../config';
import type { ResolvedSinkBase } from '../connectors/port';
import type { RecordSchema } from '../model';
import type { ChangeEvent } from '../schema';
import { changeEventToConnectJson } from './connectJson';
import { SinkRecordDecoder } from './sinkDecoder';

// The sink's ExtractNewRecordState on Connect JSON change events (with and without schemas): add.fields become
// columns typed from the envelope's schema, add.headers become record headers, rewrite's __deleted comes last.

const schema: RecordSchema = { name: 'srv.shop.orders.Value', fields: [{ name: 'id', type: { kind: 'int32' }, optional: false }, { name: 'customer', type: { kind: 'string' }, optional: true }] };
const source = { connector: 'mysql', name: 'srv', tsMs: 1_764_979_200_000, snapshot: 'false', db: 'shop', table: 'orders', serverId: 1, gtid: null, file: 'binlog.000003', pos: 4_711, row: 0 } as const;

function decoder(jsonSchemas: boolean, config: Record<string, string>): SinkRecordDecoder {
  const value: ResolvedSerde<'JSON'> = { format: 'JSON', schemaRegistry: undefined, subjectNameStrategy: 'TopicNameStrategy', autoRegisterSchemas: true, useLatestVersion: false, jsonSchemas };
  const unwrap: ResolvedTransform = { alias: 'unwrap', type: 'io.debezium.transforms.ExtractNewRecordState', supported: true, config, predicate: undefined, negate: false };
  // Only what the decoder reads; the rest of a sink's config is for the task around it.
  const sink: Pick<ResolvedSinkBase, 'key' | 'value' | 'transforms' | 'predicates'> = { key: undefined, value, transforms: [unwrap], predicates: [] };
  return new SinkRecordDecoder(sink as ResolvedSinkBase);
}

function message(event: ChangeEvent | null, jsonSchemas: boolean) {
  return { offset: '7', key: null, value: event ? changeEventToConnectJson('srv.shop.orders', schema, 'mysql', event, 'test', jsonSchemas) : null, headers: {}, timestamp: '1764979200999' };
}

const update: ChangeEvent = { op: 'u', before: { id: 1, customer: 'ada' }, after: { id: 1, customer: 'bob' }, source, transaction: null, tsMs: 1_764_979_200_500 };
const remove: ChangeEvent = { op: 'd', before: { id: 1, customer: 'bob' }, after: null, source, transaction: null, tsMs: 1_764_979_200_600 };
const config = { 'add.fields': 'op,file,pos,source.ts_ms,ts_ms:processed_at', 'add.headers': 'db,table', 'delete.handling.mode': 'rewrite' };

describe('SinkRecordDecoder: ExtractNewRecordState add.fields / add.headers on Connect JSON', () => {
  it('with schemas: columns of the envelope\'s types, headers, and a rewritten delete', async () => {
    const unwrap = decoder(true, config);
    const record = await unwrap.decode('srv.shop.orders', 0, message(update, true));
    expect(record?.value).toEqual({ id: 1, customer: 'bob', __op: 'u', __file: 'binlog.000003', __pos: BigInt(4_711), __source_ts_ms: BigInt(1_764_979_200_000), __processed_at: BigInt(1_764_979_200_500), __deleted: 'false' });
    expect(record?.valueSchema?.fields.slice(2).map((field) => `${field.name}:${field.type.kind}:${String(field.optional)}`)).toEqual([
      '__op:string:true', '__file:string:true', '__pos:int64:true', '__source_ts_ms:int64:true', '__processed_at:int64:true', '__deleted:string:true',
    ]);
    expect(Object.fromEntries(Object.entries(record?.headers ?? {}).map(([name, bytes]) => [name, Buffer.from(bytes).toString()]))).toEqual({ __db: 'shop', __table: 'orders' });
    const deleted = await unwrap.decode('srv.shop.orders', 0, message(remove, true));
    expect(deleted?.value).toMatchObject({ id: 1, customer: 'bob', __op: 'd', __deleted: 'true' });
  });

  it('without schemas: types inferred from the values; a kept tombstone gets the op header d', async () => {
    const unwrap = decoder(false, { ...config, 'delete.handling.mode': 'none', 'drop.tombstones': 'false', 'add.headers': 'op' });
    const record = await unwrap.decode('srv.shop.orders', 0, message(update, false));
    expect(record?.value).toMatchObject({ __op: 'u', __file: 'binlog.000003', __pos: BigInt(4_711), __source_ts_ms: BigInt(1_764_979_200_000) });
    const tombstone = await unwrap.decode('srv.shop.orders', 0, message(null, false));
    expect(tombstone?.value).toBeNull();
    expect(Buffer.from(tombstone?.headers.__op ?? new Uint8Array()).toString()).toBe('d');
  });
});
