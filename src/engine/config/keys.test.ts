import { describe, expect, expectTypeOf, it } from 'vitest';
import type { JDBC_SINK_KEYS } from './connectors/jdbcSinkKeys';
import type { JsonObject } from './jsonText';
import { booleanKey, enumKey, indexKeys, intKey, type KeyValues, listKey, passwordKey, stringKey } from './keys';
import { formatPath, ProblemList } from './problems';
import { Secret } from './secret';
import { validateKeys } from './validateKeys';

const g = { doc: 'd', group: 'g' };

describe('key types parse values the way Kafka Connect does', () => {
  it('booleans accept JSON booleans and "true"/"false" in any case', () => {
    const key = booleanKey('auto.create', { ...g, default: false });
    expect(key.parse(true)).toEqual({ ok: true, value: true });
    expect(key.parse('true')).toEqual({ ok: true, value: true });
    expect(key.parse(' FALSE ')).toEqual({ ok: true, value: false });
    expect(key.parse('yes')).toMatchObject({ ok: false, message: '`auto.create` must be true or false, got "yes"' });
    expect(key.parse(1)).toMatchObject({ ok: false });
  });

  it('ints accept numbers and numeric strings within their range', () => {
    const key = intKey('batch.max.rows', { ...g, default: 1000, min: 1 });
    expect(key.parse(5)).toEqual({ ok: true, value: 5 });
    expect(key.parse(' 500 ')).toEqual({ ok: true, value: 500 });
    expect(key.parse('5.5')).toMatchObject({ ok: false });
    expect(key.parse(1.5)).toMatchObject({ ok: false });
    expect(key.parse('0')).toMatchObject({ ok: false, message: '`batch.max.rows` must be at least 1, got 0' });
    expect(key.parse(-3)).toMatchObject({ ok: false });
    const port = intKey('connection.port', { ...g, min: 1, max: 65535 });
    expect(port.parse(70000)).toMatchObject({ ok: false, message: '`connection.port` must be from 1 to 65535, got 70000' });
  });

  it('enums match ignoring case, resolve to the canonical spelling and warn where Connect would refuse', () => {
    const insertMode = enumKey('insert.mode', ['insert', 'upsert', 'update'], { ...g, default: 'insert', connectCase: 'lower-or-upper' });
    expect(insertMode.parse('UPSERT')).toEqual({ ok: true, value: 'upsert' });
    expect(insertMode.parse('upsert')).toEqual({ ok: true, value: 'upsert' });
    const mixed = insertMode.parse('Upsert');
    expect(mixed).toMatchObject({ ok: true, value: 'upsert', issue: { severity: 'warning' } });
    expect(insertMode.parse('merge')).toMatchObject({ ok: false, message: '`insert.mode` must be one of insert, upsert, update; got "merge"' });

    const mode = enumKey('mode', ['bulk', 'timestamp'], { ...g, connectCase: 'exact' });
    expect(mode.parse('TIMESTAMP')).toMatchObject({ ok: true, value: 'timestamp', issue: { severity: 'warning' } });

    const format = enumKey('output.data.format', ['AVRO', 'JSON'], g);
    expect(format.parse('avro')).toEqual({ ok: true, value: 'AVRO' });

    const strategy = enumKey('s', ['TopicNameStrategy'], { ...g, valueAliases: { 'io.confluent.kafka.serializers.subject.TopicNameStrategy': 'TopicNameStrategy' } });
    expect(strategy.parse('io.confluent.kafka.serializers.subject.TopicNameStrategy')).toEqual({ ok: true, value: 'TopicNameStrategy' });
  });

  it('lists accept a comma-separated string or a JSON array', () => {
    const key = listKey('table.whitelist', { ...g, default: [] });
    expect(key.parse('a, b,,c ')).toEqual({ ok: true, value: ['a', 'b', 'c'] });
    expect(key.parse(['orders', 7])).toEqual({ ok: true, value: ['orders', '7'] });
    expect(key.parse('')).toEqual({ ok: true, value: [] });
    expect(key.parse([{}])).toMatchObject({ ok: false });
    const types = listKey('table.types', { ...g, items: ['TABLE', 'VIEW'] });
    expect(types.parse(['table', 'View'])).toEqual({ ok: true, value: ['TABLE', 'VIEW'] });
    expect(types.parse('TABLE,MATVIEW')).toMatchObject({ ok: false, message: '`table.types` may contain only TABLE, VIEW; got "MATVIEW"' });
  });

  it('passwords become Secrets and their value is never echoed', () => {
    const key = passwordKey('connection.password', g);
    const parsed = key.parse('s3cret');
    expect(parsed.ok && parsed.value instanceof Secret && parsed.value.reveal()).toBe('s3cret');
    const bad = key.parse(['s3cret-in-array']);
    expect(bad.ok).toBe(false);
    expect(JSON.stringify(bad)).not.toContain('s3cret');
  });

  it('strings accept unquoted numbers and booleans but not objects', () => {
    const key = stringKey('db.name', g);
    expect(key.parse(42)).toEqual({ ok: true, value: '42' });
    expect(key.parse({})).toMatchObject({ ok: false });
  });

  it('refuses a definition list that declares a name twice', () => {
    expect(() => indexKeys([intKey('batch.size', { ...g, aliases: ['batch.sizes'] }), intKey('batch.sizes', g)])).toThrow(/declared twice/);
  });

  it('derives value types from the declarations', () => {
    type V = KeyValues<typeof JDBC_SINK_KEYS>;
    expectTypeOf<V['batch.size']>().toEqualTypeOf<number>();
    expectTypeOf<V['insert.mode']>().toEqualTypeOf<'insert' | 'upsert' | 'update'>();
    expectTypeOf<V['topics.regex']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<V['connection.password']>().toEqualTypeOf<Secret | undefined>();
    expectTypeOf<V['pk.fields']>().toEqualTypeOf<readonly string[]>();
  });
});

