/**
 * Azure Blob Storage and ADLS Gen2 sinks, as Confluent configures them: Confluent Cloud's `AzureBlobSink` and
 * `AzureDataLakeGen2Sink`, and the self-managed `io.confluent.connect.azure.blob.AzureBlobStorageSinkConnector` and
 * `io.confluent.connect.azure.datalake.gen2.AzureDataLakeGen2SinkConnector`, with their keys (account, container,
 * `topics.dir`, formats, `flush.size`, rotation, partitioners). Resolved into ResolvedObjectStoreSink, which
 * sinks/objectstore runs. Ferry writes through the Blob API for both: ADLS Gen2's DFS endpoint serves the same
 * objects, and the layout (`<file system>/<rest of topics.dir>/<topic>/…`) is the one Confluent's Gen2 sink writes.
 */
import { resolveSerde } from '../formats';
import type { JsonObject } from '../jsonText';
import { connectorKafka } from '../kafkaBlock';
import { enumKey, intKey, type KeyValues, listKey, passwordKey, stringKey } from '../keys';
import type { ObjectStoreLayout, ObjectStorePartitioner } from '../objectStoreTypes';
import { defineRule, type JsonPath, type ProblemList } from '../problems';
import type { Secret } from '../secret';
import { maskUnknown } from '../secretScrub';
import { sanitizeTopicName, topicNameProblem } from '../topics';
import { resolveTransforms } from '../transforms';
import type { ResolvedObjectStoreSink, SinkTopics, ValueFormat } from '../types';
import { validateKeys } from '../validateKeys';
import { CONVERTER_KEYS, DATA_FORMATS, ERROR_KEYS, FORMAT_DOCS, GROUP, IDENTITY_KEYS, MANAGED_KAFKA_KEYS, TRANSFORM_KEYS } from './commonKeys';
import { type ConnectorEnv, type ConnectorFamily, type ConnectorOutcome, copyObject, isDynamicConnectorKey, pathText } from './connectorCommon';

const G = {
  account: 'Storage account',
  layout: 'Objects',
  partitioning: 'Partitioning',
  format: GROUP.format,
  topics: GROUP.topics,
  errors: GROUP.errors,
  connector: GROUP.connector,
} as const;

const PARTITIONERS = 'io.confluent.connect.storage.partitioner.';
const DURATION = { HOURLY: 3_600_000, DAILY: 86_400_000 } as const;
const PATH_FORMAT = { HOURLY: "'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH", DAILY: "'year'=YYYY/'month'=MM/'day'=dd" } as const;

function validTimeZone(value: string): { severity: 'error'; message: string; hint: string } | undefined {
  if (value === '') return undefined;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return undefined;
  } catch {
    return { severity: 'error', message: `"${value}" is not a time zone Ferry knows`, hint: 'Use an IANA zone name such as UTC, Europe/Brussels or America/New_York.' };
  }
}

