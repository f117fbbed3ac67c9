import type mysql from 'mysql2/promise';
import { sourceError } from '../../errors';
import { type BinlogPosition, describeBinlogPosition } from './binlogPosition';

/** What a binlog reader needs to know about the server before it asks for a dump. */
export interface BinlogServerFacts {
  version: string;
  logBin: boolean;
  binlogFormat: string;
  binlogRowImage: string;
  serverId: number;
  /** Grants of CURRENT_USER(), as SHOW GRANTS prints them. */
  grants: string[];
  /** SHOW BINARY LOGS: the files the server still has, oldest first. */
  binlogFiles: string[];
  /** The end of the binlog now (SHOW MASTER STATUS) and the server's GTID position. */
  current: BinlogPosition;
}

/** One prerequisite that does not hold, with the statement that fixes it. */
export interface BinlogProblem {
  what: string;
  fix: string;
}

/**
 * Every prerequisite of log-based capture that the server does not meet, each with its fix, so the user sees all
 * of them at once instead of one per attempt. `replicaId` is `database.server.id`.
 */
export function binlogProblems(facts: BinlogServerFacts, user: string, replicaId: number): BinlogProblem[] {
  const problems: BinlogProblem[] = [];
  if (!facts.logBin) {
    problems.push({ what: 'the binary log is off (log_bin=OFF)', fix: 'start the server with --log-bin (and --server-id), then restart it' });
  }
  if (facts.binlogFormat.toUpperCase() !== 'ROW') {
    problems.push({ what: `binlog_format is ${facts.binlogFormat}, not ROW`, fix: "SET GLOBAL binlog_format = 'ROW' (and binlog_format=ROW in the server's config file)" });
  }
  if (facts.binlogRowImage.toUpperCase() !== 'FULL') {
    problems.push({ what: `binlog_row_image is ${facts.binlogRowImage}, not FULL (updates would lack the before image)`, fix: "SET GLOBAL binlog_row_image = 'FULL'" });
  }
  const privileges = grantedGlobalPrivileges(facts.grants);
  const missing = ['REPLICATION SLAVE', 'REPLICATION CLIENT'].filter((privilege) => !privileges.has(privilege) && !privileges.has('ALL PRIVILEGES') && !(privilege === 'REPLICATION CLIENT' && privileges.has('BINLOG MONITOR')));
  if (missing.length > 0) {
    problems.push({ what: `the user ${user} lacks ${missing.join(' and ')}`, fix: `GRANT ${missing.join(', ')} ON *.* TO ${user}` });
  }
  if (replicaId === facts.serverId) {
    problems.push({ what: `database.server.id ${replicaId} is the server's own server_id`, fix: 'give database.server.id a number no server or replica of this topology uses (e.g. 184054)' });
  }
  return problems;
}

/** The error a reader fails with when `binlogProblems` found any: one message naming each, with its fix. */
export function binlogPrerequisitesError(problems: BinlogProblem[], endpoint: string): Error {
  const lines = problems.map((problem, index) => `${index + 1}. ${problem.what}: ${problem.fix}`);
  return sourceError(
    'SOURCE_BAD_OPTIONS',
    `Log-based capture cannot read the binlog of ${endpoint}: ${lines.join('; ')}. Fix these, or capture by polling (connector.class MySqlSource / JdbcSourceConnector).`,
    { detail: { problems } },
  );
}

/**
 * A checkpoint whose binlog file the server no longer has (purged by expire_logs_days / binlog_expire_logs_seconds
 * or PURGE BINARY LOGS): resuming would silently skip changes, so the reader refuses and names the way back.
 */
export function purgedPositionError(position: BinlogPosition, facts: Pick<BinlogServerFacts, 'binlogFiles'>, endpoint: string): Error | undefined {
  if (position.gtids !== undefined && position.gtids !== '') return undefined; // GTID resume finds its own file, or the server says the GTIDs are purged
  if (facts.binlogFiles.includes(position.file)) return undefined;
  const oldest = facts.binlogFiles[0];
  return sourceError(
    'SOURCE_BAD_POSITION',
    `The checkpoint's binlog position ${describeBinlogPosition(position)} is no longer on ${endpoint}: ` +
      `${oldest === undefined ? 'the server has no binary logs' : `its oldest binary log is ${oldest}`}, so the changes in between are gone. ` +
      'Set snapshot.mode=when_needed to take a new snapshot and stream from there, or delete the pipeline\'s checkpoint; keep binary logs longer (binlog_expire_logs_seconds) so a stopped pipeline can resume.',
    { detail: { position } },
  );
}

