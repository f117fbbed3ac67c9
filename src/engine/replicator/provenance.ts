/**
 * Provenance headers for active-active replication (Replicator's `provenance.header.enable`): a record copied
 * from cluster X carries `__replicator_id` = origin cluster id, origin topic and the time it was first
 * replicated. A replicator writing into cluster Y skips a record whose origin is Y itself for the same topic,
 * so a→b plus b→a never sends a record back where it came from. The header of a record that already has one
 * is kept: the origin is where the record was first written, however many hops it took.
 */
export const PROVENANCE_HEADER = '__replicator_id';

export interface Provenance {
  clusterId: string;
  topic: string;
  timestamp: number;
}

/** Text, so any consumer can read it: `<cluster id>,<topic>,<epoch ms>` (cluster ids and topic names hold no commas). */
export function encodeProvenance(provenance: Provenance): Buffer {
  return Buffer.from(`${provenance.clusterId},${provenance.topic},${provenance.timestamp}`, 'utf8');
}

export function decodeProvenance(value: Buffer | string | undefined): Provenance | undefined {
  if (value === undefined) return undefined;
  const parts = (typeof value === 'string' ? value : value.toString('utf8')).split(',');
  if (parts.length !== 3) return undefined;
  const [clusterId, topic, time] = parts;
  const timestamp = Number(time);
  if (!clusterId || !topic || !Number.isFinite(timestamp)) return undefined;
  return { clusterId, topic, timestamp };
}

/** The record originated on the destination cluster in the topic it would be written to: copying it would loop. */
export function cameFromDestination(provenance: Provenance | undefined, destinationClusterId: string, destinationTopic: string): boolean {
  return provenance !== undefined && provenance.clusterId === destinationClusterId && provenance.topic === destinationTopic;
}
