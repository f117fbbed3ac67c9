import type { ResolvedObjectStoreSink } from '../config';
import type { SinkRecord } from '../model';
import { AzureBlobStore } from '../sinks/objectstore/azureBlobStore';
import type { ObjectStoreRecord } from '../sinks/objectstore/records';
import { type CommittableOffset, ObjectStoreWriter } from '../sinks/objectstore/writer';
import { type EngineError, isEngineError } from '../../shared/errors';
import type { SinkConnector, SinkContext, SinkPutOptions, SinkPutResult } from './port';

/**
 * Azure Blob Storage and ADLS Gen2 sinks (AzureBlobSink, AzureDataLakeGen2Sink and Confluent's self-managed classes)
 * as a plug-in. Records are gathered into objects by sinks/objectstore's writer; `put` reports in `durable` only the
 * offsets whose records are in written objects, and the runner commits those and nothing past them. Records still
 * gathered when the process dies are read again from the committed offset and written under the same names.
 */
export class ObjectStoreSink implements SinkConnector {
  readonly target: string;
  readonly reach = { attempts: 6, backoffMs: 5_000 };
  private readonly store: AzureBlobStore;
  private readonly writer: ObjectStoreWriter;

  constructor(
    private readonly config: ResolvedObjectStoreSink,
    context: SinkContext,
  ) {
    void context;
    this.store = new AzureBlobStore({ accountName: config.account.name, accountKey: config.account.key.reveal(), container: config.container, ...(config.storeUrl ? { storeUrl: config.storeUrl } : {}) });
    this.target = `${this.store.endpoint}/${config.container}`;
    this.writer = new ObjectStoreWriter(config.layout, this.store);
  }

  async probe(): Promise<void> {
    await this.store.check();
  }

  async put(records: readonly SinkRecord[], options: SinkPutOptions): Promise<SinkPutResult> {
    const refused: { record: SinkRecord; error: EngineError }[] = [];
    const durable = new Map<string, CommittableOffset>();
    const note = (offsets: readonly CommittableOffset[]): void => {
      for (const offset of offsets) durable.set(`${offset.topic}\u0000${offset.partition}`, offset);
    };
    let pending: ObjectStoreRecord[] = [];
    const flush = async (): Promise<void> => {
      if (pending.length === 0) return;
      const batch = pending;
      pending = [];
      note(await this.writer.write(batch));
    };
    for (const record of records) {
      const input: ObjectStoreRecord = { topic: record.topic, partition: record.partition, offset: record.offset, timestampMs: record.timestampMs, valueSchema: record.valueSchema, value: record.value };
      if (!options.tolerateRecordErrors) {
        pending.push(input);
        continue;
      }
      // One record at a time only when refusals are tolerated, so a refused record is isolated and the rest written.
      try {
        note(await this.writer.write([input]));
      } catch (error) {
        if (!isEngineError(error) || error.code !== 'OBJECT_STORE_BAD_RECORD') throw error;
        refused.push({ record, error });
        note([this.writer.skip(input)]);
      }
    }
    await flush();
    return { applied: records.length - refused.length, refused, durable: [...durable.values()] };
  }

  /** Scheduled rotation (`rotate.schedule.interval.ms`), on the runner's timer. */
  async flushDue(): Promise<readonly CommittableOffset[]> {
    return this.writer.rotateDue();
  }

  /** The runner re-reads from the committed offsets: what is gathered is dropped, to be read again. */
  reset(partitions?: readonly { topic: string; partition: number }[]): void {
    this.writer.reset(partitions);
  }

  isUnavailable(error: unknown): boolean {
    return isEngineError(error) && error.code === 'OBJECT_STORE_WRITE_FAILED' && error.retriable;
  }

  destinationOf(topic: string): string {
    return [this.config.container, this.config.layout.topicsDir, topic].filter((part) => part !== '').join('/');
  }

  warnings(): readonly string[] {
    return [];
  }

  async close(): Promise<void> {
    // Gathered records are not written at stop: their offsets are not committed, so the next start reads them again
    // and cuts the same objects (writing a partial object now would change the names and duplicate records).
    this.writer.reset();
  }
}
