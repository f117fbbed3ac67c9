import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { QueryDatabase, QueryResult, QueryValue } from '../../../../shared/api';
import { parseQueryLink } from '../../app/deepLinks';
import { formatMs, toProblem } from '../../app/format';
import { engine } from '../../engine';
import { ComparePanel } from './ComparePanel';
import { rowObject, tableOfSql, traceTargetOf } from './queryModel';
import { ResultGrid } from './ResultGrid';
import { quoteTableName } from './sqlIdentifiers';
import { type TraceState, TracePanel } from './TracePanel';
import './query.css';

/** Monaco is large: it loads with this pane, not with the app. */
const SqlEditor = lazy(() => import('./SqlEditor'));

type SideName = 'source' | 'target';

interface SideState {
  database: string;
  sql: string;
  allowWrite: boolean;
  /** The engine stops the statement on the database after this long. */
  timeoutMs: number;
  running: boolean;
  /** The run in progress, for Cancel. */
  runId?: string;
  result?: QueryResult;
  /** The statement that produced `result` (Trace needs its table). */
  ranSql?: string;
  problem?: { code: string; message: string };
}

let runCounter = 0;

/** Unique among this window's runs: the engine refuses a runId already in progress. */
function nextRunId(side: SideName): string {
  runCounter += 1;
  return `${side}-${Date.now().toString(36)}-${runCounter}`;
}

/** Survives switching panes (not reloads). */
const drafts: Record<SideName, SideState> = {
  source: { database: '', sql: '', allowWrite: false, timeoutMs: 60_000, running: false },
  target: { database: '', sql: '', allowWrite: false, timeoutMs: 60_000, running: false },
};

const TIMEOUTS: readonly { ms: number; label: string }[] = [
  { ms: 10_000, label: '10 s' },
  { ms: 60_000, label: '1 min' },
  { ms: 600_000, label: '10 min' },
  { ms: 3_600_000, label: '1 h' },
];

function defaultSql(database: QueryDatabase | undefined): string {
  const table = database?.tables?.[0]?.table;
  return table && database ? `SELECT * FROM ${quoteTableName(database.dialect, table)}\n` : 'SELECT 1\n';
}

/** Source for the left editor, its pipeline's sink for the right: the pair a user compares. */
function defaults(databases: readonly QueryDatabase[]): { source?: QueryDatabase; target?: QueryDatabase } {
  const source = databases.find((entry) => entry.group === 'Demo' && entry.role === 'source') ?? databases.find((entry) => entry.role === 'source') ?? databases[0];
  const target = databases.find((entry) => entry.pipeline !== undefined && entry.pipeline === source?.pipeline && entry.role === 'sink') ?? databases.find((entry) => entry !== source);
  return { ...(source ? { source } : {}), ...(target ? { target } : {}) };
}

function DatabasePicker({ side, databases, value, onChange }: { side: SideName; databases: QueryDatabase[]; value: string; onChange(id: string): void }) {
  const groups = [...new Set(databases.map((entry) => entry.group))];
  return (
    <select className="db-picker" value={value} onChange={(event) => onChange(event.target.value)} aria-label={`${side === 'source' ? 'Source' : 'Target'} database`}>
      {databases.length === 0 && <option value="">No databases: start the demo, a pipeline or the lab</option>}
      {groups.map((group) => (
        <optgroup key={group} label={group}>
          {databases
            .filter((entry) => entry.group === group)
            .map((entry) => (
              <option key={entry.id} value={entry.id}>
                {entry.label}
                {entry.running === false ? ' (stopped)' : ''}
              </option>
            ))}
        </optgroup>
      ))}
    </select>
  );
}

/**
 * The query pane: SQL against a pipeline's source and target side by side, result grids, Compare (Verify) of a
 * table, and Trace: any row's journey source → Kafka → sink → target.
 */
