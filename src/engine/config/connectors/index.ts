/**
 * The connector classes Ferry accepts in `connector.class`: Confluent Cloud's managed names and the
 * self-managed kafka-connect-jdbc classes. One entry per class; its family supplies keys, rules and resolver.
 */
import { closest } from '../validateKeys';
import type { ConnectorClass } from './connectorCommon';
import { DEBEZIUM_JDBC_SINK_FAMILY } from './debeziumJdbcSink';
import { JDBC_SINK_FAMILY } from './jdbcSink';
import { JDBC_SOURCE_FAMILY } from './jdbcSource';
import { LOG_SOURCE_FAMILY } from './logSource';
import { AZURE_BLOB_SINK_FAMILY, AZURE_DATALAKE_GEN2_SINK_FAMILY } from './objectStoreSink';
import { REPLICATOR_FAMILY } from './replicator';

export type { ConnectorClass, ConnectorFamily } from './connectorCommon';

const JDBC_SOURCE_CLASS = 'io.confluent.connect.jdbc.JdbcSourceConnector';
const JDBC_SINK_CLASS = 'io.confluent.connect.jdbc.JdbcSinkConnector';

export const CONNECTOR_CLASSES: readonly ConnectorClass[] = [
  {
    name: 'MySqlSource',
    aliases: [],
    title: 'MySQL source (Confluent Cloud)',
    summary: 'Polls MySQL or MariaDB tables for new and changed rows, like Confluent Cloud\'s fully managed MySQL Source (JDBC) connector.',
    flavor: 'managed',
    dialect: 'mysql',
    family: JDBC_SOURCE_FAMILY,
  },
  {
    name: 'PostgresSource',
    aliases: [],
    title: 'PostgreSQL source (Confluent Cloud)',
    summary: 'Polls PostgreSQL tables for new and changed rows, like Confluent Cloud\'s fully managed PostgreSQL Source (JDBC) connector.',
    flavor: 'managed',
    dialect: 'postgres',
    family: JDBC_SOURCE_FAMILY,
  },
  {
    name: 'MicrosoftSqlServerSource',
    aliases: [],
    title: 'SQL Server source (Confluent Cloud)',
    summary: 'Polls SQL Server / Azure SQL tables for new and changed rows, like Confluent Cloud\'s fully managed Microsoft SQL Server Source (JDBC) connector.',
    flavor: 'managed',
    dialect: 'sqlserver',
    family: JDBC_SOURCE_FAMILY,
  },
  {
    name: JDBC_SOURCE_CLASS,
    aliases: ['JdbcSourceConnector', 'JdbcSource'],
    title: 'JDBC source (Kafka Connect)',
    summary: 'Confluent\'s self-managed JDBC source connector (kafka-connect-jdbc): polls tables of the database named by `connection.url`.',
    flavor: 'self-managed',
    dialect: undefined,
    family: JDBC_SOURCE_FAMILY,
  },
  {
    name: 'MySqlSink',
    aliases: [],
    title: 'MySQL sink (Confluent Cloud)',
    summary: 'Writes records from Kafka topics into MySQL or MariaDB tables, like Confluent Cloud\'s fully managed MySQL Sink (JDBC) connector.',
    flavor: 'managed',
    dialect: 'mysql',
    family: JDBC_SINK_FAMILY,
  },
  {
    name: 'PostgresSink',
    aliases: [],
    title: 'PostgreSQL sink (Confluent Cloud)',
    summary: 'Writes records from Kafka topics into PostgreSQL tables, like Confluent Cloud\'s fully managed PostgreSQL Sink (JDBC) connector.',
    flavor: 'managed',
    dialect: 'postgres',
    family: JDBC_SINK_FAMILY,
  },
  {
    name: 'MicrosoftSqlServerSink',
    aliases: [],
    title: 'SQL Server sink (Confluent Cloud)',
    summary: 'Writes records from Kafka topics into SQL Server / Azure SQL tables, like Confluent Cloud\'s fully managed Microsoft SQL Server Sink (JDBC) connector.',
    flavor: 'managed',
    dialect: 'sqlserver',
    family: JDBC_SINK_FAMILY,
  },
  {
    name: JDBC_SINK_CLASS,
    aliases: ['JdbcSinkConnector', 'JdbcSink'],
    title: 'JDBC sink (Kafka Connect)',
    summary: 'Confluent\'s self-managed JDBC sink connector (kafka-connect-jdbc): writes records into the database named by `connection.url`.',
    flavor: 'self-managed',
    dialect: undefined,
    family: JDBC_SINK_FAMILY,
  },
  {
    name: 'io.debezium.connector.mysql.MySqlConnector',
    aliases: ['MySqlConnector'],
    title: 'MySQL log-based source (Debezium)',
    summary: 'Debezium\'s MySQL connector: a snapshot, then every insert, update and delete from the binlog, as Debezium change events. Also reads MariaDB.',
    flavor: 'self-managed',
    dialect: 'mysql',
    family: LOG_SOURCE_FAMILY,
  },
  {
    name: 'io.debezium.connector.mariadb.MariaDbConnector',
    aliases: ['MariaDbConnector'],
    title: 'MariaDB log-based source (Debezium)',
    summary: 'Debezium\'s MariaDB connector: a snapshot, then every insert, update and delete from the binlog, as Debezium change events. Also reads MySQL.',
    flavor: 'self-managed',
    dialect: 'mysql',
    family: LOG_SOURCE_FAMILY,
  },
  {
    name: 'io.debezium.connector.postgresql.PostgresConnector',
    aliases: ['PostgresConnector'],
    title: 'PostgreSQL log-based source (Debezium)',
    summary: 'Debezium\'s PostgreSQL connector: a snapshot, then every insert, update and delete through a logical replication slot (pgoutput), as Debezium change events.',
    flavor: 'self-managed',
    dialect: 'postgres',
    family: LOG_SOURCE_FAMILY,
  },
  ...(['MySqlCdcSource', 'MySqlCdcSourceV2'] as const).map(
    (name): ConnectorClass => ({
      name,
      aliases: [],
      title: `MySQL CDC source${name.endsWith('V2') ? ' V2' : ''} (Confluent Cloud)`,
      summary: 'Confluent Cloud\'s fully managed MySQL CDC source (Debezium): a snapshot, then every change from the binlog.',
      flavor: 'managed',
      dialect: 'mysql',
      family: LOG_SOURCE_FAMILY,
    }),
  ),
  ...(['PostgresCdcSource', 'PostgresCdcSourceV2'] as const).map(
    (name): ConnectorClass => ({
      name,
      aliases: [],
      title: `PostgreSQL CDC source${name.endsWith('V2') ? ' V2' : ''} (Confluent Cloud)`,
      summary: 'Confluent Cloud\'s fully managed PostgreSQL CDC source (Debezium): a snapshot, then every change through logical decoding.',
      flavor: 'managed',
      dialect: 'postgres',
      family: LOG_SOURCE_FAMILY,
    }),
  ),
  {
    name: 'io.debezium.connector.sqlserver.SqlServerConnector',
    aliases: ['SqlServerConnector'],
    title: 'SQL Server log-based source (Debezium)',
    summary: 'Debezium\'s SQL Server connector: a snapshot, then every insert, update and delete from the CDC change tables (cdc.fn_cdc_get_all_changes_<capture instance>), as Debezium change events.',
    flavor: 'self-managed',
    dialect: 'sqlserver',
    family: LOG_SOURCE_FAMILY,
  },
  ...(['SqlServerCdcSource', 'SqlServerCdcSourceV2'] as const).map(
    (name): ConnectorClass => ({
      name,
      aliases: [],
      title: `SQL Server CDC source${name.endsWith('V2') ? ' V2' : ''} (Confluent Cloud)`,
      summary: 'Confluent Cloud\'s fully managed SQL Server CDC source (Debezium): a snapshot, then every change from the CDC change tables.',
      flavor: 'managed',
      dialect: 'sqlserver',
      family: LOG_SOURCE_FAMILY,
    }),
  ),
  {
    name: 'io.debezium.connector.jdbc.JdbcSinkConnector',
    aliases: [],
    title: 'Debezium JDBC sink',
    summary: 'Debezium\'s JDBC sink: writes change events (and plain records) from Kafka topics into the database named by `connection.url`, deletes included.',
    flavor: 'self-managed',
    dialect: undefined,
    family: DEBEZIUM_JDBC_SINK_FAMILY,
  },
  {
    name: 'io.confluent.connect.replicator.ReplicatorSourceConnector',
    aliases: ['Replicator', 'ReplicatorSourceConnector'],
    title: 'Replicator (Kafka → Kafka)',
    summary: 'Copies topics, records, topic configs, Avro schemas and consumer group offsets from one Kafka cluster to another, configured like Confluent Replicator.',
    flavor: 'self-managed',
    dialect: undefined,
    family: REPLICATOR_FAMILY,
  },
  {
    name: 'AzureBlobSink',
    aliases: [],
    title: 'Azure Blob Storage sink (Confluent Cloud)',
    summary: 'Writes records from Kafka topics into Azure Blob Storage as Avro or JSON objects, like Confluent Cloud\'s fully managed Azure Blob Storage Sink.',
    flavor: 'managed',
    dialect: undefined,
    family: AZURE_BLOB_SINK_FAMILY,
  },
  {
    name: 'io.confluent.connect.azure.blob.AzureBlobStorageSinkConnector',
    aliases: ['AzureBlobStorageSinkConnector', 'AzureBlobStorageSink'],
    title: 'Azure Blob Storage sink (Kafka Connect)',
    summary: 'Confluent\'s self-managed Azure Blob Storage sink connector: Avro or JSON objects per topic partition, with its partitioners and rotation.',
    flavor: 'self-managed',
    dialect: undefined,
    family: AZURE_BLOB_SINK_FAMILY,
  },
  {
    name: 'AzureDataLakeGen2Sink',
    aliases: [],
    title: 'Azure Data Lake Storage Gen2 sink (Confluent Cloud)',
    summary: 'Writes records from Kafka topics into ADLS Gen2 as Avro or JSON files, like Confluent Cloud\'s fully managed ADLS Gen2 Sink.',
    flavor: 'managed',
    dialect: undefined,
    family: AZURE_DATALAKE_GEN2_SINK_FAMILY,
  },
  {
    name: 'io.confluent.connect.azure.datalake.gen2.AzureDataLakeGen2SinkConnector',
    aliases: ['AzureDataLakeGen2SinkConnector'],
    title: 'Azure Data Lake Storage Gen2 sink (Kafka Connect)',
    summary: 'Confluent\'s self-managed ADLS Gen2 sink connector: Avro or JSON files per topic partition, with its partitioners and rotation.',
    flavor: 'self-managed',
    dialect: undefined,
    family: AZURE_DATALAKE_GEN2_SINK_FAMILY,
  },
];

const BY_NAME = new Map<string, ConnectorClass>();
for (const cls of CONNECTOR_CLASSES) for (const spelling of [cls.name, ...cls.aliases]) BY_NAME.set(spelling.toLowerCase(), cls);

/** Looks a `connector.class` value up; class names are matched ignoring case, as a courtesy to hand-typed configs. */
export function findConnectorClass(name: string): ConnectorClass | undefined {
  return BY_NAME.get(name.trim().toLowerCase());
}

export function suggestConnectorClass(name: string): string | undefined {
  return closest(name, CONNECTOR_CLASSES.map((c) => c.name));
}

/** Classes Ferry does not replicate with but users may paste, mapped to the advice for them. */
export const FOREIGN_CLASSES: Readonly<Record<string, string>> = {
};
