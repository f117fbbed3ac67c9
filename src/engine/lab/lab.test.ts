import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EngineError } from '../../shared/errors';
import { LAB_SERVICE_NAMES, type LabStatus } from '../../shared/api/lab';
import { createLab } from './index';
import { kafkaRuntimeLocation } from './kafka';
import { ownsPid } from './processes';
import { emptyState, readState, writeState } from './state';

/** The EngineError a promise rejects with; fails the test if it resolves or rejects with something else. */
async function failure(promise: Promise<unknown>): Promise<EngineError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof EngineError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}


let root: string;
let labDir: string;
const children: ChildProcess[] = [];
const servers: Server[] = [];

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ferry-lab-test-'));
  // As root, PostgreSQL runs as `postgres`, which must be able to traverse the (0700) temp directory.
  chmodSync(root, 0o711);
  labDir = join(root, 'lab');
});
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  rmSync(root, { recursive: true, force: true });
});

/** A stand-in for a service process: its command line names the service directory, as the real ones do. */
async function fakeService(serviceDir: string): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', `${serviceDir}/data`], { stdio: 'ignore' });
  children.push(child);
  const pid = child.pid ?? -1;
  for (let i = 0; i < 100 && !ownsPid(pid, serviceDir); i++) await new Promise((r) => setTimeout(r, 20));
  return pid;
}

function freePort(): Promise<{ port: number; server: Server }> {
  return new Promise((resolve) => {
    const server = createServer();
    servers.push(server);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const address = server.address();
      resolve({ port: typeof address === 'object' && address ? address.port : 0, server });
    });
  });
}

function states(status: LabStatus): string {
  return status.services.map((s) => `${s.name}=${s.state}`).join(' ');
}

describe('status', () => {
  it('reports a fresh lab as stopped, with endpoints on the default ports and no passwords yet', async () => {
    const lab = createLab({ dir: labDir, env: {} });
    const status = await lab.status();
    expect(status.dir).toBe(labDir);
    expect(status.running).toBe(false);
    expect(states(status)).toBe(LAB_SERVICE_NAMES.map((name) => `${name}=stopped`).join(' '));
    expect(status.endpoints.kafka.a.bootstrap).toBe('127.0.0.1:19092');
    expect(status.endpoints.kafka.b.bootstrap).toBe('127.0.0.1:29092');
    expect(status.endpoints.mariadb).toEqual({ host: '127.0.0.1', port: 13306, user: 'ferry', password: '', database: 'ferry' });
    expect(status.endpoints.postgres.port).toBe(15432);
    expect(status.services.find((s) => s.name === 'kafka-a')?.logFile).toBe(join(labDir, 'kafka-a', 'logs', 'server.log'));
    expect(existsSync(labDir)).toBe(false);
    lab.dispose();
  });

  it('applies FERRY_LAB_PORT_OFFSET to the endpoints', async () => {
    const lab = createLab({ dir: labDir, env: { FERRY_LAB_PORT_OFFSET: '1000' } });
    const status = await lab.status();
    expect(status.endpoints.kafka.a.bootstrap).toBe('127.0.0.1:20092');
    expect(status.endpoints.mariadb.port).toBe(14306);
    lab.dispose();
  });

  it('surfaces a bad offset on the first call rather than when the engine is created', async () => {
    const lab = createLab({ dir: labDir, env: { FERRY_LAB_PORT_OFFSET: 'lots' } });
    await expect(lab.status()).rejects.toMatchObject({ code: 'LAB_BAD_CONFIG' });
    lab.dispose();
  });

  it('counts a recorded pid as running only when its command line names this lab', async () => {
    const mariadbPid = await fakeService(join(labDir, 'mariadb'));
    mkdirSync(labDir, { recursive: true });
    const state = emptyState();
    state.passwords.mariadb = 'pw';
    state.services.mariadb = { pid: mariadbPid, ports: [23306], fingerprint: 'x', startedAt: 'then', readyAt: '2026-01-01T00:00:00.000Z' };
    // A live pid that is not ours, as after a reboot recycled it.
    state.services.postgres = { pid: process.pid, ports: [15432], fingerprint: 'x', startedAt: 'then', readyAt: 'then' };
    writeState(join(labDir, 'lab.json'), state);

    const lab = createLab({ dir: labDir, env: {} });
    const status = await lab.status();
    const mariadb = status.services.find((s) => s.name === 'mariadb');
    expect(mariadb).toMatchObject({ state: 'running', pid: mariadbPid, endpoint: '127.0.0.1:23306', readyAt: '2026-01-01T00:00:00.000Z' });
    expect(status.endpoints.mariadb).toMatchObject({ port: 23306, password: 'pw' });
    expect(status.services.find((s) => s.name === 'postgres')).toMatchObject({ state: 'stopped' });
    expect(status.services.find((s) => s.name === 'postgres')?.pid).toBeUndefined();
    lab.dispose();
  });
});

