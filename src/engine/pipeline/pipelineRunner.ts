import { dirname, resolve } from 'node:path';
import type { ResourceLimits } from 'node:worker_threads';
import type { ResolvedPipeline, ResolvedSource } from '../config';
import type { ResolvedSinkBase, SourcePositions } from '../connectors/port';
import { sinkPlugin, sourcePlugin } from '../connectors/registry';
import { CheckpointStore } from '../store';
import { Emitter } from '../../shared/event';
import type { IDisposable } from '../../shared/lifecycle';
import { pipelineError } from './errors';
import type { AppliedLog } from './appliedLog';
import { CheckpointFlusher } from './checkpoints';
import { SinkTask } from './sinkTask';
import { kafkaSettings } from './sourceOptions';
import { SourceTask } from './sourceTask';
import { type SinkTaskHandle, type SourceTaskHandle, taskWorkerLaunch, ThreadedSinkTask, ThreadedSourceTask, threadConfig } from './taskThread';
import { type ThreadMemory, threadMemory } from '../base/threadMemory';
import type { WorkerLaunch } from '../base/workerLaunch';
import type { MetricsPoint } from '../../shared/api/pipelines';
import type { ConnectorState, PipelineStatus } from './status';

export interface PipelineRunnerOptions {
  /** Where checkpoints live; default the user's Ferry data directory. */
  dataDir?: string;
  /** How often source checkpoints are flushed to disk; default the file's `offset.flush.interval.ms` (1 s). */
  offsetFlushIntervalMs?: number;
  /**
   * Each connector task in a worker thread of its own: the source and the sink each get a core, and the host's thread
   * (the one serving the window) only relays status. Default: on in the bundled desktop app, off when running from the
   * TypeScript sources (see taskWorkerLaunch); false runs them in the host's thread.
   */
  threads?: boolean;
  /** The connector threads' entry; default the one beside this module (taskWorker.ts, or pipelineTask.js when bundled). */
  workerLaunch?: WorkerLaunch;
  /** Each connector thread's V8 heap limits; default CONNECTOR_THREAD_LIMITS. */
  threadResourceLimits?: ResourceLimits;
}

/**
 * The connector threads' V8 heap limits by default: none, V8 sizes each thread's heap itself (4 GB of old generation
 * on a machine with 16 GB or more). A connector thread keeps 15-30 MB alive, but rows, decoded records and fetched
 * batches waiting on a round trip survive scavenges and are promoted, so each thread's old space fills with 70-110 MB
 * of garbage (and the ArrayBuffers it holds, up to 47 MB in the source thread) before V8 collects it. What limits
 * measured (bench:pipeline --capture log, bundled threads, load 15-25, runs alternated):
 * - maxOldGenerationSizeMb 1,024 (1,536 the same): connector heaps 62-85 MB instead of 100-153, peak RSS at 1M rows
 *   311/331 MB instead of 410/416, but Ferry's CPU 23/27 µs/row instead of 19/19 (more full collections), too dear;
 * - maxYoungGenerationSizeMb 24 (8 MB semi-spaces instead of 16): ~16 MB less per thread, GC +2-3 µs/row at 300k rows.
 */
export const CONNECTOR_THREAD_LIMITS: ResourceLimits = {};

function overallState(states: ConnectorState[]): ConnectorState {
  if (states.includes('FAILED')) return 'FAILED';
  if (states.includes('DEGRADED')) return 'DEGRADED';
  if (states.includes('STARTING')) return 'STARTING';
  if (states.every((state) => state === 'STOPPED')) return 'STOPPED';
  if (states.every((state) => state === 'PAUSED')) return 'PAUSED';
  return 'RUNNING';
}

/**
 * Runs every connector of one pipeline, whatever its plug-in (connectors/registry.ts picks it by connector.class):
 * sources read databases into topics, sinks apply topics to targets. Acks, checkpoints, offsets, the DLQ, retries and
 * status are the tasks' (sourceTask.ts, sinkTask.ts), the same for every plug-in. Status changes are published as
 * events; `waitUntilIdle` serves `ferry run --until-idle`.
 */
