/**
 * A Ferry pipeline as the connector configs a Kafka Connect cluster runs. Ferry's configs are already Connect's, so
 * this is a translation, not a rewrite: a self-managed class goes as written; a Confluent Cloud managed name becomes
 * the class a self-managed worker installs (Confluent's JDBC connectors, Debezium's CDC connectors) with its keys
 * folded in; what Ferry filled in on its own (converters from the pipeline's registry, Debezium's schema history
 * topic and replica id) is written out, so the cluster runs what Ferry ran. Every change is a note naming the key.
 */
import { findConnectorClass } from '../config/connectors/index';
import type { JsonValue } from '../config/jsonText';
import type { AnyKeyDef } from '../config/keys';
import { Secret, SECRET_MASK } from '../config/secret';
import { isLogSource, type KeyFormat, type ResolvedConnection, type ResolvedConnector, type ResolvedKafka, type ResolvedPipeline, type ResolvedSerde, type ValueFormat } from '../config/types';

export type DeployValue = string | Secret;

export type DeployNoteKind = 'class' | 'added' | 'dropped' | 'renamed' | 'not-deployed' | 'ferry-only';

export interface DeployNote {
  /** The connector it is about; undefined for the pipeline as a whole. */
  connector?: string;
  key?: string;
  kind: DeployNoteKind;
  message: string;
}

export interface ConnectorDeployment {
  name: string;
  connectorClass: string;
  /** Every value a string, as Connect's REST API takes them; secrets stay wrapped until sent. */
  config: Record<string, DeployValue>;
  notes: DeployNote[];
}

export interface DeployPlan {
  pipeline: string;
  connectors: ConnectorDeployment[];
  /** About the pipeline as a whole (its `kafka` block, replicators that Connect runs differently). */
  notes: DeployNote[];
}

export const AVRO_CONVERTER = 'io.confluent.connect.avro.AvroConverter';
export const JSON_CONVERTER = 'org.apache.kafka.connect.json.JsonConverter';
export const STRING_CONVERTER = 'org.apache.kafka.connect.storage.StringConverter';

const CONFLUENT_JDBC_SOURCE = 'io.confluent.connect.jdbc.JdbcSourceConnector';
const CONFLUENT_JDBC_SINK = 'io.confluent.connect.jdbc.JdbcSinkConnector';
const DEBEZIUM_CLASSES = { mysql: 'io.debezium.connector.mysql.MySqlConnector', postgres: 'io.debezium.connector.postgresql.PostgresConnector' } as const;

/** The connector object as written (a REST body `{name, config}` or a bare config), one level deep. */
export function flatConfig(original: Readonly<Record<string, JsonValue>>): Record<string, JsonValue> {
  const inner = original.config;
  if (inner !== null && typeof inner === 'object' && !Array.isArray(inner) && !('connector.class' in original)) {
    return { ...(inner as Record<string, JsonValue>), ...(typeof original.name === 'string' ? { name: original.name } : {}) };
  }
  return { ...original };
}

/** Connect takes strings only: lists (as Confluent Cloud's UI writes them) become comma-separated. */
export function connectString(value: JsonValue): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((item) => (typeof item === 'string' ? item : JSON.stringify(item))).join(',');
  if (value === null) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

export function revealConfig(config: Readonly<Record<string, DeployValue>>): Record<string, string> {
  return Object.fromEntries(Object.entries(config).map(([key, value]) => [key, value instanceof Secret ? value.reveal() : value]));
}

export function maskConfig(config: Readonly<Record<string, DeployValue>>): Record<string, string> {
  return Object.fromEntries(Object.entries(config).map(([key, value]) => [key, value instanceof Secret ? SECRET_MASK : value]));
}

