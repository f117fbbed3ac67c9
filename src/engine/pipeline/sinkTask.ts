import type { DurableOffset, ResolvedSinkBase, SinkConnector, SinkContext, SinkPutResult } from '../connectors/port';
import { SOURCE_TIME_HEADER } from '../connectors/headers';
import { type BatchContext, classifyKafkaError, createKafkaClient, ensureTopics, type FetchedMessage, type KafkaAdmin, type KafkaClient, type KafkaClientSettings, type KafkaConsumer, type KafkaProducer } from '../kafka';
import type { SinkRecord } from '../model';
import { type EngineError, isEngineError } from '../../shared/errors';
import { Backoff, type BackoffPolicy, sleep } from '../base/backoff';
import { createLogger } from '../base/logger';
import { DEFAULT_MAX_MESSAGE_BYTES, type DeadLetter, deadLetterMaxMessageBytes, sendToDeadLetterQueue } from './deadLetterQueue';
import { AppliedLog } from './appliedLog';
import { ConnectorLifecycle } from './connectorState';
import { ConnectorMetrics } from './metrics';
import { ConverterError, SinkRecordDecoder, takesEpochMsTimestamps, toSinkError } from './sinkDecoder';
import { assignedTopics, ConsumerGroupWatch, createSinkConsumer, isGroupMembershipError, waitForTopics } from './sinkConsumer';
import { SinkLag } from './sinkLag';
import { SinkOffsetCommits } from './sinkOffsetCommits';
import { SinkTargetWatch } from './sinkTarget';
import type { ConnectorStatus, ConnectorTableStatus } from './status';

/** Pause between attempts when Kafka or the target cannot be reached: 0.5 s growing to 30 s, jittered. */
const SINK_RETRY_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 30_000, jitter: 'full' };

/**
 * Records decoded between two looks at the event loop while another chunk is in the target: about a millisecond of
 * work, so the transaction's next step waits at most that long; a look costs a few microseconds.
 */
const DECODE_SLICE = 128;

/** Lets pending I/O callbacks (a target's reply) run before the loop goes on. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** How long stop waits for the last offset commit (Kafka may be away): the rows are in the target either way. */
const STOP_COMMIT_WAIT_MS = 10_000;

