import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, type Lab } from '../../../src/engine/lab';
import type { DatabaseEndpoint } from '../../../src/shared/api';
import { freeLabPortOffset, releaseLabPortOffset } from '../../helpers/labPorts';
import { uniqueName } from '../../helpers/names';

// Issue 11, item 5 (lab): the lab created its MariaDB user with `CREATE USER … IDENTIFIED BY '<password>'` in a
// session that wrote to the binlog, so anyone reading the binlog (every change-capture client, SHOW BINLOG EVENTS)
// read the lab password in clear. The shared lab was bootstrapped by that code, so the fix is proved on a private
// lab of this file's own (MariaDB only, on a free port offset), bootstrapped by the current code.

let lab: Lab;
let labDir: string;
let portOffset: number | undefined;
let endpoint: DatabaseEndpoint;
let connection: Connection;

function connect(): Promise<Connection> {
  const { host, port, user, password, database } = endpoint;
  return createConnection({ host, port, user, password, database });
}

beforeAll(async () => {
  labDir = mkdtempSync('/var/tmp/ferry-lab-binlog-');
  // The lab's services may run as another user; they need to reach their directory.
  chmodSync(labDir, 0o755);
  portOffset = await freeLabPortOffset();
  lab = createLab({ dir: labDir, env: { ...process.env, FERRY_LAB_PORT_OFFSET: String(portOffset) } });
  endpoint = (await lab.up({ services: ['mariadb'] })).endpoints.mariadb;
  connection = await connect();
}, 180_000);

afterAll(async () => {
  await connection?.end().catch(() => undefined);
  if (lab) {
    await lab.down().catch(() => undefined);
    lab.dispose();
  }
  if (labDir) rmSync(labDir, { recursive: true, force: true });
  if (portOffset !== undefined) releaseLabPortOffset(portOffset);
}, 120_000);

/** Events that hold the password, with it blanked out so a failure report does not print it either. */
function holding(texts: readonly string[], password: string): string[] {
  return texts.filter((text) => text.includes(password)).map((text) => text.split(password).join('<lab password>'));
}

/** The Info text of every event in every binlog file the server keeps. */
async function binlogTexts(): Promise<string[]> {
  const [files] = await connection.query<RowDataPacket[]>('SHOW BINARY LOGS');
  const texts: string[] = [];
  for (const file of files) {
    const [events] = await connection.query<RowDataPacket[]>('SHOW BINLOG EVENTS IN ?', [String(file.Log_name)]);
    for (const event of events) texts.push(String(event.Info));
  }
  return texts;
}

describe('the lab keeps its MariaDB password out of the binlog', () => {
  it('bootstraps the lab user without writing the password to the binlog, on first start and on restart', async () => {
    const password = endpoint.password;
    expect(password.length).toBeGreaterThan(8);
    // A statement of our own proves the binlog is on and that this reader sees statements' text.
    const marker = uniqueName('binlog_marker').replace(/-/g, '_');
    await connection.query(`CREATE TABLE \`${marker}\` (id INT PRIMARY KEY)`);
    await connection.query(`DROP TABLE \`${marker}\``);
    let texts = await binlogTexts();
    expect(texts.some((text) => text.includes(marker))).toBe(true);
    expect(holding(texts, password)).toEqual([]);

    // A restart runs the bootstrap again (it repairs a lost password): still nothing in clear.
    await connection.end();
    await lab.down();
    endpoint = (await lab.up({ services: ['mariadb'] })).endpoints.mariadb;
    expect(endpoint.password).toBe(password);
    connection = await connect();
    texts = await binlogTexts();
    expect(holding(texts, password)).toEqual([]);
  });

  it('keeps the generated passwords in lab.json readable by its owner only', async () => {
    const dir = (await lab.status()).dir;
    expect(statSync(join(dir, 'lab.json')).mode & 0o077).toBe(0);
  });
});