/** The JDBC URL a self-managed Confluent JDBC connector takes for what a managed one splits into host/port/db.name/ssl.mode. */
export function jdbcUrlOf(connection: ResolvedConnection): string {
  const { host, port, database, ssl } = connection;
  const extra = Object.entries(connection.properties);
  if (connection.dialect === 'postgres') {
    const params = [`sslmode=${ssl}`, ...extra.map(([k, v]) => `${k}=${encodeURIComponent(v)}`)];
    return `jdbc:postgresql://${host}:${port}/${database ?? ''}?${params.join('&')}`;
  }
  if (connection.dialect === 'sqlserver') {
    const encrypt = ssl === 'disable' || ssl === 'prefer' ? 'false' : 'true';
    const trust = ssl === 'verify-ca' || ssl === 'verify-full' ? 'false' : 'true';
    const parts = [database ? `databaseName=${database}` : undefined, `encrypt=${encrypt}`, `trustServerCertificate=${trust}`, ...extra.map(([k, v]) => `${k}=${v}`)].filter(Boolean);
    return `jdbc:sqlserver://${host}:${port};${parts.join(';')}`;
  }
  const sslMode = { disable: 'DISABLED', prefer: 'PREFERRED', require: 'REQUIRED', 'verify-ca': 'VERIFY_CA', 'verify-full': 'VERIFY_IDENTITY' }[ssl];
  const params = [`sslMode=${sslMode}`, ...extra.map(([k, v]) => `${k}=${encodeURIComponent(v)}`)];
  return `jdbc:mysql://${host}:${port}/${database ?? ''}?${params.join('&')}`;
}

function keyIndex(defs: readonly AnyKeyDef[]): Map<string, AnyKeyDef> {
  const index = new Map<string, AnyKeyDef>();
  for (const def of defs) for (const spelling of [def.name, ...def.aliases]) index.set(spelling, def);
  return index;
}

function converterClass(format: KeyFormat | ValueFormat): string {
  return format === 'AVRO' ? AVRO_CONVERTER : format === 'JSON' ? JSON_CONVERTER : STRING_CONVERTER;
}

/** `<which>.converter.*` for what Ferry resolved, when the config does not say it itself. */
function writeConverter(which: 'key' | 'value', serde: ResolvedSerde<KeyFormat | ValueFormat> | undefined, out: Record<string, DeployValue>, note: (n: Omit<DeployNote, 'connector'>) => void): void {
  if (!serde) return;
  const prefix = `${which}.converter`;
  if (out[prefix] === undefined) {
    out[prefix] = converterClass(serde.format);
    if (serde.format === 'JSON') out[`${prefix}.schemas.enable`] ??= String(serde.jsonSchemas ?? false);
    note({ key: prefix, kind: 'added', message: `${prefix}=${String(out[prefix])}: the ${which} format Ferry used (${serde.format}${serde.format === 'JSON' ? `, schemas.enable=${String(out[`${prefix}.schemas.enable`])}` : ''}), so the cluster does not fall back to its worker's default` });
  }
  const isAvro = out[prefix] === AVRO_CONVERTER;
  if (isAvro && serde.schemaRegistry && out[`${prefix}.schema.registry.url`] === undefined) {
    out[`${prefix}.schema.registry.url`] = serde.schemaRegistry.urls.join(',');
    note({ key: `${prefix}.schema.registry.url`, kind: 'added', message: `from the pipeline's \`schema.registry.url\`, which Connect does not read` });
    const auth = serde.schemaRegistry.basicAuth;
    if (auth && out[`${prefix}.basic.auth.user.info`] === undefined) {
      out[`${prefix}.basic.auth.credentials.source`] = 'USER_INFO';
      out[`${prefix}.basic.auth.user.info`] = new Secret(`${auth.username}:${auth.password.reveal()}`);
      note({ key: `${prefix}.basic.auth.user.info`, kind: 'added', message: "from the pipeline's `schema.registry.basic.auth.user.info`" });
    }
  }
  if (isAvro) note({ key: prefix, kind: 'ferry-only', message: "Confluent's AvroConverter is not part of Apache Kafka: install it on every worker (confluent-hub install confluentinc/kafka-connect-avro-converter), or use JsonConverter with schemas.enable=true" });
}

