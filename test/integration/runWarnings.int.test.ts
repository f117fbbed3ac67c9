import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type EmbeddedSchemaRegistry, startEmbeddedSchemaRegistry } from '../../src/engine/schema';
import { uniqueName } from '../helpers/names';
import { killLeftoverFerries, spawnFerry, waitForExit, writePipelineFile } from '../helpers/pipelineCli';
import { createTypedTableSql, dropTables, insertTypedRows, openDb, type TestDb, typedRows } from '../helpers/pipelineDb';
import { KafkaScratch, MANAGED_SOURCE, managedConnection, modeKeys, pipelineDocument, Scratch } from '../helpers/pipelineHarness';

// Warnings that change the results are printed by `ferry run` without --verbose: a db.timezone that disagrees with
// the server's own zone shifts every zone-less timestamp (the progress line showed p99 3641634 ms and nothing else).

const endpoints = inject('labEndpoints');
const bootstrap = endpoints.kafka.a.bootstrap;
const kafka = new KafkaScratch(bootstrap);
const scratch = new Scratch();
let registry: EmbeddedSchemaRegistry;
let db: TestDb;
const tables: string[] = [];

beforeAll(async () => {
  registry = await startEmbeddedSchemaRegistry();
  db = await openDb('mariadb', endpoints.mariadb);
});

afterAll(async () => {
  killLeftoverFerries();
  await dropTables(db, tables);
  await db?.close();
  await kafka.cleanup();
  await registry?.close();
  scratch.cleanup();
});

describe('ferry run prints warnings that change results without --verbose', () => {
  it('db.timezone unlike the MariaDB server\'s zone, with a zone-less (DATETIME) timestamp column', async () => {
    const id = uniqueName('tzwarn').toLowerCase();
    const sourceName = `${id}-source`;
    tables.push(id);
    await db.exec(createTypedTableSql(db, id));
    await insertTypedRows(db, id, typedRows(1, 5, Date.now() - 60_000));
    kafka.track({ topics: [`${id}_${id}`] });
    // The lab's MariaDB runs on UTC (its zone is the machine's, SYSTEM); a zone 9 hours away cannot match it.
    const file = writePipelineFile(
      scratch.dir(),
      pipelineDocument(id, bootstrap, registry.url, [
        {
          name: sourceName,
          'connector.class': MANAGED_SOURCE.mariadb,
          ...managedConnection(endpoints.mariadb),
          ...modeKeys('timestamp+incrementing'),
          'table.whitelist': [id],
          'topic.prefix': `${id}_`,
          'output.data.format': 'AVRO',
          'db.timezone': 'Asia/Tokyo',
        },
      ]),
    );
    const ferry = spawnFerry(['run', file, '--until-idle'], { FERRY_DATA_DIR: scratch.dir('ferry-data-') });
    const { code } = await waitForExit(ferry, 90_000);
    expect(ferry.stderr()).toContain(`warning  ${sourceName}: db.timezone is Asia/Tokyo (UTC+`);
    expect(ferry.stderr()).toContain('server\'s local time is UTC');
    // Once, not with every progress line.
    expect(ferry.stderr().split(`warning  ${sourceName}: db.timezone`).length).toBe(2);
    expect(code).toBe(0);
  });
});
