/**
 * Runs one replicator: finds the source topics to copy, prepares their destination topics (partitions,
 * configs, schemas), runs `tasks.max` tasks in the source consumer group, and on timers picks up new topics
 * (`topic.poll.interval.ms`), syncs topic configs, translates consumer group offsets and measures lag. Failures
 * are retried with backoff (DEGRADED, with the root cause); a failure no retry can fix is FAILED.
 */
import { dirname, join, resolve } from 'node:path';
import type { ConnectorState } from '../../shared/api/pipelines';
import type { ReplicatorStatus } from '../../shared/api/replicators';
import { type EngineError, isEngineError } from '../../shared/errors';
import { Emitter } from '../../shared/event';
import type { IDisposable } from '../../shared/lifecycle';
import { Backoff, type BackoffPolicy, sleep } from '../base/backoff';
import { createLogger } from '../base/logger';
import { renameTopic, type ResolvedReplicator } from '../config';
import { classifyKafkaError, createKafkaClient, type KafkaAdmin, type KafkaClient, type KafkaClientSettings, type KafkaProducer } from '../kafka';
import { kafkaSettings } from '../pipeline/sourceOptions';
import { defaultDataDir, readJsonFile, safeFileName, writeJsonFileDurably } from '../store';
import { type AckedChunk, decodeCheckpointMetadata, recordsIn } from './destinationWriter';
import { replicatorError } from './errors';
import { GroupTranslator } from './groupTranslator';
import { ReplicatorMeters } from './metrics';
import { OffsetSyncs } from './offsetSyncs';
import { ReplicatorTask } from './replicatorTask';
import { SchemaMigrator } from './schemaMigration';
import { TopicSelector } from './topicSelection';
import { describeSourceTopics, ensureDestinationTopics, type SourceTopic, syncTopicConfigs, type TopicPair } from './topicSync';

/**
 * Spreads the partitions of the copied topics over `tasks` tasks round-robin, in topic-name order (as Connect's
 * ConnectorUtils.groupPartitions does for Replicator), so the tasks share the work evenly.
 */
export function assignPartitionsToTasks(topics: readonly SourceTopic[], tasks: number): Map<string, number> {
  const assignment = new Map<string, number>();
  let next = 0;
  for (const topic of [...topics].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))) {
    for (let partition = 0; partition < topic.partitions; partition++) assignment.set(`${topic.name}:${partition}`, next++ % Math.max(1, tasks));
  }
  return assignment;
}

export interface ReplicatorRunnerOptions {
  /** Where offset sync points are kept; default the user's Ferry data directory. */
  dataDir?: string;
  /** The pipeline file's name (relative TLS paths resolve against its folder). */
  fileName?: string;
  pipelineName?: string;
  /** How often acknowledged source offsets are committed to the source group (default 1000 ms). */
  commitIntervalMs?: number;
  /**
   * Byte-for-byte copies forward the fetched record batches whole (default true); false takes the per-record path
   * for them too (tests compare the two).
   */
  forwardBatches?: boolean;
}

const LAG_REFRESH_MS = 1000;
/** No answer from the source cluster for this long makes a RUNNING replicator DEGRADED (as for pipelines). */
const KAFKA_SILENT_MS = 10_000;
/** Pause between restart attempts after a retriable failure: 0.5 s growing to 30 s, jittered. */
const RETRY_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 30_000, jitter: 'full' };
/** How often a replicator waiting for a whitelisted topic to appear looks again. */
const TOPIC_MISSING_RETRY_MS = 1000;

function toEngineError(error: unknown, brokers: readonly string[], action: string): EngineError {
  if (isEngineError(error)) return error;
  return classifyKafkaError(error, brokers, action);
}

interface PartitionPosition {
  topic: string;
  partition: number;
  end: number;
  replicated: number;
}

