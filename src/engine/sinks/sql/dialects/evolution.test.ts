import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../../shared/errors';
import type { FieldSchema } from '../../../model';
import type { TableDescription } from './dialect';
import { canAddColumn, fieldsToAdd, findMissingFields } from './evolution';

function failure(run: () => unknown): EngineError {
  try {
    run();
  } catch (error) {
    if (error instanceof EngineError) return error;
    throw error;
  }
  throw new Error('expected an EngineError');
}

const column = (name: string, isKey = false) => ({ name, type: 'text', baseType: 'text', nullable: !isKey, isKey });
const table = (names: string[], kind: TableDescription['kind'] = 'TABLE'): TableDescription => ({
  table: { schema: 'public', table: 'orders' },
  kind,
  columns: names.map((name, index) => column(name, index === 0)),
});
const field = (name: string, optional = true, defaultValue?: string): FieldSchema => ({ name, type: { kind: 'string' }, optional, defaultValue });

describe('findMissingFields', () => {
  it('matches exactly first, then case-insensitively', () => {
    expect(findMissingFields(table(['id', 'Name']), [field('id'), field('name'), field('note')]).map((f) => f.name)).toEqual(['note']);
  });

  it('keeps the exact result when table columns differ only by case', () => {
    expect(findMissingFields(table(['id', 'Name', 'NAME']), [field('id'), field('name')]).map((f) => f.name)).toEqual(['name']);
  });

  it('ignores table columns the record does not have', () => {
    expect(findMissingFields(table(['id', 'extra']), [field('id')])).toEqual([]);
  });
});

describe('fieldsToAdd', () => {
  it('returns the optional and defaulted missing fields when auto.evolve is on', () => {
    const fields = [field('id'), field('note'), field('status', false, 'new')];
    expect(fieldsToAdd(table(['id']), fields, { autoEvolve: true }).map((f) => f.name)).toEqual(['note', 'status']);
  });

  it('returns nothing when nothing is missing, even with auto.evolve off', () => {
    expect(fieldsToAdd(table(['id']), [field('id')], { autoEvolve: false })).toEqual([]);
  });

  it('fails naming the fields when auto.evolve is off', () => {
    const error = failure(() => fieldsToAdd(table(['id']), [field('id'), field('note')], { autoEvolve: false }));
    expect(error.code).toBe('SINK_SQL_MISSING_COLUMNS');
    expect(error.message).toContain('"note"');
    expect(error.message).toContain('auto.evolve');
    expect(error.retriable).toBe(false);
  });

  it('refuses a required field without a default, as Connect does', () => {
    const error = failure(() => fieldsToAdd(table(['id']), [field('id'), field('qty', false)], { autoEvolve: true }));
    expect(error.code).toBe('SINK_SQL_REQUIRED_COLUMN_WITHOUT_DEFAULT');
    expect(error.message).toContain('"qty"');
    expect(canAddColumn(field('qty', false))).toBe(false);
    expect(canAddColumn({ ...field('qty', false), defaultValue: null })).toBe(false);
  });

  it('never alters a view', () => {
    expect(failure(() => fieldsToAdd(table(['id'], 'VIEW'), [field('id'), field('note')], { autoEvolve: true })).code).toBe('SINK_SQL_NOT_ALTERABLE');
  });
});
