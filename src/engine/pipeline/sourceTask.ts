import type { SourceBatch, SourceConnector, SourceContext, SourcePositions, SourceTopic } from '../connectors/port';
import { classifyKafkaError, createKafkaClient, ensureTopics, type KafkaClientSettings, type KafkaProducer, sendsWriteBatches, type TopicMessages } from '../kafka';
import { EngineError, isEngineError } from '../../shared/errors';
import { Backoff, type BackoffPolicy, sleep } from '../base/backoff';
import { createLogger } from '../base/logger';
import type { ConnectorCheckpoints } from './checkpoints';
import { ConnectorLifecycle } from './connectorState';
import { ConnectorMetrics } from './metrics';
import { type OutgoingMessage, SourceEncoder } from './sourceEncoder';
import type { ConnectorStatus } from './status';
import type { ResolvedSource } from '../config';

/**
 * Bytes of records (keys, values, headers) per produce request. Kafka takes one record batch per partition in a
 * request, and a batch larger than the topic's max.message.bytes (1 MiB by default) is refused, so a read batch goes
 * out in requests up to this size, one after another (order and the checkpoint rule are unchanged). The replicator
 * bounds its batches the same way (MAX_BATCH_BYTES).
 */
const PRODUCE_REQUEST_BYTES = 900_000;
/** A record's bytes in a batch besides its key, value and headers: length, attributes, timestamp and offset deltas. */
const RECORD_OVERHEAD_BYTES = 24;
/**
 * Messages per request when kafkajs encodes sends itself (the Kafka port's produce path could not be installed): its
 * grouping copies the growing array for every message (quadratic: 19 ms for one 5,000-message send).
 */
const KAFKAJS_REQUEST_MESSAGES = 2500;

/** Pause between attempts after a retriable failure (Kafka or the database unreachable): 0.5 s growing to 30 s, jittered. */
export const SOURCE_RETRY_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 30_000, jitter: 'full' };

/** A produce Kafka has not acknowledged for this long makes a RUNNING source DEGRADED (see `deliver`). */
const PRODUCE_SILENT_MS = 10_000;

export { SOURCE_CAPTURE_HEADER, SOURCE_TIME_HEADER } from '../connectors/headers';

/** A message's share of a produce request (see PRODUCE_REQUEST_BYTES). */
function messageBytes(message: OutgoingMessage): number {
  let bytes = RECORD_OVERHEAD_BYTES + (message.key?.length ?? 0) + (message.value?.length ?? 0);
  if (message.headers) for (const name in message.headers) bytes += name.length * 3 + (message.headers[name]?.length ?? 0) * 3 + 2;
  return bytes;
}

/**
 * A batch's messages as produce requests sent one after another: each up to `maxBytes` of records (a message larger
 * than that goes alone) and `maxMessages`, topics in order and every topic's messages in order, so a partition's
 * records reach Kafka in the order they were read.
 */
export function produceRequests(byTopic: ReadonlyMap<string, OutgoingMessage[]>, maxBytes: number, maxMessages: number): TopicMessages[][] {
  const requests: TopicMessages[][] = [];
  let request: TopicMessages[] = [];
  let requestBytes = 0;
  let requestMessages = 0;
  for (const [topic, messages] of byTopic) {
    let start = 0;
    for (let index = 0; index < messages.length; index++) {
      const bytes = messageBytes(messages[index] as OutgoingMessage);
      if ((requestBytes + bytes > maxBytes || requestMessages === maxMessages) && requestMessages > 0) {
        if (index > start) request.push({ topic, messages: messages.slice(start, index) });
        requests.push(request);
        request = [];
        requestBytes = 0;
        requestMessages = 0;
        start = index;
      }
      requestBytes += bytes;
      requestMessages++;
    }
    if (messages.length > start) request.push({ topic, messages: start === 0 ? messages : messages.slice(start) });
  }
  if (request.length > 0) requests.push(request);
  return requests;
}

/**
 * Lets go of a batch's records once they are encoded: from here only the messages, the batch's positions and counts
 * and the batch object itself (which the plug-in's `delivered` recognizes) are needed. Held across the produce round
 * trip, a batch's row objects, change events and their schemas outlived the young generation's scavenges and were
 * promoted (issue 13: the source thread's GC). The plug-ins' `delivered` read only the batch's identity and positions.
 */
