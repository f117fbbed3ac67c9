import type { DialectName, DialectOptions, SqlDialect } from './dialect';
import { sqlDialectError } from './errors';
import { MySqlDialect } from './mysql';
import { PostgresDialect } from './postgres';
import { SqlServerDialect } from './sqlserver';

export const DIALECT_NAMES: readonly DialectName[] = ['mysql', 'postgres', 'sqlserver'];

const FACTORIES: Record<DialectName, (options: DialectOptions) => SqlDialect> = {
  mysql: (options) => new MySqlDialect(options),
  postgres: (options) => new PostgresDialect(options),
  sqlserver: (options) => new SqlServerDialect(options),
};

export function isDialectName(value: string): value is DialectName {
  return (DIALECT_NAMES as readonly string[]).includes(value);
}

/** The one place that maps a database kind to its dialect (MariaDB is `mysql`, as in Connect). */
export function createDialect(name: DialectName, options: DialectOptions = {}): SqlDialect {
  const factory = (FACTORIES as Partial<Record<string, (options: DialectOptions) => SqlDialect>>)[name];
  if (!factory) {
    throw sqlDialectError('SINK_SQL_UNKNOWN_DIALECT', `There is no SQL dialect "${String(name)}"; use one of ${DIALECT_NAMES.join(', ')}.`, { name });
  }
  return factory(options);
}
