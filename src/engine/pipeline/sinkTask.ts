import type { Admin, Consumer, EachBatchPayload, KafkaMessage, Producer } from 'kafkajs';
import type { ResolvedJdbcSink } from '../config';
import { classifyKafkaError, createKafka, ensureTopics, type KafkaClientSettings, removeGroupMember } from '../kafka';
import { type RecordSchema, type Row, type SinkRecord, tableIdToString } from '../model';
import { extractNewRecordState } from '../schema';
import { buildTransformChain, EXTRACT_NEW_RECORD_STATE, unwrapOptions, withDeletedField } from '../transforms';
import { createDialect } from '../sinks/sql/dialects';
import { connectionSettingsOf, openSqlSession, type SqlConnectionSettings } from '../sinks/sql/sessions';
import { isConnectionFailure, SqlSinkWriter } from '../sinks/sql/sinkWriter';
import { EngineError, isEngineError } from '../../shared/errors';
import { Backoff, type BackoffPolicy, sleep } from '../base/backoff';
import { createLogger } from '../base/logger';
import { createConverter, type RecordConverter } from './converters';
import { DEFAULT_MAX_MESSAGE_BYTES, type DeadLetter, deadLetterMaxMessageBytes, sendToDeadLetterQueue } from './deadLetterQueue';
import { AppliedLog } from './appliedLog';
import { ConnectorMetrics } from './metrics';
import { SOURCE_CAPTURE_HEADER, SOURCE_TIME_HEADER } from './sourceTask';
import type { ConnectorState, ConnectorStatus, ConnectorTableStatus } from './status';

/** Pause between attempts when Kafka or the target cannot be reached: 0.5 s growing to 30 s, jittered. */
const SINK_RETRY_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 30_000, jitter: 'full' };

/** A lag measured longer ago than this (the refresh runs every second) is shown as stale. */
const LAG_STALE_MS = 5_000;
/** Kafka not answering a lag refresh for this long makes a RUNNING sink DEGRADED. */
const KAFKA_SILENT_MS = 10_000;
/** Retrying the removal of a crashed consumer's group member while the coordinator is away or loading. */
const DEAD_MEMBER_BACKOFF: BackoffPolicy = { initialMs: 250, maxMs: 2_000, jitter: 'full' };
/** Looking whether a target that dropped the connection takes new ones: not sooner than 0.5 s, up to 30 s apart. */
const TARGET_PROBE_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 30_000, jitter: 'decorrelated' };

function toError(error: unknown): EngineError {
  return isEngineError(error) ? error : new EngineError('SINK_FAILED', error instanceof Error ? error.message : String(error), { retriable: true });
}

function headersOf(message: KafkaMessage): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name] = typeof first === 'string' ? Buffer.from(first) : first;
  }
  return out;
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

/** A converter failure, with the stage Connect reports for it (`__connect.errors.stage`). */
class ConverterError extends EngineError {
  constructor(
    readonly stage: 'KEY_CONVERTER' | 'VALUE_CONVERTER' | 'TRANSFORMATION',
    error: EngineError,
  ) {
    super(error.code, error.message, { retriable: error.retriable, detail: error.detail, cause: error });
  }
}

async function converting<T>(stage: ConverterError['stage'], convert: () => Promise<T>): Promise<T> {
  try {
    return await convert();
  } catch (error) {
    throw new ConverterError(stage, toError(error));
  }
}

export function sinkConnectionSettings(config: ResolvedJdbcSink): SqlConnectionSettings {
  return connectionSettingsOf(config.connection);
}

/**
 * Runs one sink connector: consumer group `connect-<name>` → converter → SqlSinkWriter (one transaction per chunk
 * of batch.size records) → offsets committed only after that transaction committed (architecture §5).
 * errors.tolerance=none stops the connector at the failing record without committing past it; =all sends the
 * record to the dead letter topic (when one is configured) and goes on.
 */
