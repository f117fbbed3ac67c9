import type { RecordSchema, Row } from '../../model';
import { objectStoreError } from './errors';
import { encodeObject, objectExtension } from './formats';
import { createPartitioner, floorInZone, type Partitioner } from './partitioner';
import { type ObjectStoreRecord, partitionKey } from './records';
import type { ObjectStoreSinkSettings } from './settings';

/** Where objects go: one whole object per call, replacing any object of that name (how a restart stays exactly-once). */
export interface ObjectStore {
  put(name: string, bytes: Buffer, contentType: string): Promise<void>;
}

/** How far a Kafka partition is durably written: every record before `offset` is in a written object (or skipped). */
export interface CommittableOffset {
  topic: string;
  partition: number;
  /** The next offset to consume, as a decimal string (what a consumer commits). */
  offset: string;
}

interface OpenObject {
  startOffset: string;
  schema: RecordSchema | null;
  rows: Row[];
}

/** The records of one Kafka partition since its last rotation, by directory. */
interface OpenSet {
  topic: string;
  partition: number;
  objects: Map<string, OpenObject>;
  count: number;
  /** First offset taken since the last rotation (tombstones skipped included): what may be committed meanwhile. */
  batchStart: string | null;
  /** The offset after the last record taken. */
  next: string | null;
  baseTimestamp: number | null;
  /** Wall-clock time of the next scheduled rotation. */
  scheduledAt: number | null;
}

const schemaKeys = new WeakMap<RecordSchema, string>();
function schemaKey(schema: RecordSchema | null): string {
  if (!schema) return '';
  let key = schemaKeys.get(schema);
  if (key === undefined) {
    key = JSON.stringify(schema);
    schemaKeys.set(schema, key);
  }
  return key;
}

/**
 * Kafka Connect's storage-sink writing, for one sink: records of each Kafka partition are gathered per directory
 * (the partitioner's) and written as objects named `<topic>+<partition>+<start offset>.<ext>` when the partition
 * has `flush.size` records, when a record's timestamp is `rotate.interval.ms` past the first one, on the
 * `rotate.schedule.interval.ms` clock, or when the value schema changes. All objects of a Kafka partition rotate
 * together, so given the same records the same names come out: a consumer that restarts from the committed offset
 * rewrites exactly the objects it may have written before a crash, and nothing is duplicated.
 *
 * The caller commits the offsets `write` returns, and only those: they never pass a record still held in memory.
 * A failed write keeps what is held: the caller may hand the same records again (records at offsets already taken
 * are skipped, and a rotation that failed is done first), or drop everything with `reset` and re-read from the last
 * commit.
 */
export class ObjectStoreWriter {
  private readonly sets = new Map<string, OpenSet>();
  private readonly partitioner: Partitioner;
  private readonly extension: string;
  private readonly contentType: string;
  /** Names of the objects written, oldest first (bounded), for status and tests. */
  readonly written: string[] = [];

  constructor(
    private readonly settings: ObjectStoreSinkSettings,
    private readonly store: ObjectStore,
    private readonly now: () => number = Date.now,
  ) {
    this.partitioner = createPartitioner(settings.partitioner, settings.directoryDelimiter);
    this.extension = objectExtension(settings.format);
    this.contentType = settings.format === 'AVRO' ? 'avro/binary' : 'application/json';
    if (settings.flushSize < 1) throw objectStoreError('OBJECT_STORE_CONFIG_INVALID', `flush.size must be at least 1 (is ${settings.flushSize}).`);
  }

  /** Records held in memory, not yet in any object. */
  get pendingRecords(): number {
    let total = 0;
    for (const set of this.sets.values()) total += set.count;
    return total;
  }

  /** Takes records (in offset order per partition) and returns the offsets now safe to commit for the partitions touched. */
  async write(records: readonly ObjectStoreRecord[]): Promise<CommittableOffset[]> {
    const touched = new Set<OpenSet>();
    // A rotation that failed last time (the flush.size-th record was taken, its upload refused) goes first.
    for (const set of this.sets.values()) if (set.count >= this.settings.flushSize) await this.rotate(set);
    for (const record of records) {
      const set = this.setFor(record);
      touched.add(set);
      await this.take(set, record);
    }
    return [...touched].map((set) => this.committable(set));
  }

  /** A record the sink refused (dead-lettered): taken without data, so the offsets committed may pass it. */
  skip(record: ObjectStoreRecord): CommittableOffset {
    const set = this.setFor(record);
    if (!this.alreadyTaken(set, record)) {
      set.batchStart ??= record.offset;
      set.next = (BigInt(record.offset) + 1n).toString();
    }
    return this.committable(set);
  }

