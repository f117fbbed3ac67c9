/**
 * The host side of a connector task running in its own worker thread (taskWorker.ts): the runner drives it as it
 * drives a SourceTask or SinkTask in its own thread. Status is pushed by the worker (on change and every 250 ms) and
 * read from the last push, so `status()` stays synchronous and costs the host nothing; `refresh` and
 * `confirmCaughtUp` ask the worker for a fresh one where a decision depends on it (waitUntilIdle).
 *
 * From the sources the worker is taskWorker.ts loaded through tsx; in the desktop build it is `pipelineTask.js`
 * beside the main bundle (electron.vite.config.ts). When threads are used: see taskWorkerLaunch.
 */
import type { ResourceLimits, Worker } from 'node:worker_threads';
import type { ResolvedSinkBase, SourcePositions } from '../connectors/port';
import type { ResolvedSource } from '../config';
import type { KafkaClientSettings } from '../kafka';
import { EngineError } from '../../shared/errors';
import { createLogger } from '../base/logger';
import type { ThreadMemory } from '../base/threadMemory';
import { startWorker, type WorkerLaunch, workerLaunch } from '../base/workerLaunch';
import { AppliedLog } from './appliedLog';
import type { ConnectorCheckpoints } from './checkpoints';
import { ConnectorMetrics } from './metrics';
import type { ConnectorStatus } from './status';
import type { TaskEvent, TaskOp, TaskRequest, TaskState, TaskWorkerData } from './taskWorker';
import { toThreadData } from './threadData';

/** The bundled worker's file name (electron.vite.config.ts names the entry). */
export const BUNDLED_TASK_FILE = 'pipelineTask.js';

const log = createLogger('pipeline');

/** What the runner needs of a source task, in its own thread (SourceTask) or in a worker (ThreadedSourceTask). */
export interface SourceTaskHandle {
  readonly name: string;
  readonly caughtUp: boolean;
  readonly deliveries: number;
  /** A task in a worker thread: resolves once the thread is up. */
  readonly ready?: Promise<void>;
  start(): void;
  stop(): Promise<void>;
  status(now: number): ConnectorStatus;
  pause(): void;
  resume(): void;
  committed(positions: SourcePositions): Promise<void>;
  /** Brings `caughtUp` and `deliveries` up to date (a worker's last push may be 250 ms old). */
  refresh?(): Promise<void>;
  /** A task in a worker thread: that thread's heap and native memory now. */
  memory?(): Promise<ThreadMemory>;
}

/** What the runner needs of a sink task, in its own thread (SinkTask) or in a worker (ThreadedSinkTask). */
export interface SinkTaskHandle {
  readonly name: string;
  readonly caughtUp: boolean;
  readonly appliedLog: AppliedLog;
  readonly ready?: Promise<void>;
  readonly metrics: Pick<ConnectorMetrics, 'takeIntervalLatency' | 'resetLatencies'>;
  start(): Promise<void>;
  stop(): Promise<void>;
  status(now: number): ConnectorStatus;
  confirmCaughtUp(): Promise<boolean>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  memory?(): Promise<ThreadMemory>;
}

/**
 * The connector threads' entry for this code, or undefined to run connectors in the host's thread. `wanted` is the
 * runner's `threads` option; unset, FERRY_PIPELINE_THREADS decides (0 off, 1 on), else threads are on where the
 * engine runs bundled (the desktop app) and off where it runs from the TypeScript sources (CLI, web host, tests):
 * there each thread loads the engine through tsx first, ~2 s of CPU and ~100 MB a thread.
 */
export function taskWorkerLaunch(moduleUrl = import.meta.url, wanted?: boolean): WorkerLaunch | undefined {
  const env = process.env.FERRY_PIPELINE_THREADS;
  const want = wanted ?? (env === '0' ? false : env === '1' ? true : undefined);
  if (want === false) return undefined;
  const launch = workerLaunch(moduleUrl, './taskWorker.ts', BUNDLED_TASK_FILE);
  if (!launch) {
    log.warn('pipeline task thread entry not found; connectors run in the host thread', { module: moduleUrl });
    return undefined;
  }
  if (launch.boot !== undefined && want === undefined) return undefined;
  return launch;
}