describe('down', () => {
  it('stops only our processes, forgets their pids and reports each transition', async () => {
    const mariadbPid = await fakeService(join(labDir, 'mariadb'));
    mkdirSync(labDir, { recursive: true });
    const state = emptyState();
    state.services.mariadb = { pid: mariadbPid, ports: [13306], fingerprint: 'x', startedAt: 'then', readyAt: 'then' };
    state.services.postgres = { pid: process.pid, ports: [15432], fingerprint: 'x', startedAt: 'then', readyAt: 'then' };
    writeState(join(labDir, 'lab.json'), state);

    const lab = createLab({ dir: labDir, env: {} });
    const seen: string[] = [];
    lab.onDidChangeStatus((s) => seen.push(s.services.find((x) => x.name === 'mariadb')?.state ?? '?'));
    const status = await lab.down();
    expect(states(status)).toBe(LAB_SERVICE_NAMES.map((name) => `${name}=stopped`).join(' '));
    expect(seen).toEqual(['stopping', 'stopped']);
    expect(ownsPid(mariadbPid, join(labDir, 'mariadb'))).toBe(false);
    expect(readState(join(labDir, 'lab.json')).services).toEqual({});
    // The stranger (this test process) is obviously still alive; down is idempotent.
    await expect(lab.down()).resolves.toMatchObject({ running: false });
    expect(existsSync(join(labDir, 'lab.lock'))).toBe(false);
    lab.dispose();
  });

  it('finds and stops a lab process whose pid was lost with the state file', async () => {
    // A node binary under the name `mariadbd`: the command-line scan also checks the executable's name.
    const binDir = join(root, 'bin');
    mkdirSync(binDir);
    symlinkSync(process.execPath, join(binDir, 'mariadbd'));
    const child = spawn(join(binDir, 'mariadbd'), ['-e', 'setInterval(() => {}, 1000)', `${join(labDir, 'mariadb')}/data`], { stdio: 'ignore' });
    children.push(child);
    const pid = child.pid ?? -1;
    for (let i = 0; i < 100 && !ownsPid(pid, join(labDir, 'mariadb')); i++) await new Promise((r) => setTimeout(r, 20));
    expect(ownsPid(pid, join(labDir, 'mariadb'))).toBe(true);
    mkdirSync(labDir, { recursive: true });

    const lab = createLab({ dir: labDir, env: {} });
    await lab.down();
    expect(ownsPid(pid, join(labDir, 'mariadb'))).toBe(false);
    lab.dispose();
  });

  it('is a no-op for a lab that never existed', async () => {
    const lab = createLab({ dir: labDir, env: {} });
    await expect(lab.down()).resolves.toMatchObject({ running: false });
    expect(existsSync(labDir)).toBe(false);
    lab.dispose();
  });
});

describe('up preflight', () => {
  it('names every missing binary before starting anything', async () => {
    const lab = createLab({ dir: labDir, cacheDir: join(root, 'cache'), env: { PATH: join(root, 'empty') }, binDirs: [] });
    const events: LabStatus[] = [];
    lab.onDidChangeStatus((s) => events.push(s));
    const error = await failure(lab.up());
    expect(error.code).toBe('LAB_MISSING_BINARY');
    expect(error.message).toMatch(/java.*mvn.*mariadbd.*mariadb-install-db.*initdb.*postgres/);
    expect(events).toEqual([]);
    expect(readState(join(labDir, 'lab.json')).services).toEqual({});
    lab.dispose();
  });

  const rootWithoutPostgresUser = process.getuid?.() === 0 && spawnSync('id', ['-u', 'postgres']).status !== 0;

  it.skipIf(rootWithoutPostgresUser)('refuses a busy port, naming it, its service and FERRY_LAB_PORT_OFFSET, and starts nothing', async () => {
    // Stand-ins for every binary; the install tool leaves a trace if anything gets as far as running it.
    const binDir = join(root, 'bin');
    mkdirSync(binDir);
    const trace = join(root, 'ran');
    for (const name of ['mariadbd', 'mariadb-install-db', 'initdb', 'postgres', 'mvn']) {
      writeFileSync(join(binDir, name), `#!/bin/sh\ntouch ${trace}\n`);
      chmodSync(join(binDir, name), 0o755);
    }
    writeFileSync(join(binDir, 'java'), `#!/bin/sh\necho 'openjdk version "17.0.9" 2023-10-17' >&2\n`);
    chmodSync(join(binDir, 'java'), 0o755);
    const pom = join(root, 'pom.xml');
    writeFileSync(pom, '<project/>\n');
    const { lib } = kafkaRuntimeLocation(join(root, 'cache'), pom);
    mkdirSync(lib, { recursive: true });
    writeFileSync(join(lib, 'kafka_2.13-4.1.1.jar'), '');

    const ports = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort(), freePort()]);
    // Release all but the MariaDB port, which stays occupied.
    await Promise.all(ports.slice(1).map(({ server }) => new Promise<void>((resolve) => server.close(() => resolve()))));
    const [mariadb, kafkaA, kafkaAController, kafkaB, kafkaBController, postgres] = ports.map((p) => p.port) as [number, number, number, number, number, number];
    const lab = createLab({
      dir: labDir,
      cacheDir: join(root, 'cache'),
      pomPath: pom,
      env: { PATH: binDir },
      binDirs: [],
      ports: { mariadb, kafkaA, kafkaAController, kafkaB, kafkaBController, postgres },
    });
    const error = await failure(lab.up());
    expect(error).toMatchObject({ code: 'LAB_PORT_BUSY', retriable: true });
    expect(error.message).toContain(`127.0.0.1:${mariadb} (mariadb)`);
    expect(error.message).toContain('FERRY_LAB_PORT_OFFSET');
    expect(existsSync(trace)).toBe(false);
    expect(readState(join(labDir, 'lab.json')).services).toEqual({});
    lab.dispose();
  });
});

describe('dispose', () => {
  it('stops events but never the services', async () => {
    const mariadbPid = await fakeService(join(labDir, 'mariadb'));
    mkdirSync(labDir, { recursive: true });
    const state = emptyState();
    state.services.mariadb = { pid: mariadbPid, ports: [13306], fingerprint: 'x', startedAt: 'then', readyAt: 'then' };
    writeState(join(labDir, 'lab.json'), state);
    const lab = createLab({ dir: labDir, env: {} });
    let fired = 0;
    lab.onDidChangeStatus(() => fired++);
    lab.dispose();
    expect(ownsPid(mariadbPid, join(labDir, 'mariadb'))).toBe(true);
    await lab.down();
    expect(fired).toBe(0);
  });
});
