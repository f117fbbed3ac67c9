import { useEffect, useRef } from 'react';
import type { DecodeMode, StartMode } from '../../../../shared/api';
import { formatCount, formatMs } from '../../app/format';
import { Field } from '../connections/Field';
import { MessageTable } from './MessageTable';
import { clusterKey, MAX_ROWS_NOTE, rows, selectedCluster, useMessagesStore, writerOf } from './messagesStore';
import { ProduceForm } from './ProduceForm';
import { RecordDetail } from './RecordDetail';
import './messages.css';

const MODE_LABELS: Record<StartMode, string> = { newest: 'Newest', oldest: 'Oldest', live: 'Live tail', offset: 'From offset', timestamp: 'From time' };
const DECODE_LABELS: Record<DecodeMode, string> = { auto: 'Auto', avro: 'Avro', json: 'JSON', text: 'Text', hex: 'Hex' };
const FILTER_HELP = 'words match key, value or headers · "a phrase" · key:x value:x header.NAME:x · value.status=SHIPPED, value.total>=100 · -word excludes';

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function formatBytes(bytes: number): string {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : bytes >= 1e3 ? `${(bytes / 1e3).toFixed(1)} kB` : `${bytes} B`;
}

/** The topic named by `#messages/<topic>` (the pipelines pane links dead letter topics this way). */
function topicFromHash(): string | undefined {
  const [pane, ...rest] = window.location.hash.replace(/^#/, '').split('/');
  return pane === 'messages' && rest.length > 0 ? decodeURIComponent(rest.join('/')) : undefined;
}

/** Pick a cluster and topic, read from any position, filter in the engine, inspect, export, produce a test record. */
export function MessagesPane() {
  const state = useMessagesStore();
  const { clusters, registries, topics, query, progress, version, selected, newestFirst, problem, notice, exporting, connect, setQuery, start, pause, resume, stop, exportJson, select, dismiss } = state;
  const filterInput = useRef<HTMLInputElement>(null);
  useEffect(() => connect(), [connect]);

  // Deep links open the topic and read its newest records at once.
  useEffect(() => {
    const open = (): void => {
      const topic = topicFromHash();
      if (topic && topic !== useMessagesStore.getState().query.topic) useMessagesStore.getState().openTopic(topic);
    };
    open();
    window.addEventListener('hashchange', open);
    return () => window.removeEventListener('hashchange', open);
  }, []);

  const running = progress !== undefined && (progress.state === 'starting' || progress.state === 'reading');
  const paused = progress?.state === 'paused';
  const active = running || paused;

  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if ((event.ctrlKey || event.metaKey) && event.key === 'Enter') {
        event.preventDefault();
        void useMessagesStore.getState().start();
      } else if (event.key === 'Escape' && active) {
        event.preventDefault();
        void useMessagesStore.getState().stop();
      } else if (event.key === '/' && !(event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement)) {
        event.preventDefault();
        filterInput.current?.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [active]);

  const cluster = selectedCluster(state);
  const clusterDefaultLabel = cluster?.defaultRegistry ? (cluster.defaultRegistry.kind === 'url' ? cluster.defaultRegistry.url : cluster.defaultRegistry.kind === 'profile' ? (registries.find((registry) => cluster.defaultRegistry?.kind === 'profile' && registry.id === cluster.defaultRegistry.profileId)?.name ?? 'profile') : `pipeline ${cluster.defaultRegistry.pipeline}`) : 'none';
  const writer = writerOf(state);
  const defaultRegistryLabel = writer ? `the one that wrote this topic: pipeline ${writer.pipeline}, ${writer.url}` : `cluster default: ${clusterDefaultLabel}`;
  // Every registry Ferry knows: running pipelines' (on any cluster), profiles, and the cluster defaults given by URL.
  const pipelineRegistries = [...new Map(clusters.flatMap((choice) => choice.pipelineRegistries ?? []).map((entry) => [entry.pipeline, entry])).values()];
  const urlRegistries = [...new Set(clusters.flatMap((choice) => (choice.defaultRegistry?.kind === 'url' ? [choice.defaultRegistry.url] : [])))];

  return (
    <div className="pane messages-pane">
      <header className="pane-header">
        <div>
          <h1>Messages</h1>
          <p className="muted">Read any topic from any position, decoded (Avro via the Schema Registry, JSON, text, or hex with the reason), filtered in the engine.</p>
        </div>
      </header>

      <form
        className="panel viewer-controls"
        aria-label="Read a topic"
        onSubmit={(event) => {
          event.preventDefault();
          void start();
        }}
      >
        <div className="control-row">
          <Field label="Cluster">
            <select value={query.clusterKey} onChange={(event) => setQuery({ clusterKey: event.target.value })}>
              {clusters.map((choice) => (
                <option key={clusterKey(choice)} value={clusterKey(choice)}>
                  {choice.label}
                  {choice.environment === 'prod' ? ' (PROD)' : ''} — {choice.bootstrap}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Topic" className="grow">
            <input list="viewer-topics" value={query.topic} placeholder={topics.length > 0 ? `${topics.length} topics — type to search` : 'topic name'} onChange={(event) => setQuery({ topic: event.target.value })} />
          </Field>
            <datalist id="viewer-topics">
              {topics
                .filter((topic) => !topic.internal)
                .map((topic) => (
                  <option key={topic.name} value={topic.name}>{`${topic.partitions} partition${topic.partitions === 1 ? '' : 's'}`}</option>
                ))}
            </datalist>
          <Field label="Start">
            <select value={query.mode} onChange={(event) => setQuery({ mode: event.target.value as StartMode })}>
              {(Object.keys(MODE_LABELS) as StartMode[]).map((mode) => (
                <option key={mode} value={mode}>
                  {MODE_LABELS[mode]}
                </option>
              ))}
            </select>
          </Field>
          {query.mode === 'offset' && (
            <Field label="Offset" className="narrow">
              <input inputMode="numeric" value={query.offset} onChange={(event) => setQuery({ offset: event.target.value })} />
            </Field>
          )}
          {query.mode === 'timestamp' && (
            <Field label="Time (local)">
              <input type="datetime-local" step="1" value={query.timestamp} onChange={(event) => setQuery({ timestamp: event.target.value })} />
            </Field>
          )}
          <Field label="Partitions" className="narrow">
            <input value={query.partitions} placeholder="all" onChange={(event) => setQuery({ partitions: event.target.value })} />
          </Field>
          {query.mode !== 'live' && (
            <Field label="Limit" className="narrow">
              <input inputMode="numeric" value={query.limit} onChange={(event) => setQuery({ limit: event.target.value })} />
            </Field>
          )}
        </div>
        <div className="control-row">
          <Field label="Schema Registry">
            <select value={query.registry} onChange={(event) => setQuery({ registry: event.target.value })}>
              <option value="default">Automatic ({defaultRegistryLabel})</option>
              {pipelineRegistries.map((entry) => (
                <option key={`pipeline:${entry.pipeline}`} value={`pipeline:${entry.pipeline}`}>
                  Pipeline {entry.pipeline} ({entry.url})
                </option>
              ))}
              {registries.map((registry) => (
                <option key={registry.id} value={registry.id}>
                  {registry.name}
                </option>
              ))}
              {urlRegistries.map((url) => (
                <option key={`url:${url}`} value={`url:${url}`}>
                  {url}
                </option>
              ))}
              <option value="none">None</option>
            </select>
          </Field>
          <Field label="Key as" className="narrow">
            <select value={query.keyDecode} onChange={(event) => setQuery({ keyDecode: event.target.value as DecodeMode })}>
              {(Object.keys(DECODE_LABELS) as DecodeMode[]).map((mode) => (
                <option key={mode} value={mode}>
                  {DECODE_LABELS[mode]}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Value as" className="narrow">
            <select value={query.valueDecode} onChange={(event) => setQuery({ valueDecode: event.target.value as DecodeMode })}>
              {(Object.keys(DECODE_LABELS) as DecodeMode[]).map((mode) => (
                <option key={mode} value={mode}>
                  {DECODE_LABELS[mode]}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Filter (runs in the engine; press / to focus)" className="grow">
            <input ref={filterInput} value={query.filter} placeholder='e.g. value.status=SHIPPED -heartbeat' onChange={(event) => setQuery({ filter: event.target.value })} />
          </Field>
        </div>
        <p className="filter-help muted small">{FILTER_HELP}</p>
        <div className="editor-actions">
          <button type="submit" className="primary" title="Ctrl+Enter">
            {active ? 'Restart' : 'Start'}
            <kbd>Ctrl+↵</kbd>
          </button>
          {paused ? (
            <button type="button" onClick={() => void resume()}>
              Resume
            </button>
          ) : (
            <button type="button" onClick={() => void pause()} disabled={!running}>
              Pause
            </button>
          )}
          <button type="button" onClick={() => void stop()} disabled={!active} title="Esc">
            Stop
          </button>
          <button type="button" disabled={exporting || !query.topic.trim()} onClick={() => void exportJson().then((file) => file && download(file.name, file.json))}>
            {exporting ? (
              <span className="progress-text">
                <span className="spinner" aria-hidden="true" /> Exporting…
              </span>
            ) : (
              'Export JSON'
            )}
          </button>
          <span className="status-line" aria-live="polite">
            {notice}
          </span>
        </div>
      </form>

      {problem && (
        <div className="problem" role="alert">
          <strong>{problem.code}</strong>
          <p>{problem.message}</p>
          <button type="button" onClick={dismiss}>
            Dismiss
          </button>
        </div>
      )}

      {progress && (
        <div className="scan-status" role="status" aria-label="Scan progress" data-testid="scan-status">
          <span className={`badge badge-${progress.state === 'reading' ? 'running' : progress.state === 'failed' ? 'failed' : progress.state === 'paused' ? 'paused' : progress.state === 'starting' ? 'starting' : ''}`}>
            {progress.state === 'reading' && query.mode === 'live' ? 'LIVE' : progress.state.toUpperCase()}
          </span>
          <span data-testid="scan-counter">
            scanned <strong>{formatCount(progress.scanned)}</strong> · matched <strong>{formatCount(progress.matched)}</strong> · {formatBytes(progress.bytes)} · {formatMs(progress.elapsedMs)}
          </span>
          {progress.skipped > 0 && <span className="warn-text">{formatCount(progress.skipped)} matching records of bursts not shown (faster than 20,000/s): narrow the filter or pause</span>}
          {rows.dropped > 0 && <span className="muted">{MAX_ROWS_NOTE}</span>}
          {progress.message && progress.state !== 'reading' && <span className="muted">{progress.message}</span>}
        </div>
      )}

      {!progress && rows.length === 0 && (
        <section className="panel empty-state" aria-label="No records yet">
          <h2>{query.topic ? `Ready to read ${query.topic}` : 'Pick a topic to read'}</h2>
          <p className="muted">
            Choose a cluster and a topic, a start position (Newest shows the last {query.limit || 500} records, Live tail waits for new ones), then press Start or Ctrl+Enter. Filters run in the
            engine, so they scan the whole range without slowing this window.
          </p>
        </section>
      )}

      {progress && rows.length === 0 && progress.state !== 'starting' && (
        <p className="muted empty-rows">{progress.state === 'reading' ? 'Waiting for records…' : `No matching records (scanned ${formatCount(progress.scanned)}).`}</p>
      )}

      {rows.length > 0 && <MessageTable version={version} newestFirst={newestFirst} selected={selected} onSelect={select} />}
      {selected && <RecordDetail record={selected} onClose={() => select(undefined)} />}
      <ProduceForm />
    </div>
  );
}