const LAYOUT_KEYS = [
  stringKey('store.url', {
    doc: 'The Blob service endpoint, for another cloud or an emulator, e.g. `http://127.0.0.1:10000/devstoreaccount1` for Azurite. Default: `https://<account>.blob.core.windows.net`.',
    group: G.account,
    example: 'http://127.0.0.1:10000/devstoreaccount1',
  }),
  listKey('topics', { doc: 'Topics to write to storage.', group: G.topics, default: [] }),
  stringKey('topics.regex', { doc: 'Regular expression of the topics to write, instead of `topics`.', group: G.topics, selfManagedOnly: true }),
  stringKey('topics.dir', {
    doc: 'Top directory of every object: objects are `<topics.dir>/<topic>/<partition directory>/<topic>+<partition>+<start offset>.<ext>`. For ADLS Gen2 its first segment is the file system (container).',
    group: G.layout,
    default: 'topics',
  }),
  intKey('flush.size', {
    doc: 'Records of one Kafka partition gathered before its objects are written. Objects are written only when this many records arrived, a rotation interval passed or the schema changed; offsets are committed only after that.',
    group: G.layout,
    default: 1000,
    min: 1,
    defaultDoc: '1000 (Confluent Cloud); Kafka Connect requires it',
  }),
  intKey('rotate.interval.ms', {
    doc: 'Write the open objects when a record\'s timestamp is this many milliseconds past the first record in them; -1 is off. Depends only on the records, so restarts stay exactly-once.',
    group: G.layout,
    default: -1,
    min: -1,
  }),
  intKey('rotate.schedule.interval.ms', {
    doc: 'Write the open objects on the wall clock, at multiples of this many milliseconds in `timezone`; -1 is off. Needs `timezone`. Not exactly-once: after a crash, records may land in objects cut at other times.',
    group: G.layout,
    default: -1,
    min: -1,
  }),
  enumKey('input.data.format', DATA_FORMATS, {
    doc: 'Format of record values read from Kafka (managed connectors; self-managed ones use `value.converter`). Ferry supports AVRO and JSON.',
    group: G.format,
    managedOnly: true,
    defaultDoc: 'AVRO',
    valueDocs: FORMAT_DOCS,
    otherFlavorHint: 'Kafka Connect uses `value.converter`; e.g. io.confluent.connect.avro.AvroConverter for AVRO.',
  }),
  enumKey('output.data.format', ['AVRO', 'JSON', 'PARQUET', 'BYTES'], {
    doc: 'Format of the objects (managed connectors): Avro object container files or JSON lines. PARQUET and BYTES are not supported by Ferry yet.',
    group: G.format,
    managedOnly: true,
    defaultDoc: 'AVRO',
    valueDocs: { AVRO: 'Avro object container files (`.avro`).', JSON: 'One JSON object per line (`.json`).', PARQUET: 'Not supported by Ferry yet.', BYTES: 'Not supported by Ferry yet.' },
    otherFlavorHint: 'Kafka Connect uses `format.class`, e.g. io.confluent.connect.azure.storage.format.avro.AvroFormat.',
  }),
  stringKey('format.class', {
    doc: 'Format of the objects (self-managed connectors): a class ending in `avro.AvroFormat` or `json.JsonFormat` (`io.confluent.connect.azure.blob.format.…`, `io.confluent.connect.azure.storage.format.…`).',
    group: G.format,
    selfManagedOnly: true,
    example: 'io.confluent.connect.azure.storage.format.avro.AvroFormat',
    otherFlavorHint: 'Confluent Cloud uses `output.data.format`.',
  }),
  enumKey('avro.codec', ['null', 'deflate', 'snappy', 'bzip2'], { doc: 'Compression of Avro data blocks. Ferry writes null and deflate.', group: G.format, default: 'null' }),
  stringKey('partitioner.class', {
    doc: 'How records are spread over directories: `DefaultPartitioner` (`partition=<n>`), `FieldPartitioner` (`<field>=<value>`), `TimeBasedPartitioner` (`path.format`), `HourlyPartitioner`, `DailyPartitioner` (in `io.confluent.connect.storage.partitioner`).',
    group: G.partitioning,
    selfManagedOnly: true,
    default: `${PARTITIONERS}DefaultPartitioner`,
    otherFlavorHint: 'Confluent Cloud partitions by time: `time.interval` and `path.format`.',
  }),
  listKey('partition.field.name', { doc: 'Value fields whose values name the directories (FieldPartitioner).', group: G.partitioning, default: [] }),
  intKey('partition.duration.ms', { doc: 'Length of one time directory in milliseconds (TimeBasedPartitioner).', group: G.partitioning, default: -1, min: -1 }),
  stringKey('path.format', {
    doc: 'Joda-Time pattern of a time directory, literal text quoted: `\'year\'=YYYY/\'month\'=MM/\'day\'=dd/\'hour\'=HH`.',
    group: G.partitioning,
    default: '',
    defaultDoc: 'empty (Kafka Connect); by `time.interval` on Confluent Cloud',
  }),
  enumKey('time.interval', ['DAILY', 'HOURLY'], {
    doc: 'Confluent Cloud\'s time partitioning: one directory per day or per hour of the record\'s Kafka timestamp (or `timestamp.field`).',
    group: G.partitioning,
    managedOnly: true,
    default: 'DAILY',
  }),
  stringKey('timezone', { doc: 'Time zone of time directories and scheduled rotation (IANA name).', group: G.partitioning, default: '', managedDefault: 'UTC', check: validTimeZone }),
  stringKey('locale', { doc: 'Locale of month and day names in `path.format` (e.g. `en-US`).', group: G.partitioning, default: '', managedDefault: 'en' }),
  enumKey('timestamp.extractor', ['Wallclock', 'Record', 'RecordField'], {
    doc: 'Which time places a record in a time directory: the time it is written, its Kafka timestamp, or `timestamp.field`.',
    group: G.partitioning,
    selfManagedOnly: true,
    default: 'Wallclock',
  }),
  stringKey('timestamp.field', { doc: 'Value field holding the record\'s time (`timestamp.extractor=RecordField`; on Confluent Cloud, set to use it instead of the Kafka timestamp).', group: G.partitioning, default: 'timestamp' }),
  stringKey('directory.delim', { doc: 'Separator between directories.', group: G.layout, default: '/', selfManagedOnly: true }),
  stringKey('file.delim', { doc: 'Separator between topic, partition and start offset in object names.', group: G.layout, default: '+', selfManagedOnly: true }),
  intKey('filename.offset.zero.pad.width', { doc: 'Digits of the start offset in object names (zero-padded).', group: G.layout, default: 10, min: 0, selfManagedOnly: true }),
  enumKey('behavior.on.null.values', ['ignore', 'fail'], { doc: 'What a tombstone (null value) does: skipped, or stops the connector.', group: G.layout, default: 'fail' }),
  enumKey('schema.compatibility', ['NONE', 'BACKWARD', 'FORWARD', 'FULL'], {
    doc: 'Schema evolution across objects. Ferry starts a new object at every schema change, as NONE does.',
    group: G.format,
    default: 'NONE',
    selfManagedOnly: true,
  }),
  stringKey('errors.deadletterqueue.topic.name', {
    doc: 'Topic that receives records that cannot be written, with their original bytes, when `errors.tolerance=all`. Confluent Cloud always uses `dlq-<connector id>`.',
    group: G.errors,
    default: '',
    selfManagedOnly: true,
  }),
  intKey('errors.deadletterqueue.topic.replication.factor', { doc: 'Replication factor when the dead letter topic is created; -1 uses the broker default.', group: G.errors, default: 3, min: -1, selfManagedOnly: true }),
  stringKey('consumer.override.group.id', { doc: 'Consumer group of the sink; defaults to `connect-<name>` as in Kafka Connect.', group: G.connector, selfManagedOnly: true }),
] as const;

