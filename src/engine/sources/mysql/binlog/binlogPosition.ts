import type { Position } from '../../../model';
import { sourceError } from '../../errors';

/**
 * Where a binlog reader is, in Debezium's MySQL offset vocabulary so a checkpoint reads the same in both tools:
 * `file`/`pos` is the start of the transaction to read next (or of the transaction in progress), `row` counts the
 * row changes of that transaction already emitted, and `gtids` is the server's GTID set/position of every
 * transaction fully emitted (MySQL `uuid:1-5,…`, MariaDB `domain-server-seq,…`). With `gtids` a reader resumes on
 * any server of the topology; `file`/`pos` is the fallback when GTIDs are unknown.
 */
export interface BinlogPosition {
  file: string;
  pos: number;
  /** Row changes already emitted from the transaction starting at file/pos; 0 when it starts afresh. */
  row: number;
  gtids?: string;
  /** The source server's `server_id`, kept to tell a failover from a purge when resuming fails. */
  serverId?: number;
}

export function binlogPositionToCheckpoint(position: BinlogPosition): Position {
  const checkpoint: Record<string, string | number> = { file: position.file, pos: position.pos, row: position.row };
  if (position.gtids !== undefined) checkpoint.gtids = position.gtids;
  if (position.serverId !== undefined) checkpoint.server_id = position.serverId;
  return checkpoint;
}

/** Reads a checkpoint back; a shape no binlog reader wrote is an error naming what is wrong. */
export function binlogPositionFromCheckpoint(checkpoint: Position): BinlogPosition {
  const { file, pos, row, gtids, server_id: serverId } = checkpoint;
  if (typeof file !== 'string' || file === '' || typeof pos !== 'number' || !Number.isInteger(pos) || pos < 4) {
    throw sourceError(
      'SOURCE_BAD_POSITION',
      `The saved binlog position ${JSON.stringify(checkpoint)} has no usable "file" and "pos" (pos ≥ 4). Delete the pipeline's checkpoint to start with a new snapshot.`,
    );
  }
  const position: BinlogPosition = { file, pos, row: typeof row === 'number' && row > 0 ? row : 0 };
  if (typeof gtids === 'string') position.gtids = gtids;
  if (typeof serverId === 'number') position.serverId = serverId;
  return position;
}

/** `mariadb-bin.000003:1234` (+ rows already read, + GTIDs), for status lines and error messages. */
export function describeBinlogPosition(position: BinlogPosition): string {
  const rows = position.row > 0 ? ` (after ${position.row} row${position.row === 1 ? '' : 's'} of its transaction)` : '';
  const gtids = position.gtids ? `, GTIDs ${position.gtids}` : '';
  return `${position.file}:${position.pos}${rows}${gtids}`;
}

/** Orders two positions of one server's binlog (file names sort by their numeric suffix). */
export function compareBinlogPositions(a: BinlogPosition, b: BinlogPosition): number {
  if (a.file !== b.file) return binlogFileNumber(a.file) - binlogFileNumber(b.file) || (a.file < b.file ? -1 : 1);
  return a.pos - b.pos || a.row - b.row;
}

function binlogFileNumber(file: string): number {
  const match = /\.(\d+)$/.exec(file);
  return match ? Number(match[1]) : 0;
}

/**
 * MariaDB's GTID position (`domain-server-seq` per replication domain, comma-separated) after the transaction
 * `gtid` committed: that domain's entry is replaced, the others kept. This is what @@gtid_binlog_pos would say at
 * that point, and what a replica hands to the server to resume there.
 */
export function advanceMariaDbGtidPosition(position: string | undefined, gtid: string): string {
  const domain = gtid.split('-')[0];
  const entries = (position ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '' && entry.split('-')[0] !== domain);
  entries.push(gtid);
  return entries.sort((a, b) => Number(a.split('-')[0]) - Number(b.split('-')[0])).join(',');
}
