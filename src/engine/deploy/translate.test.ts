import { describe, expect, it } from 'vitest';
import { parsePipelineFile, requireValidPipeline } from '../config';
import { planManagedConnectors } from './confluentCloud';
import { parseConnectUrl, rootCauseOf } from './connectRest';
import { exportMirrorMaker, renamePolicy } from './mm2';
import { maskConfig, planConnectDeployment, revealConfig, undeclaredKeys } from './translate';

function pipeline(document: unknown): ReturnType<typeof requireValidPipeline> {
  const text = JSON.stringify(document);
  return requireValidPipeline(parsePipelineFile(text, 'test.json'), 'test.json');
}

const managedMySqlToPostgres = {
  name: 'orders',
  kafka: { 'bootstrap.servers': 'pkc-1.westeurope.azure.confluent.cloud:9092', 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'PLAIN', 'kafka.api.key': 'KEY1', 'kafka.api.secret': 'kafka-secret-123' },
  'schema.registry.url': 'https://psrc-1.westeurope.azure.confluent.cloud',
  'schema.registry.basic.auth.user.info': 'SRKEY:registry-secret-456',
  connectors: [
    {
      'connector.class': 'MySqlSource',
      name: 'orders-source',
      'kafka.auth.mode': 'KAFKA_API_KEY',
      'kafka.api.key': 'KEY1',
      'kafka.api.secret': 'kafka-secret-123',
      'connection.host': 'shop.example.com',
      'connection.port': '3306',
      'connection.user': 'replicator',
      'connection.password': 'db-password-789',
      'db.name': 'shop',
      'ssl.mode': 'require',
      'table.whitelist': ['orders', 'order_lines'],
      'incrementing.column.name': 'id',
      mode: 'incrementing',
      'topic.prefix': 'shop-',
      'output.data.format': 'AVRO',
      'tasks.max': '1',
    },
    {
      'connector.class': 'PostgresSink',
      name: 'orders-sink',
      topics: ['shop-orders'],
      'input.data.format': 'AVRO',
      'connection.host': 'reporting.example.com',
      'connection.port': '5432',
      'connection.user': 'writer',
      'connection.password': 'target-password-000',
      'db.name': 'reporting',
      'insert.mode': 'UPSERT',
      'pk.mode': 'record_value',
      'pk.fields': 'id',
      'batch.sizes': '1000',
      'max.poll.records': '200',
    },
  ],
};

describe('planConnectDeployment', () => {
  it('turns managed classes into the self-managed ones with connection.url, converters from the registry and the managed-only keys named', () => {
    const plan = planConnectDeployment(pipeline(managedMySqlToPostgres));
    const [source, sink] = plan.connectors;
    expect(source?.connectorClass).toBe('io.confluent.connect.jdbc.JdbcSourceConnector');
    const config = revealConfig(source?.config ?? {});
    expect(config['connection.url']).toBe('jdbc:mysql://shop.example.com:3306/shop?sslMode=REQUIRED');
    expect(config['connection.password']).toBe('db-password-789');
    expect(config['table.whitelist']).toBe('orders,order_lines');
    expect(config['value.converter']).toBe('io.confluent.connect.avro.AvroConverter');
    expect(config['value.converter.schema.registry.url']).toBe('https://psrc-1.westeurope.azure.confluent.cloud');
    expect(config['value.converter.basic.auth.user.info']).toBe('SRKEY:registry-secret-456');
    for (const key of ['kafka.api.key', 'kafka.api.secret', 'connection.host', 'db.name', 'output.data.format']) expect(config).not.toHaveProperty(key);
    expect(source?.notes.find((n) => n.key === 'kafka.api.secret')?.kind).toBe('dropped');

    const sinkConfig = revealConfig(sink?.config ?? {});
    expect(sink?.connectorClass).toBe('io.confluent.connect.jdbc.JdbcSinkConnector');
    expect(sinkConfig['connection.url']).toBe('jdbc:postgresql://reporting.example.com:5432/reporting?sslmode=prefer');
    expect(sinkConfig['batch.size']).toBe('1000');
    expect(sinkConfig['consumer.override.max.poll.records']).toBe('200');
    expect(sink?.notes.map((n) => n.key)).toContain('batch.sizes');

    // What is printed never holds a secret.
    const printed = JSON.stringify([maskConfig(source?.config ?? {}), maskConfig(sink?.config ?? {}), plan.notes, source?.notes, sink?.notes]);
    for (const secret of ['kafka-secret-123', 'db-password-789', 'registry-secret-456', 'target-password-000']) expect(printed).not.toContain(secret);
  });

  it('adds what Debezium needs that Ferry does without, and keeps a self-managed config as written', () => {
    const plan = planConnectDeployment(
      pipeline({
        name: 'cdc',
        kafka: { 'bootstrap.servers': '127.0.0.1:19092' },
        connectors: [
          {
            name: 'shop-cdc',
            config: {
              'connector.class': 'io.debezium.connector.mariadb.MariaDbConnector',
              'database.hostname': '127.0.0.1',
              'database.user': 'ferry',
              'database.password': 'pw-123456',
              'topic.prefix': 'shop',
              'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
              'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
            },
          },
        ],
      }),
    );
    const config = revealConfig(plan.connectors[0]?.config ?? {});
    expect(config['connector.class']).toBe('io.debezium.connector.mariadb.MariaDbConnector');
    expect(config['database.server.id']).toMatch(/^\d+$/);
    expect(config['schema.history.internal.kafka.topic']).toBe('shop.schema-history');
    expect(config['schema.history.internal.kafka.bootstrap.servers']).toBe('127.0.0.1:19092');
    expect(config['schema.history.internal.store.only.captured.tables.ddl']).toBe('true');
    expect(config['value.converter']).toBe('org.apache.kafka.connect.json.JsonConverter');
    expect(plan.notes.find((n) => n.key === 'kafka')?.kind).toBe('ferry-only');
  });

  it('names keys the installed plugin does not declare, but not the prefixes Connect passes on', () => {
    expect(undeclaredKeys({ 'connector.class': 'x', 'made.up': '1', 'transforms.unwrap.type': 't', 'value.converter.schemas.enable': 'true' }, new Set(['connector.class']))).toEqual(['made.up']);
  });
});

