import { describe, expect, it } from 'vitest';
import { SUPPORTED_PREDICATES, SUPPORTED_TRANSFORMS, type ResolvedPredicate, type ResolvedTransform } from '../config';
import type { RecordSchema } from '../model';
import type { ConnectRecord } from './connectRecord';
import { formatDate, parseDate } from './simpleDateFormat';
import { buildTransformChain, probeTopic, runnablePredicateClasses, runnableTransformClasses } from './transformChain';

// Each case follows an example from Kafka Connect's documentation of the transform (connect.html#connect_included_transformation
// and the transforms' Javadoc), on Ferry's flat structs.

const T = 'org.apache.kafka.connect.transforms.';

function transform(type: string, config: Record<string, string>, extra: Partial<ResolvedTransform> = {}): ResolvedTransform {
  return { alias: 't', type: `${T}${type}`, supported: true, config, predicate: undefined, negate: false, ...extra };
}

const valueSchema: RecordSchema = {
  name: 'orders',
  fields: [
    { name: 'id', type: { kind: 'int32' }, optional: false },
    { name: 'customer', type: { kind: 'string' }, optional: true },
    { name: 'amount', type: { kind: 'decimal', precision: 10, scale: 2 }, optional: true },
    { name: 'placed', type: { kind: 'timestamp' }, optional: true },
    { name: 'placed_text', type: { kind: 'string' }, optional: true },
  ],
};

function record(overrides: Partial<ConnectRecord> = {}): ConnectRecord {
  return {
    topic: 'shop.orders',
    partition: 3,
    offset: '42',
    timestampMs: Date.UTC(2026, 11, 5, 14, 30, 5, 7),
    keySchema: null,
    key: null,
    valueSchema,
    value: { id: 7, customer: 'ada', amount: '12.50', placed: new Date(Date.UTC(2026, 11, 1, 10, 0, 0)), placed_text: '2026-12-01 10:00:00' },
    headers: { existing: 'yes' },
    ...overrides,
  };
}

function run(transforms: ResolvedTransform[], input: ConnectRecord = record(), predicates: ResolvedPredicate[] = []): ConnectRecord | null {
  return buildTransformChain(transforms, predicates)(input);
}

describe('the transforms Ferry runs', () => {
  it('are exactly the ones validation calls supported', () => {
    expect([...runnableTransformClasses()].sort()).toEqual([...SUPPORTED_TRANSFORMS].sort());
    expect([...runnablePredicateClasses()].sort()).toEqual([...SUPPORTED_PREDICATES].sort());
  });
});

describe('InsertField', () => {
  it('adds a static field and the record’s topic, partition, offset and timestamp', () => {
    const out = run([
      transform('InsertField$Value', {
        'static.field': 'data_source',
        'static.value': 'test-file-source',
        'topic.field': 'topic!',
        'partition.field': 'partition',
        'offset.field': 'offset',
        'timestamp.field': 'ts',
      }),
    ]);
    expect(out?.value).toMatchObject({ id: 7, data_source: 'test-file-source', topic: 'shop.orders', partition: 3, offset: 42n, ts: new Date(Date.UTC(2026, 11, 5, 14, 30, 5, 7)) });
    const fields = out?.valueSchema?.fields ?? [];
    expect(fields.find((field) => field.name === 'topic')?.optional).toBe(false);
    expect(fields.find((field) => field.name === 'ts')?.type).toEqual({ kind: 'timestamp' });
  });

  it('refuses offset.field on a source record, which has no offset yet', () => {
    expect(() => run([transform('InsertField$Value', { 'offset.field': 'offset' })], record({ offset: undefined }))).toThrow(/offset\.field applies to sink records only/);
  });
});

describe('ReplaceField', () => {
  it('renames fields (renames=foo:c1,bar:c2) and drops the excluded ones', () => {
    const out = run([transform('ReplaceField$Value', { renames: 'customer:c1,amount:c2', exclude: 'placed_text' })]);
    expect(out?.value).toEqual({ id: 7, c1: 'ada', c2: '12.50', placed: new Date(Date.UTC(2026, 11, 1, 10)) });
    expect(out?.valueSchema?.fields.map((field) => field.name)).toEqual(['id', 'c1', 'c2', 'placed']);
  });

  it('keeps only the included fields (and the old whitelist name)', () => {
    expect(Object.keys(run([transform('ReplaceField$Value', { include: 'id,amount' })])?.value ?? {})).toEqual(['id', 'amount']);
    expect(Object.keys(run([transform('ReplaceField$Value', { whitelist: 'id' })])?.value ?? {})).toEqual(['id']);
  });

  it('rebuilds the schema once per input schema, not per record', () => {
    const chain = buildTransformChain([transform('ReplaceField$Value', { exclude: 'placed_text' })]);
    expect(chain(record())?.valueSchema).toBe(chain(record())?.valueSchema);
  });
});

