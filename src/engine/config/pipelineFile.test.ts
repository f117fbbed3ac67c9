import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isEngineError } from '../../shared/errors';
import { parsePipelineFile, readPipelineFile, requireValidPipeline, validatePipeline } from './pipelineFile';
import { connectionAt, find, jdbcSink, jdbcSource, LAB_REGISTRY, managedSink, managedSource, only, parse, pipelineText, rules } from './testing';

const CLOUD_BOOTSTRAP = 'pkc-abc12.westeurope.azure.confluent.cloud:9092';

describe('pipeline file structure', () => {
  it('reports JSON syntax errors with file:line:column', () => {
    const result = parsePipelineFile('{\n  "name": "x",\n  "connectors": [\n    { "a": 1, }\n  ]\n}', 'p.json');
    expect(result.config).toBeUndefined();
    expect(result.problems).toEqual([
      { severity: 'error', path: '$', rule: 'json.syntax', message: 'p.json:4:15: Trailing comma before }', hint: 'Remove the comma after the last property.', line: 4, column: 15 },
    ]);
  });

  it('refuses a file that is not an object', () => {
    expect(rules(parsePipelineFile('[]', 'p.json'))).toEqual(['pipeline.not-object']);
  });

  it('validates a bare connector config in place and says how to wrap it', () => {
    const result = parsePipelineFile(JSON.stringify(managedSink({ 'insert.mode': 'update', 'pk.mode': 'none', 'pk.fields': undefined })), 'sink.json');
    expect(rules(result)).toEqual(expect.arrayContaining(['pipeline.bare-connector', 'kafka.bootstrap-missing', 'sink.upsert-needs-key']));
    expect(only(result, 'sink.upsert-needs-key').path).toBe("$['insert.mode']");
  });

  it('needs connectors, each an object with a known connector.class', () => {
    expect(rules(parse([]))).toEqual(['pipeline.connectors-missing']);
    expect(rules(parse([], { connectors: undefined }))).toEqual(['pipeline.connectors-missing']);
    expect(rules(parse(['MySqlSource']))).toEqual(['pipeline.connector-not-object']);
    expect(only(parse([{ name: 'x' }]), 'pipeline.connector-class-missing').path).toBe("$.connectors[0]['connector.class']");
    expect(only(parse([managedSource({ 'connector.class': 'MySqlSorce' })]), 'pipeline.connector-class-unknown').hint).toMatch(/^Did you mean "MySqlSource"\?/);
    // SQL Server's CDC classes are connectors too: with JDBC keys they say which of Debezium's keys are missing.
    expect(rules(parse([managedSource({ 'connector.class': 'io.debezium.connector.sqlserver.SqlServerConnector' })]))).toContain('log-source.host-missing');
    // A Debezium MySQL config is a connector now: with JDBC keys it says which of Debezium's keys are missing.
    expect(rules(parse([managedSource({ 'connector.class': 'io.debezium.connector.mysql.MySqlConnector' })]))).toContain('log-source.host-missing');
  });

  it('accepts class aliases and any letter case in connector.class', () => {
    expect(parse([jdbcSource({ 'connector.class': 'JdbcSourceConnector' })]).problems).toEqual([]);
    expect(parse([managedSource({ 'connector.class': 'mysqlsource' })]).config?.connectors[0]?.connectorClass).toBe('mysqlsource');
  });

  it('unwraps Kafka Connect REST bodies, with paths into "config"', () => {
    const config = jdbcSink({ name: undefined, 'insert.mode': 'update' });
    const result = parse([{ name: 'jsnk', config }]);
    expect(only(result, 'sink.upsert-needs-key').path).toBe("$.connectors[0].config['insert.mode']");
    const ok = parse([{ name: 'jsnk', config: jdbcSink({ name: undefined }) }]);
    expect(ok.problems).toEqual([]);
    expect(ok.config?.connectors[0]?.name).toBe('jsnk');
  });

  it('names a nameless pipeline after its file, with a warning', () => {
    const result = parsePipelineFile(pipelineText([managedSource()], { name: undefined }), 'dir/orders.json');
    expect(rules(result)).toEqual(['pipeline.name-missing']);
    expect(result.config?.name).toBe('orders');
  });

  it('needs a name on every connector, unique within the pipeline', () => {
    expect(only(parse([managedSource({ name: undefined })]), 'connector.name-missing').path).toBe('$.connectors[0].name');
    expect(only(parse([managedSource(), managedSink({ name: 'src' })]), 'pipeline.duplicate-name').path).toBe('$.connectors[1].name');
  });

  it('keeps unknown keys in the resolved config, at both levels', () => {
    const result = parse([managedSource({ 'output.frobnicate': 'yes', 'database.password': 'hidden-value' })], { 'team.owner': 'data' });
    expect(find(result, 'key.unknown').map((p) => p.path)).toEqual(["$.connectors[0]['output.frobnicate']", "$.connectors[0]['database.password']", "$['team.owner']"]);
    expect(result.config?.unknown).toEqual({ 'team.owner': 'data' });
    // Kept, but a secret-looking value is masked; the clear value stays in originalSecrets.
    expect(result.config?.connectors[0]?.unknown).toEqual({ 'output.frobnicate': 'yes', 'database.password': '****' });
    expect(result.config?.connectors[0]?.originalSecrets['database.password']?.reveal()).toBe('hidden-value');
  });

  it('warns about duplicate keys and blanked "" keys', () => {
    const text = pipelineText([managedSource()]).replace('"name": "src",', '"name": "src", "": "", "": "AVRO",');
    const result = parsePipelineFile(text, 'p.json');
    expect(rules(result)).toEqual(['json.duplicate-key', 'key.unknown']);
    expect(result.config).toBeDefined();
  });

  it('attaches line and column to problems, falling back to the nearest written ancestor', () => {
    const text = pipelineText([managedSink({ 'insert.mode': 'update', 'pk.mode': 'none', 'pk.fields': undefined, topics: undefined })]);
    const lines = text.split('\n');
    const result = parsePipelineFile(text, 'p.json');
    const update = only(result, 'sink.upsert-needs-key');
    expect(lines[(update.line ?? 0) - 1]?.slice((update.column ?? 0) - 1)).toMatch(/^"insert.mode": "update"/);
    const topics = only(result, 'sink.topics-missing');
    expect(lines[(topics.line ?? 0) - 1]?.trim()).toBe('{'); // the connector object itself
  });

  it('returns the config when there are only warnings, none when there is an error', () => {
    expect(parse([managedSink({ 'pk.fields': undefined })]).config).toBeDefined();
    expect(parse([managedSink({ 'batch.sizes': 0 })]).config).toBeUndefined();
  });

  it('validates documents that are already parsed', () => {
    const result = validatePipeline({ name: 'p', kafka: { 'bootstrap.servers': 'h:9092' }, 'schema.registry.url': LAB_REGISTRY, connectors: [managedSource()] }, 'p.json');
    expect(result.problems).toEqual([]);
    expect(result.config?.connectors).toHaveLength(1);
  });
});

