/**
 * One replicator task: a member of the source consumer group copying the partitions it is assigned. Fetched
 * batches become chunks (provenance filter, schema id rewrite) handed to the DestinationWriter; the consumer's
 * fetch position moves on at once (kafkajs fetches the next batch while the previous one is written), and the
 * source group offset is committed only for chunks the destination acknowledged — so a crash at any point
 * loses nothing (at-least-once), and in exactly-once mode the destination transaction is the checkpoint.
 */
import type { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import type { ResolvedReplicator } from '../config';
import { classifyKafkaError, type KafkaClientSettings } from '../kafka';
import { createLogger } from '../base/logger';
import { type ChunkWriter, startChunkWriter } from './chunkWriter';
import { type AckedChunk, type Chunk, MAX_BATCH_BYTES, type OutRecord } from './destinationWriter';
import { cameFromDestination, decodeProvenance, encodeProvenance, PROVENANCE_HEADER } from './provenance';
import type { SchemaMigrator } from './schemaMigration';

/** Bytes per record besides key, value and headers (offset/timestamp deltas, lengths, attributes), roughly. */
const RECORD_OVERHEAD = 16;

export interface TaskContext {
  config: ResolvedReplicator;
  sourceKafka: Kafka;
  /** The destination producer runs in the writer thread, which builds its own client from these. */
  destinationSettings: KafkaClientSettings;
  sourceClusterId: string;
  destinationClusterId: string;
  /** Source topic → destination topic. */
  destinationOf(sourceTopic: string): string;
  schemas: SchemaMigrator | undefined;
  /** Exactly-once: the destination group that holds the checkpoint. */
  checkpointGroup: string | undefined;
  /** Exactly-once: destination offsets already committed there, to seed the writer. */
  checkpointOffsets: { topic: string; partition: number; offset: number }[];
  /** Exactly-once: per `topic:partition`, the source offset below which records are already on the destination. */
  alreadyWritten: ReadonlyMap<string, number>;
  onAcked(acked: AckedChunk[]): void;
  onSkipped(count: number): void;
  /** The task cannot go on (destination or consumer failure); the runner restarts it. */
  onFailed(task: ReplicatorTask, error: unknown): void;
}

function headerBytes(headers: IHeaders | undefined): number {
  let total = 0;
  if (!headers) return 0;
  for (const [name, value] of Object.entries(headers)) {
    total += name.length;
    if (Array.isArray(value)) for (const item of value) total += item?.length ?? 0;
    else if (value !== undefined) total += value.length;
  }
  return total;
}

function firstHeader(headers: IHeaders | undefined, name: string): Buffer | string | undefined {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first;
}

export class ReplicatorTask {
  private consumer: Consumer | undefined;
  private writer: ChunkWriter | undefined;
  /** Acknowledged source positions not yet committed to the source group. */
  private readonly toCommit = new Map<string, { topic: string; partition: number; offset: number }>();
  private commitTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private readonly log = createLogger('replicator');

  constructor(
    readonly index: number,
    private readonly context: TaskContext,
  ) {}

  get inFlight(): number {
    return this.writer?.pending ?? 0;
  }

  async start(topics: readonly string[]): Promise<void> {
    const { config, sourceKafka, destinationSettings, checkpointGroup } = this.context;
    this.stopping = false;
    this.writer = await startChunkWriter({
      kafka: destinationSettings,
      transactionalId: checkpointGroup === undefined ? undefined : `ferry-replicator-${config.name}-${this.index}`,
      requestBytes: config.producer.requestBytes,
      lingerMs: config.producer.lingerMs,
      checkpointGroup,
      onAcked: (acked) => this.acked(acked),
      onFailed: (error) => this.context.onFailed(this, error),
    });
    this.writer.seedDestinationOffsets(this.context.checkpointOffsets);
    this.consumer = sourceKafka.consumer({
      groupId: config.groupId,
      sessionTimeout: config.consumer.sessionTimeoutMs,
      rebalanceTimeout: Math.max(config.consumer.sessionTimeoutMs, 10_000),
      heartbeatInterval: Math.max(1000, Math.floor(config.consumer.sessionTimeoutMs / 5)),
      maxBytes: config.consumer.maxBytes,
      maxBytesPerPartition: config.consumer.maxBytesPerPartition,
      maxWaitTimeInMs: config.consumer.maxWaitMs,
      allowAutoTopicCreation: false,
      // Never copy records of aborted source transactions.
      readUncommitted: false,
    });
    this.consumer.on(this.consumer.events.CRASH, (event) => {
      if (!event.payload.restart && !this.stopping) this.context.onFailed(this, event.payload.error);
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 64,
      eachBatch: (payload) => this.copyBatch(payload),
    });
    this.commitTimer = setInterval(() => void this.commit(), 1000);
  }

  private async copyBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const writer = this.writer;
    if (!writer || !isRunning() || isStale()) return;
    const { config, schemas, destinationClusterId, sourceClusterId } = this.context;
    const sourceTopic = batch.topic;
    const destinationTopic = this.context.destinationOf(sourceTopic);
    const floor = this.context.alreadyWritten.get(`${sourceTopic}:${batch.partition}`);
    // Exactly-once after a restart: the source group can trail the destination checkpoint by one commit interval.
    const messages = floor === undefined ? batch.messages : batch.messages.filter((message) => Number(message.offset) >= floor);
    if (messages.length === 0 && floor !== undefined && Number(batch.lastOffset()) < floor) {
      resolveOffset(batch.lastOffset());
      await heartbeat();
      return;
    }
    const first = messages[0];
    const lastOffset = Number(batch.lastOffset());
    const sourceEnd = lastOffset + 1;
    // Pieces of at most MAX_BATCH_BYTES: kafkajs sends a partition's records of one request as one record batch,
    // and the broker refuses batches over max.message.bytes (1 MB by default).
    const pieces: Chunk[] = [];
    let piece: Chunk = this.newChunk(sourceTopic, batch.partition, destinationTopic, first ? Number(first.offset) : sourceEnd);
    let skipped = 0;
    for (const message of messages) {
      const converted = this.convert(message, sourceTopic, destinationTopic, batch.partition, config, schemas, destinationClusterId, sourceClusterId);
      // Awaited only when a schema id is not known yet: one promise per record would cost more than the copy.
      const out = converted instanceof Promise ? await converted : converted;
      const offset = Number(message.offset);
      if (out === undefined) {
        skipped++;
        piece.contiguous = false;
        continue;
      }
      const size = (out.key?.length ?? 0) + (out.value?.length ?? 0) + headerBytes(out.headers) + RECORD_OVERHEAD;
      if (piece.records.length > 0 && piece.bytes + size > MAX_BATCH_BYTES) {
        piece.sourceEnd = offset;
        pieces.push(piece);
        piece = this.newChunk(sourceTopic, batch.partition, destinationTopic, offset);
      }
      piece.records.push(out);
      piece.bytes += size;
      const timestamp = Number(message.timestamp);
      if (timestamp > piece.newestTimestamp) piece.newestTimestamp = timestamp;
    }
    piece.sourceEnd = sourceEnd;
    pieces.push(piece);
    if (skipped > 0) this.context.onSkipped(skipped);
    for (const chunk of pieces) {
      chunk.contiguous &&= chunk.records.length === chunk.sourceEnd - chunk.sourceStart;
      await writer.submit(chunk);
    }
    // The fetch position moves on; the group offset is committed only once the destination acknowledged.
    resolveOffset(batch.lastOffset());
    await heartbeat();
  }

  private newChunk(sourceTopic: string, sourcePartition: number, destinationTopic: string, sourceStart: number): Chunk {
    return { sourceTopic, sourcePartition, destinationTopic, records: [], sourceStart, sourceEnd: sourceStart, contiguous: true, bytes: 0, newestTimestamp: 0 };
  }

  private convert(
    message: KafkaMessage,
    sourceTopic: string,
    destinationTopic: string,
    partition: number,
    config: ResolvedReplicator,
    schemas: SchemaMigrator | undefined,
    destinationClusterId: string,
    sourceClusterId: string,
  ): OutRecord | undefined | Promise<OutRecord> {
    let headers = message.headers;
    if (config.provenanceHeader) {
      const provenance = decodeProvenance(firstHeader(headers, PROVENANCE_HEADER));
      if (cameFromDestination(provenance, destinationClusterId, destinationTopic)) return undefined;
      if (!provenance) headers = { ...headers, [PROVENANCE_HEADER]: encodeProvenance({ clusterId: sourceClusterId, topic: sourceTopic, timestamp: Date.now() }) };
    }
    const target = config.preservePartitions ? partition : undefined;
    if (!schemas) return { partition: target, key: message.key, value: message.value, headers, timestamp: message.timestamp };
    const key = schemas.rewrite(destinationTopic, true, message.key);
    const value = schemas.rewrite(destinationTopic, false, message.value);
    if (!(key instanceof Promise) && !(value instanceof Promise)) return { partition: target, key, value, headers, timestamp: message.timestamp };
    return Promise.all([key, value]).then(([k, v]) => ({ partition: target, key: k, value: v, headers, timestamp: message.timestamp }));
  }

  private acked(acked: AckedChunk[]): void {
    for (const { chunk } of acked) {
      const key = `${chunk.sourceTopic}:${chunk.sourcePartition}`;
      this.toCommit.set(key, { topic: chunk.sourceTopic, partition: chunk.sourcePartition, offset: chunk.sourceEnd });
    }
    this.context.onAcked(acked);
  }

  /** Commits acknowledged positions to the source group (in exactly-once mode, for lag tools; the destination holds the truth). */
  private async commit(): Promise<void> {
    const consumer = this.consumer;
    if (!consumer || this.toCommit.size === 0) return;
    const offsets = [...this.toCommit.values()].map((entry) => ({ topic: entry.topic, partition: entry.partition, offset: String(entry.offset) }));
    this.toCommit.clear();
    try {
      await consumer.commitOffsets(offsets);
    } catch (error) {
      // A rebalance moved a partition away: its new owner commits from here on. Anything else shows at the next commit.
      this.log.debug('committing source offsets failed', { error: classifyKafkaError(error, this.context.config.source.bootstrapServers, 'commit offsets').message });
    }
  }

  /** Graceful: stop fetching, write what is queued, commit it, leave the group. */
  async stop(graceful = true): Promise<void> {
    this.stopping = true;
    clearInterval(this.commitTimer);
    this.commitTimer = undefined;
    try {
      await this.consumer?.stop();
      if (graceful) {
        await this.writer?.drain();
        await this.commit();
      }
    } catch (error) {
      this.log.debug('stopping a replicator task', { error: String(error) });
    } finally {
      await this.consumer?.disconnect().catch(() => undefined);
      await this.writer?.close();
      this.consumer = undefined;
      this.writer = undefined;
      this.toCommit.clear();
    }
  }
}