/** Waits for `work`, but not longer than `ms`. */
async function settleWithin(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/**
 * The messages past `applied` (the last offset already in the target). A fetch's messages are in offset order, so
 * only a chunk that straddles `applied` (fetched again after a failed commit) needs each offset parsed.
 */
function notAppliedYet(messages: FetchedMessage[], applied: bigint): FetchedMessage[] {
  const first = messages[0];
  if (first === undefined || BigInt(first.offset) > applied) return messages;
  return messages.filter((message) => BigInt(message.offset) > applied);
}

/** A chunk's records after converter and transforms, waiting for (or in) the target. */
interface DecodedChunk {
  topic: string;
  partition: number;
  /** `topic:partition`, the key of appliedThrough and queuedThrough. */
  partitionKey: string;
  /** The fetched messages not applied yet (none when all of them were applied before). */
  messages: FetchedMessage[];
  /** The last fetched offset the chunk covers: committed (+1) once the chunk is applied. */
  lastOffset: bigint;
  records: SinkRecord[];
  /** The message each record came from, by position. */
  sources: FetchedMessage[];
  /** Records that did not decode (errors.tolerance=all). */
  letters: DeadLetter[];
  /** The group generation (SinkTask.generation) the chunk was fetched in. */
  generation: number;
}

/** Leaves out of a decoded chunk what the target holds already (offsets up to `applied`). */
function withoutApplied(chunk: DecodedChunk, applied: bigint): void {
  const after = (message: FetchedMessage): boolean => BigInt(message.offset) > applied;
  chunk.messages = chunk.messages.filter(after);
  const keep = chunk.sources.map(after);
  chunk.records = chunk.records.filter((_, index) => keep[index]);
  chunk.sources = chunk.sources.filter((_, index) => keep[index]);
  chunk.letters = chunk.letters.filter((letter) => after(letter.message));
}

/** Committing a consumer offset failed after the target committed: a Kafka problem, retried, never FAILED. */
class CommitError extends Error {
  constructor(
    readonly failure: EngineError,
    cause: unknown,
  ) {
    super(failure.message, { cause });
  }
}

export interface SinkTaskInit {
  config: ResolvedSinkBase;
  /** Builds the plug-in (registry.ts) with what the task lends it. */
  connector: (context: SinkContext) => SinkConnector;
  kafka: KafkaClientSettings;
  onChange: () => void;
}

/**
 * Runs one sink connector, whatever its plug-in: consumer group `connect-<name>` → converter and transforms → the
 * plug-in's `put` (chunks of batch.size records) → offsets committed only after `put` returned, i.e. after the target
 * holds those records (architecture §5). errors.tolerance=none stops the connector at the failing record without
 * committing past it; =all sends the record to the dead letter topic (when one is configured) and goes on.
 * For row sinks the stages overlap (decode, the target's transaction, the offset commit, the next fetch) while chunks
 * are still applied one at a time in offset order: see onBatchPipelined.
 */
export class SinkTask {
  readonly metrics = new ConnectorMetrics();
  /** Recently applied chunks (bounded), so a row can be traced to the target transaction that applied it. */
  readonly appliedLog = new AppliedLog();
  private readonly lifecycle: ConnectorLifecycle;
  private readonly config: ResolvedSinkBase;
  private readonly kafkaSettings: KafkaClientSettings;
  private readonly sink: SinkConnector;
  private readonly decoder: SinkRecordDecoder;
  private readonly target: SinkTargetWatch;
  private readonly lag: SinkLag;
  private consumer: KafkaConsumer | undefined;
  private admin: KafkaAdmin | undefined;
  private dlqProducer: KafkaProducer | undefined;
  /** A buffering sink's time-based flush (flushDue), every second. */
  private flushTimer: NodeJS.Timeout | undefined;
  /** `put`, `flushDue` and `reset` of the plug-in never overlap. */
  private sinkTurn: Promise<unknown> = Promise.resolve();
  private inFlight = 0;
  private stopped = false;
  /** Ends every retry pause when the sink stops. */
  private readonly stopping = new AbortController();
  /** The dead letter topic's max.message.bytes, read at start: dead letters go in requests that fit it. */
  private dlqMaxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
  private finished!: () => void;
  readonly done = new Promise<void>((resolve) => (this.finished = resolve));
  private readonly log = createLogger('sink');
  /** Per topic: rows applied and where they went (a table, a blob prefix), resolved once per topic. */
  private readonly tables = new Map<string, ConnectorTableStatus>();
  /**
   * Per `topic:partition`, the last offset whose target transaction committed. When Kafka did not take the offset
   * commit (the group dropped this member while a broker hung), the same records come again after the rejoin; they
   * are in the target already, so they are skipped instead of applied twice. Valid for this process's lifetime; after
   * a restart the committed offsets are all there is (at-least-once, as Connect).
   */
  private readonly appliedThrough = new Map<string, bigint>();
  /**
   * Per `topic:partition`, the last offset handed to the applier (row sinks): applied, being applied or retried
   * while the target is away. Records fetched again up to it are not queued twice.
   */
  private readonly queuedThrough = new Map<string, bigint>();
  /** The chunk being applied (row sinks); never rejects: a failure sets FAILED and stops the task. */
  private applying: Promise<void> = Promise.resolve();
  /** Offsets of applied chunks, committed off the critical path (see SinkOffsetCommits). */
  private readonly offsetCommits: SinkOffsetCommits;
  /**
   * Group joins so far. A rejoin may have given a partition to another member, which reads from the committed offset:
   * chunks fetched before it are neither applied nor committed afterwards (Connect drops a revoked partition's records
   * from its retry buffer alike); if this member still has the partition it fetches them again.
   */
  private generation = 0;
  /**
   * A heartbeat said the group is rebalancing or no longer knows this member (see keepAliveWith). A chunk held for a
   * target that is away is then not tried again: its partition may already be another member's.
   */
  private membershipInDoubt = false;
  /** The error the last refused commit set DEGRADED with: cleared by the next commit Kafka takes. */
  private commitFailure: EngineError | undefined;

  constructor(init: SinkTaskInit) {
    this.config = init.config;
    this.kafkaSettings = init.kafka;
    this.lifecycle = new ConnectorLifecycle(init.onChange);
    this.sink = init.connector({
      connector: init.config.name,
      targetUnavailable: (error) => this.target.unavailable(error),
      changed: init.onChange,
      signal: this.stopping.signal,
    });
    this.decoder = new SinkRecordDecoder(init.config, { timestampsAsEpochMs: takesEpochMsTimestamps(this.sink) });
    this.target = new SinkTargetWatch(init.config.name, this.sink, this.lifecycle, this.metrics, this.log, this.stopping.signal);
    this.lag = new SinkLag(init.config, this.kafkaSettings, this.lifecycle, this.metrics, this.log, (topic) => this.tableOf(topic));
    this.offsetCommits = new SinkOffsetCommits({
      commit: (offsets) => this.commit(offsets),
      // The rows are in the target; only Kafka did not take the new offset (a broker restart, a rebalance). That is
      // no reason to fail: the offset is sent again with the next chunk or after a pause, and records fetched again
      // meanwhile are skipped (appliedThrough).
      failed: (error) => {
        if (this.stopped || this.lifecycle.state === 'FAILED') return;
        this.metrics.errors++;
        this.commitFailure = error instanceof CommitError ? error.failure : classifyKafkaError(error, this.kafkaSettings.bootstrapServers, 'commit offsets');
        this.lifecycle.set('DEGRADED', this.commitFailure);
      },
      recovered: () => {
        if (!this.stopped && this.commitFailure !== undefined && this.lifecycle.error === this.commitFailure) this.lifecycle.set('RUNNING');
        this.commitFailure = undefined;
      },
      signal: this.stopping.signal,
    });
  }

  get name(): string {
    return this.config.name;
  }

  get caughtUp(): boolean {
    if (this.lifecycle.paused || !this.target.reached) return false;
    return this.lag.known && this.metrics.lag === 0 && this.inFlight === 0 && this.offsetCommits.waiting === 0;
  }

  /**
   * `caughtUp` from lag measured now rather than at the last periodic refresh (up to a second old, which can miss
   * records a source produced just before): what `waitUntilIdle` decides on.
   */
  async confirmCaughtUp(): Promise<boolean> {
    if (!this.caughtUp) return false;
    return (await this.lag.refresh(this.admin, this.stopped)) && this.caughtUp;
  }

  /** The status entry of a topic, created the first time the topic shows up. */
  private tableOf(topic: string): ConnectorTableStatus {
    let table = this.tables.get(topic);
    if (!table) {
      table = { table: this.sink.destinationOf(topic), topic, rows: 0 };
      this.tables.set(topic, table);
    }
    return table;
  }

  status(now: number): ConnectorStatus {
    const p50 = this.metrics.latencyPercentile(50);
    const p99 = this.metrics.latencyPercentile(99);
    const warnings = this.sink.warnings();
    return {
      name: this.config.name,
      role: 'sink',
      ...this.lifecycle.statusFields(),
      caughtUp: this.caughtUp,
      kafka: this.kafkaSettings.bootstrapServers.join(','),
      ...(this.tables.size > 0 ? { tables: [...this.tables.values()].map((table) => ({ ...table })) } : {}),
      ...(this.config.errors.tolerance === 'all' && this.config.errors.deadLetterQueue ? { deadLetterTopic: this.config.errors.deadLetterQueue.topic } : {}),
      ...(warnings.length > 0 ? { warnings: [...warnings] } : {}),
      metrics: {
        rowsRead: 0,
        rowsProduced: 0,
        rowsApplied: this.metrics.rowsApplied,
        errors: this.metrics.errors,
        deadLettered: this.metrics.deadLettered,
        dropped: this.metrics.dropped,
        lag: this.metrics.lag,
        ...this.lag.statusFields(now),
        rowsPerSecond: this.metrics.rate(now, this.metrics.rowsApplied),
        ...(p50 === undefined ? {} : { latencyP50Ms: p50 }),
        ...(p99 === undefined ? {} : { latencyP99Ms: p99 }),
      },
    };
  }

  /** Stops fetching (the consumer stays in its group, offsets stay where they are) until `resume`. */
  async pause(): Promise<void> {
    // The gate is only a flag here: the consumer stops fetching, and the batch under way stops at its next chunk.
    if (!this.lifecycle.pause()) return;
    this.consumer?.pause((await assignedTopics(this.config, this.admin)).map((topic) => ({ topic })));
  }

  async resume(): Promise<void> {
    if (!this.lifecycle.resume()) return;
    this.consumer?.resume((await assignedTopics(this.config, this.admin)).map((topic) => ({ topic })));
  }

  private async disconnectClients(): Promise<void> {
    await this.consumer?.disconnect().catch(() => {});
    await this.dlqProducer?.disconnect().catch(() => {});
    await this.admin?.disconnect().catch(() => {});
    this.consumer = undefined;
    this.dlqProducer = undefined;
    this.admin = undefined;
  }

  private async connect(kafka: KafkaClient, brokers: readonly string[]): Promise<void> {
    this.admin = kafka.admin();
    await this.admin.connect();
    const dlq = this.config.errors.deadLetterQueue;
    if (dlq && this.config.errors.tolerance === 'all') {
      await ensureTopics(this.admin, [{ name: dlq.topic, partitions: 1 }], brokers);
      this.dlqMaxMessageBytes = await deadLetterMaxMessageBytes(this.admin, dlq.topic);
      this.dlqProducer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await this.dlqProducer.connect();
    }
    this.consumer = createSinkConsumer(kafka, this.config);
    await this.consumer.connect();
    await waitForTopics(this.config, this.admin, this.lifecycle, this.stopping.signal);
    if (this.stopped) return;
    const topics = this.config.topics.kind === 'list' ? [...this.config.topics.topics] : [new RegExp(this.config.topics.regex)];
    // Sink consumers start from the earliest offset, as Connect configures them.
    await this.consumer.subscribe({ topics, fromBeginning: true });
  }

  /**
   * Reaches the target, then connects admin, DLQ producer and consumer and subscribes. A connection failure is
   * retried with backoff (DEGRADED, naming the brokers) as the architecture asks of every connection; anything else
   * is FAILED.
   */
  async start(): Promise<void> {
    if (!(await this.target.reach())) {
      this.finished();
      return;
    }
    const kafka = createKafkaClient(this.kafkaSettings);
    const brokers = this.kafkaSettings.bootstrapServers;
    const backoff = new Backoff(SINK_RETRY_BACKOFF);
    for (;;) {
      try {
        await this.connect(kafka, brokers);
        break;
      } catch (error) {
        const failure = isEngineError(error) ? error : classifyKafkaError(error, brokers, `start sink ${this.config.name}`);
        await this.disconnectClients();
        if (this.stopped) return;
        if (!failure.retriable) {
          this.lifecycle.set('FAILED', failure);
          this.finished();
          return;
        }
        this.metrics.errors++;
        this.lifecycle.set('DEGRADED', failure);
        await backoff.wait(this.stopping.signal);
        if (this.stopped) return;
      }
    }
    if (this.stopped || !this.consumer) {
      // stop() ran while connecting: release what the attempt created after stop() had looked.
      await this.disconnectClients();
      return;
    }
    this.lag.start(() => this.admin, () => this.stopped || this.lifecycle.paused);
    // A (re)joined consumer fetches from the committed offsets: a buffering sink drops what it holds past them.
    new ConsumerGroupWatch(this.config, this.kafkaSettings, this.lifecycle, this.metrics, this.log, this.stopping.signal, () => void this.stop(), () => this.rejoined()).watch(this.consumer);
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.onBatch(payload),
    });
    // Scheduled rotation of gathering sinks (rotate.schedule.interval.ms) also happens while no record arrives.
    if (this.sink.flushDue) this.flushTimer = setInterval(() => void this.flushDue(), 1000);
    this.lifecycle.set('RUNNING');
  }

  /**
   * The consumer (re)joined its group. Offsets of the old generation are not committed any more (the partition may be
   * another member's now, and a late commit would move its offset back); if it is still this member's, its records
   * come again from the committed offset, are skipped as applied (appliedThrough) and committed then.
   */
  private rejoined(): void {
    this.generation++;
    this.membershipInDoubt = false;
    // What the consumer fetches now starts at the committed offsets: records queued before are queued no more.
    this.queuedThrough.clear();
    this.offsetCommits.rejoined();
    void this.resetSink();
  }

  /**
   * The group rebalances (or dropped this member) while a chunk waits for the target: as Connect's
   * onPartitionsRevoked removes a revoked partition's records from its retry buffer, the held chunk and those queued
   * behind it are neither applied nor committed; eachBatch returns, kafkajs rejoins, and whoever owns the partition
   * then reads them again from the committed offset. Without this, the held chunk was written once the target came
   * back, over the newer rows the partition's new owner had applied meanwhile (sinkPipelineRebalance.int).
   */
  private leaveGeneration(): void {
    this.generation++;
    this.membershipInDoubt = false;
    this.queuedThrough.clear();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.stopping.abort();
    this.lag.stop();
    if (this.flushTimer) clearInterval(this.flushTimer);
    // The chunk under way ends (a statement already sent finishes; retry pauses end at the abort) and the offsets of
    // what the target holds are committed before the consumer leaves its group, as when kafkajs waited for eachBatch.
    await this.applying;
    await settleWithin(this.offsetCommits.settle(), STOP_COMMIT_WAIT_MS);
    this.offsetCommits.stop();
    await this.consumer?.disconnect().catch(() => {});
    await this.dlqProducer?.disconnect().catch(() => {});
    await this.admin?.disconnect().catch(() => {});
    await this.sink.close().catch(() => {});
    if (this.lifecycle.state !== 'FAILED') this.lifecycle.set('STOPPED');
    this.finished();
  }

  /**
   * A heartbeat for long work inside one chunk (retry pauses, isolating refused records), at most every 500 ms.
   * A chunk can take longer than the 10 s session timeout; without heartbeats the coordinator dropped the member,
   * the offset commit failed ("The coordinator is not aware of this member") and the chunk was applied again.
   * A heartbeat error (a rebalance under way) is not thrown here: the chunk is finished and committed first (the
   * coordinator accepts commits of the current generation while it prepares a rebalance), and the heartbeat after the
   * chunk hands the rebalance to kafkajs.
   */
  private keepAliveWith(heartbeat: () => Promise<void>): () => Promise<void> {
    let last = Date.now();
    return async () => {
      if (Date.now() - last < 500) return;
      last = Date.now();
      await heartbeat().catch((error: unknown) => {
        if (isGroupMembershipError(error)) this.membershipInDoubt = true;
        this.log.debug('heartbeat during a long write failed', { connector: this.config.name, error: String(error) });
      });
    };
  }

  /**
   * Runs `work` with a heartbeat every second beside it: one statement can keep the sink waiting longer than the
   * session timeout (a table lock held by someone else, a slow target), and between such awaits nothing else would
   * heartbeat.
   */
  private async whileKeepingAlive<T>(keepAlive: () => Promise<void>, work: () => Promise<T>): Promise<T> {
    const timer = setInterval(() => void keepAlive(), 1000);
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  }

  /** Waits `ms` (abortable by stop) while keeping the consumer's group membership alive. */
  private async pauseKeepingAlive(ms: number, keepAlive: () => Promise<void>): Promise<void> {
    const until = Date.now() + ms;
    // A rebalance seen by a heartbeat ends the pause early: the caller then leaves the chunk to the partition's owner.
    for (let left = ms; left > 0 && !this.stopped && !this.membershipInDoubt; left = until - Date.now()) {
      await keepAlive();
      if (!(await sleep(Math.min(left, 1000), this.stopping.signal))) return;
    }
  }

  private onBatch(context: BatchContext): Promise<void> {
    // A gathering sink (object stores) decides itself what is durable and may drop what it holds (reset, then a seek
    // back): its chunks stay strictly one after another.
    return this.sink.flushDue ? this.onBatchGathering(context) : this.onBatchPipelined(context);
  }

  /** May a chunk of this batch still be handed to the target? */
  private mayApply(isRunning: () => boolean, isStale: () => boolean): boolean {
    return isRunning() && !isStale() && !this.stopped && !this.lifecycle.paused && this.lifecycle.state !== 'FAILED';
  }

  /**
   * Row sinks (SQL): chunk N+1 is decoded while chunk N's transaction runs in the target, and N's offset commit
   * travels while N+1 is applied. Before, decode, transaction and commit round trip added up on one critical path.
   * Connect's guarantees stay: chunks are applied one at a time in offset order, an offset is committed only after the
   * transaction holding its records committed, never past a failed record.
   *
   * The batch's last chunk and its commit are awaited before eachBatch returns. Returning earlier (so kafkajs fetched
   * while it was applied) let kafkajs's own heartbeat right after eachBatch meet a rebalance and rejoin with the chunk
   * still in the target: a member that joined meanwhile got the partition from the last committed offset and applied
   * the chunk a second time. Connect finishes and commits before it gives a partition up; so does this.
   */
  private async onBatchPipelined(context: BatchContext): Promise<void> {
    try {
      await this.pipelineBatch(context);
    } finally {
      await this.applying;
      await this.offsetCommits.settle();
    }
  }

  /**
   * Hands the batch's chunks to the applier one by one. A chunk handed over (`this.applying`) is resolved at once: from
   * then on it is applied, retried while the target is away, or the task fails and stops (or a rejoin leaves it to
   * the partition's owner, see `generation`), so records fetched again up to `queuedThrough` are not queued twice.
   */
  private async pipelineBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: BatchContext): Promise<void> {
    const size = Math.max(1, this.config.batchSize);
    const keepAlive = this.keepAliveWith(heartbeat);
    const partitionKey = `${batch.topic}:${batch.partition}`;
    const generation = this.generation;
    await this.handBackMembershipLoss();
    for (let start = 0; start < batch.messages.length; start += size) {
      // A fetch that was in flight when the sink paused: leave its records unresolved, so they are fetched again
      // from the last resolved offset after `resume` (the partition fetches nothing while paused).
      if (!this.mayApply(isRunning, isStale)) return;
      const fetched = batch.messages.slice(start, start + size);
      const last = fetched[fetched.length - 1];
      if (!last) return;
      const queued = this.queuedThrough.get(partitionKey) ?? -1n;
      const applied = this.appliedThrough.get(partitionKey) ?? -1n;
      const pending = notAppliedYet(fetched, queued > applied ? queued : applied);
      this.inFlight++;
      let chunk: DecodedChunk;
      try {
        chunk = await this.decodeChunk(batch.topic, batch.partition, pending, last.offset, generation);
      } catch (error) {
        // errors.tolerance=none and a record that does not decode: the chunks before it are applied and committed
        // first; nothing of this one is.
        this.inFlight--;
        await this.applying;
        await this.offsetCommits.settle();
        this.fail(error, batch.topic);
        return;
      }
      // The previous chunk's transaction is over: applied (its offset commit under way), or the task failed.
      await this.applying;
      // A rejoin meanwhile: this fetch is from before it (see `generation`).
      if (!this.mayApply(isRunning, isStale) || generation !== this.generation) {
        this.inFlight--;
        return;
      }
      // A chunk that was in the target across a rejoin may have applied some of these records (fetched again after it).
      const appliedNow = this.appliedThrough.get(partitionKey) ?? -1n;
      const firstPending = chunk.messages[0];
      if (firstPending && BigInt(firstPending.offset) <= appliedNow) withoutApplied(chunk, appliedNow);
      this.queuedThrough.set(partitionKey, chunk.lastOffset);
      this.applying = this.applyInOrder(chunk, keepAlive);
      resolveOffset(last.offset);
      try {
        await heartbeat();
      } catch (error) {
        // A rebalance: the chunk under way finishes and its offset is committed in this generation before kafkajs
        // rejoins (the coordinator takes commits of the current generation while it prepares the rebalance).
        await this.applying;
        await this.offsetCommits.settle();
        throw error;
      }
    }
  }

  /**
   * A commit Kafka refused because the group dropped this member: kafkajs's own error is thrown (after the chunk
   * under way), so kafkajs rejoins instead of going on as a member the coordinator no longer knows.
   */
  private async handBackMembershipLoss(): Promise<void> {
    const failure = this.offsetCommits.failure;
    if (!(failure instanceof CommitError) || !isGroupMembershipError(failure.cause)) return;
    await this.applying;
    this.offsetCommits.forgetFailure();
    throw failure.cause;
  }

  /** Applies one decoded chunk (after the one before it), retrying while the target is away, then queues its offset commit. */
  private async applyInOrder(chunk: DecodedChunk, keepAlive: () => Promise<void>): Promise<void> {
    const targetBackoff = new Backoff(SINK_RETRY_BACKOFF);
    try {
      for (;;) {
        // Fetched before a rejoin and not applied yet: left to the partition's owner, which reads from the committed offset.
        if (chunk.generation !== this.generation) return;
        try {
          if (chunk.messages.length > 0) await this.whileKeepingAlive(keepAlive, () => this.applyDecoded(chunk, keepAlive));
          break;
        } catch (error) {
          // Stopping aborted the write: nothing past the last committed offset counts as done, and stopping is no failure.
          if (this.stopped) return;
          if (!this.sink.isUnavailable(error)) {
            this.fail(error, chunk.topic);
            return;
          }
          // The target is unreachable or dropped the session, so no record is at fault: the chunk (not committed) is
          // tried again after a pause, as long as it takes, DEGRADED with the cause; the heartbeats keep the group.
          this.target.unavailable(error);
          await this.pauseKeepingAlive(targetBackoff.next(), keepAlive);
          // Paused meanwhile: the target is left alone until `resume` (the chunk is held, not dropped).
          while (this.lifecycle.paused && !this.stopped && !this.membershipInDoubt) await this.pauseKeepingAlive(1000, keepAlive);
          if (this.stopped) return;
          if (this.membershipInDoubt) {
            this.leaveGeneration();
            // kafkajs took the chunk as resolved when it was queued: if this member keeps the partition (no rejoin
            // follows after all), the consumer must read it again rather than go on after it.
            const next = (this.appliedThrough.get(chunk.partitionKey) ?? -1n) + 1n;
            this.consumer?.seek({ topic: chunk.topic, partition: chunk.partition, offset: next.toString() });
            return;
          }
        }
      }
      const applied = this.appliedThrough.get(chunk.partitionKey) ?? -1n;
      if (chunk.lastOffset > applied) this.appliedThrough.set(chunk.partitionKey, chunk.lastOffset);
      // Applied across a rejoin: not committed in the new generation (see rejoined).
      if (chunk.generation !== this.generation) return;
      // Committed only now that the target transaction holding these rows has committed.
      this.offsetCommits.add(chunk.topic, chunk.partition, chunk.lastOffset + 1n);
      this.target.available();
      if (!this.stopped && this.offsetCommits.failure === undefined && this.lifecycle.state !== 'RUNNING' && this.lifecycle.state !== 'FAILED') this.lifecycle.set('RUNNING');
    } finally {
      this.inFlight--;
    }
  }

  /** FAILED with the cause: stops consuming without committing past the failing record; the next start resumes at it. */
  private fail(error: unknown, topic: string): void {
    if (this.stopped || this.lifecycle.state === 'FAILED') return;
    const failure = toSinkError(error);
    this.metrics.errors++;
    this.log.error('sink connector failed', { connector: this.config.name, error: failure.message });
    this.lifecycle.set('FAILED', failure);
    this.consumer?.pause([{ topic }]);
    void this.stop();
  }

  /** Gathering sinks: one chunk at a time, each committed (as far as the sink says it is durable) before the next. */
  private async onBatchGathering({ batch, resolveOffset, heartbeat, isRunning, isStale }: BatchContext): Promise<void> {
    const size = Math.max(1, this.config.batchSize);
    const keepAlive = this.keepAliveWith(heartbeat);
    const targetBackoff = new Backoff(SINK_RETRY_BACKOFF);
    for (let start = 0; start < batch.messages.length; start += size) {
      // A fetch that was in flight when the sink paused: leave its records unresolved, so they are fetched again
      // from the last resolved offset after `resume` (the partition fetches nothing while paused).
      if (!isRunning() || isStale() || this.stopped || this.lifecycle.paused || this.lifecycle.state === 'FAILED') return;
      const partitionKey = `${batch.topic}:${batch.partition}`;
      const fetched = batch.messages.slice(start, start + size);
      const applied = this.appliedThrough.get(partitionKey) ?? -1n;
      const chunk = notAppliedYet(fetched, applied);
      this.inFlight++;
      try {
        const durable = chunk.length > 0 ? await this.whileKeepingAlive(keepAlive, () => this.applyChunk(batch.topic, batch.partition, chunk, keepAlive)) : undefined;
        const last = fetched[fetched.length - 1];
        if (last) {
          if (durable === undefined) {
            this.appliedThrough.set(partitionKey, BigInt(last.offset));
            // Committed only now that the target transaction holding these rows has committed.
            await this.commit([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() }]);
          } else {
            // A sink that gathers records across puts (object stores) says how far it is durable; nothing past that
            // is committed, and what it holds is not fetched again while this member keeps the partition.
            await this.commitDurable(durable);
          }
          resolveOffset(last.offset);
        }
        targetBackoff.reset();
        this.target.available();
        if (this.lifecycle.state !== 'RUNNING') this.lifecycle.set('RUNNING');
      } catch (error) {
        if (error instanceof CommitError) {
          // The rows are in the target; only Kafka did not take the new offset (a broker restart, a rebalance). That
          // is no reason to fail: the batch goes back to kafkajs, which fetches again once the broker answers, and
          // the records already applied are skipped (appliedThrough). kafkajs's own error is thrown when it says
          // the group dropped this member, so kafkajs rejoins instead of retrying the batch as a member the
          // coordinator no longer knows (which had applied the same records again and again).
          this.metrics.errors++;
          this.lifecycle.set('DEGRADED', error.failure);
          throw isGroupMembershipError(error.cause) ? error.cause : error;
        }
        // Stopping aborted the write: nothing past the last committed offset counts as done, and stopping is no failure.
        if (this.stopped) return;
        if (this.sink.isUnavailable(error)) {
          // The target is unreachable or dropped the session, so no record is at fault: the chunk (not committed) is
          // tried again after a pause, as long as it takes, DEGRADED with the cause; the heartbeats keep the group.
          this.target.unavailable(error);
          await this.pauseKeepingAlive(targetBackoff.next(), keepAlive);
          // A rebalance meanwhile: the chunk is left unresolved for the partition's owner (see leaveGeneration).
          if (this.membershipInDoubt) {
            this.leaveGeneration();
            return;
          }
          if (this.sink.reset) {
            // A buffering sink dropped what it held: read again from the last durable offset.
            await this.resetSink([{ topic: batch.topic, partition: batch.partition }]);
            this.consumer?.seek({ topic: batch.topic, partition: batch.partition, offset: ((this.appliedThrough.get(partitionKey) ?? -1n) + 1n).toString() });
            return;
          }
          start -= size;
          continue;
        }
        const failure = toSinkError(error);
        this.metrics.errors++;
        this.log.error('sink connector failed', { connector: this.config.name, error: failure.message });
        this.lifecycle.set('FAILED', failure);
        // Stop consuming without committing past the failing record; the next start resumes at it.
        this.consumer?.pause([{ topic: batch.topic }]);
        void this.stop();
        return;
      } finally {
        this.inFlight--;
      }
      await heartbeat();
    }
  }

  /** Commits the next offsets to read (the record after the last applied one). */
  private async commit(offsets: readonly DurableOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    try {
      await this.consumer?.commitOffsets([...offsets]);
    } catch (error) {
      const where = offsets.map((offset) => `${offset.topic}[${offset.partition}]@${offset.offset}`).join(', ');
      throw new CommitError(classifyKafkaError(error, this.kafkaSettings.bootstrapServers, `commit the offsets ${where}`), error);
    }
  }

  /** A gathering sink's durable offsets: remembered (records before them are skipped if fetched again) and committed. */
  private async commitDurable(offsets: readonly DurableOffset[]): Promise<void> {
    for (const offset of offsets) {
      const key = `${offset.topic}:${offset.partition}`;
      const through = BigInt(offset.offset) - 1n;
      if (through > (this.appliedThrough.get(key) ?? -1n)) this.appliedThrough.set(key, through);
    }
    await this.commit(offsets);
  }

  /** Runs plug-in calls one at a time: the flush timer must not interleave with a `put` or a `reset`. */
  private inSinkTurn<T>(work: () => Promise<T>): Promise<T> {
    const turn = this.sinkTurn.then(work);
    this.sinkTurn = turn.catch(() => undefined);
    return turn;
  }

  /** Gathering sinks (object stores): writes what is due by the clock (also while no record arrives) and commits it. */
  private async flushDue(): Promise<void> {
    const flushDue = this.sink.flushDue?.bind(this.sink);
    if (!flushDue || this.stopped || this.lifecycle.paused || this.lifecycle.state === 'FAILED') return;
    try {
      await this.commitDurable(await this.inSinkTurn(flushDue));
    } catch (error) {
      if (this.stopped) return;
      // The records stay uncommitted and the next tick tries again.
      this.metrics.errors++;
      if (this.sink.isUnavailable(error)) this.target.unavailable(error);
      else this.lifecycle.set('DEGRADED', error instanceof CommitError ? error.failure : toSinkError(error));
    }
  }

  /** A gathering sink drops what it holds (for the partitions given, or all): the runner reads again from the durable offsets. */
  private resetSink(partitions?: readonly { topic: string; partition: number }[]): Promise<void> {
    const reset = this.sink.reset?.bind(this.sink);
    if (!reset) return Promise.resolve();
    return this.inSinkTurn(() => Promise.resolve(reset(partitions)));
  }

  /** `durable` from a sink that gathers records across puts (see SinkPutResult); undefined: all of it is durable. */
  private async applyChunk(topic: string, partition: number, messages: FetchedMessage[], keepAlive: () => Promise<void>): Promise<readonly DurableOffset[] | undefined> {
    const last = messages[messages.length - 1];
    return this.applyDecoded(await this.decodeChunk(topic, partition, messages, last?.offset ?? '-1', this.generation), keepAlive);
  }

  /**
   * Converter and transforms for a chunk's records. With errors.tolerance=all a record that does not decode becomes a
   * dead letter (sent once the chunk is applied); otherwise the error is thrown.
   */
  private async decodeChunk(topic: string, partition: number, messages: FetchedMessage[], lastOffset: string, generation: number): Promise<DecodedChunk> {
    const tolerateAll = this.config.errors.tolerance === 'all';
    const chunk: DecodedChunk = { topic, partition, partitionKey: `${topic}:${partition}`, messages, lastOffset: BigInt(lastOffset), records: [], sources: [], letters: [], generation };
    let sinceYield = 0;
    for (const message of messages) {
      // While the chunk before is in the target, its transaction needs this thread between round trips (BEGIN,
      // statement, COMMIT): decoding 5,000 records in one go held its replies back for tens of milliseconds.
      if (++sinceYield >= DECODE_SLICE) {
        sinceYield = 0;
        if (this.inFlight > 1) await yieldToEventLoop();
      }
      try {
        const decoded = this.decoder.decode(topic, partition, message);
        // Most records decode without a promise (their schemas are loaded); awaiting those would cost one each.
        const record = decoded instanceof Promise ? await decoded : decoded;
        if (record === null) continue; // dropped by a transform (Filter, ExtractNewRecordState): nothing to write
        chunk.records.push(record);
        chunk.sources.push(message);
      } catch (error) {
        if (!tolerateAll) throw error;
        chunk.letters.push({ topic, partition, message, stage: error instanceof ConverterError ? error.stage : 'VALUE_CONVERTER', error: toSinkError(error) });
      }
    }
    return chunk;
  }

  /** Hands a decoded chunk to the plug-in's `put`, then counts it, logs it and dead-letters what was refused. */
  private async applyDecoded(chunk: DecodedChunk, keepAlive: () => Promise<void>): Promise<readonly DurableOffset[] | undefined> {
    const { topic, partition, messages, records, sources } = chunk;
    const tolerateAll = this.config.errors.tolerance === 'all';
    // A copy: a chunk retried after the target came back collects the put's refusals afresh.
    const letters = [...chunk.letters];
    // Records the target refuses on their own come back isolated (the rest is applied); errors every record would hit
    // and exhausted retries throw, whatever the tolerance.
    // A gathering sink is asked even when transforms dropped every record: only it knows what is durable.
    const gathering = this.sink.flushDue !== undefined;
    const result: SinkPutResult = records.length === 0 && !gathering ? { applied: 0, refused: [] } : await this.inSinkTurn(() => this.sink.put(records, { tolerateRecordErrors: tolerateAll, keepAlive, signal: this.stopping.signal }));
    const originals = result.refused.length > 0 ? new Map(records.map((record, index) => [record, sources[index]])) : undefined;
    for (const failure of result.refused) {
      const message = originals?.get(failure.record);
      if (message) letters.push({ topic, partition, message, stage: 'TASK_PUT', error: failure.error });
    }
    const appliedAt = Date.now();
    this.metrics.rowsApplied += result.applied;
    const table = this.tableOf(topic);
    const first = messages[0];
    const last = messages[messages.length - 1];
    if (first && last) {
      const deadLettered = letters.map((letter) => letter.message.offset);
      this.appliedLog.add({ topic, partition, firstOffset: first.offset, lastOffset: last.offset, committedAtMs: appliedAt, targetTable: table.table, records: messages.length, deadLettered });
    }
    table.rows += result.applied;
    this.sampleLatency(records, result.refused, appliedAt);
    if (letters.length > 0) await this.deadLetter(letters);
    return gathering ? (result.durable ?? []) : result.durable;
  }

  /** End-to-end latency (source change → target commit) from the records that carry the source's sampled time. */
  private sampleLatency(records: readonly SinkRecord[], refused: readonly { record: SinkRecord }[], appliedAt: number): void {
    const refusedSet = refused.length > 0 ? new Set(refused.map((failure) => failure.record)) : undefined;
    for (const record of records) {
      const sourceTime = record.headers[SOURCE_TIME_HEADER];
      if (sourceTime === undefined || refusedSet?.has(record)) continue;
      this.metrics.recordLatency(appliedAt - Number(Buffer.from(sourceTime).toString()));
    }
  }

  private async deadLetter(letters: DeadLetter[]): Promise<void> {
    // In offset order, as Connect reports them (converter failures were collected before the write's).
    letters.sort((a, b) => (BigInt(a.message.offset) < BigInt(b.message.offset) ? -1 : 1));
    const dlq = this.config.errors.deadLetterQueue;
    if (dlq && this.dlqProducer) {
      await sendToDeadLetterQueue(this.dlqProducer, dlq, this.config.name, letters, {
        maxMessageBytes: this.dlqMaxMessageBytes,
        // Counted per acknowledged request: the counter never claims letters the topic does not hold.
        onAcknowledged: (count) => {
          this.metrics.deadLettered += count;
        },
      });
    } else {
      // errors.tolerance=all without a dead letter topic: the records are skipped and kept nowhere. Say so.
      this.metrics.dropped += letters.length;
      this.log.warn('dropped records (errors.tolerance=all without a dead letter topic)', { connector: this.config.name, count: letters.length, firstOffset: letters[0]?.message.offset, cause: letters[0]?.error.message });
    }
  }
}