describe('the kafka block', () => {
  it('needs bootstrap servers as host:port', () => {
    expect(only(parse([managedSource()], { kafka: {} }), 'kafka.bootstrap-missing').path).toBe('$.kafka');
    const invalid = find(parse([managedSource()], { kafka: { 'bootstrap.servers': 'SASL_SSL://h:9092,h2' } }), 'kafka.bootstrap-invalid');
    expect(invalid.map((p) => p.message)).toEqual(['"SASL_SSL://h:9092" is not host:port', '"h2" is not host:port']);
    expect(invalid[0]?.hint).toMatch(/Drop the protocol prefix/);
    expect(only(parse([managedSource()], { kafka: 'h:9092' }), 'pipeline.kafka-not-object').severity).toBe('error');
  });

  it('reads Confluent Cloud credentials under either spelling and infers SASL_SSL/PLAIN', () => {
    const result = parse([managedSource()], { kafka: { 'bootstrap.servers': CLOUD_BOOTSTRAP, 'kafka.api.key': 'KEY1', 'kafka.api.secret': 'SECRET1' } });
    expect(result.problems).toEqual([]);
    const kafka = result.config?.kafka;
    expect(kafka).toMatchObject({ securityProtocol: 'SASL_SSL', confluentCloud: true, sasl: { mechanism: 'PLAIN', username: 'KEY1' }, tls: { verifyHostname: true } });
    expect(kafka?.sasl?.password.reveal()).toBe('SECRET1');
    const alias = parse([managedSource()], { kafka: { 'bootstrap.servers': CLOUD_BOOTSTRAP, 'sasl.username': 'KEY1', 'sasl.password': 'SECRET1', 'sasl.mechanisms': 'plain' } });
    expect(alias.config?.kafka.sasl?.username).toBe('KEY1');
  });

  it('checks protocol and credentials against each other', () => {
    expect(only(parse([managedSource()], { kafka: { 'bootstrap.servers': CLOUD_BOOTSTRAP, 'security.protocol': 'PLAINTEXT' } }), 'kafka.confluent-cloud-needs-sasl-ssl').severity).toBe('error');
    expect(only(parse([managedSource()], { kafka: { 'bootstrap.servers': 'h:9092', 'security.protocol': 'SASL_SSL', 'sasl.username': 'u' } }), 'kafka.sasl-credentials-missing').message).toMatch(/a password/);
    expect(only(parse([managedSource()], { kafka: { 'bootstrap.servers': 'h:9092', 'security.protocol': 'PLAINTEXT', 'sasl.username': 'u', 'sasl.password': 'p' } }), 'kafka.credentials-ignored').severity).toBe('warning');
    expect(only(parse([managedSource()], { kafka: { 'bootstrap.servers': 'h:9092', 'sasl.username': 'u', 'sasl.password': 'p' } }), 'kafka.protocol-inferred').severity).toBe('warning');
    expect(only(parse([managedSource()], { kafka: { 'bootstrap.servers': 'h:9092', 'sasl.mechanism': 'GSSAPI' } }), 'key.invalid').path).toBe("$.kafka['sasl.mechanism']");
  });

  it('reads username and password from a JAAS line', () => {
    const jaas = 'org.apache.kafka.common.security.plain.PlainLoginModule required username="KEY2" password="JAAS-SECRET";';
    const result = parse([managedSource()], { kafka: { 'bootstrap.servers': CLOUD_BOOTSTRAP, 'security.protocol': 'SASL_SSL', 'sasl.jaas.config': jaas } });
    expect(result.problems).toEqual([]);
    expect(result.config?.kafka.sasl?.username).toBe('KEY2');
    expect(result.config?.kafka.sasl?.password.reveal()).toBe('JAAS-SECRET');
    expect(only(parse([managedSource()], { kafka: { 'bootstrap.servers': 'h:9092', 'sasl.jaas.config': 'nonsense' } }), 'kafka.jaas-unreadable').severity).toBe('error');
  });

  it('refuses Java keystores', () => {
    expect(only(parse([managedSource()], { kafka: { 'bootstrap.servers': 'h:9092', 'ssl.truststore.location': '/x.jks' } }), 'key.invalid').hint).toMatch(/ssl.ca.location/);
  });
});

