import type { VerifyKey, VerifyReport } from '../../shared/api/verify';

const MAX_CELL = 40;

function cell(value: string | number | null): string {
  if (value === null) return 'NULL';
  if (value === '') return "''";
  const text = String(value);
  return text.length > MAX_CELL ? `${text.slice(0, MAX_CELL - 1)}…` : text;
}

function keyText(key: VerifyKey): string {
  return Object.entries(key)
    .map(([name, value]) => `${name}=${cell(value)}`)
    .join(', ');
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]): string => `  ${cells.map((text, column) => text.padEnd(widths[column] ?? 0)).join('  ')}`.trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)];
}

/** The report for people: a verdict, totals, then the rows only on one side and the differing cells, dbForge-style. */
export function formatReport(report: VerifyReport): string {
  const lines: string[] = [];
  const verdict = report.equal
    ? 'EQUAL'
    : `DIFFERENT: ${report.onlyInSource.length} only in source, ${report.onlyInTarget.length} only in target, ${report.different.length} different${report.truncated ? ' (listing truncated)' : ''}`;
  lines.push(verdict);
  lines.push(
    `  rows: source ${report.sourceRows.toLocaleString('en-US')}, target ${report.targetRows.toLocaleString('en-US')}; key (${report.key.join(', ')}); ${report.columns.length} compared columns; ${report.seconds.toFixed(2)} s; ${report.segmentsChecked} segments checked, ${report.segmentsFetched} fetched`,
  );
  const keyColumns = report.key;
  const keyRows = (keys: VerifyKey[]): string[][] => keys.map((key) => keyColumns.map((name) => cell(key[name] ?? null)));
  if (report.onlyInSource.length > 0) lines.push('', 'Only in source:', ...table(keyColumns, keyRows(report.onlyInSource)));
  if (report.onlyInTarget.length > 0) lines.push('', 'Only in target:', ...table(keyColumns, keyRows(report.onlyInTarget)));
  if (report.different.length > 0) {
    const rows = report.different.flatMap((row) => row.columns.map((column, index) => [index === 0 ? keyText(row.key) : '', column.name, cell(column.source), cell(column.target)]));
    lines.push('', 'Different:', ...table(['key', 'column', 'source', 'target'], rows));
  }
  if (report.notes.length > 0) lines.push('', 'Notes:', ...report.notes.map((note) => `  - ${note}`));
  if (report.fixSql && report.fixSql.length > 0) lines.push('', '-- Fix script for the target (review before running; Ferry never runs it):', ...report.fixSql);
  return `${lines.join('\n')}\n`;
}
