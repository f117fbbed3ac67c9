import type { VerifyDialect } from './dialects';
import type { SidePlan } from './model';
import type { CanonicalRow } from './rowDiff';

export interface FixInput {
  dialect: VerifyDialect;
  /** The target side: its table and column types decide the literals. */
  target: SidePlan;
  /** Source rows (keys + compared columns) missing from the target. */
  insert: readonly CanonicalRow[];
  /** Target keys missing from the source. */
  remove: readonly CanonicalRow[];
  /** Source rows whose compared columns differ, and which columns. */
  update: readonly { source: CanonicalRow; columns: readonly number[] }[];
}

/**
 * The statements that would make the target equal to the source, from the canonical values compared. They are
 * printed for review and never executed by Ferry. Timestamps are written in UTC; floats at 15 significant digits.
 */
export function buildFixScript(input: FixInput): string[] {
  const { dialect, target } = input;
  const table = dialect.qualified(target.table);
  const keyCount = target.keys.length;
  const statements: string[] = [];
  const where = (row: CanonicalRow): string =>
    target.keys
      .map((key, position) => {
        const column = dialect.quote(key.column.name);
        const value = row[position] ?? null;
        return value === null ? `${column} IS NULL` : dialect.equalsLiteral(column, key.column, dialect.valueLiteral(value, key.column));
      })
      .join(' AND ');
  if (dialect.name === 'mysql' && target.columns.some((c) => c.column.kind === 'timestamptz')) statements.push("SET time_zone = '+00:00';");
  if (target.columns.some((c) => c.column.kind === 'timestamp' && c.render.zone !== 'UTC')) {
    statements.push(`-- Timestamps below are UTC; this target's zone-less timestamps are in ${target.columns[0]?.render.zone ?? 'UTC'}: convert before running.`);
  }
  for (const row of input.remove) statements.push(`DELETE FROM ${table} WHERE ${where(row)};`);
  const all = [...target.keys, ...target.columns];
  for (const row of input.insert) {
    const names = all.map((column) => dialect.quote(column.column.name)).join(', ');
    const values = all.map((column, position) => dialect.valueLiteral(row[position] ?? null, column.column)).join(', ');
    statements.push(`INSERT INTO ${table} (${names}) VALUES (${values});`);
  }
  for (const entry of input.update) {
    const sets = entry.columns
      .map((index) => {
        const column = target.columns[index];
        if (!column) return undefined;
        return `${dialect.quote(column.column.name)} = ${dialect.valueLiteral(entry.source[keyCount + index] ?? null, column.column)}`;
      })
      .filter((set): set is string => set !== undefined);
    if (sets.length > 0) statements.push(`UPDATE ${table} SET ${sets.join(', ')} WHERE ${where(entry.source)};`);
  }
  return statements;
}