export class ReplicatorRunner implements IDisposable {
  readonly meters = new ReplicatorMeters();
  private readonly changes = new Emitter<ReplicatorStatus>();
  readonly onDidChangeStatus = this.changes.event;
  private state: ConnectorState = 'STARTING';
  /** DEGRADED because a broker was away (not because a task failed): cleared once Kafka answers again. */
  private silenceDegraded = false;
  private lagRefreshedAt = Date.now();
  private lastRefreshError: string | undefined;
  private refreshing = false;
  private error: EngineError | undefined;
  private sourceKafka: KafkaClient | undefined;
  private destinationKafka: KafkaClient | undefined;
  private sourceAdmin: KafkaAdmin | undefined;
  private destinationAdmin: KafkaAdmin | undefined;
  /** Transactional producer that commits translated group offsets on the destination (no group membership needed). */
  private offsetCommitter: KafkaProducer | undefined;
  private sourceClusterId = '';
  private destinationClusterId = '';
  private destinationBrokers = 1;
  private readonly selector: TopicSelector;
  private readonly pairs = new Map<string, TopicPair>();
  private tasks: ReplicatorTask[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly schemas: SchemaMigrator | undefined;
  private readonly syncs: OffsetSyncs;
  private syncsDirty = false;
  private readonly syncsFile: string;
  private readonly translator: GroupTranslator;
  private readonly checkpointGroup: string | undefined;
  /** Next source offset acknowledged by the destination, per `topic:partition`. */
  private readonly replicated = new Map<string, number>();
  private positions: PartitionPosition[] = [];
  private lagKnown = false;
  private stopped = false;
  private restarting: Promise<void> | undefined;
  private readonly retryBackoff = new Backoff(RETRY_BACKOFF);
  /** Ends every retry pause when the replicator stops. */
  private readonly stopping = new AbortController();
  private copied = 0;
  private bytes = 0;
  private started: Promise<void> | undefined;
  private changeScheduled = false;
  private readonly log = createLogger('replicator');
  private readonly baseDir: string;

  constructor(
    readonly config: ResolvedReplicator,
    private readonly options: ReplicatorRunnerOptions = {},
  ) {
    this.selector = new TopicSelector(config.topics);
    this.schemas = config.schemaMigration ? new SchemaMigrator(config.schemaMigration) : undefined;
    this.checkpointGroup = config.delivery === 'exactly-once' ? `ferry-replicator-${config.groupId}` : undefined;
    this.translator = new GroupTranslator(config, new Set([config.groupId, ...(this.checkpointGroup ? [this.checkpointGroup] : [])]));
    const dir = join(options.dataDir ?? defaultDataDir(), 'replicators', safeFileName(config.name));
    this.syncsFile = join(dir, 'offset-syncs.json');
    this.syncs = OffsetSyncs.fromJSON(readJsonFile(this.syncsFile));
    this.baseDir = dirname(resolve(options.fileName ?? 'replicator.json'));
  }

  /** Starts in the background; resolves once copying began, the replicator failed, or `timeoutMs` passed (it keeps retrying then). */
  async start(timeoutMs = 30_000): Promise<void> {
    if (!this.started) {
      this.started = this.startWithRetry();
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.started, new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
  }

  private async startWithRetry(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.setUp();
        this.retryBackoff.reset();
        this.setState('RUNNING');
        return;
      } catch (error) {
        const failure = toEngineError(error, this.config.source.bootstrapServers, 'start the replicator');
        await this.closeClients();
        if (!failure.retriable) {
          this.setState('FAILED', failure);
          return;
        }
        this.setState('DEGRADED', failure);
        // A whitelisted topic that does not exist yet is usually about to be created (by a source in the same
        // pipeline file): look again every second instead of backing off to half a minute.
        if (failure.code === 'REPLICATOR_TOPIC_MISSING') await sleep(TOPIC_MISSING_RETRY_MS, this.stopping.signal);
        else await this.backoff();
      }
    }
  }

  private async backoff(): Promise<void> {
    await this.retryBackoff.wait(this.stopping.signal);
  }

