import { describe, expect, it } from 'vitest';
import type { RecordSchema, SinkRecord } from '../../model';
import { mapRecord, type RecordMappingOptions } from './recordMapping';

const valueSchema: RecordSchema = {
  name: 'orders',
  fields: [
    { name: 'id', type: { kind: 'int64' }, optional: false },
    { name: 'status', type: { kind: 'string' }, optional: true },
    { name: 'total', type: { kind: 'decimal', precision: 10, scale: 2 }, optional: false },
  ],
};
const keySchema: RecordSchema = { name: 'ordersKey', fields: [{ name: 'id', type: { kind: 'int64' }, optional: false }] };

function record(value: SinkRecord['value'], key: SinkRecord['key'] = null, offset = '7'): SinkRecord {
  return { topic: 'shop.orders', partition: 2, offset, timestampMs: 0, keySchema: key ? keySchema : null, key, valueSchema: value ? valueSchema : null, value, headers: {} };
}

const options = (pkMode: RecordMappingOptions['pkMode'], pkFields: string[] = [], fieldsWhitelist: string[] = []): RecordMappingOptions => ({ pkMode, pkFields, fieldsWhitelist });

describe('mapRecord (Connect FieldsMetadata.extract)', () => {
  it('record_value takes pk.fields from the value and writes the other fields', () => {
    const mapped = mapRecord(record({ id: 1n, status: 'NEW', total: '9.99' }), options('record_value', ['id']), false);
    expect(mapped?.keyFields.map((f) => f.name)).toEqual(['id']);
    expect(mapped?.valueFields.map((f) => f.name)).toEqual(['status', 'total']);
    expect(mapped?.row).toEqual({ id: 1n, status: 'NEW', total: '9.99' });
  });

  it('record_key takes the key record; tombstones become deletes with delete.enabled and fail the record without it (as upstream)', () => {
    const upsert = mapRecord(record({ id: 5n, status: null, total: '1.00' }, { id: 5n }), options('record_key'), true);
    expect(upsert?.isDelete).toBe(false);
    expect(upsert?.row).toEqual({ id: 5n, status: null, total: '1.00' });
    const tombstone = mapRecord(record(null, { id: 5n }), options('record_key'), true);
    expect(tombstone).toMatchObject({ isDelete: true, row: { id: 5n }, valueFields: [] });
    expect(() => mapRecord(record(null, { id: 5n }), options('record_key'), false)).toThrow(/tombstone \(null value\) but delete.enabled=false/);
    expect(tombstone?.signature).not.toBe(upsert?.signature);
  });

  it('kafka mode keys rows by topic, partition and offset; fields.whitelist limits value columns', () => {
    const mapped = mapRecord(record({ id: 1n, status: 'NEW', total: '9.99' }), options('kafka', [], ['total']), false);
    expect(mapped?.keyFields.map((f) => f.name)).toEqual(['__connect_topic', '__connect_partition', '__connect_offset']);
    expect(mapped?.valueFields.map((f) => f.name)).toEqual(['total']);
    // The row may carry the value's other fields; statements read only the layout's.
    expect(mapped?.row).toMatchObject({ __connect_topic: 'shop.orders', __connect_partition: 2, __connect_offset: 7n, total: '9.99' });
  });

  it('names the record and the field when a key is missing or null', () => {
    expect(() => mapRecord(record({ id: 1n, status: 'x', total: '1' }), options('record_key'), false)).toThrow(/shop\.orders\[2\]@7 has no key/);
    expect(() => mapRecord(record({ id: 1n, status: 'x', total: '1' }), options('record_value', ['nope']), false)).toThrow(/pk.fields names "nope"/);
    expect(() => mapRecord(record({ id: null, status: 'x', total: '1' }), options('record_value', ['id']), false)).toThrow(/null primary-key field "id"/);
  });

  it('record_key: a key field wins over a value field of the same name, and a field the value lacks is null to the statements', () => {
    const value = { id: 1n, status: 'x' };
    const mapped = mapRecord(record(value, { id: 5n }), options('record_key'), false);
    expect(mapped.row.id).toBe(5n);
    // The record's value is never changed; it serves as the row itself only when it already holds the key's values.
    expect(value).toEqual({ id: 1n, status: 'x' });
    const holding = { id: 5n, status: 'y', total: '1.00' };
    expect(mapRecord(record(holding, { id: 5n }), options('record_key'), false).row).toBe(holding);
    expect(mapRecord(record(holding), options('record_value', ['id']), false).row).toBe(holding);
    expect(mapped.row.total ?? null).toBeNull();
    expect(mapped.valueFields.map((f) => f.name)).toEqual(['status', 'total']);
  });

  it('reuses one layout per schema, so records of one schema share a signature', () => {
    const a = mapRecord(record({ id: 1n, status: 'a', total: '1' }, null, '1'), options('none'), false);
    const sameOptions = options('none');
    const b = mapRecord(record({ id: 2n, status: 'b', total: '2' }, null, '2'), sameOptions, false);
    const c = mapRecord(record({ id: 3n, status: 'c', total: '3' }, null, '3'), sameOptions, false);
    expect(a?.signature).toBe(b?.signature);
    expect(b?.valueFields).toBe(c?.valueFields);
  });
});
