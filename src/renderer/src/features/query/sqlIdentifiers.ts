/** Identifier quoting for the SQL the query pane writes for the user, per dialect (as the engine's dialects quote). */

export type SqlDialect = 'mysql' | 'postgres' | 'sqlserver';

export function quoteIdentifier(dialect: SqlDialect, name: string): string {
  switch (dialect) {
    case 'mysql':
      return `\`${name.replace(/`/g, '``')}\``;
    case 'postgres':
      return `"${name.replace(/"/g, '""')}"`;
    case 'sqlserver':
      return `[${name.replace(/]/g, ']]')}]`;
  }
}

/**
 * `schema.table` (or `db.table`) with each part quoted, so names `topic.prefix` made (`poc-customers_poc`), mixed case
 * or reserved words work as they are. A name already quoted is left as it is.
 */
export function quoteTableName(dialect: SqlDialect, qualified: string): string {
  if (/^[`"[]/.test(qualified)) return qualified;
  const dot = qualified.indexOf('.');
  if (dot <= 0) return quoteIdentifier(dialect, qualified);
  return `${quoteIdentifier(dialect, qualified.slice(0, dot))}.${quoteIdentifier(dialect, qualified.slice(dot + 1))}`;
}