  private async setUp(): Promise<void> {
    const { config } = this;
    const clientId = (kafka: ResolvedReplicator['source']): string => `${kafka.clientId}-replicator-${config.name}`;
    this.sourceKafka = createKafkaClient({ ...kafkaSettings(config.source, this.baseDir), clientId: clientId(config.source) });
    this.destinationKafka = createKafkaClient(this.destinationSettings());
    this.sourceAdmin = this.sourceKafka.admin();
    this.destinationAdmin = this.destinationKafka.admin();
    try {
      await this.sourceAdmin.connect();
      this.sourceClusterId = (await this.sourceAdmin.describeCluster()).clusterId;
    } catch (error) {
      throw classifyKafkaError(error, config.source.bootstrapServers, 'reach the source cluster');
    }
    try {
      await this.destinationAdmin.connect();
      const cluster = await this.destinationAdmin.describeCluster();
      this.destinationClusterId = cluster.clusterId;
      this.destinationBrokers = Math.max(1, cluster.brokers.length);
    } catch (error) {
      throw classifyKafkaError(error, config.destination.bootstrapServers, 'reach the destination cluster');
    }
    await this.discover(true);
    await this.startTasks();
    if (this.stopped) return;
    this.timers.push(setInterval(() => void this.poll(), config.topicPollIntervalMs));
    if (config.configSync) this.timers.push(setInterval(() => void this.syncConfigs(), config.configSyncIntervalMs));
    if (config.offsetTranslation.enabled) this.timers.push(setInterval(() => void this.translateGroups(), config.offsetTranslation.intervalMs));
    this.timers.push(
      setInterval(() => {
        // A paused broker answers nothing and refuses nothing: the refresh just waits, so silence is judged here.
        this.checkSilence();
        if (!this.refreshing) {
          this.refreshing = true;
          void this.refreshLag().finally(() => (this.refreshing = false));
        }
      }, LAG_REFRESH_MS),
    );
    this.timers.push(setInterval(() => this.saveSyncs(), 5000));
  }

  private destinationSettings(): KafkaClientSettings {
    return { ...kafkaSettings(this.config.destination, this.baseDir), clientId: `${this.config.destination.clientId}-replicator-${this.config.name}` };
  }

  /** Lists the source topics and prepares destination topics for new ones; returns whether the copied set changed. */
  private async discover(initial: boolean): Promise<boolean> {
    const admin = this.sourceAdmin;
    const destination = this.destinationAdmin;
    if (!admin || !destination) return false;
    let existing: string[];
    try {
      existing = await admin.listTopics();
    } catch (error) {
      throw classifyKafkaError(error, this.config.source.bootstrapServers, 'list the source topics');
    }
    const missing = this.selector.missing(existing);
    if (missing.length > 0 && initial) {
      throw replicatorError('REPLICATOR_TOPIC_MISSING', `topic.whitelist names ${missing.map((t) => `"${t}"`).join(', ')}, which ${missing.length > 1 ? 'do' : 'does'} not exist on the source ${this.config.source.bootstrapServers.join(',')}. Create ${missing.length > 1 ? 'them' : 'it'} there or fix the name; Ferry retries meanwhile.`, { retriable: true });
    }
    const selected = this.selector.select(existing);
    const described = await describeSourceTopics(admin, selected, this.config.source.bootstrapServers);
    const changed = described.filter((topic) => this.pairs.get(topic.name)?.source.partitions !== topic.partitions);
    if (changed.length === 0) return false;
    const pairs = changed.map((source: SourceTopic): TopicPair => ({ source, destination: renameTopic(this.config.renameFormat, source.name) }));
    const created = await ensureDestinationTopics(destination, pairs, this.config, this.destinationBrokers);
    if (this.schemas) for (const pair of pairs) if (!this.pairs.has(pair.source.name)) await this.schemas.copySubjects(pair.source.name, pair.destination);
    for (const pair of pairs) this.pairs.set(pair.source.name, pair);
    if (created.length > 0) this.log.info('created destination topics', { topics: created });
    return true;
  }

