import { describe, expect, it } from 'vitest';
import type { RecordSchema, Row } from '../model';
import { type ChangeEvent, DebeziumEnvelopeCodec, extractNewRecordState } from '../schema';
import { envelopeFieldReferences, envelopeHeaders, unwrapOptions, withEnvelopeFields } from './extractNewRecordState';

// ExtractNewRecordState's add.fields / add.headers with Debezium's documented examples, on the envelope Ferry's
// PostgreSQL capture writes (io.debezium.connector.postgresql.Source).

const schema: RecordSchema = { name: 'srv.public.orders.Value', fields: [{ name: 'id', type: { kind: 'int32' }, optional: false }, { name: 'customer', type: { kind: 'string' }, optional: true }] };
const codec = new DebeziumEnvelopeCodec('srv.public.orders', schema, 'postgresql', 'test');
const source = { connector: 'postgresql', name: 'srv', tsMs: 1_764_979_200_123, snapshot: 'false', db: 'shop', schema: 'public', table: 'orders', txId: 771, lsn: 24_023_128, sequence: null } as const;

function event(op: 'c' | 'u' | 'd', before: ChangeEvent['before'], after: ChangeEvent['after']): ChangeEvent {
  return { op, before, after, source, transaction: { id: '771:24023128', totalOrder: 2, dataCollectionOrder: 1 }, tsMs: 1_764_979_200_456 };
}

function unwrapped(config: Record<string, string>, change: ChangeEvent): { schema: RecordSchema; row: Row; headers: Record<string, string> } {
  const options = unwrapOptions(config);
  const envelope = codec.envelopeFields(change);
  const state = extractNewRecordState(change, options);
  if (state.kind !== 'row') throw new Error(`expected a row, got ${state.kind}`);
  return { ...withEnvelopeFields(schema, state.row, options.addFields, envelope), headers: envelopeHeaders(options.addHeaders, envelope) };
}

describe('ExtractNewRecordState add.fields / add.headers', () => {
  it('names fields as Debezium does: bare op/ts_ms on the envelope, transaction ids on the block, the rest on source; renames', () => {
    expect(envelopeFieldReferences('__', 'op,table,lsn,source.ts_ms,ts_ms,id,transaction.total_order,db:database', 'add.fields')).toEqual([
      { struct: null, field: 'op', name: '__op' },
      { struct: 'source', field: 'table', name: '__table' },
      { struct: 'source', field: 'lsn', name: '__lsn' },
      { struct: 'source', field: 'ts_ms', name: '__source_ts_ms' },
      { struct: null, field: 'ts_ms', name: '__ts_ms' },
      { struct: 'transaction', field: 'id', name: '__id' },
      { struct: 'transaction', field: 'total_order', name: '__transaction_total_order' },
      { struct: 'source', field: 'db', name: '__database' },
    ]);
    // A named type keeps its name and parameters, as Debezium's copySchemaBasics does.
    expect(codec.envelopeFields(event('c', null, { id: 9, customer: null })).type('source', 'snapshot')).toMatchObject({ kind: 'string', semantic: { name: 'io.debezium.data.Enum', version: 1, parameters: { allowed: expect.stringContaining('incremental') as unknown } } });
    expect(() => envelopeFieldReferences('__', 'op,a.b.c', 'add.fields')).toThrow(/`add.fields` entry "a.b.c"/);
  });

  it('add.fields=op,table,lsn,source.ts_ms: the columns follow the row with the envelope\'s types and values', () => {
    const out = unwrapped({ 'add.fields': 'op,table,lsn,source.ts_ms' }, event('u', { id: 1, customer: 'ada' }, { id: 1, customer: 'bob' }));
    expect(out.row).toEqual({ id: 1, customer: 'bob', __op: 'u', __table: 'orders', __lsn: BigInt(24_023_128), __source_ts_ms: 1_764_979_200_123 });
    expect(out.schema.fields.slice(2)).toEqual([
      { name: '__op', type: { kind: 'string' }, optional: true },
      { name: '__table', type: { kind: 'string' }, optional: true },
      { name: '__lsn', type: { kind: 'int64' }, optional: true },
      { name: '__source_ts_ms', type: { kind: 'int64' }, optional: true },
    ]);
    // One schema per shape, not per record.
    expect(unwrapped({ 'add.fields': 'op,table,lsn,source.ts_ms' }, event('c', null, { id: 2, customer: 'cy' })).schema).toBe(out.schema);
  });

  it('delete.handling.mode=rewrite: a delete is the before row with the fields, then __deleted last', () => {
    const out = unwrapped({ 'add.fields': 'op,source.ts_ms', 'delete.handling.mode': 'rewrite' }, event('d', { id: 1, customer: 'ada' }, null));
    expect(out.row).toEqual({ id: 1, customer: 'ada', __op: 'd', __source_ts_ms: 1_764_979_200_123, __deleted: 'true' });
    expect(out.schema.fields.map((field) => field.name)).toEqual(['id', 'customer', '__op', '__source_ts_ms', '__deleted']);
    const insert = unwrapped({ 'add.fields': 'op,source.ts_ms', 'delete.handling.mode': 'rewrite' }, event('c', null, { id: 3, customer: 'dee' }));
    expect(insert.row).toEqual({ id: 3, customer: 'dee', __op: 'c', __source_ts_ms: 1_764_979_200_123, __deleted: 'false' });
    expect(insert.schema).toBe(out.schema);
  });

  it('add.headers=db,table and the prefixes; a field the envelope lacks is left out; a tombstone gets op=d', () => {
    const out = unwrapped({ 'add.headers': 'db,table,op,nothing', 'add.headers.prefix': 'dbz.', 'add.fields': 'op,transaction.id', 'add.fields.prefix': 'meta_' }, event('c', null, { id: 4, customer: 'eve' }));
    expect(out.headers).toEqual({ 'dbz.db': 'shop', 'dbz.table': 'orders', 'dbz.op': 'c' });
    expect(out.row).toEqual({ id: 4, customer: 'eve', meta_op: 'c', meta_transaction_id: '771:24023128' });
    expect(envelopeHeaders(unwrapOptions({ 'add.headers': 'op,table' }).addHeaders, null)).toEqual({ __op: 'd' });
    // Without add.fields the row and schema are the unwrapped ones.
    const plain = unwrapped({}, event('c', null, { id: 5, customer: 'fay' }));
    expect(plain.schema).toBe(schema);
  });
});
