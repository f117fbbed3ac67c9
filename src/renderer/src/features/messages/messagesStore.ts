import { create } from 'zustand';
import type { BrowseBatch, BrowsedRecord, BrowseProgress, BrowseRequest, ClusterChoice, DecodeMode, PipelineRegistry, RegistryRef, StartMode, StoredProfile, TopicSummary } from '../../../../shared/api';
import { toProblem } from '../../app/format';
import { engine } from '../../engine';
import { EarlyBatches } from './earlyBatches';
import { MAX_ROWS, RowBuffer } from './rowBuffer';

export const rows = new RowBuffer();
export const MAX_ROWS_NOTE = `Keeping the newest ${MAX_ROWS.toLocaleString('en-US')} rows in this window; older ones were dropped (Export JSON re-reads them from Kafka).`;

export interface ViewerQuery {
  clusterKey: string;
  topic: string;
  mode: StartMode;
  offset: string;
  timestamp: string;
  partitions: string;
  limit: string;
  filter: string;
  keyDecode: DecodeMode;
  valueDecode: DecodeMode;
  /** 'default' (the cluster's), 'none', or a registry profile id. */
  registry: string;
}

interface MessagesState {
  clusters: ClusterChoice[];
  registries: StoredProfile[];
  topics: TopicSummary[];
  query: ViewerQuery;
  sessionId: string | undefined;
  progress: BrowseProgress | undefined;
  /** Bumped when rows change, so the table re-renders without copying them. */
  version: number;
  /** The row shown in the detail panel (by identity: indexes shift while a tail runs). */
  selected: BrowsedRecord | undefined;
  newestFirst: boolean;
  problem: { code: string; message: string } | undefined;
  notice: string | undefined;
  exporting: boolean;
  /** A deep link asked for a read before the clusters were known: start once they are. */
  pendingStart: boolean;
  connect(): () => void;
  /** Opens a topic from a link (`#messages/<topic>`) and reads its newest records. */
  openTopic(topic: string): void;
  setQuery(patch: Partial<ViewerQuery>): void;
  loadTopics(): Promise<void>;
  start(): Promise<void>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
  exportJson(): Promise<{ name: string; json: string } | undefined>;
  select(record: BrowsedRecord | undefined): void;
  dismiss(): void;
}

export function clusterKey(choice: ClusterChoice): string {
  return choice.ref.kind === 'lab' ? `lab:${choice.ref.cluster}` : `profile:${choice.ref.profileId}`;
}

function parsePartitions(text: string): number[] | undefined {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed === 'all') return undefined;
  const out: number[] = [];
  for (const part of trimmed.split(',').map((item) => item.trim())) {
    const range = /^(\d+)-(\d+)$/.exec(part);
    if (range) for (let partition = Number(range[1]); partition <= Number(range[2]); partition++) out.push(partition);
    else out.push(Number(part));
  }
  return out;
}

export function selectedCluster(state: Pick<MessagesState, 'clusters' | 'query'>): ClusterChoice | undefined {
  return state.clusters.find((choice) => clusterKey(choice) === state.query.clusterKey);
}

/** The running pipeline whose registry wrote the chosen topic, if any: its schema ids mean nothing in another registry. */
export function writerOf(state: Pick<MessagesState, 'clusters' | 'query'>): PipelineRegistry | undefined {
  const topic = state.query.topic.trim();
  return selectedCluster(state)?.pipelineRegistries?.find((entry) => entry.topics.includes(topic));
}

/** `default` is the registry that wrote the topic (a running pipeline's), else the cluster's; `pipeline:`/`url:` name one. */
export function registryFor(state: Pick<MessagesState, 'clusters' | 'query'>): RegistryRef | undefined {
  const { registry } = state.query;
  if (registry === 'none') return undefined;
  if (registry === 'default') return writerOf(state)?.ref ?? selectedCluster(state)?.defaultRegistry;
  if (registry.startsWith('pipeline:')) return { kind: 'pipeline', pipeline: registry.slice('pipeline:'.length) };
  if (registry.startsWith('url:')) return { kind: 'url', url: registry.slice('url:'.length) };
  return { kind: 'profile', profileId: registry };
}