  /**
   * Exactly-once: where the last committed destination transaction left each source partition. The source group
   * may be behind it (its commit follows the transaction); records below it were already written, so the task
   * drops them instead of moving the group, which would need the group empty (a crashed member lingers in it for
   * a session timeout).
   */
  private async exactlyOnceCheckpoint(): Promise<{ seeds: { topic: string; partition: number; offset: number }[]; floor: Map<string, number> }> {
    const group = this.checkpointGroup;
    const destination = this.destinationAdmin;
    const floor = new Map<string, number>();
    const seeds: { topic: string; partition: number; offset: number }[] = [];
    if (!group || !destination || this.pairs.size === 0) return { seeds, floor };
    const destinationTopics = [...this.pairs.values()].map((pair) => pair.destination);
    let committed;
    try {
      committed = await destination.fetchOffsets({ groupId: group, topics: destinationTopics });
    } catch (error) {
      throw replicatorError('REPLICATOR_CHECKPOINT', `Cannot read the exactly-once checkpoint (group "${group}") on the destination: ${classifyKafkaError(error, this.config.destination.bootstrapServers, 'fetch offsets').message}`, { retriable: true, cause: error });
    }
    for (const { topic, partitions } of committed) {
      for (const entry of partitions) {
        const metadata = decodeCheckpointMetadata((entry as { metadata?: string | null }).metadata);
        if (!metadata || Number(entry.offset) < 0) continue;
        seeds.push({ topic, partition: entry.partition, offset: Number(entry.offset) });
        const key = `${metadata.topic}:${metadata.partition}`;
        floor.set(key, metadata.offset);
        this.replicated.set(key, metadata.offset);
      }
    }
    return { seeds, floor };
  }

  private async startTasks(): Promise<void> {
    if (this.pairs.size === 0 || this.stopped) return;
    const sourceKafka = this.sourceKafka;
    if (!sourceKafka) return;
    const { seeds, floor } = await this.exactlyOnceCheckpoint();
    const topics = [...this.pairs.keys()];
    const taskOf = assignPartitionsToTasks([...this.pairs.values()].map((pair) => pair.source), this.config.tasksMax);
    // One group member runs all tasks (see ReplicatorTask): tasks of one replicator never rebalance among themselves.
    const tasks = [
      new ReplicatorTask({
        config: this.config,
        sourceKafka,
        destinationSettings: this.destinationSettings(),
        sourceClusterId: this.sourceClusterId,
        destinationClusterId: this.destinationClusterId,
        destinationOf: (topic) => this.pairs.get(topic)?.destination ?? renameTopic(this.config.renameFormat, topic),
        commitIntervalMs: this.options.commitIntervalMs ?? 1000,
        forwardBatches: this.options.forwardBatches ?? true,
        taskOf: (topic, partition) => taskOf.get(`${topic}:${partition}`) ?? partition % this.config.tasksMax,
        schemas: this.schemas,
        checkpointGroup: this.checkpointGroup,
        checkpointOffsets: seeds,
        alreadyWritten: floor,
        onAcked: (acked) => this.acked(acked),
        onSkipped: (count) => (this.meters.recordsSkipped += count),
        onFailed: (task, error) => this.taskFailed(task, error),
        onRetrying: (_task, error) => this.degraded(classifyKafkaError(error, this.config.source.bootstrapServers, 'consume from the source cluster')),
        onJoined: () => this.recovered(),
      }),
    ];
    this.tasks = tasks;
    try {
      await Promise.all(tasks.map((task) => task.start(topics)));
    } catch (error) {
      await Promise.all(tasks.map((task) => task.stop(false)));
      this.tasks = [];
      throw error;
    }
    // stop() ran while these were starting: it saw no tasks to stop.
    if (this.stopped) {
      await Promise.all(tasks.map((task) => task.stop(false)));
      this.tasks = [];
    }
  }

