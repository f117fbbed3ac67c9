/**
 * Keys shared by the JDBC source and sink: identity, database connection, Confluent Cloud's Kafka credentials,
 * converters and Schema Registry, error handling and transforms. Defaults and meanings follow
 * kafka-connect-jdbc (JdbcSourceConnectorConfig/JdbcSinkConfig), Kafka Connect's ConnectorConfig and the
 * Confluent Cloud connector pages (see shared/reference/connectors.md §1, §2, §6, §7).
 */
import { booleanKey, enumKey, intKey, listKey, passwordKey, stringKey } from '../keys';

export const GROUP = {
  connector: 'Connector',
  connection: 'Database connection',
  kafka: 'Kafka credentials (Confluent Cloud)',
  tables: 'Tables and query',
  mode: 'Capture mode',
  polling: 'Polling',
  topics: 'Topics',
  data: 'Data mapping',
  writes: 'Writes',
  keys: 'Primary keys',
  format: 'Data format and Schema Registry',
  errors: 'Error handling',
  transforms: 'Transforms',
} as const;

export const CONVERTERS = {
  'io.confluent.connect.avro.AvroConverter': 'AVRO',
  'org.apache.kafka.connect.json.JsonConverter': 'JSON',
  'io.confluent.connect.json.JsonSchemaConverter': 'JSON_SR',
  'io.confluent.connect.protobuf.ProtobufConverter': 'PROTOBUF',
  'org.apache.kafka.connect.storage.StringConverter': 'STRING',
  'org.apache.kafka.connect.converters.ByteArrayConverter': 'BYTES',
} as const;
const CONVERTER_CLASSES = Object.keys(CONVERTERS) as (keyof typeof CONVERTERS)[];
export type ConverterClass = keyof typeof CONVERTERS;

const SUBJECT_STRATEGIES = ['TopicNameStrategy', 'RecordNameStrategy', 'TopicRecordNameStrategy'] as const;
const STRATEGY_ALIASES = Object.fromEntries(SUBJECT_STRATEGIES.map((s) => [`io.confluent.kafka.serializers.subject.${s}`, s])) as Record<
  string,
  (typeof SUBJECT_STRATEGIES)[number]
>;
const STRATEGY_DOCS = {
  TopicNameStrategy: 'Subject `<topic>-key` / `<topic>-value`: one schema lineage per topic (the default, and the only one Confluent Cloud managed connectors support).',
  RecordNameStrategy: 'Subject = the record\'s full name (`namespace.Name`): several event types per topic.',
  TopicRecordNameStrategy: 'Subject `<topic>-<namespace.Name>`: per type and per topic.',
};

function validTimeZone(value: string): { severity: 'error'; message: string; hint: string } | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return undefined;
  } catch {
    return { severity: 'error', message: `"${value}" is not a time zone Ferry knows`, hint: 'Use an IANA zone name such as UTC, Europe/Brussels or America/New_York.' };
  }
}

/** Keys every connector has, whatever its role or flavor. */
export const IDENTITY_KEYS = [
  stringKey('connector.class', {
    doc: 'Which connector this is: a Confluent Cloud name (`MySqlSource`, `PostgresSink`, …) or the Kafka Connect class (`io.confluent.connect.jdbc.JdbcSourceConnector`).',
    group: GROUP.connector,
  }),
  stringKey('name', {
    doc: 'Unique name of the connector within the pipeline; it also names the sink\'s consumer group (`connect-<name>`) and its status line.',
    group: GROUP.connector,
  }),
  intKey('tasks.max', {
    doc: 'Maximum number of tasks. Ferry runs one task per connector today, so values above 1 are accepted and do not add parallelism.',
    group: GROUP.connector,
    default: 1,
    min: 1,
  }),
] as const;

