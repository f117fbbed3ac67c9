/**
 * What an object-store sink needs once its Connect config is validated (config/connectors/objectStoreSink.ts builds
 * it). Kept free of the config layer's types so the writer can be used and tested on its own.
 */

export type ObjectFormat = 'AVRO' | 'JSON';

/** Connect's partitioners (io.confluent.connect.storage.partitioner.*). */
export type PartitionerSettings =
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

export interface ObjectStoreSinkSettings {
  /** Top directory of every object (`topics.dir`, default `topics`). */
  topicsDir: string;
  format: ObjectFormat;
  /** `avro.codec`: null or deflate. */
  avroCodec: 'null' | 'deflate';
  /** Records per Kafka partition in one set of objects before they are written (`flush.size`). */
  flushSize: number;
  /** Rotate when a record's timestamp is this far past the first one of the open objects; -1 = off. */
  rotateIntervalMs: number;
  /** Rotate on the wall clock at multiples of this in `timezone`; -1 = off (not exactly-once: depends on time). */
  rotateScheduleIntervalMs: number;
  /** For scheduled rotation (Connect requires a timezone with it). */
  scheduleTimezone: string;
  partitioner: PartitionerSettings;
  /** `directory.delim` and `file.delim`. */
  directoryDelimiter: string;
  fileDelimiter: string;
  /** Digits of the start offset in object names (`filename.offset.zero.pad.width`, default 10). */
  offsetPadWidth: number;
  /** `behavior.on.null.values`: a tombstone is skipped or stops the connector. */
  nullValues: 'ignore' | 'fail';
}

export const DEFAULT_OBJECT_STORE_SETTINGS: ObjectStoreSinkSettings = {
  topicsDir: 'topics',
  format: 'AVRO',
  avroCodec: 'null',
  flushSize: 1000,
  rotateIntervalMs: -1,
  rotateScheduleIntervalMs: -1,
  scheduleTimezone: 'UTC',
  partitioner: { kind: 'default' },
  directoryDelimiter: '/',
  fileDelimiter: '+',
  offsetPadWidth: 10,
  nullValues: 'fail',
};
