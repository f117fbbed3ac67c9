/**
 * Writes copied records to the destination. Chunks (one per fetched source batch) queue up in order and are
 * sent together, across partitions, in produce requests of up to `requestBytes`: with one request in flight the
 * next one fills while the broker answers, which is what keeps kafkajs's one-request-at-a-time idempotent
 * producer busy. A partition's chunks never overtake each other (FIFO queue, one request at a time), so the
 * destination keeps the source order.
 *
 * Exactly-once: each request is one transaction that also commits, on the destination, the source offsets the
 * transaction reaches (TxnOffsetCommit to the checkpoint group, the destination's next offset per partition with
 * the source offset in the commit's metadata). A crash aborts the open transaction, and a restart resumes from
 * the source offsets of the last committed one: nothing lost, nothing duplicated for read_committed readers.
 */
import type { BuiltBatch, KafkaProducer, MessageHeaders, OutgoingMessage, ProduceAck, TopicMessages } from '../kafka';

/**
 * Most record bytes per destination partition in one request. The producer sends them as one record batch, which
 * brokers refuse over `message.max.bytes` / the topic's `max.message.bytes` (1,048,588 by default); the ~15 % left
 * covers the batch header and what the per-record estimate (replicatorTask's RECORD_OVERHEAD) misses: varints of
 * header lengths, long timestamp deltas. (It was 256 KiB while kafkajs grouped a request's messages by partition in
 * quadratic time; the Kafka port's produce path groups them in one pass.) A destination topic whose
 * max.message.bytes is below this still refuses such batches.
 */
export const MAX_BATCH_BYTES = 900_000;

export interface OutRecord {
  partition: number | undefined;
  key: Buffer | null;
  value: Buffer | null;
  headers: MessageHeaders | undefined;
  timestamp: string;
}

export interface Chunk {
  sourceTopic: string;
  sourcePartition: number;
  destinationTopic: string;
  /** Records to write (skipped ones removed); empty when the chunk is one prebuilt `batch`. */
  records: OutRecord[];
  /**
   * The batch path: the chunk's records as one record batch built from the fetched ones (buildRecordBatch), written
   * to the source partition's number. It goes alone for its partition in a produce request (Kafka takes one batch
   * per partition per request).
   */
  batch?: BuiltBatch;
  /** Source offset of the first fetched record of the batch, and one past its last. */
  sourceStart: number;
  sourceEnd: number;
  /** Whether the records are exactly sourceStart..sourceEnd-1 (no gaps, none skipped): offsets then map 1:1. */
  contiguous: boolean;
  bytes: number;
  /** Timestamp of the newest record, for latency. */
  newestTimestamp: number;
}

/** How many records a chunk writes. */
export function recordsIn(chunk: Chunk): number {
  return chunk.batch ? chunk.batch.recordCount : chunk.records.length;
}

export interface AckedChunk {
  chunk: Chunk;
  /** Destination offset of the chunk's first record (undefined when it wrote none or partitions are not preserved). */
  destinationOffset: number | undefined;
  ackedAt: number;
}

export interface WriterOptions {
  producer: KafkaProducer;
  requestBytes: number;
  lingerMs: number;
  /** Exactly-once: the destination group that holds the source offsets. */
  checkpointGroup: string | undefined;
  onAcked(acked: AckedChunk[]): void;
  onFailed(error: unknown): void;
}

/** The metadata stored with each exactly-once checkpoint: which source offset the destination offset stands for. */
export interface CheckpointMetadata {
  topic: string;
  partition: number;
  offset: number;
}

export function encodeCheckpointMetadata(metadata: CheckpointMetadata): string {
  return JSON.stringify({ ferry: 1, ...metadata });
}

export function decodeCheckpointMetadata(text: string | null | undefined): CheckpointMetadata | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as Partial<CheckpointMetadata> & { ferry?: unknown };
    if (value.ferry === 1 && typeof value.topic === 'string' && Number.isSafeInteger(value.partition) && Number.isSafeInteger(value.offset)) {
      return { topic: value.topic, partition: value.partition as number, offset: value.offset as number };
    }
  } catch {
    // Not ours: another tool's commit in the same group.
  }
  return undefined;
}

