import type { Position } from '../../../model';
import { sourceError } from '../../errors';

/**
 * Where a logical-decoding reader is, in Debezium's PostgreSQL offset vocabulary: `lsn` is the end of the last
 * transaction fully emitted (what the slot may confirm), and while a transaction is emitted in parts `lsn_commit`
 * names it and `row` counts its changes already emitted, so a restart skips exactly those.
 */
export interface LogicalPosition {
  lsn: string;
  lsnCommit?: string;
  row: number;
  txId?: number;
}

export function logicalPositionToCheckpoint(position: LogicalPosition): Position {
  const checkpoint: Record<string, string | number> = { lsn: position.lsn, row: position.row };
  if (position.lsnCommit !== undefined) checkpoint.lsn_commit = position.lsnCommit;
  if (position.txId !== undefined) checkpoint.txId = position.txId;
  return checkpoint;
}

export function logicalPositionFromCheckpoint(checkpoint: Position): LogicalPosition {
  const { lsn, lsn_commit: lsnCommit, row, txId } = checkpoint;
  if (typeof lsn !== 'string' || parseLsn(lsn) === undefined) {
    throw sourceError(
      'SOURCE_BAD_POSITION',
      `The saved position ${JSON.stringify(checkpoint)} has no usable "lsn" (like "0/16B3748"). Delete the pipeline's checkpoint to start with a new snapshot.`,
    );
  }
  const position: LogicalPosition = { lsn, row: typeof row === 'number' && row > 0 ? row : 0 };
  if (typeof lsnCommit === 'string') position.lsnCommit = lsnCommit;
  if (typeof txId === 'number') position.txId = txId;
  return position;
}

/** `16/B374D848` → its 64-bit value; undefined for anything else. */
export function parseLsn(text: string): bigint | undefined {
  const match = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text.trim());
  if (!match?.[1] || !match[2]) return undefined;
  return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`);
}

export function formatLsn(value: bigint): string {
  return `${(value >> 32n).toString(16).toUpperCase()}/${(value & 0xffffffffn).toString(16).toUpperCase()}`;
}

/** Orders two LSNs; an unparsable one sorts first. */
export function compareLsn(a: string, b: string): number {
  const left = parseLsn(a) ?? -1n;
  const right = parseLsn(b) ?? -1n;
  return left < right ? -1 : left > right ? 1 : 0;
}