const BLOB_ACCOUNT_KEYS = [
  stringKey('azblob.account.name', { doc: 'Storage account name (3-24 lowercase letters and digits).', group: G.account, example: 'devstoreaccount1' }),
  passwordKey('azblob.account.key', { doc: 'Storage account key (base64). Stored and shown masked.', group: G.account }),
  stringKey('azblob.container.name', { doc: 'Container the objects are written to; it must exist.', group: G.account, default: 'default' }),
] as const;

const GEN2_ACCOUNT_KEYS = [
  stringKey('azure.datalake.gen2.account.name', { doc: 'Storage account name of the Data Lake (hierarchical namespace).', group: G.account, example: 'mydatalake' }),
  passwordKey('azure.datalake.gen2.access.key', { doc: 'Storage account access key (base64). Stored and shown masked.', group: G.account }),
  stringKey('azure.datalake.gen2.client.id', { doc: 'Service principal (OAuth 2.0) client id. Not supported by Ferry yet: use the access key.', group: G.account }),
  passwordKey('azure.datalake.gen2.client.key', { doc: 'Service principal secret. Not supported by Ferry yet.', group: G.account }),
  stringKey('azure.datalake.gen2.token.endpoint', { doc: 'OAuth 2.0 token endpoint. Not supported by Ferry yet.', group: G.account }),
] as const;