describe('MaskField', () => {
  it('replaces values with their type’s empty value, or with replacement', () => {
    expect(run([transform('MaskField$Value', { fields: 'customer,amount,placed' })])?.value).toMatchObject({ customer: '', amount: '0.00', placed: new Date(0) });
    expect(run([transform('MaskField$Value', { fields: 'customer', replacement: '****' })])?.value?.customer).toBe('****');
  });
});

describe('Cast', () => {
  it('casts fields as spec says (spec=id:string,amount:float64)', () => {
    const out = run([transform('Cast$Value', { spec: 'id:string,amount:float64' })]);
    expect(out?.value).toMatchObject({ id: '7', amount: 12.5 });
    expect(out?.valueSchema?.fields.find((field) => field.name === 'amount')?.type).toEqual({ kind: 'float64' });
  });

  it('narrows integers as Java does and names an impossible cast', () => {
    expect(run([transform('Cast$Value', { spec: 'id:int8' })], record({ value: { id: 300 } }))?.value?.id).toBe(44);
    expect(() => run([transform('Cast$Value', { spec: 'customer:int32' })])).toThrow(/cannot cast "ada" to int32/);
    expect(() => buildTransformChain([transform('Cast$Value', { spec: 'id:uuid' })])).toThrow(/type one of int8/);
  });
});

describe('TimestampConverter', () => {
  it('turns a string field into a Timestamp with its format, and a Timestamp into a string and unix', () => {
    const parsed = run([transform('TimestampConverter$Value', { field: 'placed_text', 'target.type': 'Timestamp', format: 'yyyy-MM-dd HH:mm:ss' })]);
    expect(parsed?.value?.placed_text).toEqual(new Date(Date.UTC(2026, 11, 1, 10)));
    expect(parsed?.valueSchema?.fields.find((field) => field.name === 'placed_text')?.type).toEqual({ kind: 'timestamp' });
    expect(run([transform('TimestampConverter$Value', { field: 'placed', 'target.type': 'string', format: 'yyyy-MM-dd' })])?.value?.placed).toBe('2026-12-01');
    expect(run([transform('TimestampConverter$Value', { field: 'placed', 'target.type': 'unix', 'unix.precision': 'seconds' })])?.value?.placed).toBe(BigInt(Date.UTC(2026, 11, 1, 10) / 1000));
    expect(run([transform('TimestampConverter$Value', { field: 'placed', 'target.type': 'Date' })])?.value?.placed).toEqual(new Date(Date.UTC(2026, 11, 1)));
  });

  it('names the field and the pattern when a value does not match', () => {
    expect(() => run([transform('TimestampConverter$Value', { field: 'customer', 'target.type': 'Timestamp', format: 'yyyy-MM-dd' })])).toThrow(/"ada" does not match the date pattern "yyyy-MM-dd".*field "customer"/);
  });
});

describe('routing', () => {
  it('TimestampRouter: topic.format and timestamp.format', () => {
    expect(run([transform('TimestampRouter', { 'topic.format': 'foo-${topic}-${timestamp}', 'timestamp.format': 'yyyyMMdd' })])?.topic).toBe('foo-shop.orders-20261205');
  });

  it('RegexRouter: the whole topic must match', () => {
    expect(run([transform('RegexRouter', { regex: '(.*)\\.orders', replacement: '$1_orders_v2' })])?.topic).toBe('shop_orders_v2');
    expect(run([transform('RegexRouter', { regex: 'orders', replacement: 'x' })])?.topic).toBe('shop.orders');
  });

  it('probes the topic a stream goes to before any record exists', () => {
    const chain = buildTransformChain([transform('RegexRouter', { regex: 'shop\\.(.*)', replacement: 'mirror.$1' })]);
    expect(probeTopic(chain, 'shop.orders')).toBe('mirror.orders');
  });
});

