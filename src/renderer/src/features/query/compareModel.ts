import type { QueryColumn, QueryCompareRequest, QueryValue, VerifyKey, VerifyReport } from '../../../../shared/api';
import { charDiff, type DiffSpan } from './charDiff';

/** The Compare options as typed: the CLI's `--key`, `--columns`, `--where`, `--target-where`, `--min-age`, `--update-column`. */
export interface CompareOptionsForm {
  key: string;
  columns: string;
  sourceWhere: string;
  targetWhere: string;
  minAgeSeconds: string;
  updateColumn: string;
}

export const EMPTY_COMPARE_OPTIONS: CompareOptionsForm = { key: '', columns: '', sourceWhere: '', targetWhere: '', minAgeSeconds: '', updateColumn: '' };

/** What the options add to a compare request: everything but the databases and tables. */
export interface CompareRequestOptions {
  key?: string[];
  columns?: string[];
  sourceWhere?: string;
  targetWhere?: string;
  minAgeSeconds?: number;
  updateColumn?: string;
}

function names(text: string): string[] | undefined {
  const list = text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
  return list.length > 0 ? list : undefined;
}

/** Reads the form; a bad entry gives a message naming the field and what to enter instead. */
export function parseCompareOptions(form: CompareOptionsForm): { options: CompareRequestOptions } | { problem: string } {
  const options: CompareRequestOptions = {};
  const key = names(form.key);
  const columns = names(form.columns);
  if (key) options.key = key;
  if (columns) options.columns = columns;
  if (form.sourceWhere.trim()) options.sourceWhere = form.sourceWhere.trim();
  // As the CLI: the target uses the source's condition unless it has its own.
  const targetWhere = form.targetWhere.trim() || form.sourceWhere.trim();
  if (targetWhere) options.targetWhere = targetWhere;
  const age = form.minAgeSeconds.trim();
  const updateColumn = form.updateColumn.trim();
  if (age !== '') {
    const seconds = Number(age);
    if (!Number.isFinite(seconds) || seconds < 0) return { problem: `"Ignore rows changed in the last" must be a number of seconds of at least 0, got "${age}".` };
    if (!updateColumn) return { problem: 'Ignoring recently changed rows needs the column that records when a row last changed (e.g. updated_at): fill in "by column".' };
    options.minAgeSeconds = seconds;
    options.updateColumn = updateColumn;
  } else if (updateColumn) {
    return { problem: `"by column" ${updateColumn} is used only with a number of seconds in "Ignore rows changed in the last": fill it in, or clear the column.` };
  }
  return { options };
}

/** The request for `query.compare`: always with whole rows and the fix SQL, which the panel shows. */
export function buildCompareRequest(
  databases: { source: string; target: string },
  tables: { source: string; target: string },
  options: CompareRequestOptions,
  extra: { runId: string; keys?: VerifyKey[] },
): QueryCompareRequest {
  return {
    runId: extra.runId,
    source: { database: databases.source, table: tables.source, ...(options.sourceWhere ? { where: options.sourceWhere } : {}) },
    target: { database: databases.target, table: tables.target, ...(options.targetWhere ? { where: options.targetWhere } : {}) },
    ...(options.key ? { key: options.key } : {}),
    ...(options.columns ? { columns: options.columns } : {}),
    ...(options.minAgeSeconds !== undefined ? { minAgeSeconds: options.minAgeSeconds, updateColumn: options.updateColumn } : {}),
    ...(extra.keys ? { keys: extra.keys } : {}),
    rows: true,
    fixSql: true,
  };
}

/** Every key the report lists (one-sided and different): what "Re-check the differing keys" compares again. */
export function differingKeys(report: VerifyReport): VerifyKey[] {
  return [...report.onlyInSource, ...report.onlyInTarget, ...report.different.map((row) => row.key)];
}

export function identicalCount(report: VerifyReport): number {
  return Math.max(0, report.rowsCompared - report.onlyInSource.length - report.onlyInTarget.length - report.different.length);
}

/** Rows only on one side: whole rows (key and compared columns) when the report has them, else the keys. */
export function oneSidedGrid(report: VerifyReport, side: 'onlyInSource' | 'onlyInTarget'): { columns: QueryColumn[]; rows: QueryValue[][] } {
  const keyColumns = report.key.map((name) => ({ name, type: 'key', kind: 'text' as const }));
  const values = report.rows?.[side];
  if (!values) return { columns: keyColumns, rows: report[side].map((key) => report.key.map((name) => key[name] ?? null)) };
  const width = report.key.length + report.columns.length;
  return {
    columns: [...keyColumns, ...report.columns.map((name) => ({ name, type: report.normalisation.find((rule) => rule.name === name)?.[side === 'onlyInSource' ? 'sourceType' : 'targetType'] ?? '', kind: 'text' as const }))],
    // A row deleted while verify ran has its key only: its other cells stay empty.
    rows: values.map((row) => Array.from({ length: width }, (_, index) => row[index] ?? null)),
  };
}