/** What the server reports when a dump asks for a purged file or GTID (ER_MASTER_FATAL_ERROR_READING_BINLOG). */
export function isPurgedBinlogError(error: unknown): boolean {
  const { errno, code, message } = error as { errno?: unknown; code?: unknown; message?: unknown };
  if (errno === 1236 || code === 'ER_MASTER_FATAL_ERROR_READING_BINLOG') return true;
  return typeof message === 'string' && /could not find first log file name|purged|binary log.*not (exist|found)/i.test(message);
}

/** Reads the facts over an open connection (any user; SHOW BINARY LOGS needs REPLICATION CLIENT). */
export async function readBinlogServerFacts(connection: mysql.Connection): Promise<BinlogServerFacts> {
  const [variables] = await connection.query<mysql.RowDataPacket[]>(
    'SELECT VERSION() AS version, @@log_bin AS log_bin, @@binlog_format AS binlog_format, @@binlog_row_image AS binlog_row_image, @@server_id AS server_id',
  );
  const row: Record<string, unknown> = variables[0] ?? {};
  const [grantRows] = await connection.query<mysql.RowDataPacket[]>('SHOW GRANTS FOR CURRENT_USER()');
  const grants = grantRows.map((grant) => String(Object.values(grant)[0]));
  let binlogFiles: string[] = [];
  let current: BinlogPosition = { file: '', pos: 4, row: 0 };
  try {
    const [files] = await connection.query<mysql.RowDataPacket[]>('SHOW BINARY LOGS');
    binlogFiles = files.map((file) => String(file.Log_name));
    const [status] = await connection.query<mysql.RowDataPacket[]>('SHOW MASTER STATUS');
    if (status[0]) current = { file: String(status[0].File), pos: Number(status[0].Position), row: 0 };
    current.gtids = await serverGtidPosition(connection);
  } catch (error) {
    // Without REPLICATION CLIENT these are refused; binlogProblems reports the missing grant instead.
    if ((error as { code?: unknown }).code !== 'ER_SPECIFIC_ACCESS_DENIED_ERROR' && (error as { code?: unknown }).code !== 'ER_ACCESS_DENIED_ERROR') throw error;
  }
  return {
    version: String(row.version ?? ''),
    logBin: Number(row.log_bin) === 1,
    binlogFormat: String(row.binlog_format ?? ''),
    binlogRowImage: String(row.binlog_row_image ?? ''),
    serverId: Number(row.server_id),
    grants,
    binlogFiles,
    current: { ...current, serverId: Number(row.server_id) },
  };
}

/** MariaDB: @@gtid_binlog_pos; MySQL: @@gtid_executed when gtid_mode is ON; undefined otherwise. */
async function serverGtidPosition(connection: mysql.Connection): Promise<string | undefined> {
  for (const sql of ['SELECT @@gtid_binlog_pos AS gtids', "SELECT IF(@@gtid_mode = 'ON', @@gtid_executed, NULL) AS gtids"]) {
    try {
      const [rows] = await connection.query<mysql.RowDataPacket[]>(sql);
      const gtids = rows[0]?.gtids;
      if (gtids !== null && gtids !== undefined) return String(gtids).replace(/\s+/g, '');
      return undefined;
    } catch {
      // The other flavour's variable: try the next.
    }
  }
  return undefined;
}

function grantedGlobalPrivileges(grants: string[]): Set<string> {
  const privileges = new Set<string>();
  for (const grant of grants) {
    const match = /^GRANT\s+(.+?)\s+ON\s+\*\.\*\s+TO\s/i.exec(grant);
    if (!match?.[1]) continue;
    for (const privilege of match[1].split(',')) privileges.add(privilege.trim().toUpperCase().replace(/\s+/g, ' '));
  }
  return privileges;
}
