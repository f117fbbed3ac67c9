/**
 * Keys of the replicator, named as Confluent Replicator names them (reference §5.1), plus Kafka Connect's
 * `exactly.once.support` (KIP-618) for the exactly-once option and a few Ferry tuning keys under Connect's
 * `src.consumer.*` / `producer.override.*` prefixes. `src.kafka.*` and `dest.kafka.*` are the pipeline `kafka`
 * block's keys with a prefix, so both clusters take the same settings (SASL/SSL, Confluent Cloud API keys).
 */
import { KAFKA_KEYS } from '../kafkaBlock';
import { type AnyKeyDef, booleanKey, enumKey, intKey, listKey, passwordKey, stringKey } from '../keys';
import { IDENTITY_KEYS } from './commonKeys';

export const REPLICATOR_GROUP = {
  source: 'Source cluster (src.kafka.*)',
  destination: 'Destination cluster (dest.kafka.*)',
  topics: 'Topics',
  delivery: 'Delivery and progress',
  offsets: 'Consumer group offset translation',
  schemas: 'Schema migration',
  tuning: 'Throughput tuning',
  compat: 'Accepted for compatibility',
} as const;

export const SOURCE_KAFKA_PREFIX = 'src.kafka.';
export const DEST_KAFKA_PREFIX = 'dest.kafka.';

/** The `kafka` block's keys under a prefix; validation strips the prefix and reuses the block's resolver. */
function prefixedKafkaKeys(prefix: string, group: string, cluster: string): AnyKeyDef[] {
  return KAFKA_KEYS.map((def): AnyKeyDef => ({
    ...def,
    name: `${prefix}${def.name}`,
    aliases: def.aliases.map((alias) => `${prefix}${alias}`),
    doc: `${cluster}: ${def.doc}`,
    group,
  }));
}

export const SOURCE_KAFKA_KEYS = prefixedKafkaKeys(SOURCE_KAFKA_PREFIX, REPLICATOR_GROUP.source, 'Source (origin) cluster');
export const DEST_KAFKA_KEYS = prefixedKafkaKeys(
  DEST_KAFKA_PREFIX,
  REPLICATOR_GROUP.destination,
  'Destination cluster (default: the pipeline\'s `kafka` block, as Replicator writes to its Connect worker\'s cluster)',
);

export const BYTE_ARRAY_CONVERTERS = ['io.confluent.connect.replicator.util.ByteArrayConverter', 'org.apache.kafka.connect.converters.ByteArrayConverter'] as const;

/** MirrorMaker 2's `groups.exclude` default: console consumers, Connect sinks and internal groups are not failed over. */
export const DEFAULT_GROUPS_EXCLUDE = ['console-consumer-.*', 'connect-.*', '__.*'] as const;