/** Confluent Cloud managed connectors authenticate to Kafka themselves; see the merge rules in docs. */
export const MANAGED_KAFKA_KEYS = [
  enumKey('kafka.auth.mode', ['KAFKA_API_KEY', 'SERVICE_ACCOUNT'], {
    doc: 'How the connector authenticates to Kafka. With `KAFKA_API_KEY` it uses `kafka.api.key`/`kafka.api.secret`; `SERVICE_ACCOUNT` is resolved by Confluent Cloud only, so Ferry then uses the pipeline\'s `kafka` credentials.',
    group: GROUP.kafka,
    default: 'KAFKA_API_KEY',
    managedOnly: true,
  }),
  stringKey('kafka.api.key', {
    doc: 'Kafka API key the connector uses instead of the pipeline\'s `kafka` credentials (SASL/PLAIN username).',
    group: GROUP.kafka,
    managedOnly: true,
    otherFlavorHint: 'Self-managed connectors use the worker\'s credentials: put them in the pipeline\'s "kafka" block.',
  }),
  passwordKey('kafka.api.secret', {
    doc: 'Secret of `kafka.api.key`.',
    group: GROUP.kafka,
    managedOnly: true,
    otherFlavorHint: 'Self-managed connectors use the worker\'s credentials: put them in the pipeline\'s "kafka" block.',
  }),
  stringKey('kafka.service.account.id', {
    doc: 'Confluent Cloud service account (`sa-…`) for `kafka.auth.mode=SERVICE_ACCOUNT`. Kept for round-tripping; Ferry cannot act as a service account.',
    group: GROUP.kafka,
    managedOnly: true,
  }),
] as const;

export const CONNECTION_KEYS = [
  stringKey('connection.url', {
    doc: 'JDBC URL of the database, e.g. `jdbc:mysql://host:3306/db`, `jdbc:postgresql://host:5432/db` or `jdbc:sqlserver://host:1433;databaseName=db;encrypt=true`. Ferry reads host, port, database, credentials and TLS settings from it.',
    group: GROUP.connection,
    selfManagedOnly: true,
    example: 'jdbc:mysql://127.0.0.1:3306/shop',
    otherFlavorHint: 'Managed connectors take `connection.host`, `connection.port` and `db.name` instead.',
  }),
  stringKey('connection.host', {
    doc: 'Database host name or IP address (managed connectors; self-managed ones put it in `connection.url`).',
    group: GROUP.connection,
    managedOnly: true,
    example: 'db.example.com',
  }),
  intKey('connection.port', {
    doc: 'Database port.',
    group: GROUP.connection,
    managedOnly: true,
    min: 1,
    max: 65535,
    defaultDoc: '3306 (MySQL), 5432 (PostgreSQL), 1433 (SQL Server)',
  }),
  stringKey('connection.user', {
    doc: 'Database user. Overrides a user given in `connection.url`.',
    group: GROUP.connection,
  }),
  passwordKey('connection.password', {
    doc: 'Database password. Overrides a password given in `connection.url`. Stored and shown masked; Confluent Cloud rejects backslashes in it.',
    group: GROUP.connection,
  }),
  stringKey('db.name', {
    doc: 'Database name (managed connectors; self-managed ones put it in `connection.url`).',
    group: GROUP.connection,
    managedOnly: true,
  }),
  enumKey('ssl.mode', ['prefer', 'require', 'verify-ca', 'verify-full'], {
    doc: 'TLS to the database: `prefer` uses TLS when the server offers it, `require` insists on it, `verify-ca`/`verify-full` also check the certificate (and host name).',
    group: GROUP.connection,
    managedOnly: true,
    default: 'prefer',
    valueDocs: {
      prefer: 'TLS when the server offers it, plain otherwise.',
      require: 'TLS, without checking the certificate.',
      'verify-ca': 'TLS, certificate signed by a trusted CA.',
      'verify-full': 'TLS, trusted certificate issued for this host name.',
    },
  }),
  stringKey('dialect.name', {
    doc: 'Database dialect; empty means detect it from `connection.url` (the usual choice).',
    group: GROUP.connection,
    selfManagedOnly: true,
    default: '',
    check: (value) =>
      value === '' || ['MySqlDatabaseDialect', 'PostgreSqlDatabaseDialect', 'SqlServerDatabaseDialect'].includes(value)
        ? undefined
        : { severity: 'error', message: `Ferry has no "${value}" dialect`, hint: 'Use MySqlDatabaseDialect, PostgreSqlDatabaseDialect or SqlServerDatabaseDialect, or leave it empty.' },
  }),
  intKey('connection.attempts', {
    doc: 'How many times to try connecting to the database before the connector fails.',
    group: GROUP.connection,
    default: 3,
    min: 1,
    selfManagedOnly: true,
  }),
  intKey('connection.backoff.ms', {
    doc: 'Wait between connection attempts, in milliseconds.',
    group: GROUP.connection,
    default: 10000,
    min: 0,
    selfManagedOnly: true,
  }),
  stringKey('db.timezone', {
    doc: 'Time zone used to read and write `DATETIME`/`TIMESTAMP` values without zone. Set it to the zone the database stores local times in, or offsets shift by the UTC difference.',
    group: GROUP.data,
    default: 'UTC',
    check: validTimeZone,
  }),
  enumKey('quote.sql.identifiers', ['always', 'never'], {
    doc: 'Whether to quote table and column names in generated SQL. Quoting makes PostgreSQL names case-sensitive (`Orders` stays `"Orders"`).',
    group: GROUP.data,
    default: 'always',
    connectCase: 'lower-or-upper',
  }),
] as const;