export const AZURE_BLOB_SINK_KEYS = [...IDENTITY_KEYS, ...MANAGED_KAFKA_KEYS, ...BLOB_ACCOUNT_KEYS, ...LAYOUT_KEYS, ...CONVERTER_KEYS, ...ERROR_KEYS, ...TRANSFORM_KEYS] as const;
export const AZURE_DATALAKE_GEN2_SINK_KEYS = [...IDENTITY_KEYS, ...MANAGED_KAFKA_KEYS, ...GEN2_ACCOUNT_KEYS, ...LAYOUT_KEYS, ...CONVERTER_KEYS, ...ERROR_KEYS, ...TRANSFORM_KEYS] as const;

type LayoutValues = KeyValues<typeof LAYOUT_KEYS> & KeyValues<typeof IDENTITY_KEYS> & KeyValues<typeof MANAGED_KAFKA_KEYS> & KeyValues<typeof ERROR_KEYS> & KeyValues<typeof TRANSFORM_KEYS> & KeyValues<typeof CONVERTER_KEYS>;

export const OBJECT_STORE_RULES = {
  nameMissing: defineRule('object-store.name-missing', 'error', 'Every connector needs a `name`: it keys its consumer group and status.'),
  accountMissing: defineRule('object-store.account-missing', 'error', 'The storage account name and key are required.'),
  oauthUnsupported: defineRule('object-store.oauth-unsupported', 'error', 'ADLS Gen2 service principal (OAuth) login is not supported yet; use the access key.'),
  topicsMissing: defineRule('object-store.topics-missing', 'error', 'A sink needs `topics` or `topics.regex` (not both), each a legal topic name.'),
  formatUnsupported: defineRule('object-store.format-unsupported', 'error', 'Ferry writes AVRO and JSON objects; PARQUET, BYTES and other format classes are not supported yet.'),
  codecUnsupported: defineRule('object-store.codec-unsupported', 'error', 'Ferry compresses Avro blocks with deflate or not at all.'),
  partitionerInvalid: defineRule('object-store.partitioner-invalid', 'error', 'The partitioner must be one Ferry runs, with the keys it needs.'),
  flushSizeRequired: defineRule('object-store.flush-size-required', 'warning', 'Kafka Connect refuses these connectors without `flush.size`.'),
  scheduleNeedsTimezone: defineRule('object-store.schedule-needs-timezone', 'error', '`rotate.schedule.interval.ms` needs `timezone`.'),
  notExactlyOnce: defineRule('object-store.not-exactly-once', 'warning', 'Scheduled rotation or wall-clock partitioning cut objects by the clock, so a restart may write records again into other objects.'),
  compatibilityIgnored: defineRule('object-store.compatibility-ignored', 'warning', 'Ferry starts a new object at every schema change (schema.compatibility=NONE).'),
  containerInvalid: defineRule('object-store.container-invalid', 'error', 'Container names are 3-63 lowercase letters, digits and hyphens.'),
};

const PITFALLS = [
  'Records wait in memory until `flush.size` records of a Kafka partition arrived (or a rotation interval passed): with little traffic, set `rotate.interval.ms` or `rotate.schedule.interval.ms`, or nothing is written (and no offset committed) for a long time.',
  'Every object of a Kafka partition is written before its offsets are committed; a restart re-reads from the committed offset and rewrites the same object names with the same records, so no record is duplicated. Scheduled rotation and `timestamp.extractor=Wallclock` depend on the clock and lose that.',
  'Tombstones stop the connector unless `behavior.on.null.values=ignore`; Debezium change events need ExtractNewRecordState first (objects hold row values).',
  'ADLS Gen2 is written through the Blob API of the same account (Azure serves both on one store); Ferry\'s tests use Azurite, which has no DFS endpoint, with the same layout.',
];

interface Ctx {
  values: LayoutValues;
  given: ReadonlySet<string>;
  pathOf(name: string): JsonPath;
  problems: ProblemList;
  className: string;
  managed: boolean;
}