  private acked(acked: AckedChunk[]): void {
    for (const { chunk, destinationOffset, ackedAt } of acked) {
      this.replicated.set(`${chunk.sourceTopic}:${chunk.sourcePartition}`, chunk.sourceEnd);
      const records = recordsIn(chunk);
      if (records === 0) continue;
      this.copied += records;
      this.bytes += chunk.bytes;
      this.meters.addBatch(chunk.sourceTopic, chunk.destinationTopic, records, chunk.bytes);
      if (chunk.newestTimestamp > 0) this.meters.recordLatency(Math.max(0, ackedAt - chunk.newestTimestamp));
      if (destinationOffset !== undefined) {
        this.syncs.record(chunk.sourceTopic, chunk.sourcePartition, { source: chunk.sourceStart, destination: destinationOffset, count: records, sourceEnd: chunk.sourceEnd });
        this.syncsDirty = true;
      }
    }
    this.scheduleChange();
  }

  private taskFailed(_task: ReplicatorTask, error: unknown): void {
    const failure = toEngineError(error, this.config.destination.bootstrapServers, 'copy records to the destination');
    this.log.warn('replicator task failed', { code: failure.code, error: failure.message });
    void this.restartTasks(failure);
  }

  /** Stops every task (in-flight records are dropped, their offsets were never committed) and starts them again. */
  private restartTasks(failure: EngineError | undefined): Promise<void> {
    if (this.restarting) return this.restarting;
    this.restarting = (async () => {
      if (failure) this.setState(failure.retriable ? 'DEGRADED' : 'FAILED', failure);
      await Promise.all(this.tasks.map((task) => task.stop(failure === undefined)));
      this.tasks = [];
      if (failure && !failure.retriable) return;
      while (!this.stopped) {
        try {
          if (failure) await this.backoff();
          await this.startTasks();
          this.retryBackoff.reset();
          this.setState('RUNNING');
          return;
        } catch (error) {
          failure = toEngineError(error, this.config.source.bootstrapServers, 'restart the replicator');
          this.setState(failure.retriable ? 'DEGRADED' : 'FAILED', failure);
          if (!failure.retriable) return;
        }
      }
    })().finally(() => (this.restarting = undefined));
    return this.restarting;
  }

  private async poll(): Promise<void> {
    if (this.stopped || this.restarting || this.state === 'FAILED') return;
    try {
      if (await this.discover(false)) await this.restartTasks(undefined);
    } catch (error) {
      this.log.warn('topic discovery failed', { error: error instanceof Error ? error.message : String(error) });
    }
  }

  private async syncConfigs(): Promise<void> {
    if (this.stopped || !this.sourceAdmin || !this.destinationAdmin || this.pairs.size === 0) return;
    try {
      const fresh = await describeSourceTopics(this.sourceAdmin, [...this.pairs.keys()], this.config.source.bootstrapServers);
      const pairs = fresh.map((source) => ({ source, destination: this.pairs.get(source.name)?.destination ?? renameTopic(this.config.renameFormat, source.name) }));
      const changed = await syncTopicConfigs(this.destinationAdmin, pairs, this.config);
      if (changed.length > 0) this.log.info('synced topic configs', { topics: changed });
    } catch (error) {
      this.log.warn('topic config sync failed', { error: error instanceof Error ? error.message : String(error) });
    }
  }

  private async translateGroups(): Promise<void> {
    if (this.stopped || !this.sourceAdmin || !this.destinationAdmin) return;
    try {
      const topics = new Map([...this.pairs.values()].map((pair) => [pair.source.name, pair.destination]));
      if (!this.offsetCommitter && this.destinationKafka) {
        const committer = this.destinationKafka.producer({ transactionalId: `ferry-replicator-${this.config.name}-offsets`, idempotent: true, maxInFlightRequests: 1 });
        await committer.connect();
        this.offsetCommitter = committer;
      }
      if (!this.offsetCommitter) return;
      const moved = await this.translator.translate(this.sourceAdmin, this.destinationAdmin, this.offsetCommitter, topics, this.syncs);
      if (moved.length > 0) this.scheduleChange();
    } catch (error) {
      this.log.warn('group offset translation failed', { error: error instanceof Error ? error.message : String(error) });
    }
  }

  /** Runs one translation pass now (tests, and the API's status after a failover drill). */
  translateNow(): Promise<void> {
    return this.translateGroups();
  }