  /** Scheduled rotation (`rotate.schedule.interval.ms`): writes what is due by the wall clock. */
  async rotateDue(): Promise<CommittableOffset[]> {
    if (this.settings.rotateScheduleIntervalMs <= 0) return [];
    const now = this.now();
    const due = [...this.sets.values()].filter((set) => set.scheduledAt !== null && now >= set.scheduledAt && set.count > 0);
    for (const set of due) await this.rotate(set);
    return due.map((set) => this.committable(set));
  }

  /** Drops buffered records (of the given partitions, or all): after a failure or when partitions are revoked. */
  reset(partitions?: readonly { topic: string; partition: number }[]): void {
    if (!partitions) {
      this.sets.clear();
      return;
    }
    for (const { topic, partition } of partitions) this.sets.delete(partitionKey(topic, partition));
  }

  private setFor(record: ObjectStoreRecord): OpenSet {
    const key = partitionKey(record.topic, record.partition);
    let set = this.sets.get(key);
    if (!set) {
      set = { topic: record.topic, partition: record.partition, objects: new Map(), count: 0, batchStart: null, next: null, baseTimestamp: null, scheduledAt: null };
      this.sets.set(key, set);
    }
    return set;
  }

  private alreadyTaken(set: OpenSet, record: ObjectStoreRecord): boolean {
    return set.next !== null && BigInt(record.offset) < BigInt(set.next);
  }

  private async take(set: OpenSet, record: ObjectStoreRecord): Promise<void> {
    if (this.alreadyTaken(set, record)) return;
    if (record.value === null) {
      if (this.settings.nullValues === 'fail') {
        throw objectStoreError('OBJECT_STORE_BAD_RECORD', `${record.topic}[${record.partition}]@${record.offset} is a tombstone (null value), which has no object form; set behavior.on.null.values=ignore to skip tombstones.`);
      }
      set.batchStart ??= record.offset;
      set.next = (BigInt(record.offset) + 1n).toString();
      return;
    }
    const directory = this.partitioner(record);
    const open = set.objects.get(directory);
    const interval = this.settings.rotateIntervalMs;
    const timeUp = interval > 0 && set.baseTimestamp !== null && record.timestampMs !== null && record.timestampMs - set.baseTimestamp >= interval;
    const schemaChanged = open !== undefined && schemaKey(open.schema) !== schemaKey(record.valueSchema);
    if (set.count > 0 && (timeUp || schemaChanged)) await this.rotate(set);

    let target = set.objects.get(directory);
    if (!target) {
      target = { startOffset: record.offset, schema: record.valueSchema, rows: [] };
      set.objects.set(directory, target);
    }
    target.rows.push(record.value);
    set.count += 1;
    set.batchStart ??= record.offset;
    set.next = (BigInt(record.offset) + 1n).toString();
    set.baseTimestamp ??= record.timestampMs;
    if (set.scheduledAt === null && this.settings.rotateScheduleIntervalMs > 0) {
      const every = this.settings.rotateScheduleIntervalMs;
      set.scheduledAt = floorInZone(this.now(), every, this.settings.scheduleTimezone) + every;
    }
    if (set.count >= this.settings.flushSize) await this.rotate(set);
  }

  /** Writes every open object of the partition, then forgets them; the partition's records are now all durable. */
  private async rotate(set: OpenSet): Promise<void> {
    const { topicsDir, directoryDelimiter: slash, fileDelimiter: plus, offsetPadWidth } = this.settings;
    const uploads = [...set.objects].map(async ([directory, open]) => {
      const fileName = `${set.topic}${plus}${set.partition}${plus}${open.startOffset.padStart(offsetPadWidth, '0')}.${this.extension}`;
      const name = [topicsDir, set.topic, directory, fileName].filter((part) => part !== '').join(slash);
      const bytes = encodeObject(this.settings.format, open.schema, open.rows, { avroCodec: this.settings.avroCodec, name });
      await this.store.put(name, bytes, this.contentType);
      return name;
    });
    const names = await Promise.all(uploads);
    this.written.push(...names);
    if (this.written.length > 10_000) this.written.splice(0, this.written.length - 10_000);
    set.objects.clear();
    set.count = 0;
    set.batchStart = null;
    set.baseTimestamp = null;
    set.scheduledAt = null;
  }

  private committable(set: OpenSet): CommittableOffset {
    // With records still open, only what precedes them is durable; with none, everything taken is.
    const offset = set.count > 0 ? set.batchStart : set.next;
    return { topic: set.topic, partition: set.partition, offset: offset ?? '0' };
  }
}
