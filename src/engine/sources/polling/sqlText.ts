import type { SelectParts } from './dialect';

/** A custom `query` without its trailing `;` (and whitespace), so it can be wrapped as a subquery. */
export function stripStatementEnd(query: string): string {
  return query.replace(/[\s;]+$/u, '');
}

/** A row count or offset inlined into SQL: only a non-negative safe integer may be. */
export function rowCount(value: number): string {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`not a row count: ${value}`);
  return String(value);
}

/** SELECT … [WHERE …] [ORDER BY …] [LIMIT n] [OFFSET m]: the form MySQL, MariaDB and PostgreSQL share. */
export function limitOffsetSelect(parts: SelectParts): string {
  let sql = `SELECT ${parts.columns} FROM ${parts.from}`;
  if (parts.where) sql += ` WHERE ${parts.where}`;
  if (parts.orderBy && parts.orderBy.length > 0) sql += ` ORDER BY ${parts.orderBy.join(', ')}`;
  if (parts.limit !== undefined) sql += ` LIMIT ${rowCount(parts.limit)}`;
  if (parts.offset !== undefined) sql += ` OFFSET ${rowCount(parts.offset)}`;
  return sql;
}
