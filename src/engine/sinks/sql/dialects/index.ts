export type {
  ColumnDescription,
  DateTimezone,
  DialectLimits,
  DialectName,
  DialectOptions,
  DriverValue,
  PlaceholderStyle,
  QuoteIdentifiers,
  SqlDialect,
  SqlServerParamType,
  SqlStatement,
  TableDescription,
  TableKind,
  ValueOptions,
  WriteBatch,
} from './dialect';
export { type CollapseOptions, collapseByKey } from './collapse';
export { type SqlDialectErrorCode } from './errors';
export { assertAddable, canAddColumn, fieldsToAdd, findMissingFields } from './evolution';
export { MySqlDialect } from './mysql';
export { PostgresDialect } from './postgres';
export { createDialect, DIALECT_NAMES, isDialectName } from './registry';
export { SqlServerDialect } from './sqlserver';
export { checkTimezone } from './values';