/** Different rows as dbForge shows them: key columns, then each differing column as a source/target pair. */
export function differenceGrid(report: VerifyReport): { columns: QueryColumn[]; rows: QueryValue[][]; highlight: Set<string> } {
  const changed = [...new Set(report.different.flatMap((row) => row.columns.map((column) => column.name)))];
  const columns: QueryColumn[] = [
    ...report.key.map((name) => ({ name, type: 'key', kind: 'text' as const })),
    ...changed.flatMap((name) => [
      { name: `${name} · source`, type: 'source', kind: 'text' as const },
      { name: `${name} · target`, type: 'target', kind: 'text' as const },
    ]),
  ];
  const highlight = new Set<string>();
  const rows = report.different.map((row, rowIndex) => {
    const values: QueryValue[] = report.key.map((name) => row.key[name] ?? null);
    changed.forEach((name, index) => {
      const difference = row.columns.find((column) => column.name === name);
      if (difference) {
        const at = report.key.length + index * 2;
        highlight.add(`${rowIndex}:${at}`);
        highlight.add(`${rowIndex}:${at + 1}`);
        values.push(difference.source, difference.target);
      } else values.push('=', '=');
    });
    return values;
  });
  return { columns, rows, highlight };
}

/** Where a compared table lives, for the report: never a password (the engine's `display` has none). */
export interface CompareSideMeta {
  database: string;
  display: string;
  dialect: string;
  table: string;
  where?: string;
}

export interface CompareMeta {
  source: CompareSideMeta;
  target: CompareSideMeta;
  options: CompareRequestOptions;
  /** ISO time the comparison finished. */
  finishedAt: string;
  /** Keys a re-check was limited to, when it was one. */
  recheckedKeys?: number;
}

function rowObject(names: readonly string[], values: readonly (string | null)[]): Record<string, string | null> {
  return Object.fromEntries(names.map((name, index) => [name, values[index] ?? null]));
}

/**
 * The audit record of a comparison as JSON: both tables and where they live, the options, the normalisation rule of
 * every column, the counts, every listed difference with whole rows, the notes and the fix SQL.
 */
