import type { Producer } from 'kafkajs';
import type { ResolvedJdbcSource } from '../config';
import { createKafka, ensureTopics, type KafkaClientSettings, classifyKafkaError } from '../kafka';
import { type ChangeRecord, tableIdToString } from '../model';
import type { PollBatch, PollingReader } from '../sources/polling/pollingReader';
import type { CheckpointStore } from '../store';
import { EngineError, isEngineError } from '../../shared/errors';
import { Backoff, type BackoffPolicy, sleep } from '../base/backoff';
import { createLogger } from '../base/logger';
import { createConverter, type RecordConverter } from './converters';
import { ConnectorMetrics } from './metrics';
import type { ConnectorState, ConnectorStatus, ConnectorTableStatus } from './status';
import { buildTransformChain, probeTopic } from '../transforms';

/** Messages per producer request; see `produce` for why batches are split. */
const PRODUCE_CHUNK = 2500;

/** Pause between attempts after a retriable failure (Kafka or the database unreachable): 0.5 s growing to 30 s, jittered. */
export const SOURCE_RETRY_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 30_000, jitter: 'full' };

/** A produce Kafka has not acknowledged for this long makes a RUNNING source DEGRADED (see `deliver`). */
const PRODUCE_SILENT_MS = 10_000;

/** Header carrying when the change happened at the source, so the sink can measure end-to-end latency. */
export const SOURCE_TIME_HEADER = 'ferry.source.ts';
/**
 * How the record was captured (`polling`): a sink with delete.enabled reading such records, even through a
 * replicator or from another pipeline file, can say that deletes will never arrive.
 */
export const SOURCE_CAPTURE_HEADER = 'ferry.source.capture';

function toError(error: unknown): EngineError {
  return isEngineError(error) ? error : new EngineError('SOURCE_FAILED', error instanceof Error ? error.message : String(error), { retriable: true });
}

/**
 * Runs one source connector: poll → transforms → converter → idempotent producer (acks=all) → checkpoint.
 * A position is saved only after Kafka acknowledged every record up to it (architecture §5), so a crash at any
 * point re-reads at most what was not yet acknowledged.
 */
export class SourceTask {
  readonly metrics = new ConnectorMetrics();
  private state: ConnectorState = 'STARTING';
  private error: EngineError | undefined;
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  private producer: Producer | undefined;
  private readonly keyConverter: RecordConverter;
  private readonly valueConverter: RecordConverter;
  private readonly transform: ReturnType<typeof buildTransformChain>;
  private readonly createdTopics = new Set<string>();
  private readonly log = createLogger('source');
  /** A batch is between the reader and Kafka's acknowledgement: read, but not yet visible to any sink. */
  private delivering = false;
  /** A polled batch waits for the previous one's delivery before its own starts. */
  private held = false;
  /** Bulk mode: every table was read to its end at least once since start. */
  private passCompleted = false;
  private topicsReady = false;
  /** Batches Kafka acknowledged; the runner compares it before and after asking the brokers for sink lag. */
  deliveries = 0;
  /** Per stream key: rows produced, the table's row count at start and whether its snapshot is done. */
  private readonly tables = new Map<string, ConnectorTableStatus>();

