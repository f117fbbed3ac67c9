import { execFile, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { freeLabPortOffset, releaseLabPortOffset } from '../helpers/labPorts';

const run = promisify(execFile);

/** A lab of its own: own directory (traversable by the postgres user when we run as root) and free ports. */
async function scratchLab(): Promise<{ dir: string; env: NodeJS.ProcessEnv; offset: number }> {
  const dir = mkdtempSync('/var/tmp/ferry-lab-test-');
  chmodSync(dir, 0o755);
  const offset = await freeLabPortOffset();
  return { dir, offset, env: { ...process.env, FERRY_LAB_DIR: dir, FERRY_LAB_PORT_OFFSET: String(offset) } };
}

async function ferry(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/ferry.mjs', ...args], { env, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** Every live process whose command line mentions the directory: what "nothing left running" is checked against. */
function processesUsing(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmdline.includes(dir) && !cmdline.includes('bin/ferry.mjs')) found.push(`${entry}: ${cmdline.slice(0, 120)}`);
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('lab failures are reported clearly and leave nothing running', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('a busy port names the port, the service and how to move the lab', async () => {
    const { dir, env, offset } = await scratchLab();
    cleanups.push(() => {
      rmSync(dir, { recursive: true, force: true });
      releaseLabPortOffset(offset);
    });
    const squatter = await listen(13306 + offset);
    cleanups.push(() => new Promise<void>((resolve) => squatter.close(() => resolve())));

    const result = await ferry(env, 'lab', 'up');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(String(13306 + offset));
    expect(result.stderr).toMatch(/mariadb/i);
    expect(result.stderr).toContain('FERRY_LAB_PORT_OFFSET');
    expect(processesUsing(dir)).toEqual([]);
    const status = JSON.parse((await ferry(env, 'lab', 'status', '--json')).stdout) as { lab: { services: { state: string }[] } };
    expect(status.lab.services.every((service) => service.state !== 'running')).toBe(true);
  });

  it('missing binaries are all named at once with the package to install', async () => {
    const { dir, env, offset } = await scratchLab();
    cleanups.push(() => {
      rmSync(dir, { recursive: true, force: true });
      releaseLabPortOffset(offset);
    });
    // PATH without /usr/sbin and no fallback directories: mariadbd and the PostgreSQL server are not found.
    const result = await ferry({ ...env, PATH: '/usr/bin:/bin', FERRY_LAB_BIN_DIRS: join(dir, 'no-such-dir') }, 'lab', 'up');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('mariadbd');
    expect(result.stderr).toMatch(/postgres|initdb/);
    expect(result.stderr).toContain('apt-get install');
    expect(processesUsing(dir)).toEqual([]);
  });

  it('a service that dies on start names its log, and the services started with it are stopped again', async () => {
    const { dir, env, offset } = await scratchLab();
    cleanups.push(async () => {
      await ferry(env, 'lab', 'down');
      rmSync(dir, { recursive: true, force: true });
      releaseLabPortOffset(offset);
    });
    // A MariaDB data directory marked as initialised but empty: mariadbd exits at once (no system tables).
    mkdirSync(join(dir, 'mariadb', 'data'), { recursive: true });
    writeFileSync(join(dir, 'mariadb', '.initialized'), '');

    const result = await ferry(env, 'lab', 'up');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(join(dir, 'mariadb', 'error.log'));
    expect(processesUsing(dir)).toEqual([]);
    const status = JSON.parse((await ferry(env, 'lab', 'status', '--json')).stdout) as { lab: { services: { name: string; state: string }[] } };
    expect(status.lab.services.filter((service) => service.state === 'running')).toEqual([]);
  });

  it('Ctrl-C during `ferry lab up` stops what it had started and says so', async () => {
    const { dir, env, offset } = await scratchLab();
    cleanups.push(async () => {
      await ferry(env, 'lab', 'down');
      rmSync(dir, { recursive: true, force: true });
      releaseLabPortOffset(offset);
    });
    const child = spawn(process.execPath, ['bin/ferry.mjs', 'lab', 'up'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const started = new Promise<void>((resolve) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('starting')) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await started;
    child.kill('SIGINT');
    expect(await exited).toBe(1);
    expect(stderr).toContain('Interrupted: stopping the services this command started');
    expect(stderr).toContain('Lab start cancelled');
    expect(processesUsing(dir)).toEqual([]);
  });
});