export class SinkTask {
  readonly metrics = new ConnectorMetrics();
  /** Recently applied chunks (bounded), so a row can be traced to the target transaction that applied it. */
  readonly appliedLog = new AppliedLog();
  private state: ConnectorState = 'STARTING';
  private error: EngineError | undefined;
  private consumer: Consumer | undefined;
  private admin: Admin | undefined;
  private dlqProducer: Producer | undefined;
  private lagTimer: NodeJS.Timeout | undefined;
  private inFlight = 0;
  private lagKnown = false;
  /** When the lag shown was measured (ms since epoch); older than LAG_STALE_MS, the status marks it stale. */
  private lagAsOf: number | undefined;
  /** The lag refresh under way: a broker that does not answer must not pile up one request per second. */
  private lagRefresh: Promise<boolean> | undefined;
  private stopped = false;
  /** Ends every retry pause when the sink stops. */
  private readonly stopping = new AbortController();
  /** The dead letter topic's max.message.bytes, read at start: dead letters go in requests that fit it. */
  private dlqMaxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
  private finished!: () => void;
  readonly done = new Promise<void>((resolve) => (this.finished = resolve));
  private readonly writer: SqlSinkWriter;
  private readonly keyConverter: RecordConverter | undefined;
  private readonly valueConverter: RecordConverter;
  private readonly transform: ReturnType<typeof buildTransformChain>;
  /** ExtractNewRecordState's options when the sink unwraps Debezium change events into rows. */
  private readonly unwrap: ReturnType<typeof unwrapOptions> | undefined;
  private readonly log = createLogger('sink');
  /** Per topic: rows applied and the target table they went to (table.name.format). */
  private readonly tables = new Map<string, ConnectorTableStatus>();
  /**
   * Per `topic:partition`, the last offset whose target transaction committed. When Kafka did not take the offset
   * commit (the group dropped this member while a broker hung), the same records come again after the rejoin; they
   * are in the target already, so they are skipped instead of applied twice. Valid for this process's lifetime; after
   * a restart the committed offsets are all there is (at-least-once, as Connect).
   */
  private readonly appliedThrough = new Map<string, bigint>();
  private readonly targetTableOf: (topic: string) => string;

  constructor(
    private readonly config: ResolvedJdbcSink,
    private readonly kafkaSettings: KafkaClientSettings,
    private readonly onChange: () => void,
  ) {
    const settings = sinkConnectionSettings(config);
    const dialect = createDialect(config.dialect, {
      quoteIdentifiers: config.quoteSqlIdentifiers,
      useMergeHoldlock: config.mssqlUseMergeHoldlock,
    });
    this.writer = new SqlSinkWriter({
      connectorName: config.name,
      dialect,
      openSession: () => this.openTargetSession(settings),
      target: config.connection.display,
      insertMode: config.insertMode,
      pkMode: config.pkMode,
      pkFields: config.pkFields,
      fieldsWhitelist: config.fieldsWhitelist,
      autoCreate: config.autoCreate,
      autoEvolve: config.autoEvolve,
      deleteEnabled: config.deleteEnabled,
      tableNameFormat: config.tableNameFormat,
      values: { timezone: config.dbTimezone, dateTimezone: config.dateTimezone },
      maxRetries: config.maxRetries,
      retryBackoffMs: config.retryBackoffMs,
    });
    this.targetTableOf = (topic) => {
      try {
        return tableIdToString(dialect.resolveTableId(config.tableNameFormat, topic));
      } catch {
        return config.tableNameFormat.replace('${topic}', topic);
      }
    };
    this.keyConverter = config.key ? createConverter(config.key, true) : undefined;
    this.valueConverter = createConverter(config.value, false);
    this.transform = buildTransformChain(config.transforms, config.predicates);
    const unwrap = config.transforms.find((transform) => transform.type === EXTRACT_NEW_RECORD_STATE);
    this.unwrap = unwrap ? unwrapOptions(unwrap.config) : undefined;
  }

  get caughtUp(): boolean {
    if (this.paused || !this.targetReached) return false;
    return this.lagKnown && this.metrics.lag === 0 && this.inFlight === 0;
  }

  /** The target database answered a login at least once: a sink with nothing to apply is not "caught up" before. */
  private targetReached = false;

