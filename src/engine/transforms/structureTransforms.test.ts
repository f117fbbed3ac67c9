import { describe, expect, it } from 'vitest';
import type { ResolvedTransform } from '../config';
import type { RecordSchema } from '../model';
import type { ConnectData, ConnectSchema } from './connectData';
import type { ConnectRecord } from './connectRecord';
import { extractField, flatten, hoistField } from './structureTransforms';
import { buildTransformChain, traceTransformChain } from './transformChain';

// The cases follow Kafka Connect's documentation of HoistField, ExtractField and Flatten (connect.html#connect_included_transformation,
// docs.confluent.io/platform/current/connect/transforms/*.html) and the examples of their unit tests in apache/kafka
// (HoistFieldTest, ExtractFieldTest, FlattenTest), with a schema and schemaless.

const T = 'org.apache.kafka.connect.transforms.';

function transform(type: string, config: Record<string, string>): ResolvedTransform {
  return { alias: 't', type: `${T}${type}`, supported: true, config, predicate: undefined, negate: false };
}

const int32: ConnectSchema = { type: 'primitive', fieldType: { kind: 'int32' }, optional: false };
const optionalString: ConnectSchema = { type: 'primitive', fieldType: { kind: 'string' }, optional: true };

/** A record whose key and value are Connect data, as a Connect SinkRecord("test", 0, keySchema, key, valueSchema, value, 0). */
function record(key: ConnectData | null, value: ConnectData | null): ConnectRecord {
  return { topic: 'test', partition: 0, offset: '0', timestampMs: 0, keySchema: null, key: null, valueSchema: null, value: null, headers: {}, ...(key ? { keyData: key } : {}), ...(value ? { valueData: value } : {}) };
}

const orders: RecordSchema = {
  name: 'orders',
  fields: [
    { name: 'id', type: { kind: 'int32' }, optional: false },
    { name: 'cost', type: { kind: 'int32' }, optional: true },
  ],
};

function flatRecord(): ConnectRecord {
  return { topic: 'orders', partition: 0, offset: '5', timestampMs: 0, keySchema: null, key: null, valueSchema: orders, value: { id: 42, cost: 4000 }, headers: {} };
}

describe('HoistField', () => {
  it('schemaless: the key 42 becomes the map {magic: 42}', () => {
    const out = hoistField(transform('HoistField$Key', { field: 'magic' }))(record({ schema: null, value: 42 }, null));
    expect(out?.keySchema).toBeNull();
    expect(out?.key).toEqual({ magic: 42 });
  });

  it('with a schema: the int32 key becomes a struct whose field magic has the key’s schema', () => {
    const out = hoistField(transform('HoistField$Key', { field: 'magic' }))(record({ schema: int32, value: 42 }, null));
    expect(out?.key).toEqual({ magic: 42 });
    expect(out?.keySchema?.fields).toEqual([{ name: 'magic', type: { kind: 'int32' }, optional: false }]);
  });

  it('the documented example: value 42 with field=line becomes {"line": 42}, flat again for the sink', () => {
    const out = buildTransformChain([transform('HoistField$Value', { field: 'line' })])(record(null, { schema: int32, value: 42 }));
    expect(out?.value).toEqual({ line: 42 });
    expect(out?.valueData).toBeUndefined();
  });

  it('wraps a whole row in a nested struct, which Flatten then names parent.child', () => {
    const chain = buildTransformChain([transform('HoistField$Value', { field: 'after' }), transform('Flatten$Value', { delimiter: '_' })]);
    const out = chain(flatRecord());
    expect(out?.value).toEqual({ after_id: 42, after_cost: 4000 });
    expect(out?.valueSchema?.fields.map((field) => [field.name, field.type.kind, field.optional])).toEqual([
      ['after_id', 'int32', false],
      ['after_cost', 'int32', true],
    ]);
    expect(chain(flatRecord())?.valueSchema).toBe(out?.valueSchema); // built once per input schema
  });

  it('a chain that ends nested fails with a message naming Flatten, as does a flat-field transform after it', () => {
    expect(() => buildTransformChain([transform('HoistField$Value', { field: 'after' })])(flatRecord())).toThrow(/the value is a struct whose field "after" is itself a struct.*Flatten/);
    expect(() => buildTransformChain([transform('HoistField$Value', { field: 'after' }), transform('ReplaceField$Value', { exclude: 'id' })])(flatRecord())).toThrow(/ReplaceField\$Value works on flat structs: put Flatten\$Value/);
  });

  it('Preview shows the nested step and the failure at the end of the chain', () => {
    const trace = traceTransformChain([transform('HoistField$Value', { field: 'after' })], [], flatRecord());
    expect(trace[0]?.outcome).toBe('failed');
    expect(trace[0]?.error).toMatch(/Flatten/);
  });
});

