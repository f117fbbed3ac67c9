import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { mysql } from '../db/drivers';
import { startFailedError } from './errors';
import { type LogOffsets, relevantLinesFrom } from './logs';
import type { LabPaths } from './paths';
import { LAB_HOST } from './ports';
import { runCommand, spawnDetached } from './processes';
import { waitUntilReady } from './readiness';

type MariaDbPaths = LabPaths['mariadb'];

export const MARIADB_SERVER_ID = 1001;
export const LAB_DB_USER = 'ferry';
export const LAB_DB_NAME = 'ferry';

export function mariadbInstallArgs(paths: MariaDbPaths, osUser: string): string[] {
  return [
    '--no-defaults',
    `--datadir=${paths.dataDir}`,
    `--user=${osUser}`,
    '--auth-root-authentication-method=normal',
    '--skip-test-db',
  ];
}

/**
 * --no-defaults keeps the system's /etc/mysql config (and its port, socket, datadir) out of our instance. The
 * binlog settings are what change-data-capture readers need: ROW events with full before/after images and column
 * names in the table-map events. utf8mb4 because 10.11 still defaults to latin1, which mangles most test data.
 */
export function mariadbdArgs(paths: MariaDbPaths, port: number, osUser: string): string[] {
  return [
    '--no-defaults',
    `--user=${osUser}`,
    `--datadir=${paths.dataDir}`,
    `--port=${port}`,
    `--bind-address=${LAB_HOST}`,
    `--socket=${paths.socket}`,
    `--pid-file=${paths.pidFile}`,
    `--log-error=${paths.errorLog}`,
    `--server-id=${MARIADB_SERVER_ID}`,
    `--log-bin=${paths.binlogDir}/mariadb-bin`,
    '--binlog-format=ROW',
    '--binlog-row-image=FULL',
    '--binlog-row-metadata=FULL',
    '--innodb-buffer-pool-size=128M',
    '--skip-name-resolve',
    '--character-set-server=utf8mb4',
    '--collation-server=utf8mb4_unicode_ci',
  ];
}

/**
 * A marker written after a successful install tells a complete data directory from one left by an interrupted
 * install, which is wiped and redone (it cannot hold user data yet).
 */
export async function initMariaDb(options: { installDb: string; paths: MariaDbPaths; osUser: string }): Promise<boolean> {
  const { installDb, paths, osUser } = options;
  if (existsSync(paths.initializedMarker)) return false;
  rmSync(paths.dataDir, { recursive: true, force: true });
  mkdirSync(paths.dataDir, { recursive: true, mode: 0o700 });
  const result = await runCommand(installDb, mariadbInstallArgs(paths, osUser), { cwd: paths.dir, timeoutMs: 180_000 });
  writeFileSync(paths.installLog, result.output);
  if (result.code !== 0) {
    throw startFailedError(
      'mariadb',
      `mariadb-install-db failed (exit code ${result.code ?? result.signal ?? 'unknown'})`,
      paths.installLog,
      relevantLinesFrom([paths.installLog]),
    );
  }
  writeFileSync(paths.initializedMarker, `${new Date().toISOString()}\n`);
  return true;
}

export function startMariaDb(mariadbd: string, paths: MariaDbPaths, port: number, osUser: string): Promise<ChildProcess & { pid: number }> {
  mkdirSync(paths.binlogDir, { recursive: true, mode: 0o700 });
  return spawnDetached(mariadbd, mariadbdArgs(paths, port, osUser), { cwd: paths.dir, logFile: paths.stdoutLog });
}

/** Root over the private socket: it needs no password and works before our user exists. */
async function rootQuery(socketPath: string, statements: readonly (readonly [string, unknown[]])[]): Promise<void> {
  const connection = await mysql.createConnection({ socketPath, user: 'root', connectTimeout: 2_000 });
  try {
    for (const [sql, values] of statements) await connection.query(sql, values);
  } finally {
    await connection.end().catch(() => undefined);
  }
}

export async function waitForMariaDb(options: {
  child?: ChildProcess;
  paths: MariaDbPaths;
  timeoutMs: number;
  signal?: AbortSignal;
  logOffsets?: LogOffsets;
}): Promise<void> {
  await waitUntilReady({
    service: 'mariadb',
    child: options.child,
    timeoutMs: options.timeoutMs,
    logFiles: [options.paths.errorLog, options.paths.stdoutLog],
    logOffsets: options.logOffsets,
    signal: options.signal,
    probe: () => rootQuery(options.paths.socket, [['SELECT 1', []]]),
  });
}

const MIB = 1024 * 1024;

/**
 * The InnoDB buffer pool the lab grows to once started: an eighth of the machine's memory, at least the 128 MiB it
 * starts with and at most 4 GiB, in whole 128 MiB chunks. With 128 MiB, verify's checksum scan of a 10M-row table
 * (1.7 GiB) re-read every page from the OS page cache on every pass: a third of MariaDB's per-row CPU outside the
 * hashing (0.46 against 0.15 CPU s per 1M rows for the bare scan) and 0.82x the whole checksum with a 3 GiB pool
 * (issue 13). Memory is only taken as pages are read (a 24 GiB machine: up to 3 GiB; an 8 GiB laptop: 1 GiB).
 */
export function mariadbBufferPoolBytes(machineBytes: number = totalmem()): number {
  const chunk = 128 * MIB;
  return Math.min(32 * chunk, Math.max(chunk, Math.floor(machineBytes / 8 / chunk) * chunk));
}

/**
 * Idempotent, and run on every start rather than only after install: it also repairs a lab whose state file (and
 * so the password) was lost. Nothing of it reaches the binlog (see sql_log_bin below). ALL PRIVILEGES already
 * implies the replication ones on 10.11; they are named anyway so the intent survives a change to that rule.
 */
export async function bootstrapMariaDb(paths: MariaDbPaths, password: string): Promise<void> {
  const statements: [string, unknown[]][] = [
    // CREATE/ALTER USER … IDENTIFIED BY is logged with the password in clear, and the lab's binlog is what every
    // change-capture client reads: keep this session's statements out of it (they concern only this server).
    ['SET SESSION sql_log_bin = 0', []],
    [`CREATE DATABASE IF NOT EXISTS \`${LAB_DB_NAME}\` CHARACTER SET utf8mb4`, []],
  ];
  for (const host of [LAB_HOST, 'localhost']) {
    statements.push(
      ['CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?', [LAB_DB_USER, host, password]],
      ['ALTER USER ?@? IDENTIFIED BY ?', [LAB_DB_USER, host, password]],
      ['GRANT ALL PRIVILEGES ON *.* TO ?@? WITH GRANT OPTION', [LAB_DB_USER, host]],
      ['GRANT REPLICATION SLAVE, REPLICATION CLIENT, BINLOG MONITOR ON *.* TO ?@?', [LAB_DB_USER, host]],
    );
  }
  statements.push(['FLUSH PRIVILEGES', []]);
  // Resized online rather than set on the command line: the arguments are the service's fingerprint, and a changed
  // fingerprint makes the next `up` restart a lab that is already running (and in use).
  statements.push(['SET GLOBAL innodb_buffer_pool_size = ?', [mariadbBufferPoolBytes()]]);
  await rootQuery(paths.socket, statements);
}

/** One TCP login as the lab user: proves the port, the bind address and the password the endpoints advertise. */
export async function checkMariaDbEndpoint(port: number, password: string): Promise<void> {
  const connection = await mysql.createConnection({ host: LAB_HOST, port, user: LAB_DB_USER, password, database: LAB_DB_NAME, connectTimeout: 5_000 });
  await connection.end();
}
