import { useEffect, useMemo, useState } from 'react';
import type { QueryDatabase, QueryValue, VerifyKey, VerifyProgress, VerifyReport, VerifyRowDifference } from '../../../../shared/api';
import { toProblem } from '../../app/format';
import { engine } from '../../engine';
import { charDiff, type DiffSpan, elideUnchanged } from './charDiff';
import {
  buildCompareRequest,
  compareReportHtml,
  compareReportJson,
  type CompareMeta,
  type CompareOptionsForm,
  type CompareRequestOptions,
  differenceGrid,
  differingKeys,
  EMPTY_COMPARE_OPTIONS,
  identicalCount,
  oneSidedGrid,
  parseCompareOptions,
} from './compareModel';
import { downloadText, targetTableFor } from './queryModel';
import { ResultGrid } from './ResultGrid';

type Tab = 'onlyInSource' | 'onlyInTarget' | 'different' | 'identical';

export interface CompareProps {
  source: QueryDatabase | undefined;
  target: QueryDatabase | undefined;
  /** A table the source editor last ran against, as a starting suggestion. */
  suggestedTable: string | undefined;
  /** Trace a key of the source table through the pipeline. */
  onTrace?: (table: string, key: Record<string, QueryValue>) => void;
}

/** What produced the report on screen: exports and a re-check use these, not what the form holds now. */
interface Shown {
  report: VerifyReport;
  meta: CompareMeta;
  databases: { source: string; target: string };
  tables: { source: string; target: string };
  options: CompareRequestOptions;
}

function DiffText({ spans, mark }: { spans: readonly DiffSpan[]; mark: 'del' | 'ins' }) {
  return (
    <>
      {spans.map((span, index) =>
        span.changed ? (
          <mark key={index} className={`diff-${mark}`}>
            {span.text}
          </mark>
        ) : (
          <span key={index}>{span.text}</span>
        ),
      )}
    </>
  );
}

