import { randomUUID } from 'node:crypto';
import type { BrowseBatch, BrowsedRecord, BrowseProgress, BrowseState, DecodedPayload, DecodeMode } from '../../shared/api/topics';
import type { IDisposable } from '../../shared/lifecycle';
import { createLogger } from '../base/logger';
import { type BatchContext, classifyKafkaError, type FetchedMessage, type KafkaClient, type KafkaConsumer } from '../kafka';
import type { RecordPredicate } from './messageFilter';
import type { DecodedForFilter, PayloadDecoder } from './payloadDecoder';
import type { PartitionPlan } from './startPositions';

const log = createLogger('topics.browse');

/** Matching records reach the UI at most this often, in one batch: a live tail is ~10 events a second, not thousands. */
export const FLUSH_INTERVAL_MS = 100;
/** Per flush; a live tail faster than this (20,000 matching records/s) skips the oldest of a burst and counts them. */
export const MAX_RECORDS_PER_FLUSH = 2_000;
/** A bounded read stops fetching while this many records wait to be sent. */
const BACKLOG_HIGH_WATER = 10_000;
/** Keys and values longer than this are cut for display; exports keep them whole. */
export const DISPLAY_CHARS = 32 * 1024;
/** A bounded read with no new record for this long has reached the end (compaction gaps, transaction markers). */
const IDLE_END_MS = 4_000;

export interface BrowseSessionOptions {
  kafka: KafkaClient;
  brokers: readonly string[];
  topic: string;
  plans: readonly PartitionPlan[];
  decoder: PayloadDecoder;
  filter: RecordPredicate;
  keyDecode: DecodeMode;
  valueDecode: DecodeMode;
  /** Stop after this many matches; undefined for a live tail. */
  limit: number | undefined;
  /** Display (cut long payloads, flush in batches) or export (whole payloads, collected). */
  purpose: 'display' | 'export';
  onBatch(batch: BrowseBatch): void;
}

/** Control characters (other than tab, newline, carriage return) or replacement characters mean binary. */
export function isBinaryText(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if ((code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0xfffd) return true;
  }
  return false;
}

function headerText(value: Buffer | string | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  const text = value.toString('utf8');
  // Binary header values (e.g. __value_schema_id) are shown as hex, as they are not text.
  return isBinaryText(text) ? `0x${value.toString('hex')}` : text;
}

function forDisplay(payload: DecodedForFilter, cut: boolean): DecodedPayload {
  const { parsed: _parsed, ...rest } = payload;
  if (!cut || rest.text.length <= DISPLAY_CHARS) return rest;
  return { ...rest, text: rest.text.slice(0, DISPLAY_CHARS), truncated: true };
}

/**
 * One read of one topic: a kafkajs consumer in a private, never-committed group that owns exactly the chosen
 * partitions, seeks each to its start, decodes and filters every record here in the engine, and hands matching
 * records on in batches with the scan counters.
 */
export class BrowseSession implements IDisposable {
  readonly id = randomUUID();
  private readonly groupId = `ferry-browse-${this.id}`;
  private consumer: KafkaConsumer | undefined;
  private state: BrowseState = 'starting';
  private readonly startedAt = Date.now();
  private scanned = 0;
  private matched = 0;
  private bytes = 0;
  private skipped = 0;
  private pending: BrowsedRecord[] = [];
  private readonly open = new Map<number, PartitionPlan>();
  private timer: NodeJS.Timeout | undefined;
  private lastActivity = Date.now();
  private joined = false;
  private message: string | undefined;
  private errorCode: string | undefined;
  private dirty = true;
  private finishing: Promise<void> | undefined;
  private readonly finished: Promise<void>;
  private resolveFinished!: () => void;

  constructor(private readonly options: BrowseSessionOptions) {
    for (const plan of options.plans) if (plan.end === undefined || plan.start < plan.end) this.open.set(plan.partition, plan);
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
  }

  get currentState(): BrowseState {
    return this.state;
  }

  /** Resolves when the read is done, stopped or failed. */
  whenFinished(): Promise<void> {
    return this.finished;
  }

