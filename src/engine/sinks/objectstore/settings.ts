/** What an object-store sink needs once its Connect config is validated (config/connectors/objectStoreSink.ts builds it). */

import type { ObjectStoreLayout, ObjectStorePartitioner } from '../../config';

export type ObjectStoreSinkSettings = ObjectStoreLayout;
export type PartitionerSettings = ObjectStorePartitioner;
export type ObjectFormat = ObjectStoreLayout['format'];

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