function topicsOf(ctx: Ctx): SinkTopics | undefined {
  const { values, problems } = ctx;
  const regex = values['topics.regex']?.trim() ?? '';
  if ((values.topics.length === 0) === (regex === '')) {
    problems.report(OBJECT_STORE_RULES.topicsMissing, ctx.pathOf('topics'), regex === '' ? `${ctx.className} reads no topics` : '`topics` and `topics.regex` are both set', 'Set "topics" to the topic(s) to write (or one "topics.regex").');
    return undefined;
  }
  if (regex !== '') {
    try {
      new RegExp(regex);
    } catch {
      problems.report(OBJECT_STORE_RULES.topicsMissing, ctx.pathOf('topics.regex'), `\`topics.regex\` "${regex}" is not a valid regular expression`, 'Escape special characters, e.g. shop\\..*');
      return undefined;
    }
    return { kind: 'regex', regex };
  }
  for (const topic of values.topics) {
    const problem = topicNameProblem(topic);
    if (problem) problems.report(OBJECT_STORE_RULES.topicsMissing, ctx.pathOf('topics'), `"${topic}" is not a Kafka topic name: ${problem}`, `A legal form would be "${sanitizeTopicName(topic)}".`);
  }
  return { kind: 'list', topics: values.topics };
}

function formatOf(ctx: Ctx): ObjectStoreLayout['format'] | undefined {
  const { values } = ctx;
  const formatClass = values['format.class']?.trim();
  const named = ctx.managed || formatClass === undefined ? (values['output.data.format'] ?? 'AVRO') : /\.avro\.AvroFormat$/.test(formatClass) ? 'AVRO' : /\.json\.JsonFormat$/.test(formatClass) ? 'JSON' : formatClass;
  if (named === 'AVRO' || named === 'JSON') return named;
  ctx.problems.report(
    OBJECT_STORE_RULES.formatUnsupported,
    ctx.pathOf(ctx.managed || formatClass === undefined ? 'output.data.format' : 'format.class'),
    `Ferry does not write ${named} objects yet`,
    ctx.managed ? 'Use "output.data.format": "AVRO" (or JSON).' : 'Use io.confluent.connect.azure.storage.format.avro.AvroFormat (or json.JsonFormat).',
  );
  return undefined;
}

function partitionerOf(ctx: Ctx): ObjectStorePartitioner | undefined {
  const { values, problems } = ctx;
  const report = (key: string, message: string, hint: string): undefined => {
    problems.report(OBJECT_STORE_RULES.partitionerInvalid, ctx.pathOf(key), message, hint);
    return undefined;
  };
  const fieldName = values['timestamp.field'];
  if (ctx.managed) {
    const interval = values['time.interval'];
    return {
      kind: 'time',
      pathFormat: values['path.format'] !== '' ? values['path.format'] : PATH_FORMAT[interval],
      partitionDurationMs: DURATION[interval],
      timezone: values.timezone || 'UTC',
      locale: values.locale || 'en',
      extractor: ctx.given.has('timestamp.field') ? { kind: 'field', field: fieldName } : { kind: 'record' },
    };
  }
  const className = values['partitioner.class'].trim();
  const simple = className.startsWith(PARTITIONERS) ? className.slice(PARTITIONERS.length) : className;
  if (simple === 'DefaultPartitioner') return { kind: 'default' };
  if (simple === 'FieldPartitioner') {
    if (values['partition.field.name'].length === 0) return report('partition.field.name', 'FieldPartitioner needs `partition.field.name`', 'Name the value field(s) whose values name the directories, e.g. "region".');
    return { kind: 'field', fields: values['partition.field.name'] };
  }
  const fixed = simple === 'HourlyPartitioner' ? 'HOURLY' : simple === 'DailyPartitioner' ? 'DAILY' : undefined;
  if (simple !== 'TimeBasedPartitioner' && fixed === undefined) {
    return report('partitioner.class', `Partitioner "${className}" is not one Ferry runs`, `Use ${PARTITIONERS}DefaultPartitioner, FieldPartitioner, TimeBasedPartitioner, HourlyPartitioner or DailyPartitioner.`);
  }
  const pathFormat = fixed ? PATH_FORMAT[fixed] : values['path.format'];
  const duration = fixed ? DURATION[fixed] : values['partition.duration.ms'];
  if (pathFormat === '') return report('path.format', `${simple} needs \`path.format\``, 'E.g. "path.format": "\'year\'=YYYY/\'month\'=MM/\'day\'=dd/\'hour\'=HH".');
  if (duration <= 0) return report('partition.duration.ms', `${simple} needs \`partition.duration.ms\``, 'E.g. 3600000 for hourly directories.');
  if (values.locale === '') return report('locale', `${simple} needs \`locale\` (Kafka Connect refuses it without)`, 'E.g. "locale": "en-US".');
  if (values.timezone === '') return report('timezone', `${simple} needs \`timezone\` (Kafka Connect refuses it without)`, 'E.g. "timezone": "UTC".');
  const extractorName = values['timestamp.extractor'];
  const extractor = extractorName === 'Record' ? ({ kind: 'record' } as const) : extractorName === 'RecordField' ? ({ kind: 'field', field: fieldName } as const) : ({ kind: 'wallclock' } as const);
  return { kind: 'time', pathFormat, partitionDurationMs: duration, timezone: values.timezone, locale: values.locale, extractor };
}

