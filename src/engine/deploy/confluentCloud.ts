/**
 * A pipeline as Confluent Cloud fully managed connectors: one JSON file per connector for
 * `confluent connect cluster create --config-file FILE`. Managed classes go as written; Debezium's CDC classes
 * become MySqlCdcSourceV2 / PostgresCdcSourceV2 (same `database.*` keys); Confluent's JDBC classes become the managed
 * source or sink of their database. Secrets are not written: each file holds "<secret: KEY>" where one goes, and the
 * notes say so (Ferry never writes a secret to disk in clear).
 */
import { findConnectorClass } from '../config/connectors/index';
import { SECRET_MASK } from '../config/secret';
import { isLogSource, type KeyFormat, type ResolvedConnector, type ResolvedPipeline, type ResolvedSerde, type ValueFormat } from '../config/types';
import { connectString, type DeployNote, flatConfig } from './translate';

export interface ManagedConnectorFile {
  name: string;
  connectorClass: string;
  config: Record<string, string>;
  notes: DeployNote[];
}

export interface ManagedPlan {
  connectors: ManagedConnectorFile[];
  notes: DeployNote[];
}

const MANAGED_BY_DIALECT = {
  source: { mysql: 'MySqlSource', postgres: 'PostgresSource', sqlserver: 'MicrosoftSqlServerSource' },
  sink: { mysql: 'MySqlSink', postgres: 'PostgresSink', sqlserver: 'MicrosoftSqlServerSink' },
} as const;

function secretPlaceholder(key: string): string {
  return `<secret: ${key}>`;
}

function managedFormat(serde: ResolvedSerde<KeyFormat | ValueFormat> | undefined, key: string, note: (n: Omit<DeployNote, 'connector'>) => void): string | undefined {
  if (!serde) return undefined;
  if (serde.format === 'JSON' && serde.jsonSchemas) {
    note({ key, kind: 'renamed', message: 'JsonConverter with schemas.enable=true has no managed equivalent; JSON is written schemaless (choose JSON_SR or AVRO to keep schemas)' });
  }
  return serde.format;
}

function managedConnector(connector: ResolvedConnector, pipeline: ResolvedPipeline): ManagedConnectorFile | DeployNote {
  const notes: DeployNote[] = [];
  const note = (n: Omit<DeployNote, 'connector'>): void => void notes.push({ connector: connector.name, ...n });
  const cls = findConnectorClass(connector.connectorClass);
  const flat = flatConfig(connector.original);
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  const copy = (skip: (key: string) => boolean): void => {
    for (const [key, raw] of Object.entries(flat)) {
      if (key === 'name' || key === 'connector.class' || skip(key)) continue;
      if (key.startsWith('ferry.')) {
        note({ key, kind: 'ferry-only', message: `only Ferry reads \`${key}\`; write what it stands for as the connector's own keys` });
        continue;
      }
      const text = connectString(raw);
      if (text === SECRET_MASK && connector.originalSecrets[key]) {
        config[key] = secretPlaceholder(key);
        secretKeys.push(key);
      } else config[key] = text;
    }
  };
  let connectorClass: string;
  if (connector.flavor === 'managed') {
    connectorClass = cls?.name ?? connector.connectorClass;
    copy(() => false);
  } else if (cls?.family.id === 'log-source' && isLogSource(connector)) {
    connectorClass = connector.dialect === 'postgres' ? 'PostgresCdcSourceV2' : 'MySqlCdcSourceV2';
    copy((key) => key.includes('converter') || key.startsWith('schema.history.internal.') || key === 'database.server.id');
    note({ key: 'connector.class', kind: 'class', message: `${connector.connectorClass} runs in Confluent Cloud as ${connectorClass}, with the same database.* keys` });
    const value = managedFormat(connector.value, 'value.converter', note);
    const key = managedFormat(connector.key, 'key.converter', note);
    if (value) config['output.data.format'] = value;
    if (key) config['output.key.format'] = key;
  } else if ((cls?.family.id === 'jdbc-source' || cls?.family.id === 'jdbc-sink') && 'connection' in connector) {
    const role = connector.role === 'sink' ? 'sink' : 'source';
    connectorClass = MANAGED_BY_DIALECT[role][connector.dialect];
    copy((key) => key.includes('converter') || key === 'connection.url');
    const { host, port, database, ssl } = connector.connection;
    Object.assign(config, { 'connection.host': host, 'connection.port': String(port), ...(database ? { 'db.name': database } : {}), 'ssl.mode': ssl === 'disable' ? 'prefer' : ssl });
    if (ssl === 'disable') note({ key: 'ssl.mode', kind: 'renamed', message: 'Confluent Cloud connects with TLS at least when offered (prefer); a database without TLS must be reachable from Confluent Cloud anyway' });
    note({ key: 'connection.url', kind: 'renamed', message: `split into connection.host, connection.port, db.name and ssl.mode (${connector.connection.display})` });
    note({ key: 'connector.class', kind: 'class', message: `${connector.connectorClass} runs in Confluent Cloud as ${connectorClass}` });
    const format = managedFormat(connector.value, 'value.converter', note);
    if (format) config[role === 'sink' ? 'input.data.format' : 'output.data.format'] = format;
    const key = managedFormat(connector.key, 'key.converter', note);
    if (key) config[role === 'sink' ? 'input.key.format' : 'output.key.format'] = key;
  } else {
    return {
      connector: connector.name,
      kind: 'not-deployed',
      message: `${connector.connectorClass} has no fully managed equivalent in Confluent Cloud: run it on a self-managed Connect cluster (\`ferry deploy --connect\`) or as a Confluent Cloud custom connector${cls?.family.id === 'debezium-jdbc-sink' ? ', or write it as PostgresSink / MySqlSink (insert.mode=UPSERT, pk.mode=record_key, delete.enabled=true)' : ''}`,
    };
  }
  if (config['kafka.auth.mode'] === undefined) {
    const sasl = pipeline.kafka.sasl;
    config['kafka.auth.mode'] = 'KAFKA_API_KEY';
    config['kafka.api.key'] = sasl?.username ?? '<your Kafka API key>';
    config['kafka.api.secret'] = secretPlaceholder('kafka.api.secret');
    secretKeys.push('kafka.api.secret');
    note({ key: 'kafka.api.key', kind: 'added', message: sasl ? "the pipeline's Kafka credentials (SASL user) as the connector's API key" : 'fill in the API key the connector writes with' });
  }
  config['tasks.max'] ??= '1';
  if (secretKeys.length > 0) note({ kind: 'ferry-only', message: `Ferry does not write secrets to files: replace ${secretKeys.map((k) => `"<secret: ${k}>"`).join(', ')} before creating the connector` });
  return { name: connector.name, connectorClass, config: { name: connector.name, 'connector.class': connectorClass, ...config }, notes };
}

export function planManagedConnectors(pipeline: ResolvedPipeline): ManagedPlan {
  const connectors: ManagedConnectorFile[] = [];
  const notes: DeployNote[] = [];
  for (const connector of pipeline.connectors) {
    const outcome = managedConnector(connector, pipeline);
    if ('config' in outcome) connectors.push(outcome);
    else notes.push(outcome);
  }
  for (const replicator of pipeline.replicators) {
    notes.push({ connector: replicator.name, kind: 'not-deployed', message: 'Confluent Cloud copies topics between its clusters with Cluster Linking, not a connector; for self-managed clusters use `ferry export --mm2`' });
  }
  return { connectors, notes };
}