function converterKeys<const P extends 'key' | 'value'>(prefix: P) {
  const what = prefix === 'key' ? 'keys' : 'values';
  return [
    enumKey(`${prefix}.converter`, CONVERTER_CLASSES, {
      doc: `Converter for record ${what}. Ferry supports Avro (with a Schema Registry) and schemaless JSON${prefix === 'key' ? ' and plain strings' : ''}.`,
      group: GROUP.format,
      selfManagedOnly: true,
      connectCase: 'exact',
      defaultDoc: '`io.confluent.connect.avro.AvroConverter` (Ferry\'s worker default, like Confluent Platform\'s `connect-avro-distributed.properties`)',
      otherFlavorHint: `Managed connectors choose the format with \`${prefix === 'key' ? 'output.key.format/input.key.format' : 'output.data.format/input.data.format'}\`.`,
    }),
    listKey(`${prefix}.converter.schema.registry.url`, {
      doc: `Schema Registry of the ${prefix} converter; overrides the pipeline's \`schema.registry.url\` for this connector's ${what}.`,
      group: GROUP.format,
      selfManagedOnly: true,
    }),
    enumKey(`${prefix}.converter.basic.auth.credentials.source`, ['URL', 'USER_INFO', 'SASL_INHERIT'], {
      doc: `Where the ${prefix} converter takes Schema Registry credentials from: \`USER_INFO\` reads \`${prefix}.converter.basic.auth.user.info\`, \`URL\` reads \`https://user:secret@host\`.`,
      group: GROUP.format,
      default: 'URL',
      selfManagedOnly: true,
    }),
    passwordKey(`${prefix}.converter.basic.auth.user.info`, {
      aliases: [`${prefix}.converter.schema.registry.basic.auth.user.info`],
      doc: `Schema Registry credentials of the ${prefix} converter as \`<api key>:<api secret>\`.`,
      group: GROUP.format,
      selfManagedOnly: true,
    }),
    booleanKey(`${prefix}.converter.schemas.enable`, {
      doc: `For \`JsonConverter\`: whether ${what} are wrapped in a \`{"schema", "payload"}\` envelope (Connect's JSON schemas, which Debezium and its JDBC sink use without an Avro converter). Ferry reads and writes both.`,
      group: GROUP.format,
      default: true,
      selfManagedOnly: true,
    }),
    enumKey(`${prefix}.converter.${prefix}.subject.name.strategy`, SUBJECT_STRATEGIES, {
      doc: `How the Schema Registry subject for ${what} is named.`,
      group: GROUP.format,
      default: 'TopicNameStrategy',
      valueAliases: STRATEGY_ALIASES,
      valueDocs: STRATEGY_DOCS,
      selfManagedOnly: true,
    }),
    booleanKey(`${prefix}.converter.auto.register.schemas`, {
      doc: `Whether the converter registers new ${prefix} schemas itself; set false when schemas are registered by a pipeline of their own.`,
      group: GROUP.format,
      default: true,
      selfManagedOnly: true,
    }),
    booleanKey(`${prefix}.converter.use.latest.version`, {
      doc: `Serialize ${what} with the subject's latest registered schema instead of the one derived from the data.`,
      group: GROUP.format,
      default: false,
      selfManagedOnly: true,
    }),
  ] as const;
}