function resolveObjectStoreSink(env: ConnectorEnv, storage: ResolvedObjectStoreSink['storage']): ConnectorOutcome {
  const { problems, connectorClass: cls } = env;
  const managed = cls.flavor === 'managed';
  const keys = storage === 'azure-blob' ? AZURE_BLOB_SINK_KEYS : AZURE_DATALAKE_GEN2_SINK_KEYS;
  const v = validateKeys(keys, env.raw, problems, { path: env.path, owner: cls.name, flavor: cls.flavor, isDynamic: isDynamicConnectorKey, docs: `docs/connectors/${cls.name}.md` });
  const values = v.values as unknown as LayoutValues & Partial<KeyValues<typeof BLOB_ACCOUNT_KEYS>> & Partial<KeyValues<typeof GEN2_ACCOUNT_KEYS>>;
  const ctx: Ctx = { values, given: v.given, pathOf: v.pathOf, problems, className: cls.name, managed };

  const name = (values.name ?? env.outerName ?? '').trim();
  if (name === '') problems.report(OBJECT_STORE_RULES.nameMissing, v.pathOf('name'), `This ${cls.name} connector has no \`name\``, 'Add "name": "<unique name>"; Ferry keys its consumer group by it, so keep it stable.');

  // The account: Blob keys or ADLS Gen2 keys.
  const accountKey = storage === 'azure-blob' ? 'azblob.account.name' : 'azure.datalake.gen2.account.name';
  const secretKey = storage === 'azure-blob' ? 'azblob.account.key' : 'azure.datalake.gen2.access.key';
  const accountName = (storage === 'azure-blob' ? values['azblob.account.name'] : values['azure.datalake.gen2.account.name'])?.trim() ?? '';
  const secret: Secret | undefined = storage === 'azure-blob' ? values['azblob.account.key'] : values['azure.datalake.gen2.access.key'];
  if (storage === 'azure-datalake-gen2' && secret === undefined && (v.given.has('azure.datalake.gen2.client.id') || v.given.has('azure.datalake.gen2.client.key'))) {
    problems.report(OBJECT_STORE_RULES.oauthUnsupported, v.pathOf('azure.datalake.gen2.client.id'), 'Service principal (OAuth 2.0) login to ADLS Gen2 is not supported by Ferry yet', 'Set "azure.datalake.gen2.access.key" to the storage account\'s access key.');
  } else if (accountName === '' || secret === undefined) {
    problems.report(OBJECT_STORE_RULES.accountMissing, v.pathOf(accountName === '' ? accountKey : secretKey), `${cls.name} needs \`${accountKey}\` and \`${secretKey}\``, `Set both (for Azurite: "${accountKey}": "devstoreaccount1" with its documented key, and "store.url").`);
  }

  // Container and top directory: ADLS Gen2 keeps the file system as the first segment of topics.dir.
  const topicsDirRaw = values['topics.dir'].replace(/^\/+|\/+$/g, '');
  let container: string;
  let topicsDir: string;
  if (storage === 'azure-blob') {
    container = values['azblob.container.name'] ?? 'default';
    topicsDir = topicsDirRaw;
  } else {
    const [fileSystem = '', ...rest] = topicsDirRaw.split('/');
    container = fileSystem;
    topicsDir = rest.join('/');
  }
  if (!/^[a-z0-9](?:[a-z0-9]|-(?!-)){1,61}[a-z0-9]$/.test(container)) {
    problems.report(
      OBJECT_STORE_RULES.containerInvalid,
      v.pathOf(storage === 'azure-blob' ? 'azblob.container.name' : 'topics.dir'),
      `"${container}" is not a container name`,
      storage === 'azure-blob' ? 'Use 3-63 lowercase letters, digits and single hyphens.' : 'The first segment of topics.dir is the ADLS Gen2 file system: 3-63 lowercase letters, digits and single hyphens.',
    );
  }

  if (!managed && !v.given.has('flush.size')) {
    problems.report(OBJECT_STORE_RULES.flushSizeRequired, v.pathOf('flush.size'), 'Kafka Connect requires `flush.size` for this connector; Ferry uses 1000', 'Set "flush.size" to the records per object you want.');
  }
  const codec = values['avro.codec'];
  if (codec === 'snappy' || codec === 'bzip2') {
    problems.report(OBJECT_STORE_RULES.codecUnsupported, v.pathOf('avro.codec'), `Ferry does not write ${codec}-compressed Avro yet`, 'Use "avro.codec": "deflate" (or null).');
  }
  if (values['schema.compatibility'] !== 'NONE') {
    problems.report(OBJECT_STORE_RULES.compatibilityIgnored, v.pathOf('schema.compatibility'), `schema.compatibility=${values['schema.compatibility']}: Ferry starts a new object at every schema change, as NONE does`, 'Remove the key, or keep it for when the config runs on Kafka Connect.');
  }
  const format = formatOf(ctx);
  const partitioner = partitionerOf(ctx);
  const scheduleMs = values['rotate.schedule.interval.ms'];
  const scheduleTimezone = values.timezone || (managed ? 'UTC' : '');
  if (scheduleMs > 0 && scheduleTimezone === '') {
    problems.report(OBJECT_STORE_RULES.scheduleNeedsTimezone, v.pathOf('rotate.schedule.interval.ms'), '`rotate.schedule.interval.ms` needs `timezone`', 'Set "timezone", e.g. "UTC".');
  }
  if (scheduleMs > 0 || (partitioner?.kind === 'time' && partitioner.extractor.kind === 'wallclock')) {
    problems.report(
      OBJECT_STORE_RULES.notExactlyOnce,
      v.pathOf(scheduleMs > 0 ? 'rotate.schedule.interval.ms' : 'timestamp.extractor'),
      'Objects are cut by the wall clock, so after a crash some records may be written again into differently named objects',
      'For exactly-once objects use rotate.interval.ms and timestamp.extractor=Record or RecordField.',
    );
  }

  const topics = topicsOf(ctx);
  const kafka = connectorKafka(
    env.pipelineKafka,
    {
      authMode: values['kafka.auth.mode'],
      apiKey: values['kafka.api.key'],
      apiSecret: values['kafka.api.secret'],
      apiKeyPath: v.pathOf(values['kafka.api.key'] === undefined ? 'kafka.api.secret' : 'kafka.api.key'),
      authModePath: v.pathOf('kafka.auth.mode'),
      connectorPath: env.path,
    },
    problems,
  );
  const common = { flavor: cls.flavor, given: v.given, pathOf: v.pathOf, connectorPath: env.path, pipelineRegistry: env.pipelineRegistry, kafkaUsername: kafka.sasl?.username, values };
  const value = resolveSerde<ValueFormat>({ ...common, which: 'value', managedFormat: values['input.data.format'], managedFormatKey: 'input.data.format', fallback: 'AVRO' }, problems);
  const transformed = resolveTransforms({ transforms: values.transforms, predicates: values.predicates, dynamic: v.dynamic, path: env.path }, problems);
  const unknown = maskUnknown({ ...v.unknown, ...transformed.unmatched }, env.secretValues);

  const tolerance = values['errors.tolerance'];
  const dlqName = values['errors.deadletterqueue.topic.name'].trim() || (managed && name !== '' ? `dlq-${sanitizeTopicName(name)}` : '');
  const outcome = { secrets: value.secrets, missingRegistry: value.missingRegistry };
  if (name === '' || secret === undefined || accountName === '' || !topics || !format || !partitioner || !value.serde) return { connector: undefined, ...outcome };

  const layout: ObjectStoreLayout = {
    topicsDir,
    format,
    avroCodec: codec === 'deflate' ? 'deflate' : 'null',
    flushSize: values['flush.size'],
    rotateIntervalMs: values['rotate.interval.ms'],
    rotateScheduleIntervalMs: scheduleMs,
    scheduleTimezone: scheduleTimezone || 'UTC',
    partitioner,
    directoryDelimiter: values['directory.delim'],
    fileDelimiter: values['file.delim'],
    offsetPadWidth: values['filename.offset.zero.pad.width'],
    nullValues: values['behavior.on.null.values'],
  };
  const connector: ResolvedObjectStoreSink = {
    role: 'sink',
    storage,
    name,
    connectorClass: typeof env.raw['connector.class'] === 'string' ? env.raw['connector.class'] : cls.name,
    flavor: cls.flavor,
    kafka,
    tasksMax: values['tasks.max'],
    topics,
    groupId: values['consumer.override.group.id'] ?? `connect-${name}`,
    batchSize: 500,
    account: { name: accountName, key: secret },
    container,
    storeUrl: values['store.url']?.trim() || undefined,
    layout,
    key: undefined,
    value: value.serde,
    transforms: transformed.transforms,
    predicates: transformed.predicates,
    errors: {
      tolerance,
      retryTimeoutMs: values['errors.retry.timeout'],
      retryDelayMaxMs: values['errors.retry.delay.max.ms'],
      logEnable: values['errors.log.enable'],
      logIncludeMessages: values['errors.log.include.messages'],
      deadLetterQueue: tolerance === 'all' && dlqName !== '' ? { topic: dlqName, replicationFactor: values['errors.deadletterqueue.topic.replication.factor'], contextHeadersEnable: true } : undefined,
    },
    unknown,
    original: copyObject(env.original as JsonObject),
    originalSecrets: env.originalSecrets,
    path: pathText(env.path),
  };
  return { connector, ...outcome };
}