export function browseRequest(state: Pick<MessagesState, 'clusters' | 'query'>): BrowseRequest | undefined {
  const cluster = selectedCluster(state);
  const { query } = state;
  if (!cluster || query.topic.trim() === '') return undefined;
  const registry = registryFor(state);
  const partitions = parsePartitions(query.partitions);
  return {
    cluster: cluster.ref,
    topic: query.topic.trim(),
    mode: query.mode,
    ...(query.mode === 'offset' ? { offset: query.offset } : {}),
    ...(query.mode === 'timestamp' ? { timestamp: query.timestamp.includes('T') && !/[zZ]|[+-]\d\d:?\d\d$/.test(query.timestamp) ? new Date(query.timestamp).toISOString() : query.timestamp } : {}),
    ...(partitions ? { partitions } : {}),
    ...(query.limit.trim() ? { limit: Number(query.limit) } : {}),
    filter: query.filter,
    keyDecode: query.keyDecode,
    valueDecode: query.valueDecode,
    ...(registry ? { registry } : {}),
  };
}

const FINISHED = new Set(['done', 'stopped', 'failed']);

/** Batches of reads the pane does not know yet (see EarlyBatches); exported for the tests of its memory bound. */
export const earlyBatches = new EarlyBatches();

/** Bumped by every start(): an answer to an older one's browse() comes too late to be shown. */
let latestStart = 0;

/** The pane lets go of a read: its late batches are dropped, and the engine stops it unless it already ended. */
function endRead(sessionId: string, progress: BrowseProgress | undefined): Promise<void> {
  earlyBatches.retire(sessionId);
  if (progress && FINISHED.has(progress.state)) return Promise.resolve();
  return engine.topics.stop(sessionId).then(
    () => {},
    () => {},
  );
}