  private saveSyncs(): void {
    if (!this.syncsDirty) return;
    this.syncsDirty = false;
    try {
      writeJsonFileDurably(this.syncsFile, this.syncs.toJSON());
    } catch (error) {
      this.log.warn('could not save offset sync points', { file: this.syncsFile, error: String(error) });
    }
  }

  /** Source end offsets against what the destination acknowledged (or the group committed, for partitions not copied yet in this run). */
  async refreshLag(): Promise<boolean> {
    const admin = this.sourceAdmin;
    if (!admin || this.stopped || this.pairs.size === 0) {
      this.lagKnown = this.pairs.size === 0 && this.state === 'RUNNING';
      return this.lagKnown;
    }
    try {
      const topics = [...this.pairs.keys()];
      const committed = new Map<string, number>();
      const offsets = await admin.fetchOffsets({ groupId: this.config.groupId, topics });
      for (const { topic, partitions } of offsets) for (const { partition, offset } of partitions) committed.set(`${topic}:${partition}`, Number(offset));
      const positions: PartitionPosition[] = [];
      for (const topic of topics) {
        for (const { partition, high, low } of await admin.fetchTopicOffsets(topic)) {
          const key = `${topic}:${partition}`;
          const known = this.replicated.get(key) ?? committed.get(key) ?? -1;
          // Nothing committed yet means the replicator starts at the log start.
          positions.push({ topic, partition, end: Number(high), replicated: known < 0 ? Number(low) : known });
        }
      }
      this.positions = positions;
      this.lagKnown = true;
      this.lagRefreshedAt = Date.now();
      this.lastRefreshError = undefined;
      this.recovered();
      this.scheduleChange();
      return true;
    } catch (error) {
      this.log.debug('lag refresh failed', { error: String(error) });
      this.lastRefreshError = error instanceof Error ? error.message : String(error);
      this.checkSilence();
      return false;
    }
  }

  /** A source cluster that has not answered lag refreshes for a while is said, not hidden behind the last known lag. */
  private checkSilence(): void {
    const silentFor = Date.now() - this.lagRefreshedAt;
    if (silentFor < KAFKA_SILENT_MS || this.state !== 'RUNNING' || this.pairs.size === 0) return;
    this.lagKnown = false;
    const cause = this.lastRefreshError ? ` (${this.lastRefreshError})` : '';
    this.degraded(
      replicatorError('REPLICATOR_KAFKA_SILENT', `The source cluster ${this.config.source.bootstrapServers.join(',')} has not answered for ${Math.round(silentFor / 1000)} s${cause}; copying resumes when it does.`, { retriable: true }),
    );
  }

  /** DEGRADED with the cause while a broker is away; a failure that ends the task is still reported by taskFailed. */
  private degraded(error: EngineError): void {
    if (this.stopped || this.state === 'FAILED') return;
    this.silenceDegraded = true;
    this.setState('DEGRADED', error);
  }

  private recovered(): void {
    if (!this.silenceDegraded || this.stopped || this.state !== 'DEGRADED' || this.restarting) return;
    this.silenceDegraded = false;
    this.setState('RUNNING');
  }

  get caughtUp(): boolean {
    if (this.state !== 'RUNNING' || !this.lagKnown || this.restarting) return false;
    return this.positions.every((p) => p.end - p.replicated <= 0) && this.tasks.every((task) => task.inFlight === 0);
  }