export class DestinationWriter {
  private queue: Chunk[] = [];
  private queuedBytes = 0;
  private sending = false;
  private timer: NodeJS.Timeout | undefined;
  private failed: unknown;
  private readonly drainWaiters: (() => void)[] = [];
  /** Exactly-once: the destination's next offset per destination partition, for checkpoints of chunks that wrote nothing. */
  private readonly destinationNext = new Map<string, number>();

  constructor(private readonly options: WriterOptions) {}

  get pending(): number {
    return this.queue.length + (this.sending ? 1 : 0);
  }

  /** Queues a chunk; resolves once the queue has room again (backpressure for the consumer). */
  async submit(chunk: Chunk): Promise<void> {
    if (this.failed !== undefined) throw this.failed;
    this.queue.push(chunk);
    this.queuedBytes += chunk.bytes;
    this.schedule();
    while (this.queuedBytes > this.options.requestBytes * 2 && this.failed === undefined) {
      await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
    }
    if (this.failed !== undefined) throw this.failed;
  }

  /** Resolves when everything queued so far is written (or the writer failed). */
  async drain(): Promise<void> {
    while ((this.queue.length > 0 || this.sending) && this.failed === undefined) {
      this.schedule(true);
      await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
    }
  }

  private schedule(now = false): void {
    if (this.sending || this.queue.length === 0) return;
    if (now || this.queuedBytes >= this.options.requestBytes || this.options.lingerMs === 0) {
      clearTimeout(this.timer);
      this.timer = undefined;
      void this.sendNext();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.sendNext();
      }, this.options.lingerMs);
    }
  }

  private wake(): void {
    for (const resolve of this.drainWaiters.splice(0)) resolve();
  }

  /**
   * The next request: chunks in queue order up to `requestBytes`, at most MAX_BATCH_BYTES per destination
   * partition. A partition whose budget is spent keeps its remaining chunks queued (in order) while other
   * partitions' chunks may still join the request. A request carries either prebuilt batches (one per partition)
   * or records, as the first chunk taken has; a chunk of the other kind waits, and its partition with it.
   */
  private take(): Chunk[] {
    const taken: Chunk[] = [];
    const left: Chunk[] = [];
    const perPartition = new Map<string, number>();
    const blocked = new Set<string>();
    let bytes = 0;
    const batches = this.queue[0]?.batch !== undefined;
    for (const chunk of this.queue) {
      const key = `${chunk.destinationTopic}:${chunk.sourcePartition}`;
      const used = perPartition.get(key) ?? 0;
      const sameKind = (chunk.batch !== undefined) === batches;
      const fits = taken.length === 0 || (sameKind && bytes + chunk.bytes <= this.options.requestBytes && (used === 0 ? true : !batches && used + chunk.bytes <= MAX_BATCH_BYTES));
      if (blocked.has(key) || !fits) {
        blocked.add(key);
        left.push(chunk);
        continue;
      }
      taken.push(chunk);
      perPartition.set(key, used + chunk.bytes);
      bytes += chunk.bytes;
    }
    this.queue = left;
    this.queuedBytes -= bytes;
    return taken;
  }

  private async sendNext(): Promise<void> {
    if (this.sending || this.queue.length === 0 || this.failed !== undefined) return;
    this.sending = true;
    const chunks = this.take();
    this.wake();
    try {
      const acked = await this.write(chunks);
      this.options.onAcked(acked);
    } catch (error) {
      this.failed = error;
      this.queue = [];
      this.queuedBytes = 0;
      this.options.onFailed(error);
    } finally {
      this.sending = false;
      this.wake();
    }
    if (this.failed === undefined) this.schedule(this.queuedBytes >= this.options.requestBytes);
  }

  private async write(chunks: Chunk[]): Promise<AckedChunk[]> {
    if (chunks[0]?.batch !== undefined) return this.writeBatches(chunks);
    const byTopic = new Map<string, OutgoingMessage[]>();
    for (const chunk of chunks) {
      let messages = byTopic.get(chunk.destinationTopic);
      if (!messages) byTopic.set(chunk.destinationTopic, (messages = []));
      for (const record of chunk.records) messages.push(record as OutgoingMessage);
    }
    const topicMessages: TopicMessages[] = [...byTopic].filter(([, messages]) => messages.length > 0).map(([topic, messages]) => ({ topic, messages }));
    const { producer, checkpointGroup } = this.options;
    let metadata: ProduceAck[] = [];
    if (checkpointGroup === undefined) {
      if (topicMessages.length > 0) metadata = await producer.sendBatch({ topicMessages, acks: -1 });
      return this.acknowledge(chunks, metadata);
    }
    const transaction = await producer.transaction();
    try {
      if (topicMessages.length > 0) metadata = await transaction.sendBatch({ topicMessages, acks: -1 });
      const acked = this.acknowledge(chunks, metadata);
      const offsets = this.checkpointOffsets(acked);
      if (offsets.length > 0) await transaction.sendOffsets({ consumerGroupId: checkpointGroup, topics: offsets });
      await transaction.commit();
      const now = Date.now();
      for (const item of acked) item.ackedAt = now;
      return acked;
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      throw error;
    }
  }

  /** The batch path: each chunk is one prebuilt batch for its partition (take() puts at most one per partition). */
  private async writeBatches(chunks: Chunk[]): Promise<AckedChunk[]> {
    const batches = chunks.flatMap((chunk) => (chunk.batch ? [{ topic: chunk.destinationTopic, partition: chunk.sourcePartition, batch: chunk.batch }] : []));
    const { producer, checkpointGroup } = this.options;
    if (checkpointGroup === undefined) return this.acknowledge(chunks, await producer.sendRecordBatches({ batches, acks: -1 }));
    const transaction = await producer.transaction();
    try {
      const acked = this.acknowledge(chunks, await transaction.sendRecordBatches({ batches, acks: -1 }));
      const offsets = this.checkpointOffsets(acked);
      if (offsets.length > 0) await transaction.sendOffsets({ consumerGroupId: checkpointGroup, topics: offsets });
      await transaction.commit();
      const now = Date.now();
      for (const item of acked) item.ackedAt = now;
      return acked;
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      throw error;
    }
  }

  /** Each chunk's first destination offset: the partition's base offset plus the records of earlier chunks in the request. */
  private acknowledge(chunks: Chunk[], metadata: ProduceAck[]): AckedChunk[] {
    const base = new Map<string, number>();
    for (const entry of metadata) base.set(`${entry.topic}:${entry.partition}`, Number(entry.baseOffset));
    const now = Date.now();
    return chunks.map((chunk) => {
      const partition = chunk.batch ? chunk.sourcePartition : chunk.records[0]?.partition;
      const key = `${chunk.destinationTopic}:${partition ?? -1}`;
      const offset = partition === undefined ? undefined : base.get(key);
      if (offset !== undefined) base.set(key, offset + recordsIn(chunk));
      return { chunk, destinationOffset: offset, ackedAt: now };
    });
  }

  /** The source position each destination partition now stands for, as TxnOffsetCommit entries. */
  private checkpointOffsets(acked: AckedChunk[]): { topic: string; partitions: { partition: number; offset: string; metadata: string }[] }[] {
    const latest = new Map<string, { topic: string; partition: number; offset: number; metadata: string }>();
    for (const { chunk, destinationOffset } of acked) {
      // Partitions are preserved in exactly-once mode, so the destination partition is the source partition.
      const key = `${chunk.destinationTopic}:${chunk.sourcePartition}`;
      if (destinationOffset !== undefined) this.destinationNext.set(key, destinationOffset + recordsIn(chunk));
      const next = this.destinationNext.get(key);
      if (next === undefined) continue; // Nothing written to this partition yet: a restart re-reads only skipped records.
      latest.set(key, { topic: chunk.destinationTopic, partition: chunk.sourcePartition, offset: next, metadata: encodeCheckpointMetadata({ topic: chunk.sourceTopic, partition: chunk.sourcePartition, offset: chunk.sourceEnd }) });
    }
    const byTopic = new Map<string, { partition: number; offset: string; metadata: string }[]>();
    for (const entry of latest.values()) {
      let list = byTopic.get(entry.topic);
      if (!list) byTopic.set(entry.topic, (list = []));
      list.push({ partition: entry.partition, offset: String(entry.offset), metadata: entry.metadata });
    }
    return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
  }

  /** Seeds the destination's next offset per partition (exactly-once), from the checkpoint group's committed offsets. */
  seedDestinationOffsets(entries: { topic: string; partition: number; offset: number }[]): void {
    for (const entry of entries) this.destinationNext.set(`${entry.topic}:${entry.partition}`, entry.offset);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.failed ??= new Error('writer closed');
    this.wake();
  }
}