describe('ExtractField', () => {
  it('the documented example: {"id": 42, "cost": 4000} with field=id becomes 42', () => {
    const out = extractField(transform('ExtractField$Value', { field: 'id' }))(flatRecord());
    expect(out?.valueData).toEqual({ schema: expect.objectContaining({ type: 'primitive', fieldType: { kind: 'int32' } }), value: 42 });
    // Leaving the chain, a bare value is the one-field struct named after its field, as Ferry's rows are structs.
    const chained = buildTransformChain([transform('ExtractField$Value', { field: 'id' })])(flatRecord());
    expect(chained?.value).toEqual({ id: 42 });
    expect(chained?.valueSchema?.fields).toEqual([{ name: 'id', type: { kind: 'int32' }, optional: false }]);
  });

  it('schemaless: {magic: 42} gives 42, a missing field null, and null passes', () => {
    const run = extractField(transform('ExtractField$Key', { field: 'magic' }));
    expect(run(record({ schema: null, value: { magic: 42 } }, null))?.keyData).toEqual({ schema: null, value: 42 });
    expect(extractField(transform('ExtractField$Key', { field: 'nonexistent' }))(record({ schema: null, value: { magic: 42 } }, null))?.key).toBeNull();
    const tombstone = record(null, null);
    expect(extractField(transform('ExtractField$Value', { field: 'magic' }))(tombstone)).toBe(tombstone);
    expect(() => run(record({ schema: null, value: 42 }, null))).toThrow(/Only Map objects supported in absence of schema for \[field extraction\], found: number/);
  });

  it('with a schema: an unknown field is an error', () => {
    expect(() => extractField(transform('ExtractField$Value', { field: 'nonexistent' }))(flatRecord())).toThrow(/Unknown field: nonexistent/);
  });

  it('field.syntax.version=V2 reads a dotted path into nested structs', () => {
    const nested: ConnectSchema = { type: 'struct', optional: false, fields: [{ name: 'magic', schema: { type: 'struct', optional: false, fields: [{ name: 'foo', schema: int32 }] } }] };
    const out = extractField(transform('ExtractField$Key', { field: 'magic.foo', 'field.syntax.version': 'V2' }))(record({ schema: nested, value: { magic: { foo: 42 } } }, null));
    expect(out?.keyData?.value).toBe(42);
    expect(extractField(transform('ExtractField$Key', { field: 'magic.foo', 'field.syntax.version': 'V2' }))(record({ schema: null, value: { magic: { foo: 42 } } }, null))?.keyData?.value).toBe(42);
  });

  it('ValueToKey then ExtractField$Key, the JDBC source recipe, keeps the id as the key', () => {
    const out = buildTransformChain([transform('ValueToKey', { fields: 'id' }), transform('ExtractField$Key', { field: 'id' })])(flatRecord());
    expect(out?.key).toEqual({ id: 42 });
  });

  it('ExtractField then HoistField renames a value (both documented steps in one chain)', () => {
    const out = buildTransformChain([transform('ExtractField$Value', { field: 'cost' }), transform('HoistField$Value', { field: 'amount' })])(flatRecord());
    expect(out?.value).toEqual({ amount: 4000 });
    expect(out?.valueSchema?.fields).toEqual([{ name: 'amount', type: { kind: 'int32' }, optional: true }]);
  });
});

describe('Flatten', () => {
  // The documented example: {"content": {"id": 42, "name": {"first": "David", "middle": null, "last": "Wong"}}}.
  const name: ConnectSchema = { type: 'struct', optional: true, fields: [{ name: 'first', schema: optionalString }, { name: 'middle', schema: optionalString }, { name: 'last', schema: { type: 'primitive', fieldType: { kind: 'string' }, optional: false } }] };
  const content: ConnectSchema = { type: 'struct', name: 'envelope', optional: false, fields: [{ name: 'content', schema: { type: 'struct', optional: false, fields: [{ name: 'id', schema: int32 }, { name: 'name', schema: name }] } }] };
  const value = { content: { id: 42, name: { first: 'David', middle: null, last: 'Wong' } } };
  const flat = { 'content.id': 42, 'content.name.first': 'David', 'content.name.middle': null, 'content.name.last': 'Wong' };

  it('with a schema: nested fields become content.id, content.name.first, …; under an optional struct they are optional', () => {
    const out = buildTransformChain([transform('Flatten$Value', {})])(record(null, { schema: content, value }));
    expect(out?.value).toEqual(flat);
    expect(out?.valueSchema?.name).toBe('envelope');
    expect(out?.valueSchema?.fields.map((field) => [field.name, field.optional])).toEqual([
      ['content.id', false],
      ['content.name.first', true],
      ['content.name.middle', true],
      ['content.name.last', true],
    ]);
  });

  it('schemaless: the same maps flatten alike; a null nested struct with a schema gives null fields', () => {
    expect(buildTransformChain([transform('Flatten$Key', {})])(record({ schema: null, value }, null))?.key).toEqual(flat);
    const out = buildTransformChain([transform('Flatten$Value', { delimiter: '_' })])(record(null, { schema: content, value: { content: { id: 1, name: null } } }));
    expect(out?.value).toEqual({ content_id: 1, content_name_first: null, content_name_middle: null, content_name_last: null });
  });

  it('a flat record passes as it is, a bare value is refused', () => {
    const input = flatRecord();
    expect(buildTransformChain([transform('Flatten$Value', {})])(input)).toBe(input);
    expect(() => flatten(transform('Flatten$Value', {}))(record(null, { schema: int32, value: 42 }))).toThrow(/Only Struct objects supported for \[flattening\], found: int32/);
  });
});