export class PipelineRunner implements IDisposable {
  private readonly sources: SourceTaskHandle[] = [];
  private readonly sinks: SinkTaskHandle[] = [];
  private readonly launch: WorkerLaunch | undefined;
  private readonly resourceLimits: ResourceLimits;
  private readonly changes = new Emitter<PipelineStatus>();
  readonly onDidChangeStatus = this.changes.event;
  private changeScheduled = false;

  private readonly checkpoints: CheckpointFlusher;
  private readonly baseDir: string;

  constructor(
    readonly pipeline: ResolvedPipeline,
    options: PipelineRunnerOptions = {},
  ) {
    this.checkpoints = new CheckpointFlusher(new CheckpointStore(pipeline.name, options.dataDir), options.offsetFlushIntervalMs ?? pipeline.offsetFlushIntervalMs);
    this.baseDir = dirname(resolve(pipeline.fileName));
    this.resourceLimits = options.threadResourceLimits ?? CONNECTOR_THREAD_LIMITS;
    this.launch = options.threads === false ? undefined : (options.workerLaunch ?? taskWorkerLaunch(undefined, options.threads));
    for (const connector of pipeline.connectors) {
      if (connector.role === 'source') this.sources.push(this.createSource(connector));
      else this.sinks.push(this.createSink(connector));
    }
  }

  private createSource(connector: ResolvedSource): SourceTaskHandle {
    // Durable positions go to this task's plug-in; a restarted connector's new task registers itself in its place.
    const checkpoints = this.checkpoints.forConnector(connector.name, (positions: SourcePositions) => task.committed(positions));
    const kafka = kafkaSettings(connector.kafka, this.baseDir);
    const onChange = (): void => this.scheduleChange();
    const data = this.launch ? threadConfig(connector) : undefined;
    const task: SourceTaskHandle =
      this.launch && data !== undefined
        ? new ThreadedSourceTask(connector.name, this.launch, data, kafka, checkpoints, onChange, this.resourceLimits)
        : new SourceTask({ config: connector, connector: sourcePlugin(connector), kafka, checkpoints, onChange });
    return task;
  }

  private createSink(connector: ResolvedSinkBase): SinkTaskHandle {
    const kafka = kafkaSettings(connector.kafka, this.baseDir);
    const onChange = (): void => this.scheduleChange();
    const data = this.launch ? threadConfig(connector) : undefined;
    if (this.launch && data !== undefined) return new ThreadedSinkTask(connector.name, this.launch, data, kafka, onChange, this.resourceLimits);
    return new SinkTask({ config: connector, connector: sinkPlugin(connector), kafka, onChange });
  }

  /**
   * Restarts one connector as Connect's REST `restart` does: the task is stopped and a new one starts from the
   * source's last checkpoint or the sink's committed offsets, so nothing acknowledged is read twice and nothing
   * unapplied is skipped. Resolves once the new task is started (a sink: consuming, or retrying in DEGRADED).
   */
  async restartConnector(name: string, startTimeoutMs = 15_000): Promise<void> {
    const sourceIndex = this.sources.findIndex((task) => task.name === name);
    const sinkIndex = this.sinks.findIndex((task) => task.name === name);
    const connector = this.pipeline.connectors.find((candidate) => candidate.name === name);
    if (!connector || (sourceIndex < 0 && sinkIndex < 0)) {
      throw pipelineError('PIPELINE_UNKNOWN_CONNECTOR', `Pipeline "${this.pipeline.name}" has no connector named "${name}"; it has ${this.pipeline.connectors.map((c) => c.name).join(', ')}.`);
    }
    if (connector.role === 'source') {
      const old = this.sources[sourceIndex];
      await old?.stop();
      const task = this.createSource(connector);
      this.sources[sourceIndex] = task;
      task.start();
    } else {
      const old = this.sinks[sinkIndex];
      await old?.stop();
      const task = this.createSink(connector);
      this.sinks[sinkIndex] = task;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([task.start(), new Promise((resolve) => (timer = setTimeout(resolve, startTimeoutMs)))]);
      clearTimeout(timer);
    }
    this.scheduleChange();
  }

