/**
 * The replicator's member of the source consumer group and its `tasks.max` tasks. The one consumer copies every
 * partition the group gives this replicator; each partition's records go to the writer of the task it is fixed to
 * for the run (Connect assigns Replicator's tasks their partitions the same way). The tasks used to be one group
 * member each: starting them made the group rebalance while the first ones were already copying, and a
 * partition handed to another task was read again from the last commit — everything acknowledged since was
 * copied twice (issue 10: tasks.max=4 turned 10,000 records into 20,000).
 *
 * Fetched batches become chunks (provenance filter, schema id rewrite) handed to a DestinationWriter; the
 * consumer's fetch position moves on at once (kafkajs fetches the next batch while the previous one is written),
 * and the source group offset is committed only for chunks the destination acknowledged — so a crash at any point
 * loses nothing (at-least-once), and in exactly-once mode the destination transaction is the checkpoint.
 */
import type { ResolvedReplicator } from '../config';
import {
  type BatchContext,
  type BatchPart,
  buildRecordBatch,
  canForward,
  classifyKafkaError,
  decodeRecordBatch,
  type FetchedMessage,
  type FetchedRecordBatches,
  type KafkaClient,
  type KafkaClientSettings,
  type KafkaConsumer,
  type MessageHeaders,
} from '../kafka';
import { createLogger } from '../base/logger';
import { type ChunkWriter, startChunkWriter } from './chunkWriter';
import { type AckedChunk, type Chunk, MAX_BATCH_BYTES, type OutRecord } from './destinationWriter';
import { PendingOffsets } from './pendingOffsets';
import { cameFromDestination, decodeProvenance, encodeProvenance, PROVENANCE_HEADER } from './provenance';
import type { SchemaMigrator } from './schemaMigration';

/** Bytes per record besides key, value and headers (offset/timestamp deltas, lengths, attributes), roughly. */
const RECORD_OVERHEAD = 16;
/**
 * The batch path: a fetched batch at least this big goes to the destination as it is (only its header rewritten);
 * smaller ones are merged into one batch of up to MAX_BATCH_BYTES (records copied with renumbered deltas), as a
 * produce request carries one batch per partition.
 */
const FORWARD_ALONE_BYTES = 128 * 1024;
/** Attempts of the last commit of a graceful stop (a rebalance or coordinator move can refuse one). */
const FINAL_COMMIT_ATTEMPTS = 5;

export interface TaskContext {
  config: ResolvedReplicator;
  sourceKafka: KafkaClient;
  /** The destination producer runs in the writer thread, which builds its own client from these. */
  destinationSettings: KafkaClientSettings;
  sourceClusterId: string;
  destinationClusterId: string;
  /** Source topic → destination topic. */
  destinationOf(sourceTopic: string): string;
  /** How often acknowledged source offsets are committed to the source group. */
  commitIntervalMs: number;
  /** Byte-for-byte copies forward fetched record batches whole (see copyRecordBatches). */
  forwardBatches: boolean;
  /** Which of the `config.tasksMax` tasks (writers) copies a source partition; fixed for the run. */
  taskOf(sourceTopic: string, partition: number): number;
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
  /** The source consumer crashed and kafkajs restarts it (a broker away): say so until it is back in the group. */
  onRetrying(task: ReplicatorTask, error: unknown): void;
  /** The source consumer is (back) in its group. */
  onJoined(task: ReplicatorTask): void;
}

function headerBytes(headers: MessageHeaders | undefined): number {
  let total = 0;
  if (!headers) return 0;
  for (const [name, value] of Object.entries(headers)) {
    total += name.length;
    if (Array.isArray(value)) for (const item of value) total += item?.length ?? 0;
    else if (value !== undefined) total += value.length;
  }
  return total;
}

function firstHeader(headers: MessageHeaders | undefined, name: string): Buffer | string | undefined {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first;
}