/** SASL/SSL client settings for a Debezium client that talks to Kafka itself (the schema history topic). */
function kafkaClientKeys(prefix: string, kafka: ResolvedKafka): Record<string, DeployValue> {
  const out: Record<string, DeployValue> = {};
  if (kafka.securityProtocol === 'PLAINTEXT') return out;
  out[`${prefix}security.protocol`] = kafka.securityProtocol;
  if (kafka.sasl) {
    out[`${prefix}sasl.mechanism`] = kafka.sasl.mechanism;
    const module = kafka.sasl.mechanism === 'PLAIN' ? 'org.apache.kafka.common.security.plain.PlainLoginModule' : 'org.apache.kafka.common.security.scram.ScramLoginModule';
    const quote = (text: string): string => text.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
    out[`${prefix}sasl.jaas.config`] = new Secret(`${module} required username="${quote(kafka.sasl.username)}" password="${quote(kafka.sasl.password.reveal())}";`);
  }
  return out;
}

function planConnector(connector: ResolvedConnector): ConnectorDeployment {
  const notes: DeployNote[] = [];
  const note = (n: Omit<DeployNote, 'connector'>): void => void notes.push({ connector: connector.name, ...n });
  const cls = findConnectorClass(connector.connectorClass);
  const defs = keyIndex(cls?.family.keys ?? []);
  const managed = connector.flavor === 'managed';
  const out: Record<string, DeployValue> = {};

  for (const [key, raw] of Object.entries(flatConfig(connector.original))) {
    if (key === 'name' || key === 'connector.class') continue;
    if (key.startsWith('ferry.')) {
      note({ key, kind: 'ferry-only', message: `only Ferry reads \`${key}\`, so it is not sent; write what it stands for as the connector's own keys (e.g. the connection's host, user and password) before the cluster runs this config` });
      continue;
    }
    const text = connectString(raw);
    const stashed = connector.originalSecrets[key];
    const value: DeployValue = text === SECRET_MASK && stashed ? stashed : text;
    const def = defs.get(key);
    if (def?.managedOnly) continue; // folded in below
    if (def && def.name !== key && !key.includes('converter')) {
      out[def.name] = value;
      note({ key, kind: 'renamed', message: `\`${key}\` is written \`${def.name}\` on Kafka Connect` });
      continue;
    }
    out[key] = value;
  }

  let connectorClass = cls?.name ?? connector.connectorClass;
  if (managed) {
    const family = cls?.family.id;
    if (family === 'log-source') {
      connectorClass = isLogSource(connector) && connector.dialect === 'postgres' ? DEBEZIUM_CLASSES.postgres : DEBEZIUM_CLASSES.mysql;
    } else if ('connection' in connector) {
      connectorClass = connector.role === 'sink' ? CONFLUENT_JDBC_SINK : CONFLUENT_JDBC_SOURCE;
      out['connection.url'] = jdbcUrlOf(connector.connection);
      note({ key: 'connection.url', kind: 'added', message: `${connector.connection.display}: connection.host, connection.port, db.name and ssl.mode of the managed connector, in the form a self-managed one takes` });
      note({ kind: 'ferry-only', message: "Confluent's JDBC connectors are not on Maven Central: install confluentinc/kafka-connect-jdbc (and the database's JDBC driver) on every worker" });
    }
    note({ key: 'connector.class', kind: 'class', message: `${connector.connectorClass} (Confluent Cloud) runs on a self-managed cluster as ${connectorClass}` });
    const given = Object.keys(flatConfig(connector.original));
    for (const key of given) {
      const def = defs.get(key);
      if (!def?.managedOnly) continue;
      if (key === 'max.poll.records' || key === 'max.poll.interval.ms') {
        out[`consumer.override.${key}`] = connectString(flatConfig(connector.original)[key] ?? '');
        note({ key, kind: 'renamed', message: `written \`consumer.override.${key}\` (needs connector.client.config.override.policy=All on the workers)` });
      } else if (['connection.host', 'connection.port', 'db.name', 'ssl.mode'].includes(key)) {
        // In connection.url.
      } else if (key.startsWith('kafka.')) {
        note({ key, kind: 'dropped', message: 'a self-managed Connect worker writes with its own Kafka credentials (its worker properties); per-connector ones go in producer.override.sasl.jaas.config' });
      } else if (/^(output|input)\.(data|key)\.format$/.test(key)) {
        note({ key, kind: 'dropped', message: 'became key.converter / value.converter' });
      } else {
        note({ key, kind: 'dropped', message: `Confluent Cloud only. ${def.otherFlavorHint ?? ''}`.trim() });
      }
    }
  }

  writeConverter('key', connector.key, out, note);
  writeConverter('value', connector.value, out, note);

  if (isLogSource(connector) && connector.dialect === 'mysql') {
    if (out['database.server.id'] === undefined) {
      out['database.server.id'] = String(connector.serverId);
      note({ key: 'database.server.id', kind: 'added', message: `${connector.serverId}, the replica id Ferry derived from the name (Debezium requires one)` });
    }
    if (out['schema.history.internal.kafka.topic'] === undefined) {
      out['schema.history.internal.kafka.topic'] = `${connector.topicPrefix}.schema-history`;
      note({ key: 'schema.history.internal.kafka.topic', kind: 'added', message: "Debezium's MySQL and MariaDB connectors keep the tables' DDL in a topic of their own (Ferry reads the catalog instead)" });
    }
    if (out['schema.history.internal.kafka.bootstrap.servers'] === undefined) {
      out['schema.history.internal.kafka.bootstrap.servers'] = connector.kafka.bootstrapServers.join(',');
      Object.assign(out, kafkaClientKeys('schema.history.internal.producer.', connector.kafka), kafkaClientKeys('schema.history.internal.consumer.', connector.kafka));
      note({ key: 'schema.history.internal.kafka.bootstrap.servers', kind: 'added', message: "the pipeline's Kafka cluster (with its credentials), for the schema history topic" });
    }
    if (out['schema.history.internal.store.only.captured.tables.ddl'] === undefined) {
      out['schema.history.internal.store.only.captured.tables.ddl'] = 'true';
      note({
        key: 'schema.history.internal.store.only.captured.tables.ddl',
        kind: 'added',
        message: "true: like Ferry, read the structure of the captured tables only (Debezium's default reads every table of the captured databases, and its snapshot fails when one of them is dropped meanwhile)",
      });
    }
  }
  return { name: connector.name, connectorClass, config: { 'connector.class': connectorClass, name: connector.name, ...out }, notes };
}