  /** One metrics sample per connector for the charts; sink latencies are those of the records applied since the last sample. */
  sample(now: number): { name: string; role: 'source' | 'sink'; point: MetricsPoint }[] {
    const status = this.status();
    return status.connectors.map((connector) => {
      const sink = connector.role === 'sink' ? this.sinks.find((task) => task.name === connector.name) : undefined;
      const latency = sink?.metrics.takeIntervalLatency();
      return {
        name: connector.name,
        role: connector.role,
        point: {
          at: now,
          rowsPerSecond: connector.metrics.rowsPerSecond,
          lag: connector.metrics.lag,
          ...(latency ? { latencyP50Ms: latency.p50, latencyP99Ms: latency.p99 } : {}),
        },
      };
    });
  }

  /** Coalesces bursts of changes (one per batch) into at most one event per tick. */
  private scheduleChange(): void {
    if (this.changeScheduled) return;
    this.changeScheduled = true;
    setTimeout(() => {
      this.changeScheduled = false;
      this.changes.fire(this.status());
    }, 50);
  }

  /**
   * Starts every connector. Returns once each sink is consuming or has given up; a sink still retrying an
   * unreachable Kafka (DEGRADED) does not hold the caller: after `startTimeoutMs` it carries on in the background, so
   * a host can show the status and Ctrl-C still stops everything.
   */
  async start(startTimeoutMs = 15_000): Promise<void> {
    for (const source of this.sources) source.start();
    const sinksStarted = Promise.all(this.sinks.map((sink) => sink.start()));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([sinksStarted, new Promise((resolve) => (timer = setTimeout(resolve, startTimeoutMs)))]);
    clearTimeout(timer);
  }

  /** Resolves once every connector's worker thread (if any) has loaded; benchmarks measure from here. */
  async ready(): Promise<void> {
    await Promise.all([...this.sources, ...this.sinks].map((task) => task.ready));
  }

  /**
   * Memory by thread: the host's (this thread, whatever it runs besides the runner) and each connector thread's, for
   * accounting a pipeline's RSS (bench:pipeline). A connector in the host's thread has no entry of its own.
   */
  async threadMemory(): Promise<{ thread: string; memory: ThreadMemory }[]> {
    const tasks = [...this.sources.map((task) => ({ task, role: 'source' })), ...this.sinks.map((task) => ({ task, role: 'sink' }))];
    const threads = await Promise.all(
      tasks.map(async ({ task, role }) => {
        const memory = await task.memory?.().catch(() => undefined);
        return memory ? [{ thread: `${role} ${task.name}`, memory }] : [];
      }),
    );
    return [{ thread: 'host', memory: threadMemory() }, ...threads.flat()];
  }

  /** Whether the connector tasks run in worker threads of their own. */
  get threaded(): boolean {
    return [...this.sources, ...this.sinks].every((task) => task.ready !== undefined);
  }

  status(): PipelineStatus {
    const now = Date.now();
    const connectors = [...this.sources.map((source) => source.status(now)), ...this.sinks.map((sink) => sink.status(now))];
    return { name: this.pipeline.name, state: overallState(connectors.map((connector) => connector.state)), connectors };
  }

  /** Every source read to the end of its tables and every sink applied everything in Kafka. */
  get idle(): boolean {
    return this.sources.every((source) => source.caughtUp) && this.sinks.every((sink) => sink.caughtUp);
  }

