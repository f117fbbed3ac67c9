import { describe, expect, it } from 'vitest';
import { find, jdbcSink, jdbcSource, managedSink, managedSource, parse } from './testing';

describe('a source whose table list is lost to a typo does not capture the whole database', () => {
  it('a misspelt table.whitelist key is an error naming it, not only an unknown-key warning', () => {
    const result = parse([jdbcSource({ 'table.whitelist': undefined, 'table.whitlist': 'customers' }), jdbcSink()]);
    const [problem, ...rest] = find(result, 'source.table-list-typo');
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ severity: 'error', path: "$.connectors[0]['table.whitlist']" });
    expect(problem?.message).toContain('would capture every table of the database');
    expect(problem?.hint).toContain('`table.whitelist`');
    expect(result.config).toBeUndefined();
  });

  it('the same for the managed spelling and the regex list', () => {
    const managed = parse([managedSource({ 'table.whitelist': undefined, 'table.includelist': 'shop\\.orders' }), managedSink()]);
    expect(find(managed, 'source.table-list-typo')[0]?.hint).toContain('`table.include.list`');
  });

  it('an empty list is an error; no list at all (capture everything on purpose) is not', () => {
    const empty = parse([jdbcSource({ 'table.whitelist': '' }), jdbcSink()]);
    expect(find(empty, 'source.table-list-empty')).toMatchObject([{ severity: 'error', path: "$.connectors[0]['table.whitelist']" }]);
    const all = parse([jdbcSource({ 'table.whitelist': undefined }), jdbcSink()]);
    expect(find(all, 'source.table-list-typo')).toEqual([]);
    expect(find(all, 'source.table-list-empty')).toEqual([]);
  });
});

describe('columns renamed to fit Avro are reported at validation', () => {
  it('a timestamp or incrementing column whose name Avro cannot hold', () => {
    const result = parse([jdbcSource({ 'timestamp.column.name': 'updated at', 'incrementing.column.name': 'id' }), jdbcSink()]);
    const problems = find(result, 'source.column-renamed-for-avro');
    expect(problems).toMatchObject([{ severity: 'warning', path: "$.connectors[0]['timestamp.column.name']" }]);
    expect(problems[0]?.message).toBe('Column "updated at" is written to Kafka as Avro field "updated_at" (Avro names allow only letters, digits and _)');
    expect(problems[0]?.hint).toContain('write it back to a column named "updated at"');
  });
});