  async start(): Promise<void> {
    this.timer = setInterval(() => this.tick(), FLUSH_INTERVAL_MS);
    if (this.open.size === 0) {
      await this.finish('done', 'Nothing to read: the chosen partitions hold no records from that position.');
      return;
    }
    const { kafka, topic } = this.options;
    const consumer = kafka.consumer({
      groupId: this.groupId,
      // Exactly the chosen partitions to the one member of the session's private group.
      fixedAssignment: { topic, partitions: [...this.open.keys()] },
      maxWaitMs: 250,
      maxBytesPerPartition: 2 * 1024 * 1024,
      allowAutoTopicCreation: false,
      retry: { retries: 3 },
    });
    this.consumer = consumer;
    consumer.on('groupJoin', () => {
      this.joined = true;
      this.lastActivity = Date.now();
      if (this.state === 'starting') this.setState('reading');
    });
    consumer.on('crash', (event) => {
      void this.finish('failed', classifyKafkaError(event.error, this.options.brokers, `read topic ${topic}`).message, 'KAFKA_FAILED');
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: false });
      await consumer.run({ autoCommit: false, eachBatchAutoResolve: true, eachBatch: (payload) => this.onBatch(payload) });
      for (const plan of this.open.values()) consumer.seek({ topic, partition: plan.partition, offset: plan.start.toString() });
    } catch (error) {
      const classified = classifyKafkaError(error, this.options.brokers, `read topic ${topic}`);
      await this.finish('failed', classified.message, classified.code);
    }
  }

  pause(): void {
    if (this.state !== 'reading' && this.state !== 'starting') return;
    this.consumer?.pause([{ topic: this.options.topic }]);
    this.setState('paused');
  }

  resume(): void {
    if (this.state !== 'paused') return;
    this.consumer?.resume([{ topic: this.options.topic }]);
    this.lastActivity = Date.now();
    this.setState(this.joined ? 'reading' : 'starting');
  }

  stop(): Promise<void> {
    return this.finish('stopped', 'Stopped.');
  }

  dispose(): void {
    void this.stop();
  }

  progress(): BrowseProgress {
    return {
      sessionId: this.id,
      state: this.state,
      scanned: this.scanned,
      matched: this.matched,
      bytes: this.bytes,
      elapsedMs: Date.now() - this.startedAt,
      skipped: this.skipped,
      ...(this.message ? { message: this.message } : {}),
      ...(this.errorCode ? { errorCode: this.errorCode } : {}),
    };
  }

  private setState(state: BrowseState): void {
    this.state = state;
    this.dirty = true;
  }

  private limitReached(): boolean {
    return this.options.limit !== undefined && this.matched >= this.options.limit;
  }

  private async onBatch({ batch, isRunning, isStale }: BatchContext): Promise<void> {
    const plan = this.open.get(batch.partition);
    if (!plan) return;
    for (const message of batch.messages) {
      if (!isRunning() || isStale() || this.finishing) return;
      const offset = BigInt(message.offset);
      if (plan.end !== undefined && offset >= plan.end) {
        this.closePartition(batch.partition);
        return;
      }
      await this.process(batch.partition, message);
      if (plan.end !== undefined && offset + 1n >= plan.end) this.closePartition(batch.partition);
      if (this.limitReached()) {
        void this.finish('done', `Stopped at the limit of ${this.options.limit ?? 0} matching records.`);
        return;
      }
      // Back-pressure: a bounded read waits for the UI batches to drain instead of piling records up in memory.
      while (this.options.purpose === 'display' && this.options.limit !== undefined && this.pending.length > BACKLOG_HIGH_WATER && !this.finishing) {
        await new Promise((resolve) => setTimeout(resolve, FLUSH_INTERVAL_MS));
      }
    }
  }

  private async process(partition: number, message: FetchedMessage): Promise<void> {
    const { decoder, keyDecode, valueDecode } = this.options;
    this.scanned++;
    this.lastActivity = Date.now();
    this.dirty = true;
    this.bytes += (message.key?.length ?? 0) + (message.value?.length ?? 0);
    const headers = message.headers ?? {};
    const [key, value] = await Promise.all([decoder.decode(message.key ?? null, headers, true, keyDecode), decoder.decode(message.value ?? null, headers, false, valueDecode)]);
    const headerList: { name: string; value: string }[] = [];
    for (const [name, raw] of Object.entries(headers)) {
      for (const item of Array.isArray(raw) ? raw : [raw]) headerList.push({ name, value: headerText(item as Buffer | string | undefined) });
    }
    const matches = this.options.filter({ keyText: key.text, keyParsed: key.parsed, valueText: value.text, valueParsed: value.parsed, headers: headerList });
    if (!matches) return;
    this.matched++;
    const cut = this.options.purpose === 'display';
    this.pending.push({
      partition,
      offset: message.offset,
      timestamp: Number(message.timestamp),
      key: forDisplay(key, cut),
      value: forDisplay(value, cut),
      headers: headerList,
    });
  }

  private closePartition(partition: number): void {
    if (!this.open.delete(partition)) return;
    if (this.open.size === 0) void this.finish('done', 'Reached the end of the chosen partitions.');
  }

  private tick(): void {
    if (this.options.limit !== undefined && this.joined && this.state === 'reading' && Date.now() - this.lastActivity > IDLE_END_MS) {
      void this.finish('done', 'Reached the end of the chosen partitions.');
      return;
    }
    this.flush();
  }

  private flush(): void {
    if (!this.dirty && this.pending.length === 0) return;
    let records: BrowsedRecord[];
    if (this.options.purpose === 'export') {
      records = this.pending;
      this.pending = [];
    } else if (this.options.limit === undefined && this.pending.length > MAX_RECORDS_PER_FLUSH) {
      // Live tail burst: the newest records matter; older ones of the burst are counted, not shown.
      this.skipped += this.pending.length - MAX_RECORDS_PER_FLUSH;
      records = this.pending.slice(-MAX_RECORDS_PER_FLUSH);
      this.pending = [];
    } else {
      records = this.pending.splice(0, MAX_RECORDS_PER_FLUSH);
    }
    this.dirty = this.pending.length > 0;
    try {
      this.options.onBatch({ ...this.progress(), records });
    } catch (error) {
      log.warn('a browse listener failed', { error: String(error) });
    }
  }

  private finish(state: 'done' | 'stopped' | 'failed', message: string, errorCode?: string): Promise<void> {
    if (this.finishing) return this.finishing;
    this.finishing = (async () => {
      const consumer = this.consumer;
      if (consumer) {
        await consumer.disconnect().catch(() => {});
        await this.deleteGroup().catch(() => {});
      }
      if (this.timer) clearInterval(this.timer);
      this.timer = undefined;
      this.state = state;
      this.message = message;
      if (errorCode) this.errorCode = errorCode;
      this.dirty = true;
      // Whatever is still queued goes out with the final state, in as many batches as it takes.
      do this.flush();
      while (this.pending.length > 0);
      this.resolveFinished();
    })();
    return this.finishing;
  }

  /** The private group leaves nothing behind on the cluster. */
  private async deleteGroup(): Promise<void> {
    const admin = this.options.kafka.admin();
    try {
      await admin.connect();
      await admin.deleteGroups([this.groupId]);
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }
}
