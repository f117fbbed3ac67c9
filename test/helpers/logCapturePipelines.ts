/**
 * The Debezium-config pipelines the log-capture suites run on the lab: a MariaDB source into PostgreSQL and a
 * PostgreSQL source into MariaDB, each with ExtractNewRecordState, record-key deletes and an auto-created target; and
 * the `id | customer | amount` rows those suites compare.
 */
import { inject } from 'vitest';
import type { TestDb } from './pipelineDb';
import { type PipelineDocument, pipelineDocument } from './pipelineHarness';

/** ExtractNewRecordState, keeping tombstones: rows out of Debezium change events. */
export const unwrapTransform = {
  transforms: 'unwrap',
  'transforms.unwrap.type': 'io.debezium.transforms.ExtractNewRecordState',
  'transforms.unwrap.drop.tombstones': 'false',
};

/** MariaDbConnector on `table` → JdbcSinkConnector into PostgreSQL (`sinkMode`: upsert, or insert to see a double). */
export function mariadbToPostgres(registryUrl: string, table: string, prefix: string, sinkMode: 'upsert' | 'insert' = 'upsert'): PipelineDocument {
  const endpoints = inject('labEndpoints');
  return pipelineDocument(`${prefix}-pipeline`, endpoints.kafka.a.bootstrap, registryUrl, [
    {
      name: `${prefix}-source`,
      'connector.class': 'io.debezium.connector.mariadb.MariaDbConnector',
      'database.hostname': endpoints.mariadb.host,
      'database.port': String(endpoints.mariadb.port),
      'database.user': endpoints.mariadb.user,
      'database.password': endpoints.mariadb.password,
      'database.server.id': String(184_000 + Math.floor(Math.random() * 10_000)),
      'topic.prefix': prefix,
      'database.include.list': endpoints.mariadb.database,
      'table.include.list': `${endpoints.mariadb.database}\\.${table}`,
      'time.precision.mode': 'connect',
    },
    {
      name: `${prefix}-sink`,
      'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector',
      'connection.url': `jdbc:postgresql://${endpoints.postgres.host}:${endpoints.postgres.port}/${endpoints.postgres.database}`,
      'connection.user': endpoints.postgres.user,
      'connection.password': endpoints.postgres.password,
      topics: `${prefix}.${endpoints.mariadb.database}.${table}`,
      'table.name.format': table,
      'insert.mode': sinkMode,
      'pk.mode': 'record_key',
      'delete.enabled': 'true',
      'auto.create': 'true',
      'auto.evolve': 'true',
      ...unwrapTransform,
    },
  ]);
}

/**
 * PostgresConnector on `tables` (slot and publication named) → MySqlSink upserting the first table's topic into
 * MariaDB. Further tables are captured but not written (a suite may hold one to keep the snapshot waiting).
 */
export function postgresToMariadb(registryUrl: string, tables: readonly [string, ...string[]], prefix: string, slot: string, publication: string): PipelineDocument {
  const endpoints = inject('labEndpoints');
  const [written] = tables;
  return pipelineDocument(`${prefix}-pipeline`, endpoints.kafka.a.bootstrap, registryUrl, [
    {
      name: `${prefix}-source`,
      'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
      'database.hostname': endpoints.postgres.host,
      'database.port': String(endpoints.postgres.port),
      'database.user': endpoints.postgres.user,
      'database.password': endpoints.postgres.password,
      'database.dbname': endpoints.postgres.database,
      'topic.prefix': prefix,
      'table.include.list': tables.map((table) => `public\\.${table}`).join(','),
      'slot.name': slot,
      'publication.name': publication,
      'publication.autocreate.mode': 'filtered',
      'time.precision.mode': 'connect',
    },
    {
      name: `${prefix}-sink`,
      'connector.class': 'MySqlSink',
      'connection.host': endpoints.mariadb.host,
      'connection.port': String(endpoints.mariadb.port),
      'connection.user': endpoints.mariadb.user,
      'connection.password': endpoints.mariadb.password,
      'db.name': endpoints.mariadb.database,
      topics: `${prefix}.public.${written}`,
      'table.name.format': written,
      'insert.mode': 'UPSERT',
      'pk.mode': 'record_key',
      'delete.enabled': 'true',
      'auto.create': 'true',
      'input.data.format': 'AVRO',
      'input.key.format': 'AVRO',
      ...unwrapTransform,
    },
  ]);
}

/** The same pipeline with the source's `snapshot.mode` set. */
export function withSnapshotMode(document: PipelineDocument, mode: string): PipelineDocument {
  return { ...document, connectors: document.connectors.map((connector, index) => (index === 0 ? { ...connector, 'snapshot.mode': mode } : connector)) };
}

/** A table's rows as `id|customer|amount` (amount at two decimals), by id. */
export async function customerRows(db: TestDb, table: string): Promise<string[]> {
  const found = await db.exec(`SELECT id, customer, amount FROM ${db.q(table)} ORDER BY id`);
  return found.map((row) => `${String(row.id)}|${String(row.customer)}|${Number(row.amount).toFixed(2)}`);
}
