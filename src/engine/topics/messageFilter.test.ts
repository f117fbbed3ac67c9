import { describe, expect, it } from 'vitest';
import { compileFilter, type FilterableRecord } from './messageFilter';

const order: FilterableRecord = {
  keyText: '{"id":42}',
  keyParsed: { id: 42 },
  valueText: '{"id":42,"status":"SHIPPED","total":"250.00","customer":{"email":"Ann@example.com"},"lines":[{"sku":"A-1"}],"big":"9007199254740993"}',
  valueParsed: { id: 42, status: 'SHIPPED', total: '250.00', customer: { email: 'Ann@example.com' }, lines: [{ sku: 'A-1' }], big: '9007199254740993' },
  headers: [
    { name: 'source', value: 'cdc' },
    { name: '__connect.errors.topic', value: 'orders' },
  ],
};
const heartbeat: FilterableRecord = { keyText: 'null', valueText: 'heartbeat', valueParsed: 'heartbeat', headers: [] };

const matches = (filter: string, record: FilterableRecord = order): boolean => compileFilter(filter)(record);

describe('message filter', () => {
  it('matches everything when empty', () => {
    expect(matches('')).toBe(true);
    expect(matches('   ', heartbeat)).toBe(true);
  });

  it('finds words anywhere, case-insensitively, and phrases in quotes', () => {
    expect(matches('shipped')).toBe(true);
    expect(matches('ann@EXAMPLE')).toBe(true);
    expect(matches('cdc')).toBe(true); // a header value
    expect(matches('"status":"SHIPPED"')).toBe(true);
    expect(matches('missing')).toBe(false);
  });

  it('scopes words to the key, the value, the headers or one header', () => {
    expect(matches('key:42')).toBe(true);
    expect(matches('key:shipped')).toBe(false);
    expect(matches('value:shipped')).toBe(true);
    expect(matches('headers:cdc')).toBe(true);
    expect(matches('header.source:cdc')).toBe(true);
    expect(matches('header.SOURCE:CDC')).toBe(true);
    expect(matches('header.other:cdc')).toBe(false);
  });

  it('compares fields of the decoded value, numbers as numbers and exact int64 strings too', () => {
    expect(matches('value.status=shipped')).toBe(true);
    expect(matches('value.status!=NEW')).toBe(true);
    expect(matches('value.total>=100')).toBe(true);
    expect(matches('value.total<100')).toBe(false);
    expect(matches('value.customer.email=ann@example.com')).toBe(true);
    expect(matches('value.lines.0.sku=A-1')).toBe(true);
    expect(matches('value.big>9007199254740000')).toBe(true);
    expect(matches('key.id=42')).toBe(true);
    expect(matches('value.nothing=1')).toBe(false);
    expect(matches('value.nothing!=1')).toBe(true);
    expect(matches('value.status=null')).toBe(false);
  });

  it('negates a term and requires every term', () => {
    expect(matches('-heartbeat', heartbeat)).toBe(false);
    expect(matches('-heartbeat')).toBe(true);
    expect(matches('shipped value.total>1000')).toBe(false);
    expect(matches('shipped header.source:cdc -key:7')).toBe(true);
  });

  it('reports a malformed filter naming the term and the fix', () => {
    expect(() => compileFilter('"open phrase')).toThrow(expect.objectContaining({ code: 'TOPICS_FILTER_INVALID' }));
    expect(() => compileFilter('value.status')).toThrow(/names a field but no comparison/);
    expect(() => compileFilter('value.status=')).toThrow(/nothing after =/);
    expect(() => compileFilter('key:')).toThrow(/nothing after the colon/);
  });
});
