import { create } from 'zustand';
import type { MetricsPoint, PipelineStatus, ReplicatorStatus } from '../../../../shared/api';
import { engine } from '../../engine';
import { toProblem } from '../../app/format';

/** Samples kept per connector in the renderer: the engine's 10 minutes at one a second. */
const MAX_POINTS = 600;
const HISTORY_POLL_MS = 2000;

export type ConnectorSeries = Record<string, MetricsPoint[]>;

interface PipelinesState {
  pipelines: Record<string, PipelineStatus>;
  /** Running replicators, for the hops between clusters in the lineage. */
  replicators: ReplicatorStatus[];
  /** pipeline → connector → samples. */
  history: Record<string, ConnectorSeries>;
  loaded: boolean;
  /** `${pipeline}/${connector}` or `${pipeline}` while an action runs. */
  busy: Record<string, string>;
  problem: { code: string; message: string } | undefined;
  connect(): () => void;
  act(pipeline: string, action: 'pause' | 'resume' | 'stop'): Promise<void>;
  restart(pipeline: string, connector: string): Promise<void>;
  dismissProblem(): void;
}

function merge(existing: MetricsPoint[] | undefined, fresh: MetricsPoint[]): MetricsPoint[] {
  const last = existing?.[existing.length - 1]?.at ?? -Infinity;
  const next = [...(existing ?? []), ...fresh.filter((point) => point.at > last)];
  return next.length > MAX_POINTS ? next.slice(next.length - MAX_POINTS) : next;
}

let subscribers = 0;
let stopLive: (() => void) | undefined;

/**
 * Live pipeline status (events) and metrics history (polled with `sinceMs`, so each poll carries only new samples).
 * Shared by the pipelines, lineage and demo panes; the subscription lives while any of them is mounted.
 */
export const usePipelinesStore = create<PipelinesState>((set, get) => {
  const startLive = (): (() => void) => {
    const subscription = engine.pipelines.onDidChangeStatus((status) => {
      set((state) => {
        const pipelines = { ...state.pipelines };
        if (status.state === 'STOPPED') delete pipelines[status.name];
        else pipelines[status.name] = status;
        return { pipelines };
      });
    });
    const replicatorEvents = engine.replicators.onDidChangeStatus((status) => {
      set((state) => ({
        replicators: status.state === 'STOPPED' ? state.replicators.filter((entry) => entry.name !== status.name) : [...state.replicators.filter((entry) => entry.name !== status.name), status],
      }));
    });
    engine.replicators.list().then(
      (replicators) => set({ replicators }),
      () => {},
    );
    const refreshList = (): void => {
      engine.pipelines.list().then(
        (list) => set({ pipelines: Object.fromEntries(list.map((status) => [status.name, status])), loaded: true }),
        (error: unknown) => set({ problem: toProblem(error), loaded: true }),
      );
    };
    refreshList();
    let polling = false;
    const poll = async (): Promise<void> => {
      if (polling) return;
      polling = true;
      try {
        const names = Object.keys(get().pipelines);
        const results = await Promise.all(
          names.map(async (name) => {
            const series = get().history[name];
            const since = Math.max(0, ...Object.values(series ?? {}).map((points) => points[points.length - 1]?.at ?? 0));
            return engine.pipelines.history(name, since || undefined).catch(() => undefined);
          }),
        );
        set((state) => {
          const history: Record<string, ConnectorSeries> = {};
          for (const name of Object.keys(state.pipelines)) history[name] = state.history[name] ?? {};
          for (const result of results) {
            if (!result) continue;
            const series = { ...(history[result.name] ?? {}) };
            for (const connector of result.connectors) series[connector.name] = merge(series[connector.name], connector.points);
            history[result.name] = series;
          }
          return { history };
        });
      } finally {
        polling = false;
      }
    };
    void poll();
    const timer = setInterval(() => void poll(), HISTORY_POLL_MS);
    return () => {
      subscription.dispose();
      replicatorEvents.dispose();
      clearInterval(timer);
    };
  };

  return {
    pipelines: {},
    replicators: [],
    history: {},
    loaded: false,
    busy: {},
    problem: undefined,

    connect() {
      subscribers++;
      stopLive ??= startLive();
      return () => {
        subscribers--;
        if (subscribers === 0) {
          stopLive?.();
          stopLive = undefined;
        }
      };
    },

    async act(pipeline, action) {
      set((state) => ({ busy: { ...state.busy, [pipeline]: action }, problem: undefined }));
      try {
        const status = await engine.pipelines[action](pipeline);
        set((state) => {
          const pipelines = { ...state.pipelines };
          if (action === 'stop') delete pipelines[pipeline];
          else pipelines[pipeline] = status;
          return { pipelines };
        });
      } catch (error) {
        set({ problem: toProblem(error) });
      } finally {
        set((state) => {
          const busy = { ...state.busy };
          delete busy[pipeline];
          return { busy };
        });
      }
    },

    async restart(pipeline, connector) {
      const key = `${pipeline}/${connector}`;
      set((state) => ({ busy: { ...state.busy, [key]: 'restart' }, problem: undefined }));
      try {
        const status = await engine.pipelines.restartConnector(pipeline, connector);
        set((state) => ({ pipelines: { ...state.pipelines, [pipeline]: status } }));
      } catch (error) {
        set({ problem: toProblem(error) });
      } finally {
        set((state) => {
          const busy = { ...state.busy };
          delete busy[key];
          return { busy };
        });
      }
    },

    dismissProblem() {
      set({ problem: undefined });
    },
  };
});