/** Every differing column of one row, both values whole (wrapped), with the changed characters marked. */
function RowDetails({ row, keyNames }: { row: VerifyRowDifference; keyNames: readonly string[] }) {
  return (
    <div className="compare-details" role="region" aria-label="Row details">
      <h4>
        {keyNames.map((name) => (
          <span key={name} className="key-chip">
            {name} = {String(row.key[name])}
          </span>
        ))}
      </h4>
      <table className="journey-diff" aria-label="Changed values">
        <thead>
          <tr>
            <th>Column</th>
            <th>Source</th>
            <th>Target</th>
          </tr>
        </thead>
        <tbody>
          {row.columns.map((column) => {
            const diff = charDiff(column.source ?? '', column.target ?? '');
            return (
              <tr key={column.name}>
                <th>{column.name}</th>
                <td data-testid={`detail-source-${column.name}`}>{column.source === null ? <span className="null-text">NULL</span> : <DiffText spans={diff.source} mark="del" />}</td>
                <td data-testid={`detail-target-${column.name}`}>{column.target === null ? <span className="null-text">NULL</span> : <DiffText spans={diff.target} mark="ins" />}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function OptionsForm({ form, onChange }: { form: CompareOptionsForm; onChange(patch: Partial<CompareOptionsForm>): void }) {
  const active = Object.values(form).filter((value) => value.trim() !== '').length;
  const field = (name: keyof CompareOptionsForm, label: string, placeholder: string, wide = false) => (
    <label className={`field ${wide ? 'wide' : ''}`}>
      <span>{label}</span>
      <input value={form[name]} onChange={(event) => onChange({ [name]: event.target.value })} placeholder={placeholder} aria-label={label} />
    </label>
  );
  return (
    <details className="compare-options">
      <summary>
        Options{active > 0 ? ` (${active} set)` : ''} <span className="muted small">key columns, columns, where, ignore rows changed recently</span>
      </summary>
      <div className="compare-options-grid">
        {field('key', 'Key columns', "the source's primary key")}
        {field('columns', 'Columns', 'every column both tables have')}
        {field('sourceWhere', 'Source where', "e.g. region = 'EU'", true)}
        {field('targetWhere', 'Target where', 'same as the source', true)}
        <div className="field min-age">
          <span>Ignore rows changed in the last</span>
          <span className="min-age-inputs">
            <input value={form.minAgeSeconds} onChange={(event) => onChange({ minAgeSeconds: event.target.value })} placeholder="0" inputMode="decimal" aria-label="Ignore rows changed in the last (seconds)" />
            <span className="muted small">seconds, by column</span>
            <input value={form.updateColumn} onChange={(event) => onChange({ updateColumn: event.target.value })} placeholder="updated_at" aria-label="Update column" />
          </span>
        </div>
        <p className="muted small compare-options-help">
          Rows whose update column is newer than that are left out on both sides, so rows a live pipeline has not applied yet are not reported. Where conditions are SQL in each side’s dialect. Lists
          are comma-separated.
        </p>
      </div>
    </details>
  );
}

function copyText(text: string): Promise<void> {
  return navigator.clipboard ? navigator.clipboard.writeText(text) : Promise.reject(new Error('The clipboard is not available here.'));
}

function fileStem(meta: CompareMeta): string {
  const table = meta.source.table.replace(/[^\w.-]+/g, '_');
  return `compare-${table}-${meta.finishedAt.replace(/[:.]/g, '-')}`;
}

/** Compare (Verify) the chosen table of the two databases and show the result in dbForge's tabs. */
export function ComparePanel({ source, target, suggestedTable, onTrace }: CompareProps) {
  /** What the user typed; until then the table the source editor ran against, or the source's first table. */
  const [typed, setTable] = useState<string | undefined>();
  const [targetTable, setTargetTable] = useState('');
  const [form, setForm] = useState<CompareOptionsForm>(EMPTY_COMPARE_OPTIONS);
  const [running, setRunning] = useState<string | undefined>();
  const [progress, setProgress] = useState<VerifyProgress | undefined>();
  const [shown, setShown] = useState<Shown | undefined>();
  const [problem, setProblem] = useState<{ code: string; message: string } | undefined>();
  const [tab, setTab] = useState<Tab>('different');
  const [selectedDifference, setSelectedDifference] = useState<number | undefined>();
  const [flash, setFlash] = useState<string | undefined>();
  const sourceTables = source?.tables?.map((entry) => entry.table) ?? [];
  const table = typed ?? suggestedTable ?? sourceTables[0] ?? '';
  const mapped = targetTableFor(source, target, table);
  const effectiveTarget = targetTable.trim() || mapped || table;
  const report = shown?.report;

  useEffect(() => {
    if (!running) return;
    const subscription = engine.verify.onDidProgress((event) => {
      if (event.runId === running) setProgress(event);
    });
    return () => subscription.dispose();
  }, [running]);

  const say = (text: string): void => {
    setFlash(text);
    setTimeout(() => setFlash((current) => (current === text ? undefined : current)), 2500);
  };

  const execute = async (run: Omit<Shown, 'report' | 'meta'>, keys: VerifyKey[] | undefined): Promise<void> => {
    if (!source || !target) return;
    const runId = `query-${Date.now().toString(36)}`;
    setRunning(runId);
    setProgress(undefined);
    setProblem(undefined);
    try {
      const result = await engine.query.compare(buildCompareRequest(run.databases, run.tables, run.options, { runId, ...(keys ? { keys } : {}) }));
      const meta: CompareMeta = {
        source: { database: source.id, display: source.display, dialect: source.dialect, table: run.tables.source, ...(run.options.sourceWhere ? { where: run.options.sourceWhere } : {}) },
        target: { database: target.id, display: target.display, dialect: target.dialect, table: run.tables.target, ...(run.options.targetWhere ? { where: run.options.targetWhere } : {}) },
        options: run.options,
        finishedAt: new Date().toISOString(),
        ...(keys ? { recheckedKeys: keys.length } : {}),
      };
      setShown({ ...run, report: result, meta });
      setSelectedDifference(result.different.length > 0 ? 0 : undefined);
      setTab(result.different.length > 0 ? 'different' : result.onlyInSource.length > 0 ? 'onlyInSource' : result.onlyInTarget.length > 0 ? 'onlyInTarget' : 'identical');
    } catch (error) {
      setProblem(toProblem(error));
    } finally {
      setRunning(undefined);
    }
  };

  const compare = (): void => {
    if (!source || !target || !table.trim()) return;
    const parsed = parseCompareOptions(form);
    if ('problem' in parsed) {
      setProblem({ code: 'COMPARE_OPTIONS', message: parsed.problem });
      return;
    }
    void execute({ databases: { source: source.id, target: target.id }, tables: { source: table.trim(), target: effectiveTarget }, options: parsed.options }, undefined);
  };

  const recheck = (): void => {
    if (!shown) return;
    void execute({ databases: shown.databases, tables: shown.tables, options: shown.options }, differingKeys(shown.report));
  };

  const grids = useMemo(() => {
    if (!report) return undefined;
    return { onlyInSource: oneSidedGrid(report, 'onlyInSource'), onlyInTarget: oneSidedGrid(report, 'onlyInTarget'), different: differenceGrid(report) };
  }, [report]);
  const identical = report ? identicalCount(report) : 0;
  const tabs: { id: Tab; label: string; count: number }[] = report
    ? [
        { id: 'onlyInSource', label: 'Only in source', count: report.onlyInSource.length },
        { id: 'different', label: 'Different', count: report.different.length },
        { id: 'onlyInTarget', label: 'Only in target', count: report.onlyInTarget.length },
        { id: 'identical', label: 'Identical', count: identical },
      ]
    : [];
  const traceKey = (keys: readonly VerifyKey[]) => (index: number) => {
    const key = keys[index];
    if (key && onTrace && shown) onTrace(shown.tables.source, key);
  };
  const keyCount = report?.key.length ?? 0;
  /** Changed pairs show only the characters that differ, with long unchanged runs shortened. */
  const renderDifferenceCell = (value: QueryValue, rowIndex: number, columnIndex: number) => {
    if (!grids || columnIndex < keyCount || !grids.different.highlight.has(`${rowIndex}:${columnIndex}`) || value === null) return undefined;
    const pairStart = keyCount + Math.floor((columnIndex - keyCount) / 2) * 2;
    const row = grids.different.rows[rowIndex];
    const sourceValue = row?.[pairStart];
    const targetValue = row?.[pairStart + 1];
    if (sourceValue === null || targetValue === null || sourceValue === undefined || targetValue === undefined) return undefined;
    const diff = charDiff(String(sourceValue), String(targetValue));
    const isSource = columnIndex === pairStart;
    return <DiffText spans={elideUnchanged(isSource ? diff.source : diff.target)} mark={isSource ? 'del' : 'ins'} />;
  };
  const fixSql = report?.fixSql ?? [];
  const differing = report ? differingKeys(report).length : 0;
  const detail = report && selectedDifference !== undefined ? report.different[selectedDifference] : undefined;

  return (
    <section className="panel compare" aria-label="Compare">
      <div className="compare-bar">
        <h3>Compare</h3>
        <label className="field">
          <span>Source table</span>
          <input list="compare-source-tables" value={table} onChange={(event) => setTable(event.target.value)} placeholder="e.g. orders" aria-label="Source table" />
          <datalist id="compare-source-tables">
            {sourceTables.map((name) => (
              <option key={name} value={name} />
            ))}
          </datalist>
        </label>
        <label className="field">
          <span>Target table</span>
          <input value={targetTable} onChange={(event) => setTargetTable(event.target.value)} placeholder={mapped ?? (table || 'same name')} aria-label="Target table" />
        </label>
        <button type="button" className="primary" onClick={compare} disabled={!source || !target || !table.trim() || running !== undefined}>
          {running ? 'Comparing…' : 'Compare'}
        </button>
        {running && (
          <button type="button" onClick={() => void engine.verify.cancel(running)}>
            Cancel
          </button>
        )}
        <span className="muted small compare-sides">
          {source?.label ?? 'choose a source'} ⇄ {target?.label ?? 'choose a target'}
        </span>
      </div>
      <OptionsForm form={form} onChange={(patch) => setForm((current) => ({ ...current, ...patch }))} />
      {running && (
        <div className="compare-progress" aria-busy="true">
          <progress max={progress?.segmentsTotal || 1} value={progress?.segmentsDone ?? 0} aria-label="Compare progress" />
          <span className="muted small">{progress ? `${progress.phase} · ${progress.rowsCompared.toLocaleString('en-US')} rows matched` : 'connecting…'}</span>
        </div>
      )}
      {problem && (
        <div className="problem" role="alert">
          <strong>{problem.code}</strong>
          <p>{problem.message}</p>
        </div>
      )}
      {report && shown && grids && (
        <div className="compare-result">
          <p className={`compare-verdict ${report.equal ? 'ok-text' : 'bad-text'}`} data-testid="compare-verdict" data-finished={shown.meta.finishedAt}>
            {report.equal ? '✓ Source and target are equal' : '✗ Source and target differ'}
            <span className="muted small">
              {' '}
              · {shown.meta.recheckedKeys !== undefined ? `re-check of ${shown.meta.recheckedKeys.toLocaleString('en-US')} keys · ` : ''}
              {report.rowsCompared.toLocaleString('en-US')} keys ({report.key.join(', ')}) · {report.seconds.toFixed(2)} s
              {shown.options.minAgeSeconds !== undefined ? ` · rows changed in the last ${shown.options.minAgeSeconds} s left out` : ''}
              {report.truncated ? ' · listing truncated' : ''}
            </span>
          </p>
          <div className="compare-actions">
            <button type="button" onClick={recheck} disabled={differing === 0 || running !== undefined} title="Compare only the keys listed below again, e.g. once the pipeline caught up">
              Re-check the differing keys{differing > 0 ? ` (${differing.toLocaleString('en-US')})` : ''}
            </button>
            <button
              type="button"
              onClick={() => void copyText(`${fixSql.join('\n')}\n`).then(() => say(`Copied ${fixSql.length} fix statement(s)`), (error: unknown) => say(toProblem(error).message))}
              disabled={fixSql.length === 0}
              title="The SQL that would make the target equal the source, in the target's dialect; review it before running it"
            >
              Copy fix SQL{fixSql.length > 0 ? ` (${fixSql.length})` : ''}
            </button>
            <button type="button" onClick={() => downloadText(`${fileStem(shown.meta)}.html`, compareReportHtml(report, shown.meta), 'text/html')} title="A standalone page for the audit trail; print it to PDF from a browser">
              Export report (HTML)
            </button>
            <button type="button" onClick={() => downloadText(`${fileStem(shown.meta)}.json`, compareReportJson(report, shown.meta), 'application/json')}>
              Export report (JSON)
            </button>
            {flash && (
              <span className="small ok-text" role="status">
                {flash}
              </span>
            )}
          </div>
          <div className="tabs" role="tablist" aria-label="Compare result">
            {tabs.map((entry) => (
              <button key={entry.id} type="button" role="tab" aria-selected={tab === entry.id} className={`tab ${tab === entry.id ? 'active' : ''} tab-${entry.id}`} onClick={() => setTab(entry.id)}>
                {entry.label} <span className="tab-count">{entry.count.toLocaleString('en-US')}</span>
              </button>
            ))}
          </div>
          <div role="tabpanel" aria-label={tabs.find((entry) => entry.id === tab)?.label}>
            {tab === 'identical' && <p className="muted identical-note">{identical.toLocaleString('en-US')} rows have the same values on both sides after normalisation.</p>}
            {tab === 'onlyInSource' && <ResultGrid label="Only in source" exportName="only-in-source" {...grids.onlyInSource} height={260} {...(onTrace ? { onTrace: traceKey(report.onlyInSource) } : {})} />}
            {tab === 'onlyInTarget' && <ResultGrid label="Only in target" exportName="only-in-target" {...grids.onlyInTarget} height={260} {...(onTrace ? { onTrace: traceKey(report.onlyInTarget) } : {})} />}
            {tab === 'different' && (
              <>
                <ResultGrid
                  label="Different rows"
                  exportName="different"
                  columns={grids.different.columns}
                  rows={grids.different.rows}
                  highlight={grids.different.highlight}
                  height={260}
                  renderCell={renderDifferenceCell}
                  onSelectRow={setSelectedDifference}
                  {...(onTrace ? { onTrace: traceKey(report.different.map((row) => row.key)) } : {})}
                />
                {detail && <RowDetails row={detail} keyNames={report.key} />}
              </>
            )}
          </div>
          {fixSql.length > 0 && (
            <details className="compare-fix">
              <summary>Fix SQL ({fixSql.length} statements, in the target’s dialect; never run by Ferry)</summary>
              <pre data-testid="fix-sql">{fixSql.join('\n')}</pre>
            </details>
          )}
          {report.notes.length > 0 && (
            <ul className="trace-notes">
              {report.notes.map((note) => (
                <li key={note}>{note}</li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}
