import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../../shared/errors';
import type { DialectName } from './dialect';
import { MySqlDialect } from './mysql';
import { PostgresDialect } from './postgres';
import { createDialect, DIALECT_NAMES, isDialectName } from './registry';
import { SqlServerDialect } from './sqlserver';

describe('dialect registry', () => {
  it('maps every name to its dialect, passing the options on', () => {
    expect(createDialect('mysql')).toBeInstanceOf(MySqlDialect);
    expect(createDialect('postgres')).toBeInstanceOf(PostgresDialect);
    expect(createDialect('sqlserver')).toBeInstanceOf(SqlServerDialect);
    expect(createDialect('postgres', { quoteIdentifiers: 'NEVER' }).quoteIdentifier('Orders')).toBe('Orders');
    for (const name of DIALECT_NAMES) expect(createDialect(name).name).toBe(name);
  });

  it('names the placeholder style of each driver', () => {
    expect(DIALECT_NAMES.map((name) => createDialect(name).placeholderStyle)).toEqual(['question', 'dollar', 'named']);
  });

  it('refuses an unknown name with the list of known ones', () => {
    expect(isDialectName('mysql')).toBe(true);
    expect(isDialectName('oracle')).toBe(false);
    try {
      createDialect('oracle' as DialectName);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(EngineError);
      expect((error as EngineError).code).toBe('SINK_SQL_UNKNOWN_DIALECT');
      expect((error as EngineError).message).toContain('mysql, postgres, sqlserver');
    }
  });
});