/** Every connector of the pipeline as Kafka Connect runs it; replicators are named in the notes (MirrorMaker 2 runs them). */
export function planConnectDeployment(pipeline: ResolvedPipeline): DeployPlan {
  const notes: DeployNote[] = [
    {
      kind: 'ferry-only',
      key: 'kafka',
      message: `The pipeline's \`kafka\` block (${pipeline.kafka.bootstrapServers.join(',') || 'none'}) is not sent: Connect's workers write to the cluster in their own worker properties; make sure it is this one (deploy prints the workers' Kafka cluster id).`,
    },
  ];
  for (const replicator of pipeline.replicators) {
    notes.push({
      connector: replicator.name,
      kind: 'not-deployed',
      message: `Replicator "${replicator.name}" is Confluent Replicator, not part of Apache Kafka: run it with MirrorMaker 2 (\`ferry export --mm2 ${pipeline.fileName}\`), or install Confluent Replicator and deploy its config as written`,
    });
  }
  return { pipeline: pipeline.name, connectors: pipeline.connectors.map(planConnector), notes };
}

/** Prefixes Connect passes on without declaring them, so their absence from a validation answer means nothing. */
const PASS_THROUGH = ['key.converter.', 'value.converter.', 'header.converter.', 'producer.override.', 'consumer.override.', 'admin.override.', 'transforms.', 'predicates.', 'topic.creation.', 'schema.history.internal.', 'driver.', 'database.', 'errors.', 'exactly.once.', 'offsets.storage.'];

/** Keys sent that the installed plugin does not declare: Connect ignores them, so the user should know. */
export function undeclaredKeys(config: Readonly<Record<string, DeployValue>>, declared: ReadonlySet<string>): string[] {
  return Object.keys(config).filter((key) => !declared.has(key) && !PASS_THROUGH.some((prefix) => key.startsWith(prefix)));
}