  /**
   * Resolves once the pipeline has been idle `settleMs` ago and still is (so a source's next poll has had a chance to
   * find new rows), rejects with the root cause when a connector FAILED.
   *
   * The decision is confirmed with sink lag measured at that moment and no source batch delivered meanwhile: the
   * periodic flags alone can be a lag refresh behind what a source just produced, and `--until-idle` must not exit
   * with records still in Kafka. A window is not restarted by a short busy spell inside it (a bulk source's repeated
   * passes make those constant); only what holds at its end counts.
   */
  async waitUntilIdle(options: { settleMs?: number; signal?: AbortSignal; maxStuckMs?: number } = {}): Promise<void> {
    const settleMs = options.settleMs ?? 1500;
    let idleSince: number | undefined;
    const stuckSince = new Map<string, number>();
    while (!options.signal?.aborted) {
      this.throwIfFailed();
      if (options.maxStuckMs !== undefined) this.throwIfStuck(stuckSince, options.maxStuckMs);
      if (this.idle) {
        idleSince ??= Date.now();
        if (Date.now() - idleSince >= settleMs) {
          if (await this.confirmIdle()) {
            this.throwIfFailed();
            return;
          }
          idleSince = undefined;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  private throwIfFailed(): void {
    const failed = this.status().connectors.find((connector) => connector.state === 'FAILED');
    if (failed) {
      const message = failed.error?.message ?? 'failed without a reported cause';
      throw pipelineError('PIPELINE_CONNECTOR_FAILED', `${failed.name}: ${message}`, { retriable: failed.error?.retriable ?? false, detail: { code: failed.error?.code } });
    }
  }

  private async confirmIdle(): Promise<boolean> {
    // Sources in worker threads report their state as of their last push: take a fresh one on each side of the check.
    await Promise.all(this.sources.map((source) => source.refresh?.()));
    if (!this.idle) return false;
    const deliveries = this.sources.map((source) => source.deliveries);
    const sinks = await Promise.all(this.sinks.map((sink) => sink.confirmCaughtUp()));
    await Promise.all(this.sources.map((source) => source.refresh?.()));
    return sinks.every(Boolean) && this.idle && this.sources.every((source, index) => source.deliveries === deliveries[index]);
  }

  /**
   * For scripts (`--until-idle`): a connector that has been STARTING or DEGRADED without a break for `maxStuckMs`
   * (Kafka or a database unreachable) ends the wait with its cause instead of hanging; the app keeps retrying.
   */
  private throwIfStuck(stuckSince: Map<string, number>, maxStuckMs: number): void {
    const now = Date.now();
    for (const connector of this.status().connectors) {
      if (connector.state !== 'STARTING' && connector.state !== 'DEGRADED') {
        stuckSince.delete(connector.name);
        continue;
      }
      const since = stuckSince.get(connector.name) ?? now;
      stuckSince.set(connector.name, since);
      if (now - since >= maxStuckMs) {
        const why = connector.error?.message ?? 'it has not finished starting (is Kafka reachable?)';
        throw pipelineError('PIPELINE_CONNECTOR_FAILED', `${connector.name} could not recover within ${Math.round(maxStuckMs / 1000)} s: ${why}`, { retriable: true });
      }
    }
  }

  /** PAUSED: sources stop polling and sinks stop fetching; positions and offsets stay where they are. */
  async pause(): Promise<void> {
    for (const source of this.sources) source.pause();
    await Promise.all(this.sinks.map((sink) => sink.pause()));
  }

  async resume(): Promise<void> {
    for (const source of this.sources) source.resume();
    await Promise.all(this.sinks.map((sink) => sink.resume()));
  }

  /** A sink's log of recently applied chunks (for row traces); undefined for an unknown or source connector. */
  appliedLog(connector: string): AppliedLog | undefined {
    return this.sinks.find((task) => task.name === connector)?.appliedLog;
  }

  /** Starts latency statistics afresh, e.g. between a benchmark's snapshot and streaming phases. */
  resetLatencies(): void {
    for (const sink of this.sinks) sink.metrics.resetLatencies();
  }

  async stop(): Promise<void> {
    // Each source flushes its checkpoint as it stops; the periodic flush ends with the last of them.
    await Promise.all([...this.sources.map((source) => source.stop()), ...this.sinks.map((sink) => sink.stop())]);
    this.checkpoints.dispose();
    this.changes.fire(this.status());
  }

  dispose(): void {
    void this.stop().finally(() => this.checkpoints.dispose());
    this.changes.dispose();
  }
}