describe('merge rules: connector credentials and the pipeline cluster', () => {
  const cloud = { kafka: { 'bootstrap.servers': CLOUD_BOOTSTRAP, 'sasl.username': 'PIPE', 'sasl.password': 'PIPE-SECRET' } };

  it("uses a managed connector's own API key for that connector only", () => {
    const result = parse([managedSource({ 'kafka.api.key': 'OWN', 'kafka.api.secret': 'OWN-SECRET' }), managedSink({ topics: 'other' })], cloud);
    expect(result.problems).toEqual([]);
    const [src, snk] = result.config?.connectors ?? [];
    expect(src?.kafka.sasl?.username).toBe('OWN');
    expect(src?.kafka.bootstrapServers).toEqual([CLOUD_BOOTSTRAP]);
    expect(snk?.kafka.sasl?.username).toBe('PIPE');
    expect(result.config?.kafka.sasl?.username).toBe('PIPE');
  });

  it('ignores connector API keys, with a warning, when the cluster does not use SASL', () => {
    const result = parse([managedSource({ 'kafka.api.key': 'OWN', 'kafka.api.secret': 'OWN-SECRET' })]);
    expect(only(result, 'kafka.connector-credentials-ignored').path).toBe("$.connectors[0]['kafka.api.key']");
    expect(result.config?.connectors[0]?.kafka.sasl).toBeUndefined();
  });

  it('needs both halves of a connector API key', () => {
    expect(only(parse([managedSource({ 'kafka.api.key': 'OWN' })], cloud), 'kafka.sasl-credentials-missing').severity).toBe('error');
  });

  it('falls back to the pipeline credentials for SERVICE_ACCOUNT', () => {
    expect(only(parse([managedSource({ 'kafka.auth.mode': 'SERVICE_ACCOUNT', 'kafka.service.account.id': 'sa-1' })], cloud), 'kafka.service-account').severity).toBe('warning');
  });
});