  /** Resolves once caught up for `settleMs` (confirmed by fresh lag), rejects when FAILED or stuck DEGRADED/STARTING for `maxStuckMs`. */
  async waitUntilIdle(options: { settleMs?: number; signal?: AbortSignal; maxStuckMs?: number } = {}): Promise<void> {
    const settleMs = options.settleMs ?? 1500;
    let idleSince: number | undefined;
    let stuckSince: number | undefined;
    while (!options.signal?.aborted) {
      if (this.state === 'FAILED') throw replicatorError('REPLICATOR_FAILED', `${this.config.name}: ${this.error?.message ?? 'failed'}`, { retriable: this.error?.retriable ?? false, detail: { code: this.error?.code } });
      if (this.state === 'DEGRADED' || this.state === 'STARTING') {
        stuckSince ??= Date.now();
        if (options.maxStuckMs !== undefined && Date.now() - stuckSince >= options.maxStuckMs) {
          throw replicatorError('REPLICATOR_FAILED', `${this.config.name} could not recover within ${Math.round(options.maxStuckMs / 1000)} s: ${this.error?.message ?? 'it has not finished starting (are both clusters reachable?)'}`, { retriable: true });
        }
      } else stuckSince = undefined;
      if (this.caughtUp) {
        idleSince ??= Date.now();
        if (Date.now() - idleSince >= settleMs && (await this.refreshLag()) && this.caughtUp) return;
      } else idleSince = undefined;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  private setState(state: ConnectorState, error?: EngineError): void {
    this.state = state;
    this.error = error;
    this.scheduleChange();
  }

  private scheduleChange(): void {
    if (this.changeScheduled) return;
    this.changeScheduled = true;
    setTimeout(() => {
      this.changeScheduled = false;
      this.changes.fire(this.status());
    }, 50);
  }

  status(now = Date.now()): ReplicatorStatus {
    const rates = this.meters.topicRates(now);
    const p50 = this.meters.latencyPercentile(50);
    const p99 = this.meters.latencyPercentile(99);
    const partitions = this.positions.map((p) => ({ topic: p.topic, partition: p.partition, endOffset: p.end, replicatedOffset: p.replicated, lag: Math.max(0, p.end - p.replicated) }));
    return {
      name: this.config.name,
      pipeline: this.options.pipelineName ?? this.config.name,
      state: this.state,
      delivery: this.config.delivery,
      source: this.config.source.bootstrapServers.join(','),
      destination: this.config.destination.bootstrapServers.join(','),
      ...(this.error ? { error: { code: this.error.code, message: this.error.message, retriable: this.error.retriable } } : {}),
      caughtUp: this.caughtUp,
      metrics: {
        recordsCopied: this.copied,
        bytesCopied: this.bytes,
        recordsSkipped: this.meters.recordsSkipped,
        recordsPerSecond: rates.reduce((sum, t) => sum + t.recordsPerSecond, 0),
        megabytesPerSecond: rates.reduce((sum, t) => sum + t.bytesPerSecond, 0) / 1e6,
        lag: partitions.reduce((sum, p) => sum + p.lag, 0),
        ...(p50 === undefined ? {} : { latencyP50Ms: p50 }),
        ...(p99 === undefined ? {} : { latencyP99Ms: p99 }),
        topics: rates.map((t) => ({ source: t.source, destination: t.destination, records: t.records, bytes: t.bytes, recordsPerSecond: t.recordsPerSecond, megabytesPerSecond: t.bytesPerSecond / 1e6 })),
        partitions,
        translatedGroups: [...this.translator.translated.values()],
      },
    };
  }

  private async closeClients(): Promise<void> {
    await Promise.all(this.tasks.map((task) => task.stop(false)));
    this.tasks = [];
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    await this.offsetCommitter?.disconnect().catch(() => undefined);
    this.offsetCommitter = undefined;
    await this.sourceAdmin?.disconnect().catch(() => undefined);
    await this.destinationAdmin?.disconnect().catch(() => undefined);
    this.sourceAdmin = undefined;
    this.destinationAdmin = undefined;
  }

  /** Graceful: tasks write what they hold and commit it; sync points are saved. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.stopping.abort();
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    await this.restarting?.catch(() => undefined);
    await Promise.all(this.tasks.map((task) => task.stop(true)));
    this.tasks = [];
    this.syncsDirty = true;
    this.saveSyncs();
    await this.closeClients();
    if (this.state !== 'FAILED') this.state = 'STOPPED';
    this.changes.fire(this.status());
  }

  dispose(): void {
    void this.stop().finally(() => this.changes.dispose());
  }
}