export function QueryPane() {
  const [databases, setDatabases] = useState<QueryDatabase[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [sides, setSides] = useState<Record<SideName, SideState>>(() => ({ source: { ...drafts.source }, target: { ...drafts.target } }));
  const [trace, setTrace] = useState<TraceState | undefined>();
  const runRefs = { source: useRef<(() => void) | undefined>(undefined), target: useRef<(() => void) | undefined>(undefined) };

  const update = useCallback((side: SideName, patch: Partial<SideState>) => {
    setSides((current) => {
      const next = { ...current, [side]: { ...current[side], ...patch } };
      drafts[side] = next[side];
      return next;
    });
  }, []);

  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const apply = (list: QueryDatabase[]): void => {
      setDatabases(list);
      // A lineage node opened `#query/<database>/<table>`: that database on its side with a SELECT of the table, once.
      const link = parseQueryLink(window.location.hash);
      const linked = link && list.find((entry) => entry.id === link.database);
      if (linked) window.history.replaceState(null, '', '#query');
      setSides((current) => {
        const picked = defaults(list);
        const next = { ...current };
        for (const side of ['source', 'target'] as const) {
          const chosen = list.find((entry) => entry.id === current[side].database) ?? picked[side];
          if (chosen && chosen.id !== current[side].database) next[side] = { ...current[side], database: chosen.id, sql: current[side].sql || defaultSql(chosen) };
          drafts[side] = next[side];
        }
        if (link && linked) {
          const side: SideName = linked.role === 'sink' ? 'target' : 'source';
          const table = linked.tables?.find((entry) => entry.table === link.table) ?? { table: link.table, topic: '' };
          next[side] = { ...next[side], database: linked.id, sql: defaultSql({ ...linked, tables: [table] }) };
          drafts[side] = next[side];
        }
        return next;
      });
    };
    const load = (): void => {
      engine.query.databases().then(
        (list) => {
          if (cancelled) return;
          apply(list);
          setLoaded(true);
        },
        // The empty state says what to start; the next pipeline event tries again.
        () => !cancelled && setLoaded(true),
      );
    };
    load();
    // A pipeline starting or stopping changes the list; bursts of status events refresh it once.
    const subscription = engine.pipelines.onDidChangeStatus(() => {
      if (timer) return;
      timer = setTimeout(() => {
        timer = undefined;
        load();
      }, 1500);
    });
    return () => {
      cancelled = true;
      subscription.dispose();
      if (timer) clearTimeout(timer);
    };
  }, []);

  const byId = useMemo(() => new Map(databases.map((entry) => [entry.id, entry])), [databases]);

  const run = useCallback(
    async (side: SideName, statement: string) => {
      const state = drafts[side];
      if (!state.database || !statement.trim()) return;
      const runId = nextRunId(side);
      update(side, { running: true, runId, problem: undefined });
      try {
        const result = await engine.query.run({ database: state.database, sql: statement, allowWrite: state.allowWrite, maxRows: 10_000, runId, timeoutMs: state.timeoutMs });
        update(side, { running: false, runId: undefined, result, ranSql: statement });
      } catch (error) {
        update(side, { running: false, runId: undefined, problem: toProblem(error) });
      }
    },
    [update],
  );

  /** Asks the engine to stop the statement on its database; the run then fails with QUERY_CANCELLED. */
  const cancel = useCallback((side: SideName) => {
    const runId = drafts[side].runId;
    if (runId) void engine.query.cancel(runId).catch(() => {});
  }, []);

  const startTrace = useCallback(async (pipeline: string, table: string, key: Record<string, QueryValue>) => {
    const title = `${table} · ${Object.entries(key)
      .slice(0, 3)
      .map(([column, value]) => `${column}=${String(value)}`)
      .join(', ')}`;
    setTrace({ status: 'loading', title });
    try {
      const report = await engine.trace.row({ pipeline, table, key });
      const keyText = Object.entries(report.key)
        .map(([column, value]) => `${column} = ${String(value)}`)
        .join(', ');
      setTrace({ status: 'done', title: `${report.source.table} · ${keyText}`, report });
    } catch (error) {
      setTrace({ status: 'failed', title, ...toProblem(error) });
    }
  }, []);

  const traceHandler = (side: SideName): ((index: number) => void) | undefined => {
    const state = sides[side];
    const result = state.result;
    if (!result || result.columns.length === 0) return undefined;
    const target = traceTargetOf(byId.get(state.database), databases, tableOfSql(state.ranSql ?? ''));
    if (!target) return undefined;
    return (index) => {
      const row = result.rows[index];
      if (row) void startTrace(target.pipeline, target.table, rowObject(result.columns, row));
    };
  };

  const sourceDb = byId.get(sides.source.database);
  const targetDb = byId.get(sides.target.database);

  return (
    <div className={`pane query-pane ${trace ? 'with-trace' : ''}`}>
      <header className="pane-header">
        <div>
          <h1>Query</h1>
          <p className="muted">
            SQL against the source and the target side by side (Ctrl+Enter runs the statement at the cursor). Compare a table, or trace any row through Kafka to the target.
          </p>
          <p className="muted small" data-testid="read-only-note">
            Without “Allow writes”, the database itself enforces read-only where it can: one statement in a read-only transaction that is rolled back (PostgreSQL, MySQL/MariaDB; on SQL Server only
            the statement’s keywords are checked). A function can still reach outside the database: a database user with read-only rights is the real guarantee.
          </p>
        </div>
      </header>
      {loaded && databases.length === 0 && (
        <div className="panel empty-state">
          <h2>No databases yet</h2>
          <p className="muted">Start the demo (Alt+1) or a pipeline, start the local lab, or save a database profile: their databases appear here.</p>
        </div>
      )}
      <div className="query-sides">
        {(['source', 'target'] as const).map((side) => {
          const state = sides[side];
          const database = byId.get(state.database);
          const onTrace = traceHandler(side);
          return (
            <section key={side} className="panel query-side" aria-label={side === 'source' ? 'Source' : 'Target'}>
              <div className="side-header">
                <h2>{side === 'source' ? 'Source' : 'Target'}</h2>
                <DatabasePicker
                  side={side}
                  databases={databases}
                  value={state.database}
                  onChange={(id) => update(side, { database: id, result: undefined, problem: undefined, sql: defaultSql(byId.get(id)) })}
                />
              </div>
              <p className="muted small side-display" title={database?.display}>
                {database ? `${database.dialect} · ${database.display}` : ' '}
                {database?.environment === 'prod' && <span className="env-prod">prod</span>}
              </p>
              <Suspense fallback={<div className="sql-editor loading muted">Loading the editor…</div>}>
                <SqlEditor
                  label={`${side === 'source' ? 'Source' : 'Target'} SQL`}
                  value={state.sql}
                  resetKey={state.database}
                  dialect={database?.dialect ?? 'postgres'}
                  onChange={(sql) => update(side, { sql })}
                  onRun={(statement) => void run(side, statement)}
                  runRef={runRefs[side]}
                />
              </Suspense>
              <div className="side-actions">
                <button type="button" className="primary" onClick={() => (runRefs[side].current ? runRefs[side].current() : void run(side, state.sql))} disabled={!state.database || state.running} aria-label={`Run ${side} query`} title="Run the statement at the cursor (Ctrl+Enter)">
                  {state.running ? 'Running…' : 'Run'} <kbd>Ctrl+↵</kbd>
                </button>
                {state.running && (
                  <button type="button" onClick={() => cancel(side)} aria-label={`Cancel ${side} query`} title="Stop the statement on the database">
                    Cancel
                  </button>
                )}
                <label className="toggle" title="Statements that change data are refused unless this is on">
                  <input type="checkbox" checked={state.allowWrite} onChange={(event) => update(side, { allowWrite: event.target.checked })} /> Allow writes
                </label>
                <label className="muted small" title="The statement is stopped on the database after this long">
                  Timeout{' '}
                  <select value={state.timeoutMs} onChange={(event) => update(side, { timeoutMs: Number(event.target.value) })} aria-label={`${side === 'source' ? 'Source' : 'Target'} statement timeout`}>
                    {TIMEOUTS.map((entry) => (
                      <option key={entry.ms} value={entry.ms}>
                        {entry.label}
                      </option>
                    ))}
                  </select>
                </label>
                <span className="spacer" />
                {state.result && (
                  <span className="muted small" data-testid={`${side}-summary`}>
                    {state.result.statementKind === 'write' && state.result.affectedRows !== undefined ? `${state.result.affectedRows} row(s) changed · ` : ''}
                    {state.result.rows.length.toLocaleString('en-US')} row{state.result.rows.length === 1 ? '' : 's'}
                    {state.result.truncated ? ' (capped)' : ''} · {formatMs(state.result.durationMs)}
                  </span>
                )}
              </div>
              {state.problem && (
                <div className="problem" role="alert">
                  <strong>{state.problem.code}</strong>
                  <p>{state.problem.message}</p>
                </div>
              )}
              {state.result && state.result.columns.length > 0 && (
                <ResultGrid label={`${side === 'source' ? 'Source' : 'Target'} result`} exportName={`${side}-result`} columns={state.result.columns} rows={state.result.rows} {...(onTrace ? { onTrace } : {})} />
              )}
              {state.result && state.result.columns.length > 0 && !onTrace && database?.pipeline && <p className="muted small">Trace works on rows of a table this pipeline carries.</p>}
              {state.result?.notes.map((note) => (
                <p key={note} className="muted small">
                  {note}
                </p>
              ))}
            </section>
          );
        })}
      </div>
      <ComparePanel
        source={sourceDb}
        target={targetDb}
        suggestedTable={tableOfSql(sides.source.ranSql ?? sides.source.sql)}
        {...(sourceDb?.pipeline ? { onTrace: (table: string, key: Record<string, QueryValue>) => void startTrace(sourceDb.pipeline ?? '', table, key) } : {})}
      />
      {trace && <TracePanel state={trace} onClose={() => setTrace(undefined)} />}
    </div>
  );
}