describe('Schema Registry', () => {
  it('is required once for AVRO connectors, listing them', () => {
    const p = only(parse([managedSource(), managedSink({ topics: 'x' })], { 'schema.registry.url': undefined }), 'format.registry-missing');
    expect(p).toMatchObject({ severity: 'error', path: "$['schema.registry.url']" });
    expect(p.message).toMatch(/^"src", "snk" use AVRO/);
    expect(rules(parse([managedSource({ 'output.data.format': 'JSON' })], { 'schema.registry.url': undefined }))).toEqual([]);
  });

  it('reads basic auth from user.info or from the URL, and checks both', () => {
    const withInfo = parse([managedSource()], { 'schema.registry.url': 'https://psrc-1.westeurope.azure.confluent.cloud', 'schema.registry.basic.auth.user.info': 'SRKEY:SRSECRET' });
    expect(withInfo.problems).toEqual([]);
    expect(withInfo.config?.schemaRegistry?.basicAuth?.username).toBe('SRKEY');
    const inUrl = parse([managedSource()], { 'schema.registry.url': 'https://SRKEY:SR%40SECRET@sr.example.com/' });
    expect(inUrl.config?.schemaRegistry).toMatchObject({ urls: ['https://sr.example.com'], basicAuth: { username: 'SRKEY' } });
    expect(inUrl.config?.schemaRegistry?.basicAuth?.password.reveal()).toBe('SR@SECRET');
    expect(only(parse([managedSource()], { 'schema.registry.basic.auth.user.info': 'no-colon' }), 'schema-registry.user-info-invalid').severity).toBe('error');
    expect(only(parse([managedSource()], { 'schema.registry.url': 'psrc-1.confluent.cloud' }), 'schema-registry.url-invalid').severity).toBe('error');
  });

  it("warns about Confluent Cloud's registry without credentials, or with the Kafka key", () => {
    const url = 'https://psrc-1.westeurope.azure.confluent.cloud';
    expect(only(parse([managedSource()], { 'schema.registry.url': url }), 'schema-registry.confluent-cloud-needs-auth').severity).toBe('warning');
    const reused = parse([managedSource()], { 'schema.registry.url': url, 'schema.registry.basic.auth.user.info': 'KEY1:SECRET1', kafka: { 'bootstrap.servers': CLOUD_BOOTSTRAP, 'sasl.username': 'KEY1', 'sasl.password': 'SECRET1' } });
    expect(only(reused, 'schema-registry.kafka-key-reused').severity).toBe('warning');
  });

  it("lets a converter's registry override the pipeline's for that connector", () => {
    const result = parse([
      jdbcSink({
        'value.converter': 'io.confluent.connect.avro.AvroConverter',
        'value.converter.schema.registry.url': 'http://other:8081',
        'value.converter.basic.auth.credentials.source': 'USER_INFO',
        'value.converter.basic.auth.user.info': 'k:s',
      }),
    ]);
    expect(result.problems).toEqual([]);
    const snk = result.config?.connectors[0];
    expect(snk?.value.schemaRegistry?.urls).toEqual(['http://other:8081']);
    expect(snk?.key?.schemaRegistry?.urls).toEqual([LAB_REGISTRY]);
    expect(only(parse([jdbcSink({ 'value.converter.schema.registry.url': 'http://other:8081', 'value.converter.basic.auth.user.info': 'k:s' })]), 'schema-registry.credentials-source').severity).toBe('warning');
  });
});