describe('Filter with predicates', () => {
  const predicates: ResolvedPredicate[] = [
    { alias: 'isFoo', type: `${T}predicates.TopicNameMatches`, config: { pattern: 'shop\\..*' } },
    { alias: 'hasTrace', type: `${T}predicates.HasHeaderKey`, config: { name: 'trace' } },
    { alias: 'tombstone', type: `${T}predicates.RecordIsTombstone`, config: {} },
  ];

  it('drops records whose topic matches, and keeps others (negate inverts)', () => {
    expect(run([transform('Filter', {}, { predicate: 'isFoo' })], record(), predicates)).toBeNull();
    expect(run([transform('Filter', {}, { predicate: 'isFoo' })], record({ topic: 'other' }), predicates)?.topic).toBe('other');
    expect(run([transform('Filter', {}, { predicate: 'isFoo', negate: true })], record({ topic: 'other' }), predicates)).toBeNull();
  });

  it('HasHeaderKey and RecordIsTombstone', () => {
    expect(run([transform('Filter', {}, { predicate: 'hasTrace' })], record({ headers: { trace: '1' } }), predicates)).toBeNull();
    expect(run([transform('Filter', {}, { predicate: 'hasTrace' })], record(), predicates)).not.toBeNull();
    expect(run([transform('Filter', {}, { predicate: 'tombstone' })], record({ value: null }), predicates)).toBeNull();
  });

  it('applies any transform only where its predicate holds', () => {
    const out = run([transform('InsertHeader', { header: 'routed', 'value.literal': 'yes' }, { predicate: 'isFoo' })], record({ topic: 'other' }), predicates);
    expect(out?.headers.routed).toBeUndefined();
  });
});

describe('headers', () => {
  it('InsertHeader, DropHeaders', () => {
    expect(run([transform('InsertHeader', { header: 'MessageSource', 'value.literal': 'mirror-maker-1' })])?.headers).toEqual({ existing: 'yes', MessageSource: 'mirror-maker-1' });
    expect(run([transform('DropHeaders', { headers: 'existing' })])?.headers).toEqual({});
  });

  it('HeaderFrom$Value copies or moves fields into headers', () => {
    const copied = run([transform('HeaderFrom$Value', { fields: 'id,customer', headers: 'record_id,who', operation: 'copy' })]);
    expect(copied?.headers).toMatchObject({ record_id: '7', who: 'ada' });
    expect(copied?.value?.customer).toBe('ada');
    const moved = run([transform('HeaderFrom$Value', { fields: 'customer', headers: 'who', operation: 'move' })]);
    expect(moved?.headers.who).toBe('ada');
    expect(moved?.value).not.toHaveProperty('customer');
  });
});

describe('key transforms', () => {
  it('ValueToKey then ExtractField$Key', () => {
    const out = run([transform('ValueToKey', { fields: 'id,customer' }), transform('ExtractField$Key', { field: 'id' })]);
    expect(out?.key).toEqual({ id: 7 });
    expect(out?.keySchema?.fields.map((field) => field.name)).toEqual(['id']);
  });

  it('Flatten leaves a flat record as it is', () => {
    expect(run([transform('Flatten$Value', { delimiter: '_' })])).toEqual(record());
  });
});

describe('SimpleDateFormat', () => {
  it('formats and parses Java patterns in UTC', () => {
    const ms = Date.UTC(2026, 0, 2, 3, 4, 5, 6);
    expect(formatDate(ms, "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")).toBe('2026-01-02T03:04:05.006Z');
    expect(formatDate(ms, 'dd MMM yy, h a')).toBe('02 Jan 26, 3 AM');
    expect(parseDate('20260102', 'yyyyMMdd')).toBe(Date.UTC(2026, 0, 2));
    expect(parseDate('2026-01-02 03:04:05.006', 'yyyy-MM-dd HH:mm:ss.SSS')).toBe(ms);
    expect(parseDate('2026-01-02T03:04:05+01:00', "yyyy-MM-dd'T'HH:mm:ssXXX")).toBe(Date.UTC(2026, 0, 2, 2, 4, 5));
    expect(() => parseDate('2026/01/02', 'yyyy-MM-dd')).toThrow(/does not match/);
    expect(() => formatDate(ms, 'YYYY')).toThrow(/pattern letter "Y"/);
  });
});