describe('Confluent Cloud files', () => {
  it('writes Debezium sources as the managed CDC V2 class with placeholders for secrets, and says which connectors have no managed form', () => {
    const plan = planManagedConnectors(
      pipeline({
        name: 'cdc',
        kafka: { 'bootstrap.servers': 'pkc-1.confluent.cloud:9092', 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'PLAIN', 'sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required username="APIKEY" password="api-secret-1";' },
        'schema.registry.url': 'https://psrc-1.confluent.cloud',
        connectors: [
          { name: 'pg-cdc', config: { 'connector.class': 'io.debezium.connector.postgresql.PostgresConnector', 'database.hostname': 'db', 'database.user': 'u', 'database.password': 'pw-99999', 'database.dbname': 'shop', 'topic.prefix': 'shop' } },
          {
            name: 'dbz-sink',
            config: { 'connector.class': 'io.debezium.connector.jdbc.JdbcSinkConnector', 'connection.url': 'jdbc:postgresql://t:5432/r', 'connection.username': 'w', 'connection.password': 'pw-88888', topics: 'shop.public.orders', 'primary.key.mode': 'record_key', 'insert.mode': 'upsert' },
          },
        ],
      }),
    );
    expect(plan.connectors.map((c) => c.connectorClass)).toEqual(['PostgresCdcSourceV2']);
    const file = plan.connectors[0]?.config ?? {};
    expect(file['database.password']).toBe('<secret: database.password>');
    expect(file['kafka.api.key']).toBe('APIKEY');
    expect(file['kafka.api.secret']).toBe('<secret: kafka.api.secret>');
    expect(file['output.data.format']).toBe('AVRO');
    expect(JSON.stringify(plan)).not.toMatch(/pw-99999|pw-88888|api-secret-1/);
    expect(plan.notes.find((n) => n.connector === 'dbz-sink')?.message).toMatch(/no fully managed equivalent/);
  });
});

describe('MirrorMaker 2 export', () => {
  it('maps topic.rename.format onto a replication policy, or says why it cannot', () => {
    expect(renamePolicy('${topic}')).toEqual({ policy: 'identity' });
    expect(renamePolicy('dr.${topic}')).toEqual({ policy: 'prefix', alias: 'dr', separator: '.' });
    expect(renamePolicy('${topic}.copy')).toMatchObject({ policy: 'none' });
    expect(renamePolicy('fixed')).toMatchObject({ policy: 'none' });
  });

  it('writes dedicated-mode properties and the three connectors, reading secrets from the environment', () => {
    const [mm2] = exportMirrorMaker(
      pipeline({
        name: 'copy',
        kafka: { 'bootstrap.servers': '127.0.0.1:29092' },
        connectors: [
          {
            name: 'rep',
            config: {
              'connector.class': 'io.confluent.connect.replicator.ReplicatorSourceConnector',
              'src.kafka.bootstrap.servers': 'src:9092',
              'src.kafka.security.protocol': 'SASL_SSL',
              'src.kafka.sasl.mechanism': 'PLAIN',
              'src.kafka.sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="very-secret-1";',
              'topic.whitelist': 'orders,payments',
              'topic.rename.format': '${topic}.replica',
              'key.converter': 'io.confluent.connect.replicator.util.ByteArrayConverter',
              'value.converter': 'io.confluent.connect.replicator.util.ByteArrayConverter',
            },
          },
        ],
      }),
    );
    expect(mm2?.properties).toContain('source->target.topics = orders,payments');
    expect(mm2?.properties).toContain('replication.policy.class = org.apache.kafka.connect.mirror.IdentityReplicationPolicy');
    expect(mm2?.properties).toContain('password="${env:FERRY_MM2_SOURCE_KAFKA_PASSWORD}"');
    expect(mm2?.properties).not.toContain('very-secret-1');
    expect(mm2?.environment).toEqual(['FERRY_MM2_SOURCE_KAFKA_PASSWORD']);
    expect(mm2?.notes.find((n) => n.key === 'topic.rename.format')?.message).toMatch(/cannot rename topics this way/);
    expect(mm2?.connectors.map((c) => c.name)).toEqual(['rep-source', 'rep-checkpoint', 'rep-heartbeat']);
  });
});

describe('Connect REST helpers', () => {
  it('keeps credentials out of the URL it prints', () => {
    const endpoint = parseConnectUrl('http://admin:s3cret@connect.example.com:8083/');
    expect(endpoint.url).toBe('http://connect.example.com:8083');
    expect(endpoint.basicAuth?.username).toBe('admin');
    expect(endpoint.basicAuth?.password.reveal()).toBe('s3cret');
    expect(() => parseConnectUrl('ftp://x')).toThrow(/http or https/);
  });

  it("finds the root cause in Connect's trace", () => {
    const trace = 'org.apache.kafka.connect.errors.ConnectException: Exiting WorkerSinkTask\n\tat x\nCaused by: java.sql.BatchUpdateException: batch failed\nCaused by: org.postgresql.util.PSQLException: ERROR: column "name" is of type integer';
    expect(rootCauseOf(trace)).toBe('org.postgresql.util.PSQLException: ERROR: column "name" is of type integer');
  });
});