/** A resolved config a worker can take; undefined when it holds something that cannot cross threads. */
export function threadConfig(config: ResolvedSource | ResolvedSinkBase): unknown {
  try {
    const data = toThreadData(config);
    structuredClone(data);
    return data;
  } catch (error) {
    log.warn('connector config cannot cross to a worker thread; it runs in the host thread', { connector: config.name, error: String(error) });
    return undefined;
  }
}

/** A connector thread that reached its heap limit (CONNECTOR_THREAD_LIMITS or the runner's threadResourceLimits). */
function outOfMemory(connector: string, error: Error): EngineError {
  return new EngineError(
    'PIPELINE_TASK_OUT_OF_MEMORY',
    `Connector "${connector}" ran out of memory in its worker thread (${error.message}). Lower what it holds at once (a sink's batch.size, a source's batch.max.rows or snapshot.fetch.size), or run its connectors in the host's thread with FERRY_PIPELINE_THREADS=0.`,
    { retriable: false },
  );
}

class TaskThread {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: EngineError) => void }>();
  private exited: EngineError | undefined;
  private stopping = false;
  private loaded!: () => void;
  /** Resolves once the worker has loaded its modules and built its task (or has ended). */
  readonly ready = new Promise<void>((resolve) => (this.loaded = resolve));
  last: TaskState;

  constructor(
    launch: WorkerLaunch,
    data: Omit<TaskWorkerData, 'entry'>,
    name: string,
    private readonly onState: (state: TaskState) => void,
    private readonly onEvent: (event: TaskEvent) => void,
    resourceLimits: ResourceLimits | undefined,
  ) {
    this.last = {
      status: { name, role: data.role, state: 'STARTING', caughtUp: false, kafka: data.kafka.bootstrapServers.join(','), metrics: { rowsRead: 0, rowsProduced: 0, rowsApplied: 0, errors: 0, deadLettered: 0, lag: 0, rowsPerSecond: 0 } },
      caughtUp: false,
      deliveries: 0,
      latencies: [],
      applied: [],
    };
    this.worker = startWorker(launch, { ...data }, { name: `ferry ${data.role} ${name}`, ...(resourceLimits ? { resourceLimits } : {}) });
    this.worker.on('message', (event: TaskEvent) => this.handle(event));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`its thread exited with code ${code}`)));
  }

  private handle(event: TaskEvent): void {
    if (event.type === 'state') this.take(event.state);
    else if (event.type === 'ready') this.loaded();
    else if (event.type === 'reply') {
      const waiter = this.waiting.get(event.id);
      this.waiting.delete(event.id);
      if (event.error) waiter?.reject(new EngineError(event.error.code, event.error.message, { retriable: event.error.retriable }));
      else waiter?.resolve(event.value);
    } else this.onEvent(event);
  }

  take(state: TaskState): void {
    this.last = state;
    this.onState(state);
  }

  private fail(error: Error): void {
    this.loaded();
    if (this.exited) return;
    this.exited = (error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY' ? outOfMemory(this.last.status.name, error) : new EngineError('PIPELINE_TASK_FAILED', `The connector's worker thread ended: ${error.message}`, { retriable: false });
    for (const waiter of this.waiting.values()) waiter.reject(this.exited);
    this.waiting.clear();
    if (this.stopping) return;
    const status = this.last.status;
    this.take({ ...this.last, status: { ...status, state: 'FAILED', error: { code: this.exited.code, message: this.exited.message, retriable: false } }, caughtUp: false, latencies: [], applied: [] });
  }

  post(message: TaskRequest): void {
    if (!this.exited) this.worker.postMessage(message);
  }

  request(op: TaskOp, positions?: SourcePositions): Promise<unknown> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ type: 'request', id, op, ...(positions ? { positions } : {}) } satisfies TaskRequest);
    });
  }

  async requestState(op: TaskOp): Promise<void> {
    const state = (await this.request(op)) as TaskState | undefined;
    if (state) this.take(state);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.requestState('stop').catch((error: unknown) => log.debug('task thread stop', { error: String(error) }));
    await this.worker.terminate();
  }
}

export class ThreadedSourceTask implements SourceTaskHandle {
  private readonly thread: TaskThread;

  constructor(
    readonly name: string,
    launch: WorkerLaunch,
    config: unknown,
    kafka: KafkaClientSettings,
    checkpoints: ConnectorCheckpoints,
    onChange: () => void,
    resourceLimits?: ResourceLimits,
  ) {
    const data: Omit<TaskWorkerData, 'entry'> = { role: 'source', config, kafka, positions: checkpoints.positions(), stateDir: checkpoints.stateDir };
    this.thread = new TaskThread(launch, data, name, onChange, (event) => {
      if (event.type === 'record') checkpoints.record(event.positions);
      else if (event.type === 'reset') checkpoints.reset();
      else if (event.type === 'flush') {
        checkpoints.flush().then(
          () => this.thread.post({ type: 'flushed', id: event.id }),
          (error: unknown) => this.thread.post({ type: 'flushed', id: event.id, error: String(error) }),
        );
      }
    }, resourceLimits);
  }

  get ready(): Promise<void> {
    return this.thread.ready;
  }

  get caughtUp(): boolean {
    return this.thread.last.caughtUp;
  }

  get deliveries(): number {
    return this.thread.last.deliveries;
  }

  start(): void {
    void this.thread.requestState('start').catch(() => {});
  }

  stop(): Promise<void> {
    return this.thread.stop();
  }

  status(): ConnectorStatus {
    return this.thread.last.status;
  }

  pause(): void {
    void this.thread.requestState('pause').catch(() => {});
  }

  resume(): void {
    void this.thread.requestState('resume').catch(() => {});
  }

  async committed(positions: SourcePositions): Promise<void> {
    await this.thread.request('committed', positions);
  }

  refresh(): Promise<void> {
    return this.thread.requestState('state').catch(() => {});
  }

  memory(): Promise<ThreadMemory> {
    return this.thread.request('memory') as Promise<ThreadMemory>;
  }
}

export class ThreadedSinkTask implements SinkTaskHandle {
  readonly appliedLog = new AppliedLog();
  /** Latencies pushed by the worker, for the per-interval chart points (`takeIntervalLatency`). */
  readonly metrics = new ConnectorMetrics();
  private readonly thread: TaskThread;

  constructor(
    readonly name: string,
    launch: WorkerLaunch,
    config: unknown,
    kafka: KafkaClientSettings,
    onChange: () => void,
    resourceLimits?: ResourceLimits,
  ) {
    this.thread = new TaskThread(
      launch,
      { role: 'sink', config, kafka },
      name,
      (state) => {
        for (const ms of state.latencies) this.metrics.recordLatency(ms);
        for (const chunk of state.applied) this.appliedLog.add(chunk);
        onChange();
      },
      () => {},
      resourceLimits,
    );
    const reset = this.metrics.resetLatencies.bind(this.metrics);
    this.metrics.resetLatencies = () => {
      reset();
      void this.thread.request('resetLatencies').catch(() => {});
    };
  }

  get ready(): Promise<void> {
    return this.thread.ready;
  }

  get caughtUp(): boolean {
    return this.thread.last.caughtUp;
  }

  start(): Promise<void> {
    return this.thread.requestState('start').catch(() => {});
  }

  stop(): Promise<void> {
    return this.thread.stop();
  }

  status(): ConnectorStatus {
    return this.thread.last.status;
  }

  async confirmCaughtUp(): Promise<boolean> {
    const answer = (await this.thread.request('confirmCaughtUp').catch(() => undefined)) as { confirmed: boolean; state: TaskState } | undefined;
    if (!answer) return false;
    this.thread.take(answer.state);
    return answer.confirmed;
  }

  pause(): Promise<void> {
    return this.thread.requestState('pause').catch(() => {});
  }

  resume(): Promise<void> {
    return this.thread.requestState('resume').catch(() => {});
  }

  memory(): Promise<ThreadMemory> {
    return this.thread.request('memory') as Promise<ThreadMemory>;
  }
}
