import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { LAB_DEFAULT_SERVICES } from '../../src/shared/api/lab';
import { holdLabServicesLockForFile } from '../helpers/labServicesLock';
import { uniqueName } from '../helpers/names';

const run = promisify(execFile);
const endpoints = inject('labEndpoints');
// `ferry lab up` here must find every default service running and start nothing; no other file may be starting one.
holdLabServicesLockForFile();

async function ferry(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, ['bin/ferry.mjs', ...args], { cwd: process.cwd(), timeout: 120_000 });
}

async function commandExists(command: string): Promise<boolean> {
  try {
    await run('sh', ['-c', `command -v ${command}`]);
    return true;
  } catch {
    return false;
  }
}

describe('ferry lab from the command line', () => {
  it('prints the endpoints under the documented keys with --json', async () => {
    const { stdout } = await ferry('lab', 'status', '--json');
    const json = JSON.parse(stdout) as Record<string, unknown>;
    expect(json).toMatchObject({
      kafka: { a: { bootstrap: endpoints.kafka.a.bootstrap }, b: { bootstrap: endpoints.kafka.b.bootstrap } },
      mariadb: { host: '127.0.0.1', port: endpoints.mariadb.port, user: endpoints.mariadb.user, password: endpoints.mariadb.password },
      postgres: { host: '127.0.0.1', port: endpoints.postgres.port, user: endpoints.postgres.user, password: endpoints.postgres.password },
      lab: { running: true },
    });
  });

  it('reuses running services on a second `up` and says so', async () => {
    const json = await ferry('lab', 'up', '--json');
    const parsed = JSON.parse(json.stdout) as { lab: { started: string[]; reused: string[] } };
    expect(parsed.lab.started).toEqual([]);
    // Every default service (Kafka a and b, MariaDB, PostgreSQL, a Schema Registry per cluster, Azurite), not the optional Connect worker.
    const defaults = [...LAB_DEFAULT_SERVICES];
    expect(defaults).toEqual(expect.arrayContaining(['kafka-a', 'kafka-b', 'mariadb', 'postgres', 'registry-a', 'registry-b', 'azurite']));
    expect([...parsed.lab.reused].sort()).toEqual(defaults.sort());
    const human = await ferry('lab', 'up');
    expect(human.stdout).toContain(`Lab already running; reused ${parsed.lab.reused.join(', ')}.`);
    // Passwords are for --json only; the human summary never prints them.
    expect(human.stdout).not.toContain(endpoints.mariadb.password);
  });

  it('rejects an unknown lab command with a usage error (exit 2)', async () => {
    await expect(ferry('lab', 'launch')).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('`ferry lab` takes one of up, down, status, reset') });
  });
});

describe('independent clients reach the lab', () => {
  it('the mariadb command-line client queries MariaDB', async () => {
    const { stdout } = await run(
      'mariadb',
      ['-h', endpoints.mariadb.host, '-P', String(endpoints.mariadb.port), '-u', endpoints.mariadb.user, '--batch', '--skip-column-names', '-e', "SELECT @@binlog_format, 'ok'"],
      { env: { ...process.env, MYSQL_PWD: endpoints.mariadb.password } },
    );
    expect(stdout.trim()).toBe('ROW\tok');
  });

  it('psql queries PostgreSQL', async () => {
    const { stdout } = await run(
      'psql',
      ['-h', endpoints.postgres.host, '-p', String(endpoints.postgres.port), '-U', endpoints.postgres.user, '-d', endpoints.postgres.database, '-At', '-c', 'SHOW wal_level'],
      { env: { ...process.env, PGPASSWORD: endpoints.postgres.password } },
    );
    expect(stdout.trim()).toBe('logical');
  });

  it('kcat produces to and consumes from both Kafka clusters', async (context) => {
    if (!(await commandExists('kcat'))) {
      // kcat is optional on a developer's machine; .ci/run installs it, so CI always runs this test.
      context.skip();
    }
    for (const bootstrap of [endpoints.kafka.a.bootstrap, endpoints.kafka.b.bootstrap]) {
      const topic = uniqueName('kcat');
      await run('sh', ['-c', `printf 'k1:one\\nk2:two\\n' | kcat -b ${bootstrap} -t ${topic} -P -K: -X allow.auto.create.topics=true`]);
      const { stdout } = await run('kcat', ['-b', bootstrap, '-t', topic, '-C', '-e', '-q', '-f', '%k=%s\\n', '-o', 'beginning']);
      expect(stdout.trim().split('\n').sort()).toEqual(['k1=one', 'k2=two']);
    }
  });
});