describe('database connection', () => {
  it('needs connection.password (and user and db.name) for managed connectors', () => {
    expect(only(parse([managedSource({ 'connection.password': undefined })]), 'connection.password-missing')).toMatchObject({ severity: 'error', path: "$.connectors[0]['connection.password']" });
    expect(only(parse([managedSource({ 'connection.user': undefined })]), 'connection.user-missing').severity).toBe('error');
    expect(only(parse([managedSource({ 'db.name': undefined })]), 'connection.database-missing').severity).toBe('error');
    expect(only(parse([managedSource({ 'connection.host': undefined })]), 'connection.missing').path).toBe("$.connectors[0]['connection.host']");
  });

  it('defaults the port by database and warns about backslashes in managed passwords', () => {
    const result = parse([managedSink({ 'connector.class': 'MicrosoftSqlServerSink', 'connection.port': undefined, 'connection.password': 'a\\b' })]);
    expect(rules(result)).toEqual(['connection.password-backslash']);
    expect(connectionAt(result, 0)).toMatchObject({ dialect: 'sqlserver', port: 1433 });
  });

  it('lets connection.user and connection.password override the URL', () => {
    const result = parse([jdbcSource({ 'connection.url': 'jdbc:mysql://urluser:urlpass@h:3306/db', 'connection.user': 'override', 'connection.password': undefined })]);
    const connection = connectionAt(result, 0);
    expect(connection?.user).toBe('override');
    expect(connection?.password?.reveal()).toBe('urlpass');
    expect(connection?.display).toBe('mysql://override@h:3306/db');
  });

  it('checks the URL against the class and the other connection keys', () => {
    expect(only(parse([jdbcSource({ 'connection.url': 'jdbc:oracle:thin:@h:1521:x' })]), 'connection.url-invalid').severity).toBe('error');
    expect(only(parse([managedSource({ 'connection.url': 'jdbc:postgresql://h/db' })]), 'connection.dialect-mismatch').severity).toBe('error');
    expect(only(parse([jdbcSource({ 'dialect.name': 'SqlServerDatabaseDialect' })]), 'connection.dialect-mismatch').path).toBe("$.connectors[0]['dialect.name']");
    expect(only(parse([jdbcSource({ 'connection.host': 'h' })]), 'connection.url-and-host').severity).toBe('warning');
    expect(only(parse([jdbcSource({ 'connection.url': undefined })]), 'connection.missing').path).toBe("$.connectors[0]['connection.url']");
    expect(only(parse([jdbcSource({ 'connection.url': undefined, 'connection.host': 'h' })]), 'connection.dialect-unknown').severity).toBe('error');
    expect(only(parse([jdbcSource({ 'connection.url': 'jdbc:mariadb://h:3306/' })]), 'connection.database-unset').severity).toBe('warning');
    expect(only(parse([jdbcSource({ 'connection.url': 'jdbc:mysql://a,b/db' })]), 'connection.multiple-hosts').severity).toBe('warning');
  });
});