function releaseRecords(batch: SourceBatch): void {
  if (batch.records.length > 0) batch.records = NO_RECORDS;
}

const NO_RECORDS: readonly never[] = Object.freeze([]);

/** A batch's messages per topic, and how many records it had (for the silent-Kafka warning). */
interface EncodedBatch {
  byTopic: Map<string, OutgoingMessage[]>;
  records: number;
}

function toError(error: unknown): EngineError {
  return isEngineError(error) ? error : new EngineError('SOURCE_FAILED', error instanceof Error ? error.message : String(error), { retriable: true });
}

export interface SourceTaskInit {
  config: ResolvedSource;
  /** Builds the plug-in (registry.ts) with what the task lends it. */
  connector: (context: SourceContext) => SourceConnector;
  kafka: KafkaClientSettings;
  checkpoints: ConnectorCheckpoints;
  onChange: () => void;
  retryBackoff?: BackoffPolicy;
}

/**
 * Runs one source connector, whatever its plug-in: read → transforms → converter → idempotent producer (acks=all)
 * → checkpoint. A position is recorded only after Kafka acknowledged every record up to it (architecture §5) and
 * flushed to disk periodically (checkpoints.ts), so a crash at any point re-reads at most what was not yet durable.
 */
export class SourceTask {
  readonly metrics = new ConnectorMetrics();
  private readonly lifecycle: ConnectorLifecycle;
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  private producer: KafkaProducer | undefined;
  private readonly connector: SourceConnector;
  private readonly encoder: SourceEncoder;
  private readonly createdTopics = new Set<string>();
  private readonly log = createLogger('source');
  private readonly config: ResolvedSource;
  private readonly kafkaSettings: KafkaClientSettings;
  private readonly checkpoints: ConnectorCheckpoints;
  private readonly retryBackoff: BackoffPolicy;
  private readonly onChange: () => void;
  /** A batch is between the plug-in and Kafka's acknowledgement: read, but not yet visible to any sink. */
  private delivering = false;
  /** A read batch waits for the previous one's delivery before its own starts. */
  private held = false;
  /** The plug-in is open and its topics exist; false again after a failure until `open` succeeded anew. */
  private opened = false;
  /** Batches Kafka acknowledged; the runner compares it before and after asking the brokers for sink lag. */
  deliveries = 0;

  constructor(init: SourceTaskInit) {
    this.config = init.config;
    this.kafkaSettings = init.kafka;
    this.checkpoints = init.checkpoints;
    this.retryBackoff = init.retryBackoff ?? SOURCE_RETRY_BACKOFF;
    this.onChange = init.onChange;
    this.lifecycle = new ConnectorLifecycle(init.onChange);
    this.connector = init.connector({
      connector: init.config.name,
      checkpoint: () => this.checkpoints.positions(),
      resetCheckpoint: () => this.checkpoints.reset(),
      saveStartingPositions: async (positions) => {
        this.checkpoints.record(positions);
        await this.checkpoints.flush();
      },
      changed: init.onChange,
      routedTopic: (topic) => this.encoder.routedTopic(topic),
      signal: this.abort.signal,
      stateDir: init.checkpoints.stateDir,
      kafka: init.kafka,
    });
    this.encoder = new SourceEncoder(init.config, this.connector.capture);
  }

  get name(): string {
    return this.config.name;
  }

  start(): void {
    this.running ??= this.run();
  }

  /** Ends the run loop, lets a delivery under way finish, flushes the checkpoint (the plug-in hears what is durable), then closes. */
  async stop(): Promise<void> {
    this.abort.abort();
    this.lifecycle.release();
    await this.running;
    await this.checkpoints.flush().catch((error: unknown) => this.log.warn('checkpoint flush at stop failed', { connector: this.config.name, error: String(error) }));
    await this.connector.close().catch(() => {});
    await this.producer?.disconnect().catch(() => {});
    if (this.lifecycle.state !== 'FAILED') this.lifecycle.set('STOPPED');
  }

  /** The checkpoint up to `positions` is on disk: the plug-in may let its database release the log before them. */
  committed(positions: SourcePositions): Promise<void> {
    return this.connector.committed?.(positions) ?? Promise.resolve();
  }

