import { describe, expect, it } from 'vitest';
import { isEngineError } from '../../shared/errors';
import type { ColumnInfo, TableInfo } from './model';
import { planComparison } from './plan';

const column = (name: string, kind: ColumnInfo['kind'], extra: Partial<ColumnInfo> = {}): ColumnInfo => ({ name, declared: kind, kind, scale: undefined, fraction: undefined, nullable: true, ...extra });
const table = (columns: ColumnInfo[], primaryKey: string[] = ['id']): TableInfo => ({ ref: { schema: 's', name: 't' }, columns, primaryKey, estimatedRows: 0 });
const side = (info: TableInfo) => ({ dialect: 'postgres' as const, info, zone: 'UTC', where: undefined, label: 'source' });

describe('planComparison', () => {
  it('pairs shared columns by name (any case), notes the rest, and renders pairs alike', () => {
    const plan = planComparison({
      source: side(table([column('id', 'integer'), column('Amount', 'decimal', { scale: 2 }), column('at', 'timestamp', { fraction: 6 }), column('only_here', 'string'), column('ref', 'fixedString')])),
      target: { ...side(table([column('id', 'integer'), column('amount', 'decimal', { scale: 4 }), column('at', 'timestamp', { fraction: 3 }), column('ref', 'uuid')])), label: 'target' },
      key: undefined,
      columns: undefined,
    });
    expect(plan.keyNames).toEqual(['id']);
    expect(plan.columnNames).toEqual(['Amount', 'at', 'ref']);
    expect(plan.notes).toEqual([
      'Column "only_here" is only in the source table; it is not compared.',
      '"Amount": decimal scale 2 in the source, 4 in the target; compared as exact values (1.50 = 1.5000).',
      '"at": the source keeps 6 fractional second digits, the target 3; both are compared at 3 (truncated), so differences below that are not seen.',
    ]);
    const at = plan.source.columns[1]?.render;
    expect(at).toMatchObject({ fraction: 3 });
    expect(plan.target.columns[1]?.render.fraction).toBe(3);
    // A uuid on one side: both lower-cased, and both length-prefixed because the other side is free text.
    expect(plan.source.columns[2]?.render).toMatchObject({ lowercase: true, lengthPrefix: true });
    expect(plan.target.columns[2]?.render).toMatchObject({ lowercase: true, lengthPrefix: true });
    expect(plan.rules.map((rule) => rule.rule)).toEqual([
      'integer text',
      'exact decimal, trailing fractional zeros dropped',
      'UTC YYYY-MM-DD HH:MM:SS with 3 fractional digits (truncated)',
      'UTF-8 text, compared byte for byte, lower-cased (uuid on one side), CHAR padding dropped',
    ]);
  });

  it('prints decimals at their scale when both sides declare the same one', () => {
    const both = table([column('id', 'integer'), column('d', 'decimal', { scale: 2 })]);
    const plan = planComparison({ source: side(both), target: side(both), key: undefined, columns: undefined });
    expect(plan.source.columns[0]?.render.sameScale).toBe(true);
    expect(plan.rules[1]?.rule).toBe('decimal at scale 2');
  });

  it('lets doubles hash as four-decimal units only when both sides are floats', () => {
    const source = table([column('id', 'integer'), column('f', 'float'), column('g', 'float'), column('h', 'float')]);
    const target = table([column('id', 'integer'), column('f', 'float'), column('g', 'decimal', { scale: 4 }), column('h', 'integer')]);
    const plan = planComparison({ source: side(source), target: { ...side(target), label: 'target' }, key: undefined, columns: undefined });
    expect(plan.source.columns.map((pair) => pair.render.floatUnits ?? false)).toEqual([true, false, false]);
    expect(plan.target.columns.map((pair) => pair.render.floatUnits ?? false)).toEqual([true, false, false]);
  });

  it('asks for --key when the source has no primary key, and names a missing column and what the table has', () => {
    const noKey = table([column('a', 'string')], []);
    const attempt = (run: () => unknown): unknown => {
      try {
        return run();
      } catch (error) {
        return error;
      }
    };
    const missingKey = attempt(() => planComparison({ source: side(noKey), target: side(noKey), key: undefined, columns: undefined }));
    expect(isEngineError(missingKey) && missingKey.code).toBe('VERIFY_NO_KEY');
    expect((missingKey as Error).message).toContain('--key');
    const missingColumn = attempt(() => planComparison({ source: side(noKey), target: side(noKey), key: ['a'], columns: ['nope'] }));
    expect(isEngineError(missingColumn) && missingColumn.code).toBe('VERIFY_COLUMN_MISSING');
    expect((missingColumn as Error).message).toContain('(it has a)');
  });

  it('warns when kinds cannot match and when values are compared as printed', () => {
    const plan = planComparison({
      source: side(table([column('id', 'integer'), column('x', 'date'), column('j', 'text', { declared: 'jsonb' })])),
      target: side(table([column('id', 'integer'), column('x', 'integer'), column('j', 'text', { declared: 'json' })])),
      key: undefined,
      columns: undefined,
    });
    expect(plan.notes.some((note) => note.includes('different kinds'))).toBe(true);
    expect(plan.notes.some((note) => note.includes('"j" (jsonb / json) is compared as each engine prints it'))).toBe(true);
  });
});
