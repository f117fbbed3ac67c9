import { describe, expect, it } from 'vitest';
import { parseVerifyArgs } from './cliVerify';

describe('ferry verify arguments', () => {
  it('maps flags to the request; --table names both sides unless --target-table', () => {
    const { request, json } = parseVerifyArgs([
      '--source', 'mysql://u:p@h/db', '--target', 'postgres://u:p@h/db', '--table', 'orders', '--target-table', 'public.orders_copy',
      '--key', 'region, code', '--columns', 'a,b', '--where', "region = 'EU'", '--min-age', '30', '--update-column', 'updated_at',
      '--source-tz', '+02:00', '--threshold', '500', '--factor', '16', '--json', '--fix-sql',
    ]);
    expect(json).toBe(true);
    expect(request).toEqual({
      source: { url: 'mysql://u:p@h/db', table: 'orders', where: "region = 'EU'", timeZone: '+02:00' },
      target: { url: 'postgres://u:p@h/db', table: 'public.orders_copy', where: "region = 'EU'" },
      key: ['region', 'code'],
      columns: ['a', 'b'],
      minAgeSeconds: 30,
      updateColumn: 'updated_at',
      bisectionThreshold: 500,
      bisectionFactor: 16,
      fixSql: true,
    });
  });

  it('refuses missing required flags, stray words and bad numbers with the flag named', () => {
    expect(() => parseVerifyArgs(['--source', 'x', '--target', 'y'])).toThrow('--table is required.');
    expect(() => parseVerifyArgs(['--source', 'x', '--target', 'y', '--table', 't', 'extra'])).toThrow('no positional arguments');
    expect(() => parseVerifyArgs(['--source', 'x', '--target', 'y', '--table', 't', '--min-age', 'soon'])).toThrow('--min-age must be a number');
    expect(() => parseVerifyArgs(['--source', 'x', '--target', 'y', '--table', 't', '--key', ' , '])).toThrow('column list is empty');
  });
});