  constructor(
    private readonly config: ResolvedJdbcSource,
    private readonly reader: PollingReader,
    private readonly kafkaSettings: KafkaClientSettings,
    private readonly checkpoints: CheckpointStore,
    private readonly onChange: () => void,
    private readonly retryBackoff: BackoffPolicy = SOURCE_RETRY_BACKOFF,
  ) {
    this.keyConverter = createConverter(config.key, true);
    this.valueConverter = createConverter(config.value, false);
    this.transform = buildTransformChain(config.transforms, config.predicates);
  }

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.pauseGate?.release();
    await this.reader.close().catch(() => {});
    await this.running;
    await this.producer?.disconnect().catch(() => {});
    if (this.state !== 'FAILED') this.setState('STOPPED');
  }

  /** Resolves when the task ends: stopped, or FAILED with a non-retriable error. */
  get done(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  /**
   * Caught up: the last poll reached the end of every table and nothing read is still on its way to Kafka. A batch
   * in flight is neither "caught up" at the reader nor lag at any sink yet, so it must count as busy here, or
   * `--until-idle` could stop between the read and the produce. Bulk mode re-reads whole tables every
   * poll.interval.ms, so it is caught up once one complete pass is in Kafka; later passes only repeat it (without
   * this, a bulk pipeline with several pages per pass was never idle).
   */
  get caughtUp(): boolean {
    // A paused source is not caught up: it is not looking.
    if (this.pauseGate || this.delivering || this.held) return false;
    return this.config.mode === 'bulk' ? this.passCompleted : this.reader.caughtUp;
  }

  get name(): string {
    return this.config.name;
  }

  status(now: number): ConnectorStatus {
    return {
      name: this.config.name,
      role: 'source',
      state: this.state,
      ...(this.error ? { error: { code: this.error.code, message: this.error.message, retriable: this.error.retriable } } : {}),
      caughtUp: this.caughtUp,
      kafka: this.kafkaSettings.bootstrapServers.join(','),
      ...(this.tables.size > 0 ? { tables: [...this.tables.values()].map((table) => ({ ...table })) } : {}),
      ...(this.reader.warnings.length > 0 ? { warnings: [...this.reader.warnings] } : {}),
      metrics: this.metrics.sourceStatus(now),
    };
  }

  private setState(state: ConnectorState, error?: EngineError): void {
    // While paused, progress notices must not report RUNNING; failures still show.
    this.state = this.pauseGate && (state === 'RUNNING' || state === 'STARTING') ? 'PAUSED' : state;
    this.error = error;
    this.onChange();
  }

  private pauseGate: { promise: Promise<void>; release: () => void } | undefined;

  /** Stops polling after the batch in hand (which is still delivered and checkpointed) until `resume`. */
  pause(): void {
    if (this.pauseGate || this.state === 'FAILED' || this.state === 'STOPPED') return;
    let release = (): void => {};
    const promise = new Promise<void>((resolve) => (release = resolve));
    this.pauseGate = { promise, release };
    this.setState('PAUSED');
  }

  /** Resolves at once when running, on `resume` or `stop` when paused (a method, so TypeScript does not narrow the gate away). */
  private whilePaused(): Promise<void> {
    return this.pauseGate?.promise ?? Promise.resolve();
  }

  resume(): void {
    const gate = this.pauseGate;
    if (!gate) return;
    this.pauseGate = undefined;
    gate.release();
    this.setState('RUNNING');
  }

  /**
   * Polls the next batch while the previous one is being produced (one batch in flight): the database read and the
   * Kafka round trip overlap, which roughly doubles snapshot throughput. A batch is delivered only after the one
   * before it was acknowledged; if that failed, every stream is moved back to its checkpoint and the already polled
   * batch is dropped, so positions never run ahead of what Kafka holds.
   */
  private async run(): Promise<void> {
    const backoff = new Backoff(this.retryBackoff);
    let inFlight: Promise<void> = Promise.resolve();
    let deliveryError: unknown;
    try {
      while (!this.abort.signal.aborted) {
        if (this.pauseGate) {
          await this.whilePaused();
          continue;
        }
        try {
          if (!this.producer) {
            const kafka = createKafka(this.kafkaSettings);
            const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
            await producer.connect().catch((error: unknown) => {
              throw classifyKafkaError(error, this.kafkaSettings.bootstrapServers, 'connect the producer');
            });
            this.producer = producer;
          }
          if (!this.topicsReady) await this.createStreamTopics();
          const batch = await this.reader.poll(this.abort.signal);
          // Paused while this poll ran: hold the batch (it is not checkpointed) and deliver it on resume.
          await this.whilePaused();
          if (this.abort.signal.aborted) return;
          this.held = batch.records.length > 0;
          await inFlight;
          if (deliveryError !== undefined) {
            const failed = deliveryError;
            deliveryError = undefined;
            await this.rewindToCheckpoints();
            throw failed;
          }
          if (this.state !== 'RUNNING') this.setState('RUNNING');
          backoff.reset();
          if (batch.records.length > 0) {
            inFlight = this.deliver(batch).catch((error: unknown) => {
              deliveryError = error;
            });
          } else if (!batch.more) {
            const table = this.tables.get(batch.stream.key);
            if (table) table.snapshotDone = true;
          }
          if (batch.records.length === 0 && !batch.more && this.reader.caughtUp) {
            // Everything before this empty page is acknowledged (inFlight awaited above): a pass ended.
            this.passCompleted = true;
          }
          this.held = false;
        } catch (error) {
          this.held = false;
          if (this.abort.signal.aborted) return;
          const failure = toError(error);
          this.metrics.errors++;
          if (!failure.retriable) {
            this.log.error('source connector failed', { connector: this.config.name, error: failure.message });
            this.setState('FAILED', failure);
            return;
          }
          const delayMs = backoff.next();
          this.setState('DEGRADED', failure);
          this.log.warn('source connector retrying', { connector: this.config.name, error: failure.message, attempt: backoff.attempt, delayMs });
          await inFlight;
          deliveryError = undefined;
          await this.rewindToCheckpoints().catch(() => {});
          await this.producer?.disconnect().catch(() => {});
          this.producer = undefined;
          await sleep(delayMs, this.abort.signal);
        }
      }
    } finally {
      // A batch still being produced finishes (and checkpoints) before the producer is closed.
      await inFlight;
    }
  }

  private async rewindToCheckpoints(): Promise<void> {
    const saved = this.checkpoints.positions(this.config.name);
    for (const stream of this.reader.pollingStreams) await this.reader.seek(stream.key, saved[stream.key] ?? null);
  }

  private async ensureTopic(topic: string): Promise<void> {
    if (this.createdTopics.has(topic)) return;
    const admin = createKafka(this.kafkaSettings).admin();
    await admin.connect();
    try {
      const spec = { name: topic, ...(this.config.topicCreation.partitions ? { partitions: this.config.topicCreation.partitions } : {}), ...(this.config.topicCreation.replicationFactor ? { replicationFactor: this.config.topicCreation.replicationFactor } : {}) };
      await ensureTopics(admin, [spec], this.kafkaSettings.bootstrapServers);
    } finally {
      await admin.disconnect();
    }
    this.createdTopics.add(topic);
  }

  /**
   * Creates every stream's topic before the first poll, so a sink of an empty table finds its topic and the
   * pipeline can go idle (otherwise the sink waits for a topic no record will ever create and `--until-idle` never
   * returns). Topic names go through the transforms, as a record's would.
   */
  private async createStreamTopics(): Promise<void> {
    await this.reader.start();
    for (const stream of this.reader.pollingStreams) {
      const topic = probeTopic(this.transform, stream.topic);
      await this.ensureTopic(topic);
      if (!this.tables.has(stream.key)) this.tables.set(stream.key, { table: tableIdToString(stream.table), topic, rows: 0, snapshotDone: false });
    }
    this.topicsReady = true;
    // Counting can take a while on big tables; progress shows without totals until it is done.
    this.reader.countRows().then(
      (counts) => {
        for (const [key, total] of counts) {
          const entry = this.tables.get(key);
          if (entry) entry.totalRows = total;
        }
        this.onChange();
      },
      (error: unknown) => this.log.debug('row counts unavailable', { connector: this.config.name, error: String(error) }),
    );
  }

  private async deliver(batch: PollBatch): Promise<void> {
    this.delivering = true;
    // A broker that stops answering (paused, overloaded, a cut network) refuses nothing: the send just waits, up to
    // the request timeout and then through kafkajs's retries, and the source said RUNNING all that time. Say that
    // Kafka does not acknowledge; the run loop says RUNNING again after the next batch that goes through.
    const startedAt = Date.now();
    const watchdog = setTimeout(() => {
      if (this.abort.signal.aborted || this.state === 'FAILED') return;
      this.metrics.errors++;
      this.setState(
        'DEGRADED',
        new EngineError(
          'SOURCE_KAFKA_SILENT',
          `Kafka at ${this.kafkaSettings.bootstrapServers.join(',')} has not acknowledged ${batch.records.length} record${batch.records.length === 1 ? '' : 's'} for ${Math.round((Date.now() - startedAt) / 1000)} s; the source waits (nothing is lost: its position is saved only after the acknowledgement).`,
          { retriable: true },
        ),
      );
    }, PRODUCE_SILENT_MS);
    try {
      await this.produce(batch);
      this.deliveries++;
      if (!batch.more && this.reader.caughtUp) this.passCompleted = true;
    } finally {
      clearTimeout(watchdog);
      this.delivering = false;
    }
  }

  private async produce(batch: PollBatch): Promise<void> {
    const producer = this.producer;
    if (!producer) throw new EngineError('SOURCE_FAILED', 'The Kafka producer is not connected.', { retriable: true });
    this.metrics.rowsRead += batch.records.length;
    const byTopic = new Map<string, { key: Buffer | null; value: Buffer | null; headers: Record<string, string | Buffer> }[]>();
    for (const record of batch.records) {
      // Connect's JDBC source sends null keys; a ValueToKey transform is how users give records a key.
      const capturedAt = sourceTime(record);
      const transformed = this.transform({
        topic: batch.stream.topic,
        partition: null,
        timestampMs: capturedAt,
        keySchema: null,
        key: null,
        valueSchema: record.valueSchema,
        value: record.after,
        headers: {},
      });
      // A Filter dropped it: nothing to send, and its position is acknowledged with the batch.
      if (transformed === null) continue;
      const key = transformed.keySchema && transformed.key ? await this.keyConverter.fromRow(transformed.topic, transformed.keySchema, transformed.key) : null;
      const value = transformed.valueSchema ? await this.valueConverter.fromRow(transformed.topic, transformed.valueSchema, transformed.value) : null;
      const messages = byTopic.get(transformed.topic) ?? [];
      messages.push({ key, value, headers: { ...kafkaHeaders(transformed.headers), [SOURCE_TIME_HEADER]: String(capturedAt), [SOURCE_CAPTURE_HEADER]: 'polling' } });
      byTopic.set(transformed.topic, messages);
    }
    for (const topic of byTopic.keys()) await this.ensureTopic(topic);
    try {
      // kafkajs groups a send's messages per partition by copying the growing array for every message (quadratic:
      // 19 ms for one 5,000-message send). Chunks of PRODUCE_CHUNK are sent one after another, so order and the
      // checkpoint rule are unchanged: 2,500 costs 5.6 ms of grouping and halves the round trips that 500 needed (each
      // waits for the event loop, shared with the sink): snapshot 24.5k rows/s instead of 19.7k.
      for (const [topic, messages] of byTopic) {
        for (let start = 0; start < messages.length; start += PRODUCE_CHUNK) {
          await producer.send({ acks: -1, topic, messages: messages.slice(start, start + PRODUCE_CHUNK) });
        }
      }
    } catch (error) {
      // Kafka did not take the batch: the run loop moves the streams back to their checkpoints.
      throw classifyKafkaError(error, this.kafkaSettings.bootstrapServers, `produce to ${[...byTopic.keys()].join(', ')}`);
    }
    this.metrics.rowsProduced += batch.records.length;
    let table = this.tables.get(batch.stream.key);
    if (!table) {
      // A table the reader found after start (table.poll.interval.ms) shows in the progress from its first records.
      table = { table: tableIdToString(batch.stream.table), topic: [...byTopic.keys()][0] ?? batch.stream.topic, rows: 0, snapshotDone: false };
      this.tables.set(batch.stream.key, table);
    }
    table.rows += batch.records.length;
    if (!batch.more) table.snapshotDone = true;
    const last = batch.records[batch.records.length - 1];
    if (last) this.checkpoints.save(this.config.name, { [batch.stream.key]: last.position });
    this.onChange();
  }
}

/** When the change happened at the source: the record's own timestamp column when it has one, else now. */
function sourceTime(record: ChangeRecord): number {
  return record.sourceTimestampMs ?? Date.now();
}

/** Headers a transform set (InsertHeader, HeaderFrom) as kafkajs takes them. */
function kafkaHeaders(headers: Record<string, string | Uint8Array>): Record<string, string | Buffer> {
  const out: Record<string, string | Buffer> = {};
  for (const [name, value] of Object.entries(headers)) out[name] = typeof value === 'string' ? value : Buffer.from(value);
  return out;
}
