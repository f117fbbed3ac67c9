import { describe, expect, it } from 'vitest';
import type { VerifyReport } from '../../../../shared/api';
import { buildCompareRequest, compareReportHtml, compareReportJson, type CompareMeta, differingKeys, EMPTY_COMPARE_OPTIONS, oneSidedGrid, parseCompareOptions } from './compareModel';

const report: VerifyReport = {
  runId: 'r1',
  equal: false,
  rowsCompared: 6,
  sourceRows: 5,
  targetRows: 5,
  seconds: 0.42,
  onlyInSource: [{ id: 3 }],
  onlyInTarget: [{ id: 9 }],
  different: [{ key: { id: 2 }, columns: [{ name: 'email', source: 'ada@example.com', target: 'ada@example.org' }] }],
  truncated: false,
  key: ['id'],
  columns: ['email', 'note'],
  normalisation: [
    { name: 'email', sourceType: 'varchar(80)', targetType: 'text', rule: 'string → UTF-8 characters' },
    { name: 'note', sourceType: 'text', targetType: 'text', rule: 'string → UTF-8 characters' },
  ],
  notes: ['a note'],
  segmentsChecked: 4,
  segmentsFetched: 1,
  fixSql: ['UPDATE "t" SET "email" = \'ada@example.com\' WHERE "id" = 2;'],
  rows: { onlyInSource: [['3', 'grace@example.com', null]], onlyInTarget: [['9', '<script>alert(1)</script>', 'x']] },
};

const meta: CompareMeta = {
  source: { database: 'lab/mariadb', display: 'mysql://ferry@127.0.0.1:13306/ferry', dialect: 'mysql', table: 'customers' },
  target: { database: 'lab/postgres', display: 'postgres://ferry@127.0.0.1:15432/ferry', dialect: 'postgres', table: 'public.customers', where: "region = 'EU'" },
  options: { minAgeSeconds: 30, updateColumn: 'updated_at' },
  finishedAt: '2026-12-05T19:00:00.000Z',
};

describe('Compare options', () => {
  it('reads lists, wheres (the target takes the source’s unless it has its own) and the min-age pair', () => {
    const parsed = parseCompareOptions({ ...EMPTY_COMPARE_OPTIONS, key: ' region , code ', columns: 'a,b', sourceWhere: "region = 'EU'", minAgeSeconds: '60', updateColumn: 'updated_at' });
    expect(parsed).toEqual({ options: { key: ['region', 'code'], columns: ['a', 'b'], sourceWhere: "region = 'EU'", targetWhere: "region = 'EU'", minAgeSeconds: 60, updateColumn: 'updated_at' } });
    expect(parseCompareOptions({ ...EMPTY_COMPARE_OPTIONS, sourceWhere: 'a = 1', targetWhere: 'b = 2' })).toEqual({ options: { sourceWhere: 'a = 1', targetWhere: 'b = 2' } });
  });

  it('refuses a bad age, an age without its column and a column without an age, naming the field', () => {
    expect(parseCompareOptions({ ...EMPTY_COMPARE_OPTIONS, minAgeSeconds: 'soon', updateColumn: 'u' })).toEqual({ problem: expect.stringContaining('"Ignore rows changed in the last"') });
    expect(parseCompareOptions({ ...EMPTY_COMPARE_OPTIONS, minAgeSeconds: '5' })).toEqual({ problem: expect.stringContaining('"by column"') });
    expect(parseCompareOptions({ ...EMPTY_COMPARE_OPTIONS, updateColumn: 'updated_at' })).toEqual({ problem: expect.stringContaining('updated_at') });
  });

  it('builds a request with whole rows and the fix SQL, and the keys of a re-check', () => {
    const request = buildCompareRequest({ source: 's', target: 't' }, { source: 'a', target: 'b' }, { minAgeSeconds: 5, updateColumn: 'u', targetWhere: 'x = 1' }, { runId: 'r', keys: differingKeys(report) });
    expect(request).toEqual({ runId: 'r', source: { database: 's', table: 'a' }, target: { database: 't', table: 'b', where: 'x = 1' }, minAgeSeconds: 5, updateColumn: 'u', keys: [{ id: 3 }, { id: 9 }, { id: 2 }], rows: true, fixSql: true });
  });
});

describe('Compare grids', () => {
  it('shows whole rows for one-sided keys, NULL kept', () => {
    const grid = oneSidedGrid(report, 'onlyInSource');
    expect(grid.columns.map((column) => column.name)).toEqual(['id', 'email', 'note']);
    expect(grid.columns[1]?.type).toBe('varchar(80)');
    expect(grid.rows).toEqual([['3', 'grace@example.com', null]]);
    expect(oneSidedGrid({ ...report, rows: undefined }, 'onlyInTarget')).toEqual({ columns: [{ name: 'id', type: 'key', kind: 'text' }], rows: [[9]] });
  });
});

describe('Compare report export', () => {
  it('JSON holds the tables, options, normalisation, counts, every difference with whole rows, notes and fix SQL', () => {
    const document = JSON.parse(compareReportJson(report, meta)) as Record<string, unknown>;
    expect(document).toMatchObject({
      kind: 'ferry-compare-report',
      verdict: 'different',
      source: { table: 'customers', display: 'mysql://ferry@127.0.0.1:13306/ferry' },
      target: { where: "region = 'EU'" },
      options: { minAgeSeconds: 30, updateColumn: 'updated_at' },
      counts: { rowsCompared: 6, identical: 3, onlyInSource: 1, onlyInTarget: 1, different: 1, truncated: false },
      onlyInSource: [{ key: { id: 3 }, row: { id: '3', email: 'grace@example.com', note: null } }],
      different: report.different,
      notes: ['a note'],
      fixSql: report.fixSql,
    });
    expect(document.normalisation).toEqual(report.normalisation);
  });

  it('HTML escapes every value, marks changed characters and has no script', () => {
    const html = compareReportHtml(report, meta);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('ada@example.<del>com</del>');
    expect(html).toContain('ada@example.<ins>org</ins>');
    expect(html).toContain('string → UTF-8 characters');
    expect(html).toContain('Rows changed in the last 30 s (by updated_at) left out on both sides');
    expect(html).toContain('region = &#39;EU&#39;');
    expect(html).toContain('data-verdict="different"');
  });
});
