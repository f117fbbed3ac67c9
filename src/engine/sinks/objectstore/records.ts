import type { RecordSchema, Row } from '../../model';

/** A record as the object-store sink takes it: decoded, transformed, with where it came from in Kafka. */
export interface ObjectStoreRecord {
  topic: string;
  partition: number;
  /** Kafka offset, as kafkajs gives it (a decimal string). */
  offset: string;
  timestampMs: number | null;
  valueSchema: RecordSchema | null;
  /** null is a tombstone. */
  value: Row | null;
}

/** `topic` + partition, the key of every per-partition map here. */
export function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
