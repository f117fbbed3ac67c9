import { useEffect, useMemo, useRef, useState } from 'react';
import type { BrowseRequest, ClusterChoice, MetricsPoint, PipelineStatus } from '../../../../shared/api';
import { messagesLink, pipelineDatabaseId, queryLink } from '../../app/deepLinks';
import { formatCount, formatMs, formatRate } from '../../app/format';
import { StateBadge } from '../../app/StateBadge';
import { engine } from '../../engine';
import { LineageGraph, type LineageNode } from '../lineage/LineageGraph';
import { lineageOf } from '../lineage/lineageModel';
import { usePipelinesStore } from '../pipelines/pipelinesStore';
import { type EdgeSample, edgeRates, presenterFigures, type TickerItem, tickerItem, trimSamples } from './presenterModel';
import './presenter.css';

const RATE_WINDOW_MS = 5_000;
// One live read per topic; the engine allows 8 at once, shared with the message viewer.
const TICKER_TOPICS = 4;
const TICKER_ITEMS = 5;

/** `#present/<pipeline>`: presenter mode, drawn by the app shell without the sidebar. */
export function isPresenting(hash: string): boolean {
  return hash === '#present' || hash.startsWith('#present/');
}

function pipelineFromHash(): string | undefined {
  const [, sub] = window.location.hash.replace(/^#/, '').split('/');
  return sub ? decodeURIComponent(sub) : undefined;
}

/**
 * Presenter mode: one pipeline full screen for a projector — big tiles (rows captured, applied, end-to-end latency,
 * lag), the lineage with rows/s on every edge and nodes that open the topic in Messages or the table in Query, and a
 * ticker of the latest records crossing Kafka. Type scales with the window, for 1280×720 and 1920×1080 alike.
 */
export function PresenterView() {
  const { pipelines, replicators, history, loaded, connect } = usePipelinesStore();
  useEffect(() => connect(), [connect]);
  const [wanted, setWanted] = useState(pipelineFromHash);
  useEffect(() => {
    const onHash = (): void => setWanted(pipelineFromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const list = Object.values(pipelines).sort((a, b) => a.name.localeCompare(b.name));
  const status = (wanted ? pipelines[wanted] : undefined) ?? list[0];

  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (event.key === 'Escape' && !document.fullscreenElement) window.location.hash = status ? `lineage/${encodeURIComponent(status.name)}` : 'lineage';
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [status]);

  return (
    <div className="presenter" data-testid="presenter">
      <header className="presenter-header">
        <h1>{status ? status.name : 'Ferry'}</h1>
        {status && <StateBadge state={status.state} />}
        <div className="presenter-actions">
          {list.length > 1 && (
            <select aria-label="Pipeline" value={status?.name} onChange={(event) => (window.location.hash = `present/${encodeURIComponent(event.target.value)}`)}>
              {list.map((entry) => (
                <option key={entry.name}>{entry.name}</option>
              ))}
            </select>
          )}
          <button type="button" onClick={() => void (document.fullscreenElement ? document.exitFullscreen() : document.documentElement.requestFullscreen()).catch(() => {})}>
            Full screen
          </button>
          <a className="button-link" href={status ? `#lineage/${encodeURIComponent(status.name)}` : '#lineage'}>
            Exit
          </a>
        </div>
      </header>
      {loaded && !status && (
        <p className="presenter-empty">
          No pipeline is running. Start the <a href="#demo">demo</a> or a pipeline, then come back.
        </p>
      )}
      {status && <PresenterBody key={status.name} status={status} replicators={replicators} series={history[status.name] ?? {}} />}
    </div>
  );
}

function PresenterBody({ status, replicators, series }: { status: PipelineStatus; replicators: ReturnType<typeof usePipelinesStore.getState>['replicators']; series: Record<string, MetricsPoint[]> }) {
  const recent = useMemo(() => {
    const found = new Map<string, MetricsPoint | undefined>();
    for (const connector of status.connectors) if (connector.role === 'sink') found.set(connector.name, series[connector.name]?.findLast((point) => point.latencyP50Ms !== undefined));
    return found;
  }, [status, series]);
  const figures = presenterFigures(status, recent);
  const rates = useEdgeRates(status, replicators);
  const model = useMemo(() => lineageOf(status, replicators), [status, replicators]);
  const topics = useMemo(() => model.nodes.filter((node) => node.column === 'topic').map((node) => node.label), [model]);
  const kafka = status.connectors.find((connector) => connector.kafka)?.kafka;
  const ticker = useTicker(topics.slice(0, TICKER_TOPICS), kafka);

  const nodeLink = (node: LineageNode): { href: string; label: string } | undefined => {
    if (node.column === 'topic') return { href: messagesLink(node.label), label: `Open topic ${node.label} in Messages` };
    if (node.replica) return undefined;
    return { href: queryLink(pipelineDatabaseId(status.name, node.group), node.label), label: `Open ${node.column} table ${node.label} in Query` };
  };

  return (
    <>
      <div className="presenter-tiles">
        <div className="presenter-tile" data-testid="tile-captured">
          <span className="presenter-tile-label">Rows captured</span>
          <span className="presenter-tile-value">{formatCount(figures.captured)}</span>
          <span className="presenter-tile-note">from the source into Kafka</span>
        </div>
        <div className="presenter-tile" data-testid="tile-applied">
          <span className="presenter-tile-label">Rows applied</span>
          <span className="presenter-tile-value">{formatCount(figures.applied)}</span>
          <span className="presenter-tile-note">{formatRate(figures.appliedPerSecond)} into the target</span>
        </div>
        <div className="presenter-tile" data-testid="tile-latency">
          <span className="presenter-tile-label">End-to-end latency</span>
          <span className="presenter-tile-value">{formatMs(figures.latencyP50Ms)}</span>
          <span className="presenter-tile-note">{figures.latencyP99Ms !== undefined ? `p99 ${formatMs(figures.latencyP99Ms)} · change → commit` : 'source change → target commit'}</span>
        </div>
        <div className="presenter-tile" data-testid="tile-lag">
          <span className="presenter-tile-label">Lag</span>
          <span className="presenter-tile-value">{formatCount(figures.lag)}</span>
          <span className="presenter-tile-note">{figures.lagStale ? 'last measured (Kafka not answering)' : 'records in Kafka not yet applied'}</span>
        </div>
      </div>
      <div className="presenter-lineage">
        <LineageGraph status={status} replicators={replicators} large rates={rates} nodeLink={nodeLink} />
      </div>
      <section className="presenter-ticker" aria-label="Latest changes">
        <h2>Latest changes</h2>
        {ticker.note && <p className="presenter-ticker-note">{ticker.note}</p>}
        <ol>
          {ticker.items.map((item) => (
            <li key={item.id} data-testid="ticker-item">
              <span className="ticker-time">{new Date(item.at).toLocaleTimeString()}</span>
              <span className="ticker-topic">{item.topic}</span>
              {item.key && <span className="ticker-key">{item.key}</span>}
              <span className="ticker-value">{item.summary}</span>
            </li>
          ))}
        </ol>
      </section>
    </>
  );
}

/** Rows/s per lineage edge, from the edge counts sampled once a second over the last few seconds. */
function useEdgeRates(status: PipelineStatus, replicators: ReturnType<typeof usePipelinesStore.getState>['replicators']): Map<string, number> {
  const latest = useRef({ status, replicators });
  const [rates, setRates] = useState<Map<string, number>>(() => new Map());
  useEffect(() => {
    latest.current = { status, replicators };
  }, [status, replicators]);
  useEffect(() => {
    let samples: EdgeSample[] = [];
    const timer = setInterval(() => {
      const model = lineageOf(latest.current.status, latest.current.replicators);
      samples = trimSamples([...samples, { at: Date.now(), counts: new Map(model.edges.map((edge) => [edge.id, edge.count])) }], RATE_WINDOW_MS);
      setRates(edgeRates(samples));
    }, 1000);
    return () => clearInterval(timer);
  }, []);
  return rates;
}

/**
 * The newest records of the pipeline's topics, read live through the message viewer's engine (the pipelines API
 * carries counts, not rows). One live read per topic, stopped when the presenter closes.
 */
function useTicker(topics: readonly string[], bootstrap: string | undefined): { items: TickerItem[]; note?: string } {
  const [items, setItems] = useState<TickerItem[]>([]);
  const [note, setNote] = useState<string | undefined>();
  const topicsKey = topics.join('\n');
  useEffect(() => {
    const wanted = topicsKey === '' ? [] : topicsKey.split('\n');
    if (wanted.length === 0 || !bootstrap) return;
    let closed = false;
    const sessions = new Map<string, string>();
    const subscription = engine.topics.onDidReceiveRecords((batch) => {
      const topic = sessions.get(batch.sessionId);
      if (!topic || batch.records.length === 0) return;
      const fresh = batch.records.map((record) => tickerItem(topic, record)).reverse();
      setItems((current) => [...fresh, ...current].slice(0, TICKER_ITEMS));
    });
    void (async () => {
      let clusters: ClusterChoice[];
      try {
        clusters = await engine.topics.clusters();
      } catch {
        return;
      }
      const cluster = clusters.find((choice) => choice.bootstrap === bootstrap);
      if (!cluster) {
        if (!closed) setNote(`The ticker reads Kafka through a cluster Ferry knows; ${bootstrap} is neither the lab's nor a saved profile's.`);
        return;
      }
      for (const topic of wanted) {
        if (closed) return;
        const request: BrowseRequest = { cluster: cluster.ref, topic, mode: 'live', ...(cluster.defaultRegistry ? { registry: cluster.defaultRegistry } : {}) };
        try {
          const session = await engine.topics.browse(request);
          if (closed) void engine.topics.stop(session.sessionId).catch(() => {});
          else sessions.set(session.sessionId, topic);
        } catch {
          // A topic not created yet, or the read limit reached: the ticker shows the others.
        }
      }
    })();
    return () => {
      closed = true;
      subscription.dispose();
      for (const id of sessions.keys()) void engine.topics.stop(id).catch(() => {});
    };
  }, [topicsKey, bootstrap]);
  return note === undefined ? { items } : { items, note };
}
