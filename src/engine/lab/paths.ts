import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { LabServiceName } from '../../shared/api/lab';
import { findRepoRoot } from '../base/repoRoot';
import { azuritePaths } from './azurite';
import { connectPaths } from './connectWorker';
import { registryPaths } from './registryService';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Root's default is outside /root on purpose: PostgreSQL has to run as the unprivileged `postgres` user, which
 * cannot traverse /root (mode 0700).
 */
export function defaultLabDir(env: Env, uid: number, home: string = homedir()): string {
  if (env.FERRY_LAB_DIR) return resolve(env.FERRY_LAB_DIR);
  if (uid === 0) return '/var/lib/ferry/lab';
  const dataHome = env.XDG_DATA_HOME ? env.XDG_DATA_HOME : join(home, '.local', 'share');
  return resolve(dataHome, 'ferry', 'lab');
}

export function defaultCacheDir(env: Env, home: string = homedir()): string {
  if (env.FERRY_CACHE_DIR) return resolve(env.FERRY_CACHE_DIR);
  const cacheHome = env.XDG_CACHE_HOME ? env.XDG_CACHE_HOME : join(home, '.cache');
  return resolve(cacheHome, 'ferry');
}

export function defaultPomPath(fromUrl: string = import.meta.url): string | undefined {
  const root = findRepoRoot(fromUrl);
  return root === undefined ? undefined : join(root, 'resources', 'kafka-runtime', 'pom.xml');
}

export interface KafkaPaths {
  dir: string;
  dataDir: string;
  logsDir: string;
  serverLog: string;
  stdoutLog: string;
  serverProperties: string;
  log4jProperties: string;
}

export interface LabPaths {
  dir: string;
  stateFile: string;
  lockFile: string;
  kafka: Record<'kafka-a' | 'kafka-b', KafkaPaths>;
  mariadb: {
    dir: string;
    dataDir: string;
    binlogDir: string;
    socket: string;
    pidFile: string;
    errorLog: string;
    stdoutLog: string;
    installLog: string;
    initializedMarker: string;
  };
  postgres: {
    dir: string;
    dataDir: string;
    log: string;
    initLog: string;
    pwFile: string;
    initializedMarker: string;
  };
}

function kafkaPaths(dir: string, name: 'kafka-a' | 'kafka-b'): KafkaPaths {
  const base = join(dir, name);
  return {
    dir: base,
    dataDir: join(base, 'data'),
    logsDir: join(base, 'logs'),
    serverLog: join(base, 'logs', 'server.log'),
    stdoutLog: join(base, 'stdout.log'),
    serverProperties: join(base, 'server.properties'),
    log4jProperties: join(base, 'log4j2.properties'),
  };
}

export function labPaths(labDir: string): LabPaths {
  const dir = resolve(labDir);
  const mariadb = join(dir, 'mariadb');
  const postgres = join(dir, 'postgres');
  return {
    dir,
    stateFile: join(dir, 'lab.json'),
    lockFile: join(dir, 'lab.lock'),
    kafka: { 'kafka-a': kafkaPaths(dir, 'kafka-a'), 'kafka-b': kafkaPaths(dir, 'kafka-b') },
    mariadb: {
      dir: mariadb,
      dataDir: join(mariadb, 'data'),
      binlogDir: join(mariadb, 'binlog'),
      socket: join(mariadb, 'mariadb.sock'),
      pidFile: join(mariadb, 'mariadb.pid'),
      errorLog: join(mariadb, 'error.log'),
      stdoutLog: join(mariadb, 'stdout.log'),
      installLog: join(mariadb, 'install.log'),
      initializedMarker: join(mariadb, '.initialized'),
    },
    postgres: {
      dir: postgres,
      dataDir: join(postgres, 'data'),
      log: join(postgres, 'postgres.log'),
      initLog: join(postgres, 'initdb.log'),
      pwFile: join(postgres, '.pwfile'),
      initializedMarker: join(postgres, '.initialized'),
    },
  };
}

/** The directory of a service; its path appears in the service's command line, which is how we recognise our pids. */
export function serviceDir(paths: LabPaths, name: LabServiceName): string {
  switch (name) {
    case 'kafka-a':
    case 'kafka-b':
      return paths.kafka[name].dir;
    case 'mariadb':
      return paths.mariadb.dir;
    case 'postgres':
      return paths.postgres.dir;
    case 'connect':
      return connectPaths(paths.dir).dir;
    case 'registry-a':
    case 'registry-b':
      return registryPaths(paths.dir, name).dir;
    case 'azurite':
      return join(paths.dir, 'azurite');
  }
}

/** The file to read when the service misbehaves. */
export function serviceLogFile(paths: LabPaths, name: LabServiceName): string {
  switch (name) {
    case 'kafka-a':
    case 'kafka-b':
      return paths.kafka[name].serverLog;
    case 'mariadb':
      return paths.mariadb.errorLog;
    case 'postgres':
      return paths.postgres.log;
    case 'connect':
      return connectPaths(paths.dir).log;
    case 'registry-a':
    case 'registry-b':
      return registryPaths(paths.dir, name).log;
    case 'azurite':
      return azuritePaths(join(paths.dir, 'azurite')).log;
  }
}

/** Entries `reset` may delete: only what the lab itself creates, so a mistyped FERRY_LAB_DIR cannot wipe a home. */
export const LAB_OWNED_ENTRIES = ['kafka-a', 'kafka-b', 'mariadb', 'postgres', 'connect', 'registry-a', 'registry-b', 'azurite', 'lab.json'] as const;
