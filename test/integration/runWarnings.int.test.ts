import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type EmbeddedSchemaRegistry, startEmbeddedSchemaRegistry } from '../../src/engine/schema';
import { uniqueName } from '../helpers/names';
import { killLeftoverFerries, spawnFerry, waitForExit, writePipelineFile } from '../helpers/pipelineCli';
import { createTypedTableSql, dropTables, insertTypedRows, openDb, type TestDb, typedRows } from '../helpers/pipelineDb';
import { KafkaScratch, MANAGED_SINK, MANAGED_SOURCE, managedConnection, modeKeys, pipelineDocument, Scratch, sinkGroup } from '../helpers/pipelineHarness';

// Warnings that change the results are printed by `ferry run` without --verbose: a db.timezone that disagrees with
// the server's own zone shifts every zone-less timestamp (the progress line showed p99 3641634 ms and nothing else).

const endpoints = inject('labEndpoints');
const bootstrap = endpoints.kafka.a.bootstrap;
const kafka = new KafkaScratch(bootstrap);
const scratch = new Scratch();
let registry: EmbeddedSchemaRegistry;
let db: TestDb;
let target: TestDb;
const tables: string[] = [];
const targetTables: string[] = [];

beforeAll(async () => {
  registry = await startEmbeddedSchemaRegistry();
  db = await openDb('mariadb', endpoints.mariadb);
  target = await openDb('postgres', endpoints.postgres);
});

afterAll(async () => {
  killLeftoverFerries();
  await dropTables(db, tables);
  await dropTables(target, targetTables);
  await db?.close();
  await target?.close();
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

  it('"deletes never arrive" when the polling source runs from another file: the sink sees it in the records', async () => {
    const id = uniqueName('nodel').toLowerCase();
    const topic = `${id}_${id}`;
    const sinkName = `${id}-sink`;
    tables.push(id);
    targetTables.push(topic);
    await db.exec(createTypedTableSql(db, id));
    await insertTypedRows(db, id, typedRows(1, 5, Date.now() - 60_000));
    kafka.track({ topics: [topic, `dlq-${sinkName}`], groups: [sinkGroup(sinkName)] });
    const dataDir = scratch.dir('ferry-data-');
    const sourceFile = writePipelineFile(
      scratch.dir(),
      pipelineDocument(`${id}-capture`, bootstrap, registry.url, [
        {
          name: `${id}-source`,
          'connector.class': MANAGED_SOURCE.mariadb,
          ...managedConnection(endpoints.mariadb),
          ...modeKeys('timestamp+incrementing'),
          'table.whitelist': [id],
          'topic.prefix': `${id}_`,
          'output.data.format': 'AVRO',
          'output.key.format': 'AVRO',
          transforms: 'createKey,extractId',
          'transforms.createKey.type': 'org.apache.kafka.connect.transforms.ValueToKey',
          'transforms.createKey.fields': 'id',
          'transforms.extractId.type': 'org.apache.kafka.connect.transforms.ExtractField$Key',
          'transforms.extractId.field': 'id',
        },
      ]),
    );
    const capture = spawnFerry(['run', sourceFile, '--until-idle'], { FERRY_DATA_DIR: dataDir });
    expect((await waitForExit(capture, 90_000)).code).toBe(0);

    const sinkFile = writePipelineFile(
      scratch.dir(),
      pipelineDocument(`${id}-apply`, bootstrap, registry.url, [
        {
          name: sinkName,
          'connector.class': MANAGED_SINK.postgres,
          ...managedConnection(endpoints.postgres),
          topics: [topic],
          'input.data.format': 'AVRO',
          'input.key.format': 'AVRO',
          'insert.mode': 'UPSERT',
          'pk.mode': 'record_key',
          'pk.fields': 'id',
          'delete.enabled': 'true',
          'auto.create': 'true',
        },
      ]),
    );
    const apply = spawnFerry(['run', sinkFile, '--until-idle'], { FERRY_DATA_DIR: dataDir });
    const { code } = await waitForExit(apply, 90_000);
    expect(apply.stderr()).toContain(`warning  ${sinkName}: Topic "${topic}" is written by a polling (JDBC) source, which never writes deletes`);
    expect(code).toBe(0);
  });
});