describe('transforms', () => {
  const createKey = { transforms: 'createKey', 'transforms.createKey.type': 'org.apache.kafka.connect.transforms.ValueToKey', 'transforms.createKey.fields': 'id' };

  it('resolves supported transforms with their settings', () => {
    const result = parse([jdbcSource(createKey)]);
    expect(result.problems).toEqual([]);
    expect(result.config?.connectors[0]?.transforms).toEqual([{ alias: 'createKey', type: 'org.apache.kafka.connect.transforms.ValueToKey', supported: true, config: { fields: 'id' }, predicate: undefined, negate: false }]);
  });

  it('keeps transforms it does not apply, with a warning', () => {
    const result = parse([jdbcSource({ transforms: 'hoist', 'transforms.hoist.type': 'org.apache.kafka.connect.transforms.ValueToKey$Nested', 'transforms.hoist.field': 'row' })]);
    expect(only(result, 'transforms.not-applied').path).toBe("$.connectors[0]['transforms.hoist.type']");
    expect(result.config?.connectors[0]?.transforms[0]).toMatchObject({ alias: 'hoist', supported: false, config: { field: 'row' } });
  });

  it('accepts ExtractNewRecordState\'s add.fields / add.headers and names an entry that is not a field', () => {
    const ok = parse([jdbcSource({ transforms: 'unwrap', 'transforms.unwrap.type': 'io.debezium.transforms.ExtractNewRecordState', 'transforms.unwrap.add.fields': 'op,table,lsn,source.ts_ms,op:operation', 'transforms.unwrap.add.headers': 'db,table' })]);
    expect(ok.problems.filter((problem) => problem.rule.startsWith('transforms.option'))).toEqual([]);
    const result = parse([jdbcSource({ transforms: 'unwrap', 'transforms.unwrap.type': 'io.debezium.transforms.ExtractNewRecordState', 'transforms.unwrap.add.fields': 'op,source.ts ms', 'transforms.unwrap.add.headers': 'a.b.c' })]);
    const invalid = result.problems.filter((problem) => problem.rule === 'transforms.option-invalid');
    expect(invalid.map((problem) => problem.path)).toEqual(["$.connectors[0]['transforms.unwrap.add.fields']", "$.connectors[0]['transforms.unwrap.add.headers']"]);
    expect(invalid[0]?.message).toContain('"source.ts ms"');
  });

  it('needs a type per alias, listed aliases, and known predicates', () => {
    expect(only(parse([jdbcSource({ transforms: 'a' })]), 'transforms.type-missing').path).toBe("$.connectors[0]['transforms.a.type']");
    expect(only(parse([jdbcSource({ ...createKey, 'transforms.other.type': 'x' })]), 'transforms.unlisted').severity).toBe('warning');
    expect(only(parse([jdbcSource({ ...createKey, 'transforms.createKey.predicate': 'isTombstone' })]), 'transforms.predicate-unknown').severity).toBe('error');
    const withPredicate = parse([
      jdbcSource({ ...createKey, 'transforms.createKey.predicate': 'p', predicates: 'p', 'predicates.p.type': 'org.apache.kafka.connect.transforms.predicates.RecordIsTombstone' }),
    ]);
    expect(rules(withPredicate)).toEqual([]);
    expect(withPredicate.config?.connectors[0]?.transforms[0]?.supported).toBe(true);
    expect(withPredicate.config?.connectors[0]?.predicates).toEqual([{ alias: 'p', type: 'org.apache.kafka.connect.transforms.predicates.RecordIsTombstone', config: {} }]);
    const withOwnPredicate = parse([jdbcSource({ ...createKey, 'transforms.createKey.predicate': 'p', predicates: 'p', 'predicates.p.type': 'com.example.IsVip' })]);
    expect(only(withOwnPredicate, 'transforms.not-applied').message).toContain('com.example.IsVip');
  });
});

describe('pipeline rules across connectors', () => {
  const feedingSink = (extra: Record<string, string | undefined> = {}) => jdbcSink({ topics: 'lab.customers', 'table.name.format': 'customers', 'insert.mode': 'upsert', 'pk.mode': 'record_key', ...extra });

  it('refuses a record_key sink fed by a JDBC source without a key transform', () => {
    const p = only(parse([jdbcSource(), feedingSink()]), 'pipeline.null-key-record-key');
    expect(p).toMatchObject({ severity: 'error', path: "$.connectors[1]['pk.mode']" });
    expect(p.hint).toMatch(/ValueToKey/);
    const keyed = jdbcSource({ transforms: 'k', 'transforms.k.type': 'org.apache.kafka.connect.transforms.ValueToKey', 'transforms.k.fields': 'id' });
    expect(parse([keyed, feedingSink()]).problems).toEqual([]);
    expect(parse([jdbcSource(), feedingSink({ topics: 'unrelated' })]).problems).toEqual([]);
    expect(find(parse([jdbcSource(), feedingSink({ topics: undefined, 'topics.regex': 'lab\\..*' })]), 'pipeline.null-key-record-key')).toHaveLength(1);
  });

  it('warns that deletes never arrive from a polling source', () => {
    const keyed = jdbcSource({ transforms: 'k', 'transforms.k.type': 'org.apache.kafka.connect.transforms.ValueToKey', 'transforms.k.fields': 'id' });
    expect(only(parse([keyed, feedingSink({ 'delete.enabled': 'true' })]), 'pipeline.deletes-never-arrive').severity).toBe('warning');
  });

  it('warns when two sources write the same topic', () => {
    expect(only(parse([jdbcSource(), jdbcSource({ name: 'jsrc2' })]), 'pipeline.topic-collision').path).toBe("$.connectors[1]['topic.prefix']");
  });
});

