import type { Position } from '../../model';
import { type TableId, tableIdToString } from '../../model';
import { sourceError } from '../errors';
import { instantFromMillis, instantToMillis, type PreciseInstant } from './instant';

/**
 * Where a polling source is in one table: the last incrementing value and/or timestamp it emitted. Absent fields
 * mean "nothing read yet", and the query then has no lower bound at all (upstream starts from id -1 / epoch 0,
 * which silently skips negative ids and rows stamped before 1970).
 */
export interface PollingPosition {
  incrementing?: bigint;
  timestamp?: PreciseInstant;
}

/** Connect's offset keys (TimestampIncrementingOffset), kept so offsets pasted from Connect stay meaningful. */
export const OFFSET_INCREMENTING = 'incrementing';
export const OFFSET_TIMESTAMP = 'timestamp';
export const OFFSET_TIMESTAMP_NANOS = 'timestamp_nanos';

/**
 * The checkpointable form: `{"incrementing": "42", "timestamp": <epoch ms>, "timestamp_nanos": <nanos of second>}`,
 * keys omitted when unused, as Connect stores it. The incrementing value is a decimal string because ids may pass
 * 2^53, where a JSON number loses digits; numbers are accepted on the way in.
 */
export function encodePosition(position: PollingPosition): Position {
  const out: Record<string, string | number> = {};
  if (position.incrementing !== undefined) out[OFFSET_INCREMENTING] = position.incrementing.toString();
  if (position.timestamp !== undefined) {
    out[OFFSET_TIMESTAMP] = instantToMillis(position.timestamp);
    out[OFFSET_TIMESTAMP_NANOS] = position.timestamp.nano;
  }
  return out;
}

function integerField(position: Position, key: string): bigint | undefined {
  const value = position[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return BigInt(value.trim());
  throw sourceError('SOURCE_BAD_POSITION', `The saved position has "${key}": ${JSON.stringify(value)}, which is not an integer. Fix or delete the saved position to continue.`, {
    detail: { position },
  });
}

export function decodePosition(position: Position | null | undefined): PollingPosition {
  if (!position) return {};
  const out: PollingPosition = {};
  const incrementing = integerField(position, OFFSET_INCREMENTING);
  if (incrementing !== undefined) out.incrementing = incrementing;
  const millis = integerField(position, OFFSET_TIMESTAMP);
  if (millis !== undefined) {
    const nanos = integerField(position, OFFSET_TIMESTAMP_NANOS);
    if (nanos !== undefined && (nanos < 0n || nanos > 999_999_999n)) {
      throw sourceError('SOURCE_BAD_POSITION', `The saved position has timestamp_nanos ${nanos}, outside 0…999999999. Fix or delete the saved position.`, {
        detail: { position },
      });
    }
    const instant = instantFromMillis(Number(millis), nanos === undefined ? undefined : Number(nanos));
    // Connect keeps the millisecond part in both fields; when they disagree the nanos are the precise ones.
    out.timestamp = instant;
  }
  return out;
}

/** Connect's source partition of a table ("protocol v1") or of the custom query. */
export type SourcePartition = Readonly<Record<string, string>>;

export function tablePartition(table: TableId): SourcePartition {
  return { protocol: '1', table: tableIdToString(table) };
}

/** The pre-v1 partition (bare table name), still consulted on start-up as upstream does. */
export function legacyTablePartition(table: TableId): SourcePartition {
  return { table: table.table };
}

/**
 * Upstream's query-mode partition is this constant, so editing the query keeps the old offset. Ferry keeps the
 * constant (pasted offsets must keep working); the runner may warn when the query text changes.
 */
export const QUERY_PARTITION: SourcePartition = { query: 'query' };

/** A stable map key for a partition (keys sorted). */
export function partitionKey(partition: SourcePartition): string {
  return JSON.stringify(Object.fromEntries(Object.entries(partition).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}