export class ReplicatorTask {
  /** Per `topic:partition`, the source offset up to which records were handed to a writer in this task's life. */
  private readonly submittedThrough = new Map<string, number>();
  private consumer: KafkaConsumer | undefined;
  /** One writer (destination producer) per task, indexed by `taskOf`. */
  private writers: ChunkWriter[] = [];
  private topics: readonly string[] = [];
  /** Acknowledged source positions not yet committed to the source group. */
  private readonly toCommit = new PendingOffsets();
  private commitTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  /** Batches being turned into chunks and submitted, so a graceful stop writes them before its last commit. */
  private copying = 0;
  private readonly copyingDone: (() => void)[] = [];
  private readonly log = createLogger('replicator');
  /** Whether this run forwards record batches: a byte-for-byte copy (no provenance header, no schema id rewrite). */
  private forwarding = false;

  constructor(private readonly context: TaskContext) {}

  get inFlight(): number {
    return this.writers.reduce((sum, writer) => sum + writer.pending, 0);
  }

  async start(topics: readonly string[]): Promise<void> {
    const { config, sourceKafka, destinationSettings, checkpointGroup } = this.context;
    this.stopping = false;
    this.topics = [...topics];
    // Records change with provenance headers or schema migration, and a producer compression.type recompresses them;
    // a record-to-partition mapping other than the source's cannot keep batches either.
    this.forwarding = this.context.forwardBatches && !config.provenanceHeader && this.context.schemas === undefined && config.preservePartitions && config.producer.compression === 'none';
    const started = await Promise.allSettled(
      Array.from({ length: config.tasksMax }, (_, index) =>
        startChunkWriter({
          kafka: destinationSettings,
          // Fixed per task, and a partition stays with its task: a restart's producer fences the crashed one's.
          transactionalId: checkpointGroup === undefined ? undefined : `ferry-replicator-${config.name}-${index}`,
          requestBytes: config.producer.requestBytes,
          lingerMs: config.producer.lingerMs,
          compression: config.producer.compression,
          checkpointGroup,
          onAcked: (acked) => this.acked(acked),
          onFailed: (error) => this.context.onFailed(this, error),
        }),
      ),
    );
    this.writers = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const failed = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
    for (const writer of this.writers) writer.seedDestinationOffsets(this.context.checkpointOffsets);
    this.consumer = sourceKafka.consumer({
      groupId: config.groupId,
      sessionTimeoutMs: config.consumer.sessionTimeoutMs,
      rebalanceTimeoutMs: Math.max(config.consumer.sessionTimeoutMs, 10_000),
      heartbeatIntervalMs: Math.max(1000, Math.floor(config.consumer.sessionTimeoutMs / 5)),
      maxBytes: config.consumer.maxBytes,
      maxBytesPerPartition: config.consumer.maxBytesPerPartition,
      maxWaitMs: config.consumer.maxWaitMs,
      allowAutoTopicCreation: false,
      // Never copy records of aborted source transactions.
      readUncommitted: false,
      recordBatches: this.forwarding,
    });
    this.consumer.on('crash', (event) => {
      if (this.stopping) return;
      if (event.restart) this.context.onRetrying(this, event.error);
      else this.context.onFailed(this, event.error);
    });
    this.consumer.on('groupJoin', () => this.context.onJoined(this));
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 64,
      eachBatch: async (payload) => {
        this.copying++;
        try {
          await this.copyBatch(payload);
        } finally {
          if (--this.copying === 0) for (const resolve of this.copyingDone.splice(0)) resolve();
        }
      },
    });
    this.commitTimer = setInterval(() => void this.commit(), this.context.commitIntervalMs);
  }

  private async copyBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: BatchContext): Promise<void> {
    const writer = this.writers[this.context.taskOf(batch.topic, batch.partition) % this.writers.length];
    if (!writer || this.stopping || !isRunning() || isStale()) return;
    const { config, schemas, destinationClusterId, sourceClusterId } = this.context;
    const sourceTopic = batch.topic;
    const destinationTopic = this.context.destinationOf(sourceTopic);
    // The source group can trail what is copied: by one commit interval after an exactly-once restart (the checkpoint
    // floor), and by every chunk handed to a writer whose offset commit failed because the group dropped this member
    // while a broker hung (the group then hands those records back). A writer that fails restarts the whole task.
    const key = `${sourceTopic}:${batch.partition}`;
    const checkpointFloor = this.context.alreadyWritten.get(key);
    const submitted = this.submittedThrough.get(key);
    const floor = checkpointFloor === undefined ? submitted : submitted === undefined ? checkpointFloor : Math.max(checkpointFloor, submitted);
    if (batch.recordBatches) {
      const sourceEnd = Number(batch.lastOffset()) + 1;
      if (floor === undefined || sourceEnd > floor) {
        for (const chunk of await this.recordBatchChunks(batch.recordBatches, sourceTopic, batch.partition, destinationTopic, floor, sourceEnd)) await writer.submit(chunk);
        this.submittedThrough.set(key, sourceEnd);
      }
      resolveOffset(batch.lastOffset());
      await heartbeat();
      return;
    }
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
    this.submittedThrough.set(key, sourceEnd);
    // The fetch position moves on; the group offset is committed only once the destination acknowledged.
    resolveOffset(batch.lastOffset());
    await heartbeat();
  }

  /**
   * The batch path (cluster linking's way, as far as a producer can go): the fetched batches become chunks of one
   * prebuilt batch each — a big one as it is, small uncompressed ones merged, a compressed one alone — with the
   * destination's producer id, epoch, sequence and CRC stamped in by the writer. Keys, values, headers and timestamps
   * are the source's bytes. Batches the path cannot take (a compressed one with offset gaps, LogAppendTime, or
   * starting before what is already copied) are decoded and go record by record, in their place in the order.
   * Destination offsets are contiguous: where compaction, transaction markers or aborted transactions left gaps in
   * the source, the offset syncs record where each chunk landed.
   */
  private async recordBatchChunks(fetched: FetchedRecordBatches, sourceTopic: string, partition: number, destinationTopic: string, floor: number | undefined, sourceEnd: number): Promise<Chunk[]> {
    const from = Math.max(fetched.from, floor ?? 0);
    // Merged batches stay within the producer's batch size (producer.override.batch.size), as its own would.
    const mergeLimit = Math.min(MAX_BATCH_BYTES, this.context.config.producer.requestBytes);
    const chunks: Chunk[] = [];
    let cursor = from;
    let parts: BatchPart[] = [];
    let partsBytes = 0;
    const close = (chunk: Chunk, end: number): void => {
      chunk.sourceEnd = end;
      chunk.contiguous = (chunk.batch?.recordCount ?? chunk.records.length) === end - chunk.sourceStart;
      chunks.push(chunk);
      cursor = end;
    };
    const flush = (): void => {
      const last = parts[parts.length - 1];
      const built = buildRecordBatch(parts);
      parts = [];
      partsBytes = 0;
      if (!last || !built) return;
      const chunk = this.newChunk(sourceTopic, partition, destinationTopic, cursor);
      chunk.batch = built;
      chunk.bytes = built.bytes.length;
      chunk.newestTimestamp = Number(built.bytes.readBigInt64BE(35));
      close(chunk, last.batch.lastOffset + 1);
    };
    for (const batch of fetched.batches) {
      if (batch.lastOffset < from) continue;
      const part: BatchPart = { batch, from };
      if (!canForward(part)) {
        flush();
        const messages = (await decodeRecordBatch(batch)).filter((message) => Number(message.offset) >= from);
        for (const chunk of this.recordChunks(messages, sourceTopic, partition, destinationTopic, cursor, batch.lastOffset + 1)) close(chunk, chunk.sourceEnd);
        continue;
      }
      const alone = (batch.attributes & 7) !== 0 || batch.bytes.length >= FORWARD_ALONE_BYTES;
      if (alone || partsBytes + batch.bytes.length > mergeLimit) flush();
      parts.push(part);
      partsBytes += batch.bytes.length;
      if (alone) flush();
    }
    flush();
    const last = chunks[chunks.length - 1];
    if (last) last.sourceEnd = sourceEnd;
    else chunks.push(this.newChunk(sourceTopic, partition, destinationTopic, cursor));
    const tail = chunks[chunks.length - 1] as Chunk;
    tail.sourceEnd = sourceEnd;
    tail.contiguous = (tail.batch?.recordCount ?? tail.records.length) === sourceEnd - tail.sourceStart;
    return chunks;
  }

  /** Decoded records of one fetched batch as record chunks of up to MAX_BATCH_BYTES, covering start..end-1. */
  private recordChunks(messages: readonly FetchedMessage[], sourceTopic: string, partition: number, destinationTopic: string, start: number, end: number): Chunk[] {
    const pieces: Chunk[] = [];
    let piece = this.newChunk(sourceTopic, partition, destinationTopic, start);
    for (const message of messages) {
      const size = (message.key?.length ?? 0) + (message.value?.length ?? 0) + headerBytes(message.headers) + RECORD_OVERHEAD;
      const offset = Number(message.offset);
      if (piece.records.length > 0 && piece.bytes + size > MAX_BATCH_BYTES) {
        piece.sourceEnd = offset;
        pieces.push(piece);
        piece = this.newChunk(sourceTopic, partition, destinationTopic, offset);
      }
      piece.records.push({ partition, key: message.key, value: message.value, headers: message.headers, timestamp: message.timestamp });
      piece.bytes += size;
      const timestamp = Number(message.timestamp);
      if (timestamp > piece.newestTimestamp) piece.newestTimestamp = timestamp;
    }
    piece.sourceEnd = end;
    pieces.push(piece);
    return pieces;
  }

  private newChunk(sourceTopic: string, sourcePartition: number, destinationTopic: string, sourceStart: number): Chunk {
    return { sourceTopic, sourcePartition, destinationTopic, records: [], sourceStart, sourceEnd: sourceStart, contiguous: true, bytes: 0, newestTimestamp: 0 };
  }

  private convert(
    message: FetchedMessage,
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
    for (const { chunk } of acked) this.toCommit.acknowledge(chunk.sourceTopic, chunk.sourcePartition, chunk.sourceEnd);
    this.context.onAcked(acked);
  }

  /**
   * Commits acknowledged positions to the source group (in exactly-once mode, for lag tools; the destination holds
   * the truth). What a failed commit carried stays pending for the next one.
   */
  private async commit(): Promise<boolean> {
    const consumer = this.consumer;
    if (!consumer) return false;
    try {
      await this.toCommit.commit((offsets) => consumer.commitOffsets(offsets));
      return true;
    } catch (error) {
      this.log.debug('committing source offsets failed; they stay pending', { error: classifyKafkaError(error, this.context.config.source.bootstrapServers, 'commit offsets').message });
      return false;
    }
  }

  /** The last commit, while still a member of the group (kafkajs drops commits of a stopped consumer without a word). */
  private async finalCommit(): Promise<void> {
    for (let attempt = 1; attempt <= FINAL_COMMIT_ATTEMPTS && this.toCommit.size > 0; attempt++) {
      if (await this.commit()) return;
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
    if (this.toCommit.size > 0) {
      this.log.warn('could not commit the last source offsets; records after the group\'s last commit will be copied again at the next start', {
        group: this.context.config.groupId,
        partitions: this.toCommit.size,
      });
    }
  }

  private copyingFinished(): Promise<void> {
    return this.copying === 0 ? Promise.resolve() : new Promise((resolve) => this.copyingDone.push(resolve));
  }

  /**
   * Graceful: stop fetching (paused, still a group member), write what is queued, commit it, then leave the group.
   * Not graceful (a writer or the consumer failed): what is queued is dropped — its offsets were never committed —
   * but what the destination already acknowledged is committed.
   */
  async stop(graceful = true): Promise<void> {
    this.stopping = true;
    clearInterval(this.commitTimer);
    this.commitTimer = undefined;
    const consumer = this.consumer;
    try {
      if (consumer && this.topics.length > 0) consumer.pause(this.topics.map((topic) => ({ topic })));
      if (graceful) {
        await this.copyingFinished();
        await Promise.all(this.writers.map((writer) => writer.drain()));
      }
      await this.finalCommit();
      await consumer?.stop();
    } catch (error) {
      this.log.debug('stopping the replicator\'s tasks', { error: String(error) });
    } finally {
      await consumer?.disconnect().catch(() => undefined);
      await Promise.all(this.writers.map((writer) => writer.close()));
      this.consumer = undefined;
      this.writers = [];
    }
  }
}