describe("the first seed's Confluent Cloud configs (Azure SQL → SQL Server source/sink)", () => {
  // As printed in the article, with the fields its screenshot blanked filled in from its prose.
  const source = {
    'connector.class': 'MicrosoftSqlServerSource',
    name: 'MicrosoftSqlServerSourceConnector_0',
    'kafka.api.key': 'SEEDKEY',
    'kafka.api.secret': 'seed-secret',
    'topic.prefix': 'src',
    'connection.host': 'nt-cbr-sqlserver.database.windows.net',
    'connection.port': '1433',
    'connection.user': 'Infologistix@nt-cbr-sqlserver',
    'connection.password': 'seed-db-password',
    'db.name': 'CloudBasedReplication_Source',
    'table.whitelist': ['orderdetails'],
    'timestamp.column.name': ['ORDER_DATE'],
    'table.types': ['TABLE'],
    'db.timezone': 'Europe/Brussels',
    'numeric.mapping': 'best_fit',
    'output.data.format': 'AVRO',
    'tasks.max': '1',
  };
  const sink = {
    topics: ['srcorderdetails'],
    'input.data.format': 'AVRO',
    'connector.class': 'MicrosoftSqlServerSink',
    name: 'MicrosoftSqlServerSinkConnector_0',
    'kafka.api.key': 'SEEDKEY',
    'kafka.api.secret': 'seed-secret',
    'connection.host': 'nt-cbr-sqlserver-dest.database.windows.net',
    'connection.port': '1433',
    'connection.user': 'Infologistix@nt-cbr-sqlserver-dest',
    'connection.password': 'seed-db-password-2',
    'db.name': 'CloudBasedReplication_Target',
    'insert.mode': 'INSERT',
    'db.timezone': 'Europe/Brussels',
    'pk.mode': 'none',
    'auto.create': 'true',
    'auto.evolve': 'true',
    'batch.sizes': '1000',
    'tasks.max': '1',
  };

  it('validates, warning only that numeric.mapping leaves the decimal column alone', () => {
    const result = parse([source, sink], {
      kafka: { 'bootstrap.servers': CLOUD_BOOTSTRAP, 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'PLAIN', 'sasl.username': 'SEEDKEY', 'sasl.password': 'seed-secret' },
      'schema.registry.url': 'https://psrc-1.westeurope.azure.confluent.cloud',
      'schema.registry.basic.auth.user.info': 'SRKEY:sr-secret',
    });
    expect(rules(result)).toEqual(['source.numeric-mapping-decimal']);
    const [src, snk] = result.config?.connectors ?? [];
    expect(src).toMatchObject({ dialect: 'sqlserver', mode: 'timestamp', topicPrefix: 'src', dbTimezone: 'Europe/Brussels', numericMapping: 'best_fit' });
    expect(snk).toMatchObject({ dialect: 'sqlserver', insertMode: 'insert', pkMode: 'none', batchSize: 1000, errors: { deadLetterQueue: { topic: 'dlq-MicrosoftSqlServerSinkConnector_0' } } });
  });

  it('catches the topic-prefix trap the article ran into', () => {
    expect(only(parse([{ ...source, 'topic.prefix': 'src orders' }, sink]), 'source.topic-prefix-illegal').path).toBe("$.connectors[0]['topic.prefix']");
  });
});

describe('reading files', () => {
  it('names the path when the file cannot be read', async () => {
    const missing = join(tmpdir(), 'ferry-no-such-dir', 'pipeline.json');
    const error = await readPipelineFile(missing).catch((e: unknown) => e);
    expect(isEngineError(error) && error.code).toBe('CONFIG_FILE_UNREADABLE');
    expect(error instanceof Error && error.message).toContain(missing);
    const dir = mkdtempSync(join(tmpdir(), 'ferry-config-'));
    const asDir = await readPipelineFile(dir).catch((e: unknown) => e);
    expect(asDir instanceof Error && asDir.message).toMatch(/is a directory/);
  });

  it('reads and validates a file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-config-'));
    const file = join(dir, 'p.json');
    writeFileSync(file, pipelineText([managedSource()]));
    expect((await readPipelineFile(file)).config?.connectors).toHaveLength(1);
  });

  it('throws CONFIG_INVALID listing the errors when a valid pipeline is required', () => {
    const result = parse([managedSink({ 'delete.enabled': true })]);
    expect(() => requireValidPipeline(result, 'p.json')).toThrow(/p.json has 1 error:\n {2}\$\.connectors\[0\]\['delete.enabled'\]/);
    expect(requireValidPipeline(parse([managedSink()]), 'p.json').connectors).toHaveLength(1);
  });
});