export function compareReportJson(report: VerifyReport, meta: CompareMeta): string {
  const names = [...report.key, ...report.columns];
  const document = {
    kind: 'ferry-compare-report',
    version: 1,
    finishedAt: meta.finishedAt,
    verdict: report.equal ? 'equal' : 'different',
    source: meta.source,
    target: meta.target,
    options: { ...meta.options, ...(meta.recheckedKeys !== undefined ? { recheckedKeys: meta.recheckedKeys } : {}) },
    key: report.key,
    columns: report.columns,
    normalisation: report.normalisation,
    counts: {
      rowsCompared: report.rowsCompared,
      sourceRows: report.sourceRows,
      targetRows: report.targetRows,
      identical: identicalCount(report),
      onlyInSource: report.onlyInSource.length,
      onlyInTarget: report.onlyInTarget.length,
      different: report.different.length,
      truncated: report.truncated,
    },
    seconds: report.seconds,
    segmentsChecked: report.segmentsChecked,
    segmentsFetched: report.segmentsFetched,
    onlyInSource: report.onlyInSource.map((key, index) => ({ key, row: report.rows ? rowObject(names, report.rows.onlyInSource[index] ?? []) : undefined })),
    onlyInTarget: report.onlyInTarget.map((key, index) => ({ key, row: report.rows ? rowObject(names, report.rows.onlyInTarget[index] ?? []) : undefined })),
    different: report.different,
    notes: report.notes,
    fixSql: report.fixSql ?? [],
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** Text for HTML: values come from databases and must never become markup. */
export function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}

function cell(value: string | number | null | undefined): string {
  return value === null || value === undefined ? '<td class="null">NULL</td>' : `<td>${escapeHtml(String(value))}</td>`;
}

function marked(spans: readonly DiffSpan[], mark: 'del' | 'ins'): string {
  return spans.map((span) => (span.changed ? `<${mark}>${escapeHtml(span.text)}</${mark}>` : escapeHtml(span.text))).join('');
}

function table(headers: readonly string[], rows: readonly string[]): string {
  if (rows.length === 0) return '<p class="muted">None.</p>';
  return `<table><thead><tr>${headers.map((header) => `<th>${escapeHtml(header)}</th>`).join('')}</tr></thead><tbody>${rows.join('\n')}</tbody></table>`;
}

/**
 * The same audit record as a standalone HTML page that prints well (the browser's Print → Save as PDF gives the PDF):
 * every value escaped, changed characters marked, no script and nothing loaded from elsewhere.
 */
export function compareReportHtml(report: VerifyReport, meta: CompareMeta): string {
  const names = [...report.key, ...report.columns];
  const sideRow = (label: string, side: CompareSideMeta): string =>
    `<tr><th>${label}</th>${cell(side.table)}${cell(`${side.dialect} · ${side.display}`)}${cell(side.where ?? '')}</tr>`;
  const options = [
    `Key: ${report.key.join(', ')}${meta.options.key ? '' : ' (the source’s primary key)'}`,
    `Columns: ${meta.options.columns ? report.columns.join(', ') : `every column both tables have (${report.columns.length})`}`,
    meta.options.minAgeSeconds !== undefined ? `Rows changed in the last ${meta.options.minAgeSeconds} s (by ${meta.options.updateColumn ?? ''}) left out on both sides` : 'Every row, however recently changed',
    ...(meta.recheckedKeys !== undefined ? [`Re-check of ${meta.recheckedKeys} listed key(s) only`] : []),
  ];
  const differences = report.different.flatMap((row) =>
    row.columns.map((column) => {
      const diff = charDiff(column.source ?? '', column.target ?? '');
      const side = (value: string | null, spans: DiffSpan[], mark: 'del' | 'ins'): string => (value === null ? '<td class="null">NULL</td>' : `<td class="value">${marked(spans, mark)}</td>`);
      return `<tr>${cell(report.key.map((name) => `${name}=${String(row.key[name])}`).join(', '))}${cell(column.name)}${side(column.source, diff.source, 'del')}${side(column.target, diff.target, 'ins')}</tr>`;
    }),
  );
  const oneSided = (side: 'onlyInSource' | 'onlyInTarget'): string => {
    const grid = oneSidedGrid(report, side);
    return table(
      grid.columns.map((column) => column.name),
      grid.rows.map((row) => `<tr>${row.map((value) => cell(value === null ? null : String(value))).join('')}</tr>`),
    );
  };
  const title = `Compare ${meta.source.table} ⇄ ${meta.target.table}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
body { font: 13px/1.45 system-ui, sans-serif; color: #111; margin: 24px; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 15px; margin: 22px 0 6px; border-bottom: 1px solid #ccc; padding-bottom: 3px; }
.verdict { font-size: 16px; font-weight: 700; } .equal { color: #166534; } .different { color: #b91c1c; }
table { border-collapse: collapse; width: 100%; margin: 4px 0; } th, td { border: 1px solid #d4d4d4; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #f4f4f5; font-weight: 600; } td { font-family: ui-monospace, monospace; font-size: 12px; word-break: break-all; }
td.null { color: #777; font-style: italic; } del { background: #fecaca; text-decoration: none; } ins { background: #bbf7d0; text-decoration: none; }
.muted { color: #666; } pre { white-space: pre-wrap; font-size: 12px; background: #f4f4f5; padding: 8px; }
@media print { body { margin: 0; } h2 { break-after: avoid; } tr { break-inside: avoid; } }
</style></head><body>
<h1>${escapeHtml(title)}</h1>
<p class="muted">Ferry Compare report · finished ${escapeHtml(meta.finishedAt)} · ${report.seconds.toFixed(2)} s · ${report.segmentsChecked} segments checked, ${report.segmentsFetched} fetched</p>
<p class="verdict ${report.equal ? 'equal' : 'different'}" data-verdict="${report.equal ? 'equal' : 'different'}">${report.equal ? '✓ Source and target are equal' : '✗ Source and target differ'}</p>
<h2>Tables</h2>
<table><thead><tr><th></th><th>Table</th><th>Database</th><th>Where</th></tr></thead><tbody>${sideRow('Source', meta.source)}${sideRow('Target', meta.target)}</tbody></table>
<ul>${options.map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>
<h2>Counts</h2>
<table><tbody>
<tr><th>Rows compared (source rows + rows only in the target)</th>${cell(report.rowsCompared)}</tr>
<tr><th>Source rows</th>${cell(report.sourceRows)}</tr><tr><th>Target rows</th>${cell(report.targetRows)}</tr>
<tr><th>Identical</th>${cell(identicalCount(report))}</tr><tr><th>Only in source</th>${cell(report.onlyInSource.length)}</tr>
<tr><th>Only in target</th>${cell(report.onlyInTarget.length)}</tr><tr><th>Different</th>${cell(report.different.length)}</tr>
</tbody></table>
${report.truncated ? '<p><strong>The listing stopped at the maximum number of differences; the tables differ in more rows.</strong></p>' : ''}
<h2>Normalisation rules</h2>
${table(['Column', 'Source type', 'Target type', 'Rule'], report.normalisation.map((rule) => `<tr>${cell(rule.name)}${cell(rule.sourceType)}${cell(rule.targetType)}${cell(rule.rule)}</tr>`))}
<h2>Different (${report.different.length})</h2>
${table(['Key', 'Column', 'Source', 'Target'], differences)}
<h2>Only in source (${report.onlyInSource.length})</h2>
${oneSided('onlyInSource')}
<h2>Only in target (${report.onlyInTarget.length})</h2>
${oneSided('onlyInTarget')}
<h2>Notes</h2>
${report.notes.length > 0 ? `<ul>${report.notes.map((note) => `<li>${escapeHtml(note)}</li>`).join('')}</ul>` : '<p class="muted">None.</p>'}
<h2>Fix SQL (for review; never run by Ferry)</h2>
${report.fixSql && report.fixSql.length > 0 ? `<pre>${escapeHtml(report.fixSql.join('\n'))}</pre>` : '<p class="muted">Nothing to fix.</p>'}
<p class="muted">Columns: ${escapeHtml(names.join(', '))}</p>
</body></html>
`;
}
