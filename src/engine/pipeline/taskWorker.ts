/**
 * One connector task (a SourceTask or a SinkTask, exactly as they run in the host's thread) in a worker thread of
 * its own: the source's database reads, Avro and Kafka produce on one core, the sink's Kafka fetch, decoding and
 * target writes on another, and the thread that serves the window (Electron main, the web host) only relays status.
 * Records never cross threads: source and sink meet in Kafka. taskThread.ts is the host side and speaks this protocol.
 *
 * In: `request` {id, op}. Out: `ready` (loaded), `reply` {id, value | error}, `state` (status pushed on change and every 250 ms, with
 * latencies and applied chunks since the last push), and for a source its checkpoints: `record`, `reset`, `flush`
 * (answered by the host with `flushed`), since the pipeline's checkpoint file is the host's.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ResolvedSinkBase, SourcePositions } from '../connectors/port';
import { loadSinkPlugin, loadSourcePlugin } from '../connectors/pluginLoader';
import type { ResolvedSource } from '../config';
import type { KafkaClientSettings } from '../kafka';
import { EngineError, isEngineError } from '../../shared/errors';
import type { AppliedChunk } from './appliedLog';
import type { ConnectorCheckpoints } from './checkpoints';
import type { SinkTask } from './sinkTask';
import type { SourceTask } from './sourceTask';
import type { ConnectorStatus } from './status';
import { threadMemory } from '../base/threadMemory';
import { fromThreadData } from './threadData';

export interface TaskWorkerData {
  entry: string;
  role: 'source' | 'sink';
  /** The resolved connector config through toThreadData. */
  config: unknown;
  kafka: KafkaClientSettings;
  /** Source: its checkpointed positions at start, and the pipeline's state directory. */
  positions?: SourcePositions;
  stateDir?: string;
}

export type TaskOp = 'start' | 'stop' | 'pause' | 'resume' | 'confirmCaughtUp' | 'state' | 'resetLatencies' | 'committed' | 'memory';

export type TaskRequest = { type: 'request'; id: number; op: TaskOp; positions?: SourcePositions } | { type: 'flushed'; id: number; error?: string };

export interface TaskState {
  status: ConnectorStatus;
  caughtUp: boolean;
  deliveries: number;
  /** Sink: end-to-end latencies recorded since the last push, and chunks applied since then. */
  latencies: number[];
  applied: AppliedChunk[];
}

export type TaskEvent =
  | { type: 'reply'; id: number; value?: unknown; error?: { code: string; message: string; retriable: boolean } }
  | { type: 'state'; state: TaskState }
  | { type: 'record'; positions: SourcePositions }
  | { type: 'reset' }
  | { type: 'flush'; id: number }
  | { type: 'ready' };

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) return;
  const data = workerData as TaskWorkerData;
  const post = (event: TaskEvent): void => port.postMessage(event);
  let flushes = 0;
  const pendingFlushes = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  let positions: SourcePositions = data.positions ?? {};
  const checkpoints: ConnectorCheckpoints = {
    positions: () => positions,
    record: (next) => {
      positions = next;
      post({ type: 'record', positions: next });
    },
    reset: () => {
      positions = {};
      post({ type: 'reset' });
    },
    flush: () =>
      new Promise<void>((resolve, reject) => {
        const id = ++flushes;
        pendingFlushes.set(id, { resolve, reject });
        post({ type: 'flush', id });
      }),
    stateDir: data.stateDir ?? '.',
  };

  let pushScheduled = false;
  const onChange = (): void => {
    if (pushScheduled) return;
    pushScheduled = true;
    setTimeout(() => {
      pushScheduled = false;
      push();
    }, 50);
  };

  let source: SourceTask | undefined;
  let sink: SinkTask | undefined;
  // Only this thread's side and its one plug-in are loaded (import() on demand): a source thread never evaluates the
  // sink's code nor a sink thread the sources' and their drivers, tens of MB resident per thread (pluginLoader.ts).
  if (data.role === 'source') {
    const config = fromThreadData<ResolvedSource>(data.config);
    const [{ SourceTask }, connector] = await Promise.all([import('./sourceTask'), loadSourcePlugin(config)]);
    source = new SourceTask({ config, connector, kafka: data.kafka, checkpoints, onChange });
  } else {
    const config = fromThreadData<ResolvedSinkBase>(data.config);
    const [{ SinkTask }, connector] = await Promise.all([import('./sinkTask'), loadSinkPlugin(config)]);
    sink = new SinkTask({ config, connector, kafka: data.kafka, onChange });
  }

  // The sink's latencies and applied chunks since the last push (its own reservoirs keep working for its status).
  const latencies: number[] = [];
  const applied: AppliedChunk[] = [];
  if (sink) {
    const record = sink.metrics.recordLatency.bind(sink.metrics);
    sink.metrics.recordLatency = (ms) => {
      if (latencies.length < 4096) latencies.push(ms);
      record(ms);
    };
    const add = sink.appliedLog.add.bind(sink.appliedLog);
    sink.appliedLog.add = (chunk) => {
      if (applied.length < 4096) applied.push(chunk);
      add(chunk);
    };
  }

  const state = (): TaskState => {
    const now = Date.now();
    const task = source ?? sink;
    return {
      status: task ? task.status(now) : ({} as ConnectorStatus),
      caughtUp: task?.caughtUp ?? false,
      deliveries: source?.deliveries ?? 0,
      latencies: latencies.splice(0),
      applied: applied.splice(0),
    };
  };
  const push = (): void => post({ type: 'state', state: state() });
  const timer = setInterval(push, 250);

  const handle = async (op: TaskOp, request: { positions?: SourcePositions }): Promise<unknown> => {
    switch (op) {
      case 'start':
        if (source) source.start();
        else await sink?.start();
        return state();
      case 'stop':
        await (source ?? sink)?.stop();
        clearInterval(timer);
        return state();
      case 'pause':
        if (source) source.pause();
        else await sink?.pause();
        return state();
      case 'resume':
        if (source) source.resume();
        else await sink?.resume();
        return state();
      case 'confirmCaughtUp':
        return { confirmed: sink ? await sink.confirmCaughtUp() : (source?.caughtUp ?? false), state: state() };
      case 'state':
        return state();
      case 'resetLatencies':
        sink?.metrics.resetLatencies();
        latencies.length = 0;
        return undefined;
      case 'committed':
        await source?.committed(request.positions ?? {});
        return undefined;
      case 'memory':
        return threadMemory();
    }
  };

  post({ type: 'ready' });
  port.on('message', (message: TaskRequest) => {
    if (message.type === 'flushed') {
      const waiting = pendingFlushes.get(message.id);
      pendingFlushes.delete(message.id);
      if (message.error === undefined) waiting?.resolve();
      else waiting?.reject(new Error(message.error));
      return;
    }
    handle(message.op, message).then(
      (value) => post({ type: 'reply', id: message.id, value }),
      (error: unknown) => {
        const failure = isEngineError(error) ? error : new EngineError('PIPELINE_TASK_FAILED', error instanceof Error ? error.message : String(error), { retriable: true });
        post({ type: 'reply', id: message.id, error: { code: failure.code, message: failure.message, retriable: failure.retriable } });
      },
    );
  });
}

// A plug-in that cannot be loaded or built ends the thread with the error, which the host reports (TaskThread.fail).
main().catch((error: unknown) => {
  setImmediate(() => {
    throw error;
  });
});