  /**
   * Logs in to the target before consuming, as Connect's JDBC sink does: up to `connection.attempts` tries,
   * `connection.backoff.ms` apart, then the connector fails with the cause. Without this, a sink on an empty topic
   * reported "caught up" (and `ferry run --until-idle` exited 0) without ever connecting, so a wrong host, port or
   * password went unnoticed until the first record.
   */
  private async reachTarget(): Promise<boolean> {
    const { attempts, backoffMs } = this.config.connection;
    const settings = sinkConnectionSettings(this.config);
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        const session = await openSqlSession(settings);
        await session.close().catch(() => {});
        this.targetReached = true;
        return true;
      } catch (error) {
        if (this.stopped) return false;
        const cause = error instanceof Error ? error.message : String(error);
        if (attempt >= attempts) {
          this.setState(
            'FAILED',
            new EngineError(
              'SINK_TARGET_UNREACHABLE',
              `Cannot connect to the target ${this.config.connection.display} (${attempt} attempt${attempt === 1 ? '' : 's'}, connection.attempts=${attempts}): ${cause}. Check that the database runs and the connection settings, then restart the connector.`,
              { retriable: false, cause: error },
            ),
          );
          this.finished();
          return false;
        }
        this.metrics.errors++;
        this.setState('DEGRADED', new EngineError('SINK_TARGET_UNAVAILABLE', `Cannot connect to the target ${this.config.connection.display} (attempt ${attempt} of ${attempts}): ${cause}. Trying again in ${backoffMs} ms.`, { retriable: true, cause: error }));
        if (!(await sleep(backoffMs, this.stopping.signal))) return false;
      }
    }
    return false;
  }

  /**
   * `caughtUp` from lag measured now rather than at the last periodic refresh (up to a second old, which can miss
   * records a source produced just before): what `waitUntilIdle` decides on.
   */
  async confirmCaughtUp(): Promise<boolean> {
    if (!this.caughtUp) return false;
    return (await this.refreshLag()) && this.caughtUp;
  }

  get name(): string {
    return this.config.name;
  }

  /** Facts that change the results while the sink runs on, for the status (and `ferry run` without --verbose). */
  private readonly warnings: string[] = [];
  private readonly pollingTopics = new Set<string>();

  /**
   * delete.enabled on records a polling source wrote: deletes never arrive. Validation says so when the source is in
   * the same file; this catches a source in another file or behind a replicator, from the record's capture header.
   */
  private noticeDeletesNeverArrive(topic: string, capture: unknown): void {
    if (this.pollingTopics.has(topic) || capture === undefined || Buffer.from(capture as Buffer | string).toString() !== 'polling') return;
    this.pollingTopics.add(topic);
    this.warnings.push(
      `Topic "${topic}" is written by a polling (JDBC) source, which never writes deletes (it cannot see removed rows), so delete.enabled has nothing to act on: rows deleted at the source stay in the target. Use soft deletes (a deleted flag column) at the source if the target must learn about deletions.`,
    );
    this.log.warn('delete.enabled on records of a polling source', { connector: this.config.name, topic });
    this.onChange();
  }

  status(now: number): ConnectorStatus {
    const p50 = this.metrics.latencyPercentile(50);
    const p99 = this.metrics.latencyPercentile(99);
    return {
      name: this.config.name,
      role: 'sink',
      state: this.state,
      ...(this.error ? { error: { code: this.error.code, message: this.error.message, retriable: this.error.retriable } } : {}),
      caughtUp: this.caughtUp,
      kafka: this.kafkaSettings.bootstrapServers.join(','),
      ...(this.tables.size > 0 ? { tables: [...this.tables.values()].map((table) => ({ ...table })) } : {}),
      ...(this.config.errors.tolerance === 'all' && this.config.errors.deadLetterQueue ? { deadLetterTopic: this.config.errors.deadLetterQueue.topic } : {}),
      ...(this.warnings.length > 0 ? { warnings: [...this.warnings] } : {}),
      metrics: {
        rowsRead: 0,
        rowsProduced: 0,
        rowsApplied: this.metrics.rowsApplied,
        errors: this.metrics.errors,
        deadLettered: this.metrics.deadLettered,
        dropped: this.metrics.dropped,
        lag: this.metrics.lag,
        ...(this.lagAsOf === undefined ? {} : { lagAsOf: this.lagAsOf, lagStale: now - this.lagAsOf > LAG_STALE_MS }),
        rowsPerSecond: this.metrics.rate(now, this.metrics.rowsApplied),
        ...(p50 === undefined ? {} : { latencyP50Ms: p50 }),
        ...(p99 === undefined ? {} : { latencyP99Ms: p99 }),
      },
    };
  }

  private setState(state: ConnectorState, error?: EngineError): void {
    // While paused, a rejoin or a finished batch must not report RUNNING; failures still show.
    this.state = this.paused && (state === 'RUNNING' || state === 'STARTING') ? 'PAUSED' : state;
    this.error = error;
    this.onChange();
  }

  private paused = false;

  /** The target dropped or refused the connection and no write has succeeded since; a probe looks for its return. */
  private targetLost = false;
  private probingTarget: Promise<void> | undefined;

  /**
   * The writer's sessions, named for the connector (pg_stat_activity shows `ferry sink <name>`), telling this task
   * when the server drops one or refuses a new one: the status is DEGRADED with the cause from that moment, not
   * only once the writer's own retries are used up.
   */
  private async openTargetSession(settings: SqlConnectionSettings): Promise<Awaited<ReturnType<typeof openSqlSession>>> {
    try {
      return await openSqlSession(settings, { applicationName: `ferry sink ${this.config.name}`, onConnectionLost: (error) => this.targetUnavailable(error) });
    } catch (error) {
      if (isConnectionFailure(error)) this.targetUnavailable(error);
      throw error;
    }
  }

  private targetUnavailable(error: unknown): void {
    if (this.stopped || this.state === 'FAILED') return;
    const cause = error instanceof Error ? error.message : String(error);
    const failure = new EngineError(
      'SINK_TARGET_UNAVAILABLE',
      `Lost the connection to the target ${this.config.connection.display}: ${cause} Ferry reconnects with backoff and applies the records then; nothing is skipped.`,
      { retriable: true, cause: error },
    );
    // Every failed attempt counts (as a source's do); the log says it once per outage.
    this.metrics.errors++;
    if (!this.targetLost) this.log.warn('sink target connection lost', { connector: this.config.name, error: cause });
    this.targetLost = true;
    this.setState('DEGRADED', failure);
    this.probingTarget ??= this.probeTarget().finally(() => (this.probingTarget = undefined));
  }

  /**
   * An idle sink learns of a dropped connection from the driver's 'error' event and would report DEGRADED until its
   * next record: look with backoff whether the target takes connections again, and say RUNNING once it does.
   */
  private async probeTarget(): Promise<void> {
    const backoff = new Backoff(TARGET_PROBE_BACKOFF);
    const settings = sinkConnectionSettings(this.config);
    while (this.targetLost && !this.stopped) {
      if (!(await backoff.wait(this.stopping.signal)) || !this.targetLost) return;
      try {
        const session = await openSqlSession(settings, { applicationName: `ferry sink ${this.config.name} (probe)` });
        await session.close();
        this.targetReachable();
      } catch (error) {
        if (this.stopped || !this.targetLost) return;
        const cause = error instanceof Error ? error.message : String(error);
        this.setState('DEGRADED', new EngineError('SINK_TARGET_UNAVAILABLE', `Cannot reach the target ${this.config.connection.display}: ${cause} Ferry retries with backoff; nothing is skipped.`, { retriable: true, cause: error }));
      }
    }
  }

  /** A write or a probe reached the target: a DEGRADED that only the target caused is over. */
  private targetReachable(): void {
    if (!this.targetLost) return;
    this.targetLost = false;
    if (this.state === 'DEGRADED' && this.error?.code === 'SINK_TARGET_UNAVAILABLE' && !this.stopped) this.setState('RUNNING');
  }

  /** Waits `ms` (abortable by stop) while keeping the consumer's group membership alive. */
  private async pauseKeepingAlive(ms: number, keepAlive: () => Promise<void>): Promise<void> {
    const until = Date.now() + ms;
    for (let left = ms; left > 0 && !this.stopped; left = until - Date.now()) {
      await keepAlive();
      if (!(await sleep(Math.min(left, 1000), this.stopping.signal))) return;
    }
  }

  private async assignedTopics(): Promise<string[]> {
    if (this.config.topics.kind === 'list') return [...this.config.topics.topics];
    const pattern = new RegExp(`^(?:${this.config.topics.regex})$`);
    return ((await this.admin?.listTopics()) ?? []).filter((topic) => pattern.test(topic));
  }

  /** Stops fetching (the consumer stays in its group, offsets stay where they are) until `resume`. */
  async pause(): Promise<void> {
    if (this.paused || this.state === 'FAILED' || this.state === 'STOPPED') return;
    this.paused = true;
    this.consumer?.pause((await this.assignedTopics()).map((topic) => ({ topic })));
    this.setState('PAUSED');
  }

  async resume(): Promise<void> {
    if (!this.paused) return;
    this.paused = false;
    this.consumer?.resume((await this.assignedTopics()).map((topic) => ({ topic })));
    this.setState('RUNNING');
  }

  private async disconnectClients(): Promise<void> {
    await this.consumer?.disconnect().catch(() => {});
    await this.dlqProducer?.disconnect().catch(() => {});
    await this.admin?.disconnect().catch(() => {});
    this.consumer = undefined;
    this.dlqProducer = undefined;
    this.admin = undefined;
  }

  private async connect(kafka: ReturnType<typeof createKafka>, brokers: readonly string[]): Promise<void> {
    this.admin = kafka.admin();
    await this.admin.connect();
    const dlq = this.config.errors.deadLetterQueue;
    if (dlq && this.config.errors.tolerance === 'all') {
      await ensureTopics(this.admin, [{ name: dlq.topic, partitions: 1 }], brokers);
      this.dlqMaxMessageBytes = await deadLetterMaxMessageBytes(this.admin, dlq.topic);
      this.dlqProducer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await this.dlqProducer.connect();
    }
    this.consumer = kafka.consumer({
      groupId: this.config.groupId,
      allowAutoTopicCreation: false,
      // Short fetch waits keep end-to-end latency near poll.interval.ms; batches still fill under load.
      maxWaitTimeInMs: 200,
      // Fetches big enough for full batch.size chunks during a snapshot, small enough to keep RSS down.
      maxBytesPerPartition: 2 * 1024 * 1024,
      maxBytes: 16 * 1024 * 1024,
      // A restarted Ferry (after a crash or a kill) cannot join its group until the dead member's session expires:
      // with 30 s the restarted sink sat in STARTING for ~30 s. 10 s (Connect's consumer default before Kafka 3.0)
      // still tolerates three missed heartbeats; batches call heartbeat() between chunks.
      sessionTimeout: 10_000,
      heartbeatInterval: 3_000,
      // While the brokers are away kafkajs retries (and restarts the consumer) with pauses growing to maxRetryTime;
      // with the client's 10 s the sink came back up to ~10 s after the broker, long after the source (~1 s). Short
      // pauses (jittered by kafkajs) cost a few cheap connection attempts while Kafka is down.
      retry: { retries: 10, initialRetryTime: 250, maxRetryTime: 2_000 },
    });
    await this.consumer.connect();
    await this.waitForTopics(this.admin);
    if (this.stopped) return;
    const topics = this.config.topics.kind === 'list' ? [...this.config.topics.topics] : [new RegExp(this.config.topics.regex)];
    // Sink consumers start from the earliest offset, as Connect configures them.
    await this.consumer.subscribe({ topics, fromBeginning: true });
  }

  /**
   * Connects admin, DLQ producer and consumer and subscribes. A connection failure is retried with backoff
   * (DEGRADED, naming the brokers) as the architecture asks of every connection; anything else is FAILED.
   */
  async start(): Promise<void> {
    if (!(await this.reachTarget())) return;
    const kafka = createKafka(this.kafkaSettings);
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
          this.setState('FAILED', failure);
          this.finished();
          return;
        }
        this.metrics.errors++;
        this.setState('DEGRADED', failure);
        await backoff.wait(this.stopping.signal);
        if (this.stopped) return;
      }
    }
    if (this.stopped || !this.consumer) {
      // stop() ran while connecting: release what the attempt created after stop() had looked.
      await this.disconnectClients();
      return;
    }
    this.lagTimer = setInterval(() => {
      void this.refreshLag();
      this.noticeSilentKafka();
    }, 1000);
    void this.refreshLag();
    this.watchConsumer(this.consumer, brokers);
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.onBatch(payload),
    });
    this.setState('RUNNING');
  }

  /**
   * kafkajs retries and restarts its consumer by itself when the brokers go away, which the status never showed: a
   * sink that could not reach Kafka stayed RUNNING. A crash it will restart from is DEGRADED (with the cause and
   * the brokers), one it will not restart from is FAILED (the consumer is gone), and rejoining the group after a
   * restart is RUNNING again.
   */
  private watchConsumer(consumer: Consumer, brokers: readonly string[]): void {
    let memberId: string | undefined;
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      // kafkajs restarts a crashed consumer as a new group member; the old one is removed so the rejoin need not wait
      // for its session to expire (see removeGroupMember).
      if (memberId !== undefined && payload.restart && !this.stopped) void this.removeDeadMember(memberId);
      memberId = undefined;
      if (this.stopped || this.state === 'FAILED') return;
      const failure = classifyKafkaError(payload.error, brokers, `consume ${this.describeTopics()}`);
      this.metrics.errors++;
      if (payload.restart) {
        this.log.warn('sink consumer restarting', { connector: this.config.name, error: failure.message });
        this.setState('DEGRADED', failure);
      } else {
        this.log.error('sink consumer stopped', { connector: this.config.name, error: failure.message });
        this.setState('FAILED', failure);
        void this.stop();
      }
    });
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      memberId = payload.memberId;
      this.joins++;
      if (this.state === 'DEGRADED' && !this.stopped) this.setState('RUNNING');
    });
  }

  /** Group joins so far; a join ends the removal of a dead member (it has expired or was removed by then). */
  private joins = 0;

  /**
   * Sends LeaveGroup for the crashed consumer's old member until the coordinator answers (it may be down or still
   * loading the group for a while): with the old member gone, the restarted consumer's join completes at once.
   */
  private async removeDeadMember(memberId: string): Promise<void> {
    const joinsBefore = this.joins;
    // No retries inside kafkajs (they grow to 10 s): each attempt fails fast while Kafka is away, the backoff paces them.
    const kafka = createKafka({ ...this.kafkaSettings, retries: 0 });
    const backoff = new Backoff(DEAD_MEMBER_BACKOFF);
    while (!this.stopped && this.joins === joinsBefore) {
      try {
        const outcome = await removeGroupMember(kafka, this.config.groupId, memberId);
        this.log.debug('removed the crashed consumer from its group', { connector: this.config.name, memberId, outcome });
        return;
      } catch (error) {
        this.log.debug('could not remove the crashed consumer from its group yet', { connector: this.config.name, error: String(error) });
      }
      if (!(await backoff.wait(this.stopping.signal))) return;
    }
  }

  private describeTopics(): string {
    return this.config.topics.kind === 'list' ? this.config.topics.topics.join(', ') : `topics matching ${this.config.topics.regex}`;
  }

  /**
   * A sink may start before its source has created the topics (a fresh pipeline): wait for them, DEGRADED with the
   * names, instead of failing. Regex subscriptions pick topics up as they appear, so they need no wait.
   */
  private async waitForTopics(admin: Admin): Promise<void> {
    if (this.config.topics.kind !== 'list') return;
    const wanted = this.config.topics.topics;
    for (let attempt = 0; !this.stopped; attempt++) {
      const existing = new Set(await admin.listTopics());
      const missing = wanted.filter((topic) => !existing.has(topic));
      if (missing.length === 0) {
        if (attempt > 0) this.setState('STARTING');
        return;
      }
      if (attempt === 3) {
        this.setState(
          'DEGRADED',
          new EngineError('SINK_WAITING_FOR_TOPICS', `Waiting for topic${missing.length === 1 ? '' : 's'} ${missing.join(', ')} to exist (a source creates them with its first records; check the names in "topics").`, { retriable: true }),
        );
      }
      await sleep(500, this.stopping.signal);
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.stopping.abort();
    if (this.lagTimer) clearInterval(this.lagTimer);
    await this.consumer?.disconnect().catch(() => {});
    await this.dlqProducer?.disconnect().catch(() => {});
    await this.admin?.disconnect().catch(() => {});
    await this.writer.close();
    if (this.state !== 'FAILED') this.setState('STOPPED');
    this.finished();
  }

  private refreshLag(): Promise<boolean> {
    this.lagRefresh ??= this.measureLag().finally(() => (this.lagRefresh = undefined));
    return this.lagRefresh;
  }

  /**
   * Kafka stopped answering (a paused or overloaded broker, a cut network) while nothing failed yet: requests just
   * wait, up to the request timeout and then through kafkajs's retries. Without this the sink said RUNNING with the
   * last lag it measured, for as long as that took. The lag itself is marked stale in the status.
   */
  private noticeSilentKafka(): void {
    if (this.lagAsOf === undefined || this.stopped || this.paused || this.state !== 'RUNNING') return;
    const silentMs = Date.now() - this.lagAsOf;
    if (silentMs <= KAFKA_SILENT_MS) return;
    this.metrics.errors++;
    this.setState(
      'DEGRADED',
      new EngineError(
        'SINK_KAFKA_SILENT',
        `No answer from Kafka at ${this.kafkaSettings.bootstrapServers.join(',')} for ${Math.round(silentMs / 1000)} s (lag and offsets cannot be read; the lag shown is the last one measured). The sink resumes by itself when the brokers answer.`,
        { retriable: true },
      ),
    );
  }

  private async measureLag(): Promise<boolean> {
    const admin = this.admin;
    if (!admin || this.stopped) return false;
    try {
      const topics = this.config.topics.kind === 'list' ? [...this.config.topics.topics] : (await admin.listTopics()).filter((topic) => new RegExp(`^(?:${(this.config.topics as { regex: string }).regex})$`).test(topic));
      const existing = new Set(await admin.listTopics());
      const present = topics.filter((topic) => existing.has(topic));
      for (const topic of present) if (!this.tables.has(topic)) this.tables.set(topic, { table: this.targetTableOf(topic), topic, rows: 0 });
      const committed = await admin.fetchOffsets({ groupId: this.config.groupId, topics: present });
      let lag = 0;
      for (const topic of present) {
        const ends = await admin.fetchTopicOffsets(topic);
        const done = committed.find((entry) => entry.topic === topic);
        for (const end of ends) {
          const at = done?.partitions.find((partition) => partition.partition === end.partition)?.offset ?? '-1';
          const start = Number(at) < 0 ? Number(end.low) : Number(at);
          lag += Math.max(0, Number(end.high) - start);
        }
      }
      this.metrics.lag = lag;
      this.lagKnown = true;
      this.lagAsOf = Date.now();
      if (this.state === 'DEGRADED' && this.error?.code === 'SINK_KAFKA_SILENT' && !this.stopped) this.setState('RUNNING');
      return true;
    } catch (error) {
      this.log.debug('lag refresh failed', { error: String(error) });
      return false;
    }
  }

  /** The record as the writer gets it, after converters and transforms; null when a transform dropped it. */
  private async decode(topic: string, partition: number, message: KafkaMessage): Promise<SinkRecord | null> {
    const where = `${topic}[${partition}]@${message.offset}`;
    const headers = headersOf(message);
    // Key first, as Connect converts it; a failure names its stage for the dead letter headers.
    const keyConverter = this.keyConverter;
    const key = keyConverter && message.key ? await converting('KEY_CONVERTER', () => keyConverter.toRow(topic, message.key, headers, `The key of ${where}`)) : null;
    const value = await converting('VALUE_CONVERTER', () => this.decodeValue(topic, message.value, headers, where));
    if (value === 'drop') return null;
    const record: SinkRecord = {
      topic,
      partition,
      offset: message.offset,
      timestampMs: Number(message.timestamp),
      keySchema: key?.schema ?? null,
      key: key?.row ?? null,
      valueSchema: value?.schema ?? null,
      value: value?.row ?? null,
      headers,
    };
    let transformed;
    try {
      transformed = this.transform(record);
    } catch (error) {
      throw new ConverterError('TRANSFORMATION', toError(error));
    }
    if (transformed === null) return null;
    return transformed === record ? record : { ...transformed, partition, offset: message.offset, timestampMs: transformed.timestampMs ?? record.timestampMs, headers: headerBytes(transformed.headers) };
  }

  /**
   * The value as a row. With ExtractNewRecordState, a Debezium change event becomes its `after` row (a delete: a
   * tombstone, or a `__deleted` row under rewrite), and tombstones are dropped when `drop.tombstones` says so.
   */
  private async decodeValue(topic: string, bytes: Buffer | null, headers: Record<string, Uint8Array>, where: string): Promise<{ schema: RecordSchema; row: Row } | null | 'drop'> {
    const unwrap = this.unwrap;
    const toChangeEvent = this.valueConverter.toChangeEvent;
    if (unwrap && bytes === null) return unwrap.dropTombstones ? 'drop' : null;
    if (unwrap && bytes !== null && toChangeEvent) {
      const event = await toChangeEvent(topic, bytes, headers, `The value of ${where}`);
      if (event) {
        const state = extractNewRecordState(event, unwrap);
        if (state.kind === 'drop') return 'drop';
        if (state.kind === 'delete') return null;
        return { schema: state.row.__deleted === undefined ? event.schema : withDeletedField(event.schema), row: state.row };
      }
    }
    return this.valueConverter.toRow(topic, bytes, headers, `The value of ${where}`);
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
      await heartbeat().catch((error: unknown) => this.log.debug('heartbeat during a long write failed', { connector: this.config.name, error: String(error) }));
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

  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const size = Math.max(1, this.config.batchSize);
    const keepAlive = this.keepAliveWith(heartbeat);
    const targetBackoff = new Backoff(SINK_RETRY_BACKOFF);
    for (let start = 0; start < batch.messages.length; start += size) {
      // A fetch that was in flight when the sink paused: leave its records unresolved, so they are fetched again
      // from the last resolved offset after `resume` (the partition fetches nothing while paused).
      if (!isRunning() || isStale() || this.stopped || this.paused || this.state === 'FAILED') return;
      const partitionKey = `${batch.topic}:${batch.partition}`;
      const fetched = batch.messages.slice(start, start + size);
      const applied = this.appliedThrough.get(partitionKey) ?? -1n;
      const chunk = fetched.filter((message) => BigInt(message.offset) > applied);
      this.inFlight++;
      try {
        if (chunk.length > 0) await this.whileKeepingAlive(keepAlive, () => this.applyChunk(batch.topic, batch.partition, chunk, keepAlive));
        const last = fetched[fetched.length - 1];
        if (last) {
          this.appliedThrough.set(partitionKey, BigInt(last.offset));
          // Committed only now that the target transaction holding these rows has committed.
          await this.commit(batch.topic, batch.partition, last.offset);
          resolveOffset(last.offset);
        }
        targetBackoff.reset();
        this.targetLost = false;
        if (this.state !== 'RUNNING') this.setState('RUNNING');
      } catch (error) {
        if (error instanceof CommitError) {
          // The rows are in the target; only Kafka did not take the new offset (a broker restart, a rebalance). That
          // is no reason to fail: the batch goes back to kafkajs, which fetches again once the broker answers, and
          // the records already applied are skipped (appliedThrough). kafkajs's own error is thrown when it says
          // the group dropped this member, so kafkajs rejoins instead of retrying the batch as a member the
          // coordinator no longer knows (which had applied the same records again and again).
          this.metrics.errors++;
          this.setState('DEGRADED', error.failure);
          throw isGroupMembershipError(error.cause) ? error.cause : error;
        }
        // Stopping aborted the write: nothing past the last committed offset counts as done, and stopping is no failure.
        if (this.stopped) return;
        if (isConnectionFailure(error)) {
          // The target is unreachable or dropped the session, so no record is at fault: the chunk (not committed) is
          // tried again after a pause, as long as it takes, DEGRADED with the cause; the heartbeats keep the group.
          this.targetUnavailable(error);
          await this.pauseKeepingAlive(targetBackoff.next(), keepAlive);
          start -= size;
          continue;
        }
        const failure = toError(error);
        this.metrics.errors++;
        this.log.error('sink connector failed', { connector: this.config.name, error: failure.message });
        this.setState('FAILED', failure);
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

  private async commit(topic: string, partition: number, offset: string): Promise<void> {
    try {
      await this.consumer?.commitOffsets([{ topic, partition, offset: (BigInt(offset) + 1n).toString() }]);
    } catch (error) {
      throw new CommitError(classifyKafkaError(error, this.kafkaSettings.bootstrapServers, `commit the offset of ${topic}[${partition}]@${offset}`), error);
    }
  }

  private async applyChunk(topic: string, partition: number, messages: KafkaMessage[], keepAlive: () => Promise<void>): Promise<void> {
    const tolerateAll = this.config.errors.tolerance === 'all';
    const letters: DeadLetter[] = [];
    const records: SinkRecord[] = [];
    const originals = new Map<SinkRecord, KafkaMessage>();
    for (const message of messages) {
      try {
        const record = await this.decode(topic, partition, message);
        if (record === null) continue; // dropped by a transform (Filter, ExtractNewRecordState): nothing to write
        records.push(record);
        originals.set(record, message);
      } catch (error) {
        if (!tolerateAll) throw error;
        letters.push({ topic, partition, message, stage: error instanceof ConverterError ? error.stage : 'VALUE_CONVERTER', error: toError(error) });
      }
    }
    // Records the target refuses on their own come back isolated (the rest is applied); errors every record would hit
    // and exhausted retries throw, whatever the tolerance.
    const failures = records.length === 0 ? [] : await this.writer.write(records, { tolerateRecordErrors: tolerateAll, keepAlive, signal: this.stopping.signal });
    for (const failure of failures) {
      const message = originals.get(failure.record);
      if (message) letters.push({ topic, partition, message, stage: 'TASK_PUT', error: failure.error });
    }
    const appliedAt = Date.now();
    const applied = records.length - failures.length;
    this.metrics.rowsApplied += applied;
    const first = messages[0];
    const last = messages[messages.length - 1];
    if (first && last) {
      const deadLettered = letters.map((letter) => letter.message.offset);
      this.appliedLog.add({ topic, partition, firstOffset: first.offset, lastOffset: last.offset, committedAtMs: appliedAt, targetTable: this.targetTableOf(topic), records: messages.length, deadLettered });
    }
    const table = this.tables.get(topic) ?? { table: this.targetTableOf(topic), topic, rows: 0 };
    table.rows += applied;
    this.tables.set(topic, table);
    const refused = new Set(failures.map((failure) => failure.record));
    for (const record of records) {
      if (refused.has(record)) continue;
      const sourceTime = record.headers[SOURCE_TIME_HEADER];
      if (sourceTime) this.metrics.recordLatency(appliedAt - Number(Buffer.from(sourceTime).toString()));
      if (this.config.deleteEnabled) this.noticeDeletesNeverArrive(topic, record.headers[SOURCE_CAPTURE_HEADER]);
    }
    if (letters.length > 0) {
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
}

/** Headers a transform set, as the bytes sink records carry. */
function headerBytes(headers: Record<string, string | Uint8Array>): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  for (const [name, value] of Object.entries(headers)) out[name] = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return out;
}

/** kafkajs errors after which the consumer must rejoin its group (its runner recognises them by type). */
function isGroupMembershipError(error: unknown): boolean {
  const type = (error as { type?: unknown } | null)?.type;
  return type === 'UNKNOWN_MEMBER_ID' || type === 'ILLEGAL_GENERATION' || type === 'REBALANCE_IN_PROGRESS' || type === 'NOT_COORDINATOR_FOR_GROUP' || type === 'FENCED_INSTANCE_ID';
}
