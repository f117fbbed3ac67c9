import { useEffect, useMemo, useState } from 'react';
import type { QueryColumn, QueryDatabase, QueryValue, VerifyKey, VerifyProgress, VerifyReport } from '../../../../shared/api';
import { toProblem } from '../../app/format';
import { engine } from '../../engine';
import { ResultGrid } from './ResultGrid';
import { targetTableFor } from './queryModel';

type Tab = 'onlyInSource' | 'onlyInTarget' | 'different' | 'identical';

export interface CompareProps {
  source: QueryDatabase | undefined;
  target: QueryDatabase | undefined;
  /** A table the source editor last ran against, as a starting suggestion. */
  suggestedTable: string | undefined;
  /** Trace a key of the source table through the pipeline. */
  onTrace?: (table: string, key: Record<string, QueryValue>) => void;
}

function keyGrid(keys: readonly VerifyKey[], names: readonly string[]): { columns: QueryColumn[]; rows: QueryValue[][] } {
  return {
    columns: names.map((name) => ({ name, type: 'key', kind: 'text' as const })),
    rows: keys.map((key) => names.map((name) => key[name] ?? null)),
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

/** Compare (Verify) the chosen table of the two databases and show the result in dbForge's tabs. */
export function ComparePanel({ source, target, suggestedTable, onTrace }: CompareProps) {
  /** What the user typed; until then the table the source editor ran against, or the source's first table. */
  const [typed, setTable] = useState<string | undefined>();
  const [targetTable, setTargetTable] = useState('');
  const [running, setRunning] = useState<string | undefined>();
  const [progress, setProgress] = useState<VerifyProgress | undefined>();
  const [report, setReport] = useState<VerifyReport | undefined>();
  const [problem, setProblem] = useState<{ code: string; message: string } | undefined>();
  const [tab, setTab] = useState<Tab>('different');
  const sourceTables = source?.tables?.map((entry) => entry.table) ?? [];
  const table = typed ?? suggestedTable ?? sourceTables[0] ?? '';
  const mapped = targetTableFor(source, target, table);
  const effectiveTarget = targetTable.trim() || mapped || table;

  useEffect(() => {
    if (!running) return;
    const subscription = engine.verify.onDidProgress((event) => {
      if (event.runId === running) setProgress(event);
    });
    return () => subscription.dispose();
  }, [running]);

  const compare = async (): Promise<void> => {
    if (!source || !target || !table.trim()) return;
    const runId = `query-${Date.now().toString(36)}`;
    setRunning(runId);
    setProgress(undefined);
    setProblem(undefined);
    try {
      const result = await engine.query.compare({ runId, source: { database: source.id, table: table.trim() }, target: { database: target.id, table: effectiveTarget } });
      setReport(result);
      setTab(result.different.length > 0 ? 'different' : result.onlyInSource.length > 0 ? 'onlyInSource' : result.onlyInTarget.length > 0 ? 'onlyInTarget' : 'identical');
    } catch (error) {
      setProblem(toProblem(error));
      setReport(undefined);
    } finally {
      setRunning(undefined);
    }
  };

  const identical = report ? Math.max(0, report.rowsCompared - report.onlyInSource.length - report.onlyInTarget.length - report.different.length) : 0;
  const grids = useMemo(() => {
    if (!report) return undefined;
    return {
      onlyInSource: keyGrid(report.onlyInSource, report.key),
      onlyInTarget: keyGrid(report.onlyInTarget, report.key),
      different: differenceGrid(report),
    };
  }, [report]);
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
    if (key && onTrace) onTrace(table.trim(), key);
  };

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
        <button type="button" className="primary" onClick={() => void compare()} disabled={!source || !target || !table.trim() || running !== undefined}>
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
      {running && (
        <div className="compare-progress" aria-busy="true">
          <progress max={progress?.segmentsTotal || 1} value={progress?.segmentsDone ?? 0} aria-label="Compare progress" />
          <span className="muted small">
            {progress ? `${progress.phase} · ${progress.rowsCompared.toLocaleString('en-US')} rows matched` : 'connecting…'}
          </span>
        </div>
      )}
      {problem && (
        <div className="problem" role="alert">
          <strong>{problem.code}</strong>
          <p>{problem.message}</p>
        </div>
      )}
      {report && grids && (
        <div className="compare-result">
          <p className={`compare-verdict ${report.equal ? 'ok-text' : 'bad-text'}`} data-testid="compare-verdict">
            {report.equal ? '✓ Source and target are equal' : '✗ Source and target differ'}
            <span className="muted small">
              {' '}
              · {report.rowsCompared.toLocaleString('en-US')} keys ({report.key.join(', ')}) · {report.seconds.toFixed(2)} s{report.truncated ? ' · listing truncated' : ''}
            </span>
          </p>
          <div className="tabs" role="tablist" aria-label="Compare result">
            {tabs.map((entry) => (
              <button key={entry.id} type="button" role="tab" aria-selected={tab === entry.id} className={`tab ${tab === entry.id ? 'active' : ''} tab-${entry.id}`} onClick={() => setTab(entry.id)}>
                {entry.label} <span className="tab-count">{entry.count.toLocaleString('en-US')}</span>
              </button>
            ))}
          </div>
          <div role="tabpanel" aria-label={tabs.find((entry) => entry.id === tab)?.label}>
            {tab === 'identical' && <p className="muted identical-note">{identical.toLocaleString('en-US')} rows have the same values on both sides after normalisation.</p>}
            {tab === 'onlyInSource' && <ResultGrid label="Only in source" exportName="only-in-source" {...grids.onlyInSource} height={220} {...(onTrace ? { onTrace: traceKey(report.onlyInSource) } : {})} />}
            {tab === 'onlyInTarget' && <ResultGrid label="Only in target" exportName="only-in-target" {...grids.onlyInTarget} height={220} />}
            {tab === 'different' && (
              <ResultGrid label="Different rows" exportName="different" columns={grids.different.columns} rows={grids.different.rows} highlight={grids.different.highlight} height={220} {...(onTrace ? { onTrace: traceKey(report.different.map((row) => row.key)) } : {})} />
            )}
          </div>
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
