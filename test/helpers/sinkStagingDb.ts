import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import type { DatabaseEndpoint } from '../../src/shared/api';
import { uniqueName } from './names';

// What the PostgreSQL sink staging suites (sinkStaging*.int) set up alike: the lab's PostgreSQL as the sink writer's
// target, an admin connection to look at what landed, a name prefix of the file's own, and the tables a test made
// dropped at the end. Register it once per file, at the top level: its beforeAll/afterAll are the file's.

export interface SinkStagingDb {
  /** The lab's PostgreSQL. */
  readonly endpoint: DatabaseEndpoint;
  /** A prefix of this file's own for topics, tables and other names. */
  readonly topicBase: string;
  /** Connected in the file's beforeAll, ended in its afterAll. */
  readonly admin: pg.Client;
  /** Tables to drop at the end, by name (quoted here). */
  readonly tables: string[];
}

/** `cleanUp` runs at the end after the tables are dropped, on the still open admin connection (e.g. types the tables used). */
export function useSinkStagingDb(prefix: string, cleanUp?: (admin: pg.Client, topicBase: string) => Promise<void>): SinkStagingDb {
  const endpoint = inject('labEndpoints').postgres;
  const db: SinkStagingDb = { endpoint, topicBase: uniqueName(prefix), admin: new pg.Client({ ...endpoint }), tables: [] };
  beforeAll(() => db.admin.connect());
  afterAll(async () => {
    for (const table of db.tables) await db.admin.query(`DROP TABLE IF EXISTS "${table.replaceAll('"', '""')}"`);
    await cleanUp?.(db.admin, db.topicBase);
    await db.admin.end();
  });
  return db;
}
