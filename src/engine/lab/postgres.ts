import type { ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { pg } from '../db/drivers';
import { labError, startFailedError } from './errors';
import { type LogOffsets, relevantLinesFrom } from './logs';
import { LAB_DB_NAME, LAB_DB_USER } from './mariadb';
import type { LabPaths } from './paths';
import { LAB_HOST } from './ports';
import { lookupUser, runCommand, spawnDetached, type UserIds } from './processes';
import { waitUntilReady } from './readiness';

type PostgresPaths = LabPaths['postgres'];

/**
 * initdb and postgres refuse to run as root. As root we run them as the distribution's `postgres` user (spawned
 * with its uid/gid directly, so the pid we record is the postmaster itself and not a runuser wrapper).
 */
export async function resolvePostgresUser(uid: number = process.getuid?.() ?? -1): Promise<UserIds | undefined> {
  if (uid !== 0) return undefined;
  const user = await lookupUser('postgres');
  if (!user) {
    throw labError(
      'LAB_NO_POSTGRES_USER',
      'PostgreSQL refuses to run as root and there is no `postgres` OS user to run it as. Create one ' +
        '(adduser --system --group postgres) or run Ferry as a normal user.',
    );
  }
  return user;
}

/** Best guess at which directory blocks traversal, for the error message; the real check is done as the user. */
function firstBlockingAncestor(dir: string, user: UserIds): string | undefined {
  let current = dirname(dir);
  const blocking: string[] = [];
  for (;;) {
    try {
      const st = statSync(current);
      const mode = st.mode;
      const ok = (mode & 0o001) !== 0 || (st.uid === user.uid && (mode & 0o100) !== 0) || (st.gid === user.gid && (mode & 0o010) !== 0);
      if (!ok) blocking.push(current);
    } catch {
      blocking.push(current);
    }
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return blocking.at(-1);
}

/**
 * Gives the postgres subdirectory to the user PostgreSQL runs as and proves that user can reach it: a lab dir under
 * /root (0700) is the classic way this fails, with an initdb error that does not say why.
 */
export async function preparePostgresDir(paths: PostgresPaths, user: UserIds | undefined): Promise<void> {
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  if (!user) return;
  chownSync(paths.dir, user.uid, user.gid);
  chmodSync(paths.dir, 0o700);
  const probe = await runCommand('test', ['-w', paths.dir], { user, cwd: '/' }).catch(() => undefined);
  if (probe?.code !== 0) {
    const blocker = firstBlockingAncestor(paths.dir, user);
    throw labError(
      'LAB_DIR_NOT_ACCESSIBLE',
      `PostgreSQL runs as the \`postgres\` user, which cannot reach ${paths.dir}` +
        `${blocker ? ` because ${blocker} is not traversable by it` : ''}. ` +
        `Put the lab elsewhere (FERRY_LAB_DIR=/var/lib/ferry/lab is the default for root) or run \`chmod o+x ${blocker ?? dirname(paths.dir)}\`.`,
    );
  }
}

export function initdbArgs(paths: PostgresPaths): string[] {
  return [
    '-D',
    paths.dataDir,
    '-U',
    LAB_DB_USER,
    '--auth-local=trust',
    '--auth-host=scram-sha-256',
    `--pwfile=${paths.pwFile}`,
    // Explicit so the cluster does not inherit whatever locale the launching shell had (or lacked).
    '--encoding=UTF8',
    '--locale=C',
  ];
}

export async function initPostgres(options: { initdb: string; paths: PostgresPaths; user: UserIds | undefined; password: string }): Promise<boolean> {
  const { initdb, paths, user, password } = options;
  if (existsSync(paths.initializedMarker)) return false;
  rmSync(paths.dataDir, { recursive: true, force: true });
  writeFileSync(paths.pwFile, `${password}\n`, { mode: 0o600 });
  try {
    if (user) chownSync(paths.pwFile, user.uid, user.gid);
    const result = await runCommand(initdb, initdbArgs(paths), { cwd: paths.dir, user, timeoutMs: 180_000 });
    writeFileSync(paths.initLog, result.output);
    if (result.code !== 0) {
      throw startFailedError(
        'postgres',
        `initdb failed (exit code ${result.code ?? result.signal ?? 'unknown'})`,
        paths.initLog,
        relevantLinesFrom([paths.initLog]),
      );
    }
  } finally {
    rmSync(paths.pwFile, { force: true });
  }
  writeFileSync(paths.initializedMarker, `${new Date().toISOString()}\n`);
  return true;
}

export function postgresArgs(paths: PostgresPaths, port: number): string[] {
  return [
    '-D',
    paths.dataDir,
    '-p',
    String(port),
    '-c',
    `listen_addresses=${LAB_HOST}`,
    '-c',
    `unix_socket_directories=${paths.dir}`,
    '-c',
    'wal_level=logical',
    '-c',
    'max_replication_slots=10',
    '-c',
    'max_wal_senders=10',
    '-c',
    'shared_buffers=64MB',
    '-c',
    'fsync=on',
  ];
}

export function startPostgres(postgres: string, paths: PostgresPaths, port: number, user: UserIds | undefined): Promise<ChildProcess & { pid: number }> {
  return spawnDetached(postgres, postgresArgs(paths, port), { cwd: paths.dir, logFile: paths.log, user });
}

/** Over the unix socket, where initdb configured trust: works before we know (or after we lost) the password. */
async function socketQuery(paths: PostgresPaths, port: number, database: string, run: (client: pg.Client) => Promise<void>): Promise<void> {
  const client = new pg.Client({ host: paths.dir, port, user: LAB_DB_USER, database, connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await run(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function waitForPostgres(options: {
  child?: ChildProcess;
  paths: PostgresPaths;
  port: number;
  timeoutMs: number;
  signal?: AbortSignal;
  logOffsets?: LogOffsets;
}): Promise<void> {
  await waitUntilReady({
    service: 'postgres',
    child: options.child,
    timeoutMs: options.timeoutMs,
    logFiles: [options.paths.log],
    logOffsets: options.logOffsets,
    signal: options.signal,
    probe: () =>
      socketQuery(options.paths, options.port, 'postgres', async (client) => {
        await client.query('SELECT 1');
      }),
  });
}

function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** Idempotent, run on every start: sets the password the state file advertises and creates the `ferry` database. */
export async function bootstrapPostgres(paths: PostgresPaths, port: number, password: string): Promise<void> {
  await socketQuery(paths, port, 'postgres', async (client) => {
    // Utility statements take no bind parameters; the password is random base64url, quoted anyway.
    await client.query(`ALTER ROLE ${LAB_DB_USER} WITH PASSWORD ${quoteLiteral(password)}`);
    const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [LAB_DB_NAME]);
    if (existing.rowCount === 0) await client.query(`CREATE DATABASE ${LAB_DB_NAME}`);
  });
}

/** One TCP login with the password, as clients will do (scram-sha-256). */
export async function checkPostgresEndpoint(port: number, password: string): Promise<void> {
  const client = new pg.Client({ host: LAB_HOST, port, user: LAB_DB_USER, password, database: LAB_DB_NAME, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  await client.connect();
  await client.end();
}