describe('validateKeys', () => {
  const defs = [
    intKey('batch.size', { ...g, aliases: ['batch.sizes'], default: 3000, min: 1 }),
    booleanKey('auto.create', { ...g, default: false }),
    enumKey('errors.tolerance', ['none', 'all'], { ...g, default: 'none', managedDefault: 'all' }),
    stringKey('connection.url', { ...g, selfManagedOnly: true }),
    stringKey('output.data.format', { ...g, managedOnly: true }),
    booleanKey('numeric.precision.mapping', { ...g, default: false, deprecated: 'use numeric.mapping.' }),
  ] as const;
  const path = ['connectors', 0] as const;

  function run(raw: JsonObject, flavor?: 'managed' | 'self-managed') {
    const problems = new ProblemList();
    const v = validateKeys(defs, raw, problems, { path, owner: 'PostgresSink', ...(flavor ? { flavor } : {}), isDynamic: (k) => k.startsWith('transforms.') });
    return { v, problems: problems.items };
  }

  it('applies defaults, including the managed default for managed classes', () => {
    expect(run({}).v.values).toEqual({ 'batch.size': 3000, 'auto.create': false, 'errors.tolerance': 'none', 'numeric.precision.mapping': false });
    expect(run({}, 'managed').v.values['errors.tolerance']).toBe('all');
  });

  it('accepts aliases, resolving them to the canonical name and pointing paths at the spelling used', () => {
    const { v, problems } = run({ 'batch.sizes': '1000' });
    expect(problems).toEqual([]);
    expect(v.values['batch.size']).toBe(1000);
    expect(v.given.has('batch.size')).toBe(true);
    expect(formatPath(v.pathOf('batch.size'))).toBe("$.connectors[0]['batch.sizes']");
    expect(formatPath(v.pathOf('auto.create'))).toBe("$.connectors[0]['auto.create']");
  });

  it('reports an alias given twice: a warning when the values agree, an error when they differ', () => {
    expect(run({ 'batch.size': 5, 'batch.sizes': '5' }).problems).toMatchObject([{ severity: 'warning', rule: 'key.alias-conflict' }]);
    expect(run({ 'batch.size': 5, 'batch.sizes': 6 }).problems).toMatchObject([{ severity: 'error', rule: 'key.alias-conflict', path: "$.connectors[0]['batch.sizes']" }]);
  });

  it('keeps unknown keys and warns about them, suggesting a near key', () => {
    const { v, problems } = run({ 'auto.creat': 'true', 'totally.new': 1, 'transforms.x.type': 'T' });
    expect(v.unknown).toEqual({ 'auto.creat': 'true', 'totally.new': 1 });
    expect(v.dynamic).toEqual({ 'transforms.x.type': 'T' });
    expect(problems).toMatchObject([
      { severity: 'warning', rule: 'key.unknown', path: "$.connectors[0]['auto.creat']", hint: 'Did you mean `auto.create`?' },
      { severity: 'warning', rule: 'key.unknown', path: "$.connectors[0]['totally.new']" },
    ]);
  });

  it('treats null as "use the default"', () => {
    const { v, problems } = run({ 'batch.size': null });
    expect(problems).toEqual([]);
    expect(v.values['batch.size']).toBe(3000);
  });

  it('reports invalid values as errors at the key', () => {
    expect(run({ 'auto.create': 'maybe' }).problems).toMatchObject([{ severity: 'error', rule: 'key.invalid', path: "$.connectors[0]['auto.create']" }]);
  });

  it('warns about keys of the other flavor and deprecated keys', () => {
    expect(run({ 'connection.url': 'jdbc:x' }, 'managed').problems).toMatchObject([{ rule: 'key.flavor', severity: 'warning' }]);
    expect(run({ 'output.data.format': 'AVRO' }, 'self-managed').problems).toMatchObject([{ rule: 'key.flavor', severity: 'warning' }]);
    expect(run({ 'connection.url': 'jdbc:x' }, 'self-managed').problems).toEqual([]);
    expect(run({ 'numeric.precision.mapping': true }).problems).toMatchObject([{ rule: 'key.deprecated' }]);
  });
});