  /** Resolves when the task ends: stopped, or FAILED with a non-retriable error. */
  get done(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  /**
   * Caught up: the plug-in has nothing waiting and nothing read is still on its way to Kafka. A batch in flight is
   * neither "caught up" at the reader nor lag at any sink yet, so it counts as busy here, or `--until-idle` could stop
   * between the read and the produce. A paused source is not caught up: it is not looking.
   */
  get caughtUp(): boolean {
    if (this.lifecycle.paused || this.delivering || this.held) return false;
    return this.connector.caughtUp;
  }

  status(now: number): ConnectorStatus {
    const progress = this.connector.progress();
    return {
      name: this.config.name,
      role: 'source',
      ...this.lifecycle.statusFields(),
      caughtUp: this.caughtUp,
      kafka: this.kafkaSettings.bootstrapServers.join(','),
      ...(progress.tables && progress.tables.length > 0 ? { tables: progress.tables.map((table) => ({ ...table })) } : {}),
      ...(progress.warnings && progress.warnings.length > 0 ? { warnings: [...progress.warnings] } : {}),
      ...(progress.logPosition ? { logPosition: progress.logPosition } : {}),
      ...(progress.logLag ? { logLag: { ...progress.logLag } } : {}),
      metrics: this.metrics.sourceStatus(now),
    };
  }

  /** Stops reading after the batch in hand (which is still delivered and checkpointed) until `resume`. */
  pause(): void {
    this.lifecycle.pause();
  }

  resume(): void {
    this.lifecycle.resume();
  }

  /**
   * Reads the next batch while the previous one is being produced (one batch in flight): the database read and the
   * Kafka round trip overlap, which roughly doubles snapshot throughput. A batch is delivered only after the one
   * before it was acknowledged; if that failed, the plug-in moves back to the checkpoint and the batch already read
   * is dropped, so positions never run ahead of what Kafka holds.
   */
  private async run(): Promise<void> {
    const backoff = new Backoff(this.retryBackoff);
    let inFlight: Promise<void> = Promise.resolve();
    let deliveryError: unknown;
    try {
      while (!this.abort.signal.aborted) {
        if (this.lifecycle.paused) {
          await this.lifecycle.whilePaused();
          continue;
        }
        try {
          await this.connectProducer();
          if (!this.opened) await this.open();
          const batch = await this.connector.read();
          // Paused while this read ran: hold the batch (it is not checkpointed) and deliver it on resume.
          await this.lifecycle.whilePaused();
          if (this.abort.signal.aborted) return;
          const carries = batch.records.length > 0 || batch.positions !== undefined;
          this.held = carries;
          // Encoded now, while the previous batch is still on its way to Kafka: from here only its messages are kept,
          // not its rows (see releaseRecords). Nothing is sent before the previous batch is acknowledged.
          const encoded = carries ? await this.encode(batch) : undefined;
          await inFlight;
          if (deliveryError !== undefined) {
            const failed = deliveryError;
            deliveryError = undefined;
            throw failed;
          }
          if (this.lifecycle.state !== 'RUNNING') this.lifecycle.set('RUNNING');
          backoff.reset();
          if (encoded) {
            inFlight = this.deliver(batch, encoded).catch((error: unknown) => {
              deliveryError = error;
            });
          } else {
            // Nothing to acknowledge, and everything before it is acknowledged (inFlight awaited above).
            this.connector.delivered(batch);
          }
          this.held = false;
        } catch (error) {
          this.held = false;
          if (this.abort.signal.aborted) return;
          const failure = toError(error);
          this.metrics.errors++;
          if (!failure.retriable) {
            this.log.error('source connector failed', { connector: this.config.name, error: failure.message });
            this.lifecycle.set('FAILED', failure);
            return;
          }
          const delayMs = backoff.next();
          this.lifecycle.set('DEGRADED', failure);
          this.log.warn('source connector retrying', { connector: this.config.name, error: failure.message, attempt: backoff.attempt, delayMs });
          await inFlight;
          deliveryError = undefined;
          // Records read but not acknowledged are read again from the checkpoint.
          this.opened = false;
          await this.connector.recover(this.checkpoints.positions()).catch(() => {});
          await this.producer?.disconnect().catch(() => {});
          this.producer = undefined;
          await sleep(delayMs, this.abort.signal);
        }
      }
    } finally {
      // A batch still being produced finishes (and is checkpointed) before the producer is closed.
      await inFlight;
    }
  }

  private async connectProducer(): Promise<void> {
    if (this.producer) return;
    const producer = createKafkaClient(this.kafkaSettings).producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await producer.connect().catch((error: unknown) => {
      throw classifyKafkaError(error, this.kafkaSettings.bootstrapServers, 'connect the producer');
    });
    this.producer = producer;
  }

  /**
   * Opens the plug-in and creates every topic it announces before the first read, so a sink of an empty table finds
   * its topic and the pipeline can go idle. Topic names go through the transforms, as a record's would.
   */
  private async open(): Promise<void> {
    const topics = await this.connector.open();
    for (const topic of topics) await this.ensureTopic(this.encoder.routedTopic(topic.name), topic);
    this.opened = true;
  }

  private async ensureTopic(topic: string, spec: Omit<SourceTopic, 'name'> = {}): Promise<void> {
    if (this.createdTopics.has(topic)) return;
    const creation: { partitions?: number | undefined; replicationFactor?: number | undefined } = 'topicCreation' in this.config ? this.config.topicCreation : {};
    const partitions = spec.partitions ?? creation.partitions;
    const replicationFactor = spec.replicationFactor ?? creation.replicationFactor;
    const admin = createKafkaClient(this.kafkaSettings).admin();
    await admin.connect();
    try {
      await ensureTopics(admin, [{ name: topic, ...(partitions ? { partitions } : {}), ...(replicationFactor ? { replicationFactor } : {}) }], this.kafkaSettings.bootstrapServers);
    } finally {
      await admin.disconnect();
    }
    this.createdTopics.add(topic);
  }

  /** A batch's records as the messages to send, the batch's records let go of (see releaseRecords). */
  private async encode(batch: SourceBatch): Promise<EncodedBatch> {
    const records = batch.records.length;
    const byTopic = await this.encoder.encode(batch.records, Date.now());
    releaseRecords(batch);
    return { byTopic, records };
  }

  private async deliver(batch: SourceBatch, encoded: EncodedBatch): Promise<void> {
    this.delivering = true;
    // A broker that stops answering (paused, overloaded, a cut network) refuses nothing: the send just waits, up to
    // the request timeout and then through kafkajs's retries, and the source said RUNNING all that time. Say that
    // Kafka does not acknowledge; the run loop says RUNNING again after the next batch that goes through.
    const startedAt = Date.now();
    const records = encoded.records;
    const watchdog = setTimeout(() => {
      if (this.abort.signal.aborted || this.lifecycle.state === 'FAILED') return;
      this.metrics.errors++;
      this.lifecycle.set(
        'DEGRADED',
        new EngineError(
          'SOURCE_KAFKA_SILENT',
          `Kafka at ${this.kafkaSettings.bootstrapServers.join(',')} has not acknowledged ${records} record${records === 1 ? '' : 's'} for ${Math.round((Date.now() - startedAt) / 1000)} s; the source waits (nothing is lost: its position is saved only after the acknowledgement).`,
          { retriable: true },
        ),
      );
    }, PRODUCE_SILENT_MS);
    try {
      await this.produce(batch, encoded.byTopic);
      this.deliveries++;
    } finally {
      clearTimeout(watchdog);
      this.delivering = false;
    }
  }

  private async produce(batch: SourceBatch, byTopic: Map<string, OutgoingMessage[]>): Promise<void> {
    const producer = this.producer;
    if (!producer) throw new EngineError('SOURCE_FAILED', 'The Kafka producer is not connected.', { retriable: true });
    this.metrics.rowsRead += batch.changes;
    for (const topic of byTopic.keys()) await this.ensureTopic(topic);
    try {
      // The Kafka port writes each partition's records straight into one record batch (kafka/messageBatches.ts).
      for (const request of produceRequests(byTopic, PRODUCE_REQUEST_BYTES, sendsWriteBatches() ? Infinity : KAFKAJS_REQUEST_MESSAGES)) {
        await producer.sendBatch({ acks: -1, topicMessages: request });
      }
    } catch (error) {
      // Kafka did not take the batch: the run loop moves the plug-in back to its checkpoint.
      throw classifyKafkaError(error, this.kafkaSettings.bootstrapServers, `produce to ${[...byTopic.keys()].join(', ')}`);
    }
    this.metrics.rowsProduced += batch.changes;
    // Recorded only now that Kafka acknowledged every record up to these positions; flushed to disk periodically.
    if (batch.positions) this.checkpoints.record(batch.positions);
    this.connector.delivered(batch);
    this.onChange();
  }
}