export const REPLICATOR_OWN_KEYS = [
  IDENTITY_KEYS[0],
  stringKey('name', {
    doc: 'Unique name of the replicator; it is the default `src.consumer.group.id` and names its status line and offset sync file.',
    group: REPLICATOR_GROUP.delivery,
  }),
  intKey('tasks.max', {
    doc: 'Tasks that share the source partitions, each with its own destination producer (transactional with `exactly.once.support`). A partition stays with one task for the whole run; one source group member runs them all.',
    group: REPLICATOR_GROUP.delivery,
    default: 1,
    min: 1,
  }),
  listKey('topic.whitelist', {
    aliases: ['topic.include'],
    doc: 'Source topics to copy by exact name. Together with `topic.regex`: a topic is copied when it is listed or matches.',
    group: REPLICATOR_GROUP.topics,
    default: [],
    example: ['test-topic'],
  }),
  stringKey('topic.regex', {
    doc: 'Regular expression (whole-name match) of source topics to copy; new matching topics are picked up every `topic.poll.interval.ms`.',
    group: REPLICATOR_GROUP.topics,
  }),
  listKey('topic.blacklist', {
    aliases: ['topic.exclude'],
    doc: 'Source topics never copied, applied before the whitelist and regex. Internal topics (`__consumer_offsets`, `__transaction_state`, …) are never copied.',
    group: REPLICATOR_GROUP.topics,
    default: [],
  }),
  stringKey('topic.rename.format', {
    doc: 'Destination topic name; `${topic}` stands for the source topic (e.g. `${topic}.replica`). Schema subjects are renamed with it.',
    group: REPLICATOR_GROUP.topics,
    default: '${topic}',
  }),
  booleanKey('topic.auto.create', {
    doc: 'Create missing destination topics with the source topic\'s partition count and topic configs.',
    group: REPLICATOR_GROUP.topics,
    default: true,
  }),
  booleanKey('topic.preserve.partitions', {
    doc: 'Write each record to the partition number it has in the source. `false` lets the producer partition by key (then group offsets cannot be translated).',
    group: REPLICATOR_GROUP.topics,
    default: true,
  }),
  booleanKey('topic.config.sync', {
    doc: 'Keep destination topic configs (cleanup.policy, retention, compaction settings, …) and partition counts in step with the source.',
    group: REPLICATOR_GROUP.topics,
    default: true,
  }),
  intKey('topic.config.sync.interval.ms', {
    doc: 'How often topic configs are compared and synced, in milliseconds.',
    group: REPLICATOR_GROUP.topics,
    default: 120000,
    min: 100,
  }),
  intKey('topic.poll.interval.ms', {
    doc: 'How often the source topic list is read again, so new matching topics (and new partitions) are copied while running.',
    group: REPLICATOR_GROUP.topics,
    default: 120000,
    min: 100,
  }),
  enumKey('topic.timestamp.type', ['CreateTime', 'LogAppendTime'], {
    doc: '`message.timestamp.type` of created destination topics. `CreateTime` keeps each record\'s source timestamp; `LogAppendTime` lets the destination broker stamp records.',
    group: REPLICATOR_GROUP.topics,
    default: 'CreateTime',
  }),
  intKey('dest.topic.replication.factor', {
    doc: 'Replication factor of created destination topics; 0 = the source topic\'s (capped at the destination\'s broker count). Confluent Cloud needs 3.',
    group: REPLICATOR_GROUP.topics,
    default: 0,
    min: 0,
  }),
  booleanKey('provenance.header.enable', {
    doc: 'Add a `__replicator_id` header (origin cluster id, origin topic, time of first replication) and skip records whose origin is the destination cluster: active-active setups (a→b and b→a) then do not loop. Enable it in both directions.',
    group: REPLICATOR_GROUP.delivery,
    default: false,
  }),
  stringKey('src.consumer.group.id', {
    doc: 'Source-cluster consumer group that holds the replicator\'s progress (external tools see its lag there).',
    group: REPLICATOR_GROUP.delivery,
    defaultDoc: 'the connector `name`',
  }),
  enumKey('exactly.once.support', ['requested', 'required'], {
    doc: 'Kafka Connect\'s exactly-once source key (KIP-618). Set it and Ferry writes each batch in a destination transaction that also commits the source offsets on the destination, so a crash neither loses nor duplicates (for `read_committed` consumers). Unset: at-least-once.',
    group: REPLICATOR_GROUP.delivery,
    valueDocs: { requested: 'Exactly-once (Ferry always provides it when asked).', required: 'Exactly-once.' },
  }),
  intKey('offset.translator.tasks.max', {
    doc: 'Replicator\'s switch for consumer offset translation: 0 turns it off, any other value (default -1) on. Ferry translates from the groups\' committed offsets on the source, so no interceptor is needed.',
    group: REPLICATOR_GROUP.offsets,
    default: -1,
    min: -1,
  }),
  intKey('offset.translator.batch.period.ms', {
    doc: 'How often group offsets are translated and committed on the destination, in milliseconds.',
    group: REPLICATOR_GROUP.offsets,
    default: 60000,
    min: 100,
  }),
  listKey('offset.translator.groups', {
    doc: 'Regular expressions of the source consumer groups whose offsets are translated (MirrorMaker 2\'s `groups`). Only groups that are empty or absent on the destination are written, and an offset never moves backwards.',
    group: REPLICATOR_GROUP.offsets,
    default: ['.*'],
  }),
  listKey('offset.translator.groups.exclude', {
    doc: 'Regular expressions of groups never translated (MirrorMaker 2\'s `groups.exclude`). The replicator\'s own groups are always excluded.',
    group: REPLICATOR_GROUP.offsets,
    default: [...DEFAULT_GROUPS_EXCLUDE],
  }),
  listKey('schema.registry.url', {
    doc: 'Destination Schema Registry. With `src.schema.registry.url`, Avro subjects are copied under the renamed topic (`<dest topic>-value`) and each record\'s schema id is rewritten to the destination\'s.',
    group: REPLICATOR_GROUP.schemas,
    default: [],
  }),
  passwordKey('schema.registry.client.basic.auth.user.info', {
    aliases: ['schema.registry.basic.auth.user.info'],
    doc: '`<key>:<secret>` for the destination registry (Confluent Cloud: a Schema Registry API key).',
    group: REPLICATOR_GROUP.schemas,
  }),
  listKey('src.schema.registry.url', {
    doc: 'Source Schema Registry, read over its REST API (Replicator reads the `_schemas` topic instead).',
    group: REPLICATOR_GROUP.schemas,
    default: [],
  }),
  passwordKey('src.schema.registry.basic.auth.user.info', {
    doc: '`<key>:<secret>` for the source registry.',
    group: REPLICATOR_GROUP.schemas,
  }),
  stringKey('schema.subject.translator.class', {
    doc: 'Replicator\'s subject translator; Ferry always renames `<topic>-key`/`<topic>-value` subjects with `topic.rename.format` (DefaultSubjectTranslator\'s behaviour).',
    group: REPLICATOR_GROUP.schemas,
  }),
  stringKey('schema.registry.topic', {
    doc: 'Replicator reads the source registry\'s `_schemas` topic; Ferry reads the source registry over REST instead (`src.schema.registry.url`).',
    group: REPLICATOR_GROUP.schemas,
  }),
  intKey('src.consumer.max.partition.fetch.bytes', {
    doc: 'Most bytes fetched per source partition in one fetch.',
    group: REPLICATOR_GROUP.tuning,
    default: 1048576,
    min: 1024,
  }),
  intKey('src.consumer.fetch.max.bytes', {
    doc: 'Most bytes in one fetch response.',
    group: REPLICATOR_GROUP.tuning,
    default: 8388608,
    min: 1024,
  }),
  intKey('src.consumer.fetch.max.wait.ms', {
    doc: 'How long the source broker may hold a fetch waiting for data.',
    group: REPLICATOR_GROUP.tuning,
    default: 200,
    min: 0,
  }),
  intKey('src.consumer.session.timeout.ms', {
    doc: 'Source group session timeout: after a crash, a restarted replicator gets its partitions back after at most this long.',
    group: REPLICATOR_GROUP.tuning,
    default: 10000,
    min: 6000,
  }),
  intKey('producer.override.batch.size', {
    doc: 'Bytes of records gathered (across partitions) into one destination produce request or transaction.',
    group: REPLICATOR_GROUP.tuning,
    default: 4194304,
    min: 1024,
  }),
  intKey('producer.override.linger.ms', {
    doc: 'How long records may wait for others to share their produce request.',
    group: REPLICATOR_GROUP.tuning,
    default: 5,
    min: 0,
  }),
  enumKey('producer.override.compression.type', ['none', 'gzip', 'snappy', 'lz4', 'zstd'], {
    doc: 'How the destination producer compresses record batches, as Kafka producers do (`compression.type`). Saves network and destination disk at the cost of CPU; the destination topic\'s own `compression.type` (default `producer`) decides what is stored.',
    group: REPLICATOR_GROUP.tuning,
    default: 'none',
  }),
  stringKey('key.converter', {
    doc: 'Must be a ByteArrayConverter: the replicator copies bytes.',
    group: REPLICATOR_GROUP.compat,
    default: BYTE_ARRAY_CONVERTERS[0],
  }),
  stringKey('value.converter', {
    doc: 'Must be a ByteArrayConverter: the replicator copies bytes.',
    group: REPLICATOR_GROUP.compat,
    default: BYTE_ARRAY_CONVERTERS[0],
  }),
  stringKey('header.converter', {
    doc: 'Must be a ByteArrayConverter: the replicator copies bytes.',
    group: REPLICATOR_GROUP.compat,
    default: BYTE_ARRAY_CONVERTERS[0],
  }),
  stringKey('confluent.topic.bootstrap.servers', {
    doc: 'Replicator\'s license topic cluster; Ferry needs no license and ignores it.',
    group: REPLICATOR_GROUP.compat,
  }),
  intKey('confluent.topic.replication.factor', {
    doc: 'Replicator\'s license topic replication factor; ignored.',
    group: REPLICATOR_GROUP.compat,
  }),
  passwordKey('confluent.license', {
    doc: 'Confluent license key; ignored.',
    group: REPLICATOR_GROUP.compat,
  }),
] as const;

/** Every key, for docs, the JSON Schema and secret masking; `src.kafka.*`/`dest.kafka.*` are validated by the kafka block's rules. */
export const REPLICATOR_KEYS: readonly AnyKeyDef[] = [...REPLICATOR_OWN_KEYS, ...SOURCE_KAFKA_KEYS, ...DEST_KAFKA_KEYS];