export const useMessagesStore = create<MessagesState>((set, get) => {
  const applyBatch = (batch: BrowseBatch): void => {
    if (batch.records.length > 0) rows.append(batch.records);
    const { records: _records, ...progress } = batch;
    set((state) => ({ progress, version: state.version + 1 }));
  };
  return {
    clusters: [],
    registries: [],
    topics: [],
    query: { clusterKey: 'lab:a', topic: '', mode: 'newest', offset: '0', timestamp: '', partitions: '', limit: '500', filter: '', keyDecode: 'auto', valueDecode: 'auto', registry: 'default' },
    sessionId: undefined,
    progress: undefined,
    version: 0,
    selected: undefined,
    newestFirst: true,
    problem: undefined,
    notice: undefined,
    exporting: false,
    pendingStart: false,

    openTopic(topic) {
      set((state) => ({ query: { ...state.query, topic, mode: 'newest' } }));
      if (get().clusters.length > 0) void get().start();
      else set({ pendingStart: true });
    },

    connect() {
      const subscription = engine.topics.onDidReceiveRecords((batch) => {
        if (batch.sessionId === get().sessionId) applyBatch(batch);
        else earlyBatches.hold(batch);
      });
      // A Kafka or registry profile saved in the Connections pane shows up here without a reload.
      const profileSubscription = engine.connections.onDidChangeProfiles((profiles) => {
        set({ registries: profiles.filter((profile) => profile.kind === 'schemaRegistry') });
        engine.topics.clusters().then((clusters) => set({ clusters }), () => {});
      });
      Promise.all([engine.topics.clusters(), engine.connections.list()]).then(
        ([clusters, profiles]) => {
          set({ clusters, registries: profiles.filter((profile) => profile.kind === 'schemaRegistry') });
          void get().loadTopics();
          if (get().pendingStart) {
            set({ pendingStart: false });
            void get().start();
          }
        },
        (error: unknown) => set({ problem: toProblem(error) }),
      );
      return () => {
        subscription.dispose();
        profileSubscription.dispose();
        earlyBatches.clear();
        // Leaving the pane ends the read; its rows stay until the next one starts.
        const { sessionId, progress } = get();
        if (sessionId) void endRead(sessionId, progress);
      };
    },

    setQuery(patch) {
      set((state) => ({ query: { ...state.query, ...patch } }));
      if (patch.clusterKey !== undefined) void get().loadTopics();
    },

    async loadTopics() {
      const cluster = selectedCluster(get());
      if (!cluster) return;
      try {
        set({ topics: await engine.topics.list(cluster.ref) });
      } catch (error) {
        set({ topics: [], problem: toProblem(error) });
      }
    },

    async start() {
      const thisStart = ++latestStart;
      const before = get();
      if (!browseRequest(before)) {
        set({ problem: { code: 'TOPICS_BAD_REQUEST', message: 'Pick a cluster and type or choose a topic first.' } });
        return;
      }
      // The click answers at once: the previous read's rows and counts go before anything is awaited, so what the pane
      // shows from here on is the new read's (its counts could otherwise read like the new read's own for a moment).
      const stopping = before.sessionId ? endRead(before.sessionId, before.progress) : Promise.resolve();
      rows.clear();
      set((current) => ({ sessionId: undefined, progress: undefined, selected: undefined, problem: undefined, notice: undefined, version: current.version + 1 }));
      // Pipelines started since the pane opened bring their registries: refresh before choosing one for the topic.
      const [clusters] = await Promise.all([engine.topics.clusters().catch(() => undefined), stopping]);
      if (thisStart !== latestStart) return;
      if (clusters) set({ clusters });
      const request = browseRequest(get());
      if (!request) {
        set({ problem: { code: 'TOPICS_BAD_REQUEST', message: 'Pick a cluster and type or choose a topic first.' } });
        return;
      }
      set({ newestFirst: request.mode === 'live' || request.mode === 'newest' });
      earlyBatches.beginStart();
      try {
        const session = await engine.topics.browse(request);
        if (thisStart !== latestStart) {
          // A newer start cleared the rows and waits for its own session: this read is nobody's any more.
          earlyBatches.retire(session.sessionId);
          void engine.topics.stop(session.sessionId).catch(() => {});
          return;
        }
        const early = earlyBatches.claim(session.sessionId);
        set((current) => ({ sessionId: session.sessionId, progress: current.progress ?? { sessionId: session.sessionId, state: 'starting', scanned: 0, matched: 0, bytes: 0, elapsedMs: 0, skipped: 0 } }));
        if (early) {
          applyBatch(early.batch);
          rows.dropped += early.droppedRecords;
        }
      } catch (error) {
        if (thisStart === latestStart) set({ problem: toProblem(error) });
      } finally {
        earlyBatches.endStart();
      }
    },

    async pause() {
      const { sessionId } = get();
      if (sessionId) await engine.topics.pause(sessionId).catch((error: unknown) => set({ problem: toProblem(error) }));
    },

    async resume() {
      const { sessionId } = get();
      if (sessionId) await engine.topics.resume(sessionId).catch((error: unknown) => set({ problem: toProblem(error) }));
    },

    async stop() {
      const { sessionId } = get();
      if (sessionId) await engine.topics.stop(sessionId).catch((error: unknown) => set({ problem: toProblem(error) }));
    },

    async exportJson() {
      const request = browseRequest(get());
      if (!request) return undefined;
      set({ exporting: true, problem: undefined });
      try {
        const result = await engine.topics.export({ ...request, maxRecords: 10_000 });
        set({ notice: `Exported ${result.records.toLocaleString('en-US')} matching record(s) of ${result.scanned.toLocaleString('en-US')} scanned${result.truncated ? ' (stopped at 10,000)' : ''}.` });
        return { name: `${request.topic}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, json: result.json };
      } catch (error) {
        set({ problem: toProblem(error) });
        return undefined;
      } finally {
        set({ exporting: false });
      }
    },

    select(record) {
      set({ selected: record });
    },

    dismiss() {
      set({ problem: undefined });
    },
  };
});