export const AZURE_BLOB_SINK_FAMILY: ConnectorFamily = {
  id: 'azure-blob-sink',
  role: 'sink',
  title: 'Azure Blob Storage sink',
  pageIntro:
    'Writes records from Kafka topics into Azure Blob Storage as Avro object container files or JSON lines, laid out as Confluent\'s storage sinks lay them out: `<topics.dir>/<topic>/<partition directory>/<topic>+<partition>+<start offset>.<ext>`. Offsets are committed only after the objects holding the records are written, and a restart rewrites the same object names, so every record lands exactly once.',
  ownRulesOnly: true,
  keys: AZURE_BLOB_SINK_KEYS,
  rules: Object.values(OBJECT_STORE_RULES),
  pitfalls: PITFALLS,
  resolve: (env) => resolveObjectStoreSink(env, 'azure-blob'),
};

export const AZURE_DATALAKE_GEN2_SINK_FAMILY: ConnectorFamily = {
  id: 'azure-datalake-gen2-sink',
  role: 'sink',
  title: 'Azure Data Lake Storage Gen2 sink',
  pageIntro:
    'Writes records from Kafka topics into an ADLS Gen2 file system (the first segment of `topics.dir`) as Avro object container files or JSON lines: `<file system>/<rest of topics.dir>/<topic>/<partition directory>/<topic>+<partition>+<start offset>.<ext>`, as Confluent\'s Gen2 sink lays them out. Ferry writes through the account\'s Blob endpoint, which serves the same files as its DFS endpoint; its tests run against Azurite, which has no DFS endpoint. Offsets are committed only after the files are written, and a restart rewrites the same names, so every record lands exactly once.',
  ownRulesOnly: true,
  keys: AZURE_DATALAKE_GEN2_SINK_KEYS,
  rules: Object.values(OBJECT_STORE_RULES),
  pitfalls: PITFALLS,
  resolve: (env) => resolveObjectStoreSink(env, 'azure-datalake-gen2'),
};
