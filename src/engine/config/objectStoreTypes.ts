/**
 * The resolved form of the object-store sinks (Azure Blob Storage, ADLS Gen2): config/connectors/objectStoreSink.ts
 * builds it, sinks/objectstore runs it.
 */
import type { Flavor } from './keys';
import type { JsonObject, JsonValue } from './jsonText';
import type { Secret } from './secret';
import type { KeyFormat, ResolvedDeadLetterQueue, ResolvedErrorHandling, ResolvedKafka, ResolvedPredicate, ResolvedSerde, ResolvedTransform, SinkTopics, ValueFormat } from './types';

/** Connect's storage partitioners (io.confluent.connect.storage.partitioner.*), as the object-store sinks run them. */
export type ObjectStorePartitioner =
  | { kind: 'default' }
  | { kind: 'field'; fields: readonly string[] }
  | {
      kind: 'time';
      /** Joda-Time pattern of the directory, e.g. `'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH`. */
      pathFormat: string;
      partitionDurationMs: number;
      /** IANA zone (`UTC`, `Europe/Paris`). */
      timezone: string;
      locale: string;
      /** Where a record's time comes from. */
      extractor: { kind: 'wallclock' } | { kind: 'record' } | { kind: 'field'; field: string };
    };

/** How an object-store sink lays records out in objects (Connect's storage-sink keys). */
export interface ObjectStoreLayout {
  /** Top directory of every object (`topics.dir`, default `topics`); for ADLS Gen2 the part after the file system. */
  topicsDir: string;
  format: 'AVRO' | 'JSON';
  /** `avro.codec`: null or deflate. */
  avroCodec: 'null' | 'deflate';
  /** Records per Kafka partition in one set of objects before they are written (`flush.size`). */
  flushSize: number;
  /** Rotate when a record's timestamp is this far past the first one of the open objects; -1 = off. */
  rotateIntervalMs: number;
  /** Rotate on the wall clock at multiples of this in `scheduleTimezone`; -1 = off (not exactly-once: depends on time). */
  rotateScheduleIntervalMs: number;
  scheduleTimezone: string;
  partitioner: ObjectStorePartitioner;
  /** `directory.delim` and `file.delim`. */
  directoryDelimiter: string;
  fileDelimiter: string;
  /** Digits of the start offset in object names (`filename.offset.zero.pad.width`, default 10). */
  offsetPadWidth: number;
  /** `behavior.on.null.values`: a tombstone is skipped or stops the connector. */
  nullValues: 'ignore' | 'fail';
}

/** Azure Blob Storage (`AzureBlobSink`, AzureBlobStorageSinkConnector) or ADLS Gen2 written through the Blob API. */
export interface ResolvedObjectStoreSink {
  role: 'sink';
  /** Tells it from the JDBC sinks. */
  storage: 'azure-blob' | 'azure-datalake-gen2';
  name: string;
  connectorClass: string;
  flavor: Flavor;
  kafka: ResolvedKafka;
  tasksMax: number;
  topics: SinkTopics;
  groupId: string;
  /** Records per `put` the runner hands over (objects are cut by `flush.size`, not by this). */
  batchSize: number;
  account: { name: string; key: Secret };
  /** The container (the file system for ADLS Gen2). */
  container: string;
  /** `store.url`: the Blob endpoint; undefined = `https://<account>.blob.core.windows.net`. */
  storeUrl: string | undefined;
  layout: ObjectStoreLayout;
  key: ResolvedSerde<KeyFormat> | undefined;
  value: ResolvedSerde<ValueFormat>;
  transforms: readonly ResolvedTransform[];
  predicates: readonly ResolvedPredicate[];
  errors: ResolvedErrorHandling & { deadLetterQueue: ResolvedDeadLetterQueue | undefined };
  unknown: Readonly<Record<string, JsonValue>>;
  original: Readonly<JsonObject>;
  originalSecrets: Readonly<Record<string, Secret>>;
  path: string;
}
