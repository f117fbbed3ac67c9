import { describe, expect, it } from 'vitest';
import type { ResolvedTransform } from '../config';
import type { Row } from '../model';
import type { ConnectRecord } from './connectRecord';
import { buildTransformChain } from './transformChain';

// Schemaless records (maps, no schema) through the field transforms, after the schemaless cases of Connect's
// InsertFieldTest, ReplaceFieldTest, MaskFieldTest, CastTest and TimestampConverterTest: the step runs on the values
// and the record stays schemaless.

const T = 'org.apache.kafka.connect.transforms.';

function transform(type: string, config: Record<string, string>): ResolvedTransform {
  return { alias: 't', type: `${T}${type}`, supported: true, config, predicate: undefined, negate: false };
}

function schemaless(value: Row, overrides: Partial<ConnectRecord> = {}): ConnectRecord {
  return { topic: 'test', partition: 0, offset: '0', timestampMs: 123, keySchema: null, key: null, valueSchema: null, value, headers: {}, ...overrides };
}

const run = (type: string, config: Record<string, string>, record: ConnectRecord): ConnectRecord | null => buildTransformChain([transform(type, config)])(record);

describe('the field transforms on schemaless records', () => {
  it('InsertField puts the topic, partition, timestamp (a long without a schema) and a static value into the map', () => {
    const out = run('InsertField$Value', { 'topic.field': 'topic_field!', 'partition.field': 'partition_field', 'timestamp.field': 'timestamp_field?', 'static.field': 'instance_id', 'static.value': 'my-instance-id' }, schemaless({ magic: 42n }));
    expect(out?.valueSchema).toBeNull();
    expect(out?.value).toEqual({ magic: 42n, topic_field: 'test', partition_field: 0, timestamp_field: 123n, instance_id: 'my-instance-id' });
  });

  it('ReplaceField excludes and renames (exclude=dont, renames=abc:xyz,foo:bar)', () => {
    const out = run('ReplaceField$Value', { exclude: 'dont', renames: 'abc:xyz,foo:bar' }, schemaless({ dont: 'whatever', abc: 42, foo: true, etc: 'etc' }));
    expect(out?.value).toEqual({ xyz: 42, bar: true, etc: 'etc' });
    expect(out?.valueSchema).toBeNull();
  });

  it('MaskField gives each value its type’s empty value', () => {
    const out = run('MaskField$Value', { fields: 'int,long,string,bool,date' }, schemaless({ int: 42, long: 42n, string: 'blabla', bool: true, date: new Date(1000), kept: 'x' }));
    expect(out?.value).toEqual({ int: 0, long: 0n, string: '', bool: false, date: new Date(0), kept: 'x' });
  });

  it('Cast casts the named fields of a map', () => {
    const out = run('Cast$Value', { spec: 'int8:int16,int64:boolean,float32:float64,boolean:int8,string:int32' }, schemaless({ int8: 8, int64: 64n, float32: 32, boolean: true, string: '42' }));
    expect(out?.value).toEqual({ int8: 8, int64: true, float32: 32, boolean: 1, string: 42 });
  });

  it('TimestampConverter converts a map’s field by its value (a Date, a unix number, a string with format)', () => {
    const ms = Date.UTC(2017, 0, 1);
    expect(run('TimestampConverter$Value', { field: 'ts', 'target.type': 'string', format: 'yyyy-MM-dd' }, schemaless({ ts: new Date(ms) }))?.value).toEqual({ ts: '2017-01-01' });
    expect(run('TimestampConverter$Value', { field: 'ts', 'target.type': 'Timestamp' }, schemaless({ ts: ms }))?.value).toEqual({ ts: new Date(ms) });
    expect(run('TimestampConverter$Value', { field: 'ts', 'target.type': 'unix', format: 'yyyy-MM-dd' }, schemaless({ ts: '2017-01-01' }))?.value).toEqual({ ts: BigInt(ms) });
  });
});