export const CONVERTER_KEYS = [...converterKeys('key'), ...converterKeys('value')] as const;

export const ERROR_KEYS = [
  enumKey('errors.tolerance', ['none', 'all'], {
    doc: '`none`: the first record that cannot be converted or written stops the connector with the root cause. `all`: such records are skipped; a sink sends them to its dead letter queue when it has one, else drops them (counted as `dropped`), and stops either way on an error every record would hit (a configuration error).',
    group: GROUP.errors,
    default: 'none',
    managedDefault: 'all',
    defaultDoc: '`none` (Kafka Connect), `all` (Confluent Cloud managed connectors)',
    connectCase: 'lower-or-upper',
  }),
  intKey('errors.retry.timeout', {
    doc: 'How long to retry a failed conversion or transform, in milliseconds; -1 retries forever.',
    group: GROUP.errors,
    default: 0,
    min: -1,
    selfManagedOnly: true,
  }),
  intKey('errors.retry.delay.max.ms', {
    doc: 'Longest wait between those retries, in milliseconds.',
    group: GROUP.errors,
    default: 60000,
    min: 1,
    selfManagedOnly: true,
  }),
  booleanKey('errors.log.enable', {
    doc: 'Log every failed record operation.',
    group: GROUP.errors,
    default: false,
    selfManagedOnly: true,
  }),
  booleanKey('errors.log.include.messages', {
    doc: 'Include the record (topic, partition, offset, key and value) in those log lines. Leave off when records hold personal data.',
    group: GROUP.errors,
    default: false,
    selfManagedOnly: true,
  }),
] as const;

export const TRANSFORM_KEYS = [
  listKey('transforms', {
    doc: 'Aliases of the single message transforms to apply, in order; each is configured with `transforms.<alias>.type` and `transforms.<alias>.*`.',
    group: GROUP.transforms,
    default: [],
  }),
  listKey('predicates', {
    doc: 'Aliases of predicates that transforms refer to with `transforms.<alias>.predicate`; each is configured with `predicates.<alias>.type`.',
    group: GROUP.transforms,
    default: [],
  }),
] as const;

/** Managed connectors' formats, both roles. */
export const DATA_FORMATS = ['AVRO', 'JSON', 'JSON_SR', 'PROTOBUF'] as const;
export const KEY_FORMATS = ['AVRO', 'JSON', 'JSON_SR', 'PROTOBUF', 'STRING'] as const;
export const FORMAT_DOCS = {
  AVRO: 'Avro with the schema in Schema Registry (Confluent wire format).',
  JSON: 'Schemaless JSON.',
  JSON_SR: 'JSON Schema with Schema Registry (not supported by Ferry yet).',
  PROTOBUF: 'Protobuf with Schema Registry (not supported by Ferry yet).',
  STRING: 'A plain UTF-8 string.',
};
