import { describe, expect, it } from 'vitest';
import type { ResolvedPredicate, ResolvedTransform } from '../config';
import type { RecordSchema } from '../model';
import type { ConnectRecord } from '../transforms';
import { transformSample, valueText } from './previewSample';

const T = 'org.apache.kafka.connect.transforms.';

function transform(alias: string, type: string, config: Record<string, string>, extra: Partial<ResolvedTransform> = {}): ResolvedTransform {
  return { alias, type: `${T}${type}`, supported: true, config, predicate: undefined, negate: false, ...extra };
}

const valueSchema: RecordSchema = {
  name: 'customers',
  fields: [
    { name: 'id', type: { kind: 'int64' }, optional: false },
    { name: 'email', type: { kind: 'string' }, optional: true },
    { name: 'card', type: { kind: 'string' }, optional: true },
    { name: 'signed_up', type: { kind: 'string' }, optional: true },
    { name: 'internal_note', type: { kind: 'string' }, optional: true },
  ],
};

/** A polling row as the source task hands it to the chain: no key, no headers. */
function row(): ConnectRecord {
  return {
    topic: 'lab-customers',
    partition: null,
    timestampMs: Date.UTC(2026, 11, 5, 12),
    keySchema: null,
    key: null,
    valueSchema,
    value: { id: 9007199254740993n, email: 'ada@example.com', card: '4111111111111111', signed_up: '2026-12-01 10:00:00', internal_note: 'vip' },
    headers: {},
  };
}

function field(fields: { name: string; type: string; value: string | null }[] | null | undefined, name: string) {
  return fields?.find((candidate) => candidate.name === name);
}

describe('Preview of a transform chain', () => {
  it('shows the record before and after each step: fields dropped and renamed, masked, a string parsed to a timestamp, the key and the topic changed', () => {
    const sample = transformSample(
      'first row of lab.customers',
      [
        transform('drop', 'ReplaceField$Value', { exclude: 'internal_note', renames: 'email:contact' }),
        transform('mask', 'MaskField$Value', { fields: 'card' }),
        transform('when', 'TimestampConverter$Value', { field: 'signed_up', 'target.type': 'Timestamp', format: 'yyyy-MM-dd HH:mm:ss' }),
        transform('key', 'ValueToKey', { fields: 'id' }),
        transform('id', 'ExtractField$Key', { field: 'id' }),
        transform('route', 'RegexRouter', { regex: 'lab-(.*)', replacement: 'crm.$1' }),
      ],
      [],
      row(),
    );
    expect(sample.origin).toBe('first row of lab.customers');
    expect(sample.before?.key).toBeNull();
    expect(field(sample.before?.value, 'id')).toEqual({ name: 'id', type: 'int64', value: '9007199254740993' });
    expect(sample.steps.map((step) => [step.alias, step.type, step.outcome])).toEqual([
      ['drop', 'ReplaceField$Value', 'applied'],
      ['mask', 'MaskField$Value', 'applied'],
      ['when', 'TimestampConverter$Value', 'applied'],
      ['key', 'ValueToKey', 'applied'],
      ['id', 'ExtractField$Key', 'applied'],
      ['route', 'RegexRouter', 'applied'],
    ]);
    const [drop, mask, when, key, id, route] = sample.steps;
    expect(drop?.record?.value?.map((f) => f.name)).toEqual(['id', 'contact', 'card', 'signed_up']);
    expect(field(drop?.record?.value, 'card')?.value).toBe('4111111111111111');
    expect(field(mask?.record?.value, 'card')?.value).toBe('');
    expect(field(mask?.record?.value, 'signed_up')).toEqual({ name: 'signed_up', type: 'string', value: '2026-12-01 10:00:00' });
    expect(field(when?.record?.value, 'signed_up')).toEqual({ name: 'signed_up', type: 'timestamp', value: '2026-12-01T10:00:00.000Z' });
    expect(key?.record?.key).toEqual([{ name: 'id', type: 'int64', value: '9007199254740993' }]);
    // Ferry's flat key keeps the extracted field (Connect's primitive key, written by the key converter).
    expect(id?.record?.key).toEqual([{ name: 'id', type: 'int64', value: '9007199254740993' }]);
    expect(route?.record?.topic).toBe('crm.customers');
    expect(route?.note).toBe('Topic renamed: lab-customers → crm.customers.');
    // The steps before the router keep the source topic.
    expect(id?.record?.topic).toBe('lab-customers');
  });

  it('says plainly when a Filter drops the record, and lists no step after it', () => {
    const predicates: ResolvedPredicate[] = [{ alias: 'isCustomers', type: `${T}predicates.TopicNameMatches`, config: { pattern: 'lab-cust.*' } }];
    const sample = transformSample(
      'first row of lab.customers',
      [transform('mask', 'MaskField$Value', { fields: 'card' }, { predicate: 'isCustomers', negate: true }), transform('only', 'Filter', {}, { predicate: 'isCustomers' }), transform('route', 'RegexRouter', { regex: '.*', replacement: 'never' })],
      predicates,
      row(),
    );
    expect(sample.steps.map((step) => step.outcome)).toEqual(['skipped', 'dropped']);
    expect(field(sample.steps[0]?.record?.value, 'card')?.value).toBe('4111111111111111');
    expect(sample.steps[0]?.note).toMatch(/predicate does not match/);
    expect(sample.steps[1]?.record).toBeNull();
    expect(sample.steps[1]?.note).toBe('only dropped the record: it is not written (Filter), and the steps after it do not run.');
  });

  it('names a failing step with its message, and a class Ferry does not run', () => {
    const sample = transformSample(
      'first row',
      [transform('other', 'SetSchemaMetadata$Value', {}, { supported: false }), transform('when', 'TimestampConverter$Value', { field: 'email', 'target.type': 'Timestamp', format: 'yyyy-MM-dd' })],
      [],
      row(),
    );
    expect(sample.steps.map((step) => step.outcome)).toEqual(['not-run', 'failed']);
    expect(sample.steps[0]?.note).toBe('Ferry does not run SetSchemaMetadata$Value; the record passes unchanged.');
    expect(sample.steps[1]?.note).toMatch(/^when failed on this record: .*"ada@example.com" does not match the date pattern "yyyy-MM-dd"/);
  });

  it('writes values as text a reader can check', () => {
    expect(valueText(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)))).toBe('2026-01-02T03:04:05.006Z');
    expect(valueText(new Uint8Array([0xde, 0xad]))).toBe('0xdead');
    expect(valueText(null)).toBeNull();
    expect(valueText('x'.repeat(250))).toMatch(/^x{200}… \(250 characters\)$/);
  });
});
