/**
 * The replicator (Confluent Replicator's keys, reference §5.1): checks across keys and resolution into
 * ResolvedReplicator. `src.kafka.*` and `dest.kafka.*` go through the pipeline `kafka` block's own resolver, so
 * SASL/SSL and Confluent Cloud keys mean the same on both clusters as in the block.
 */
import { emptyJsonObject, type JsonObject } from '../jsonText';
import { KAFKA_KEYS, resolveKafkaBlock } from '../kafkaBlock';
import type { KeyValues } from '../keys';
import { defineRule, type JsonPath, ProblemList } from '../problems';
import { resolveRegistry } from '../schemaRegistry';
import { maskUnknown } from '../secretScrub';
import { topicNameProblem } from '../topics';
import type { ResolvedKafka, ResolvedReplicator, ResolvedSchemaRegistry } from '../types';
import { validateKeys } from '../validateKeys';
import { COMMON_RULES, type ConnectorEnv, type ConnectorFamily, type ConnectorOutcome, copyObject, pathText } from './connectorCommon';
import { BYTE_ARRAY_CONVERTERS, DEST_KAFKA_PREFIX, REPLICATOR_KEYS, REPLICATOR_OWN_KEYS, SOURCE_KAFKA_PREFIX } from './replicatorKeys';

type ReplicatorValues = KeyValues<typeof REPLICATOR_OWN_KEYS>;

export const REPLICATOR_RULES = {
  sourceMissing: defineRule('replicator.source-missing', 'error', 'The source cluster is `src.kafka.bootstrap.servers`; it has no default.'),
  destinationMissing: defineRule('replicator.destination-missing', 'error', 'The destination is `dest.kafka.bootstrap.servers`, or the pipeline\'s `kafka` block.'),
  topicsMissing: defineRule('replicator.topics-missing', 'error', 'Name the topics to copy with `topic.whitelist` or `topic.regex`.'),
  regexInvalid: defineRule('replicator.regex-invalid', 'error', '`topic.regex` and the group patterns are regular expressions.'),
  renameInvalid: defineRule('replicator.rename-invalid', 'error', '`topic.rename.format` must give legal topic names.'),
  renameConstant: defineRule('replicator.rename-constant', 'warning', 'A `topic.rename.format` without `${topic}` writes every source topic into one destination topic.'),
  selfLoop: defineRule('replicator.self-loop', 'error', 'Source and destination are the same cluster and topic names do not change: records would be copied onto themselves.'),
  converter: defineRule('replicator.converter', 'error', 'The replicator copies bytes: converters must be ByteArrayConverter.'),
  registryPair: defineRule('replicator.registry-pair', 'error', 'Schema migration needs both registries: `src.schema.registry.url` and `schema.registry.url`.'),
  schemaTopic: defineRule('replicator.schema-registry-topic', 'warning', 'Ferry reads the source registry over REST, not its `_schemas` topic.'),
  exactlyOnceRepartition: defineRule('replicator.exactly-once-repartition', 'error', 'Exactly-once keeps its checkpoint per destination partition, so it needs `topic.preserve.partitions=true`.'),
  partitionsNotPreserved: defineRule('replicator.partitions-not-preserved', 'warning', 'Without `topic.preserve.partitions` consumer group offsets cannot be translated.'),
};

const PITFALLS = [
  'At-least-once (the default) may copy a record twice after a crash: the progress is committed after the destination acknowledged, about once a second. Use `exactly.once.support` and `read_committed` consumers when duplicates matter.',
  'Schema ids inside Confluent-framed records are copied as they are unless both registries are named: then subjects are copied and ids rewritten. Without that, destination consumers need the same registry (or get error 40403).',
  'Group offsets are translated from sync points the replicator records as it copies; a group committed inside a batch resumes at the start of that batch on the destination (it re-reads at most the records that were in flight).',
  'With `provenance.header.enable`, records carry an extra `__replicator_id` header on the destination; all other headers are copied unchanged.',
  'A destination topic that already exists keeps its partition count when it has more partitions than the source; with fewer, the missing partitions are added.',
];

function checkRegex(pattern: string, path: JsonPath, key: string, problems: ProblemList): boolean {
  try {
    new RegExp(`^(?:${pattern})$`);
    return true;
  } catch {
    problems.report(REPLICATOR_RULES.regexInvalid, path, `"${pattern}" in \`${key}\` is not a valid regular expression`, 'Escape special characters, e.g. test\\.topic for a literal dot.');
    return false;
  }
}

/** The prefixed keys, prefix stripped, as a `kafka` block object. */
function prefixedBlock(raw: JsonObject, prefix: string): JsonObject {
  const block = emptyJsonObject();
  for (const [key, value] of Object.entries(raw)) if (key.startsWith(prefix)) block[key.slice(prefix.length)] = value;
  return block;
}

/**
 * Resolves `src.kafka.*` or `dest.kafka.*` with the kafka block's resolver, then reports its problems at the
 * prefixed keys (and with the prefixed names in the text), as the user wrote them.
 */
function resolvePrefixedKafka(env: ConnectorEnv, prefix: string): { kafka: ResolvedKafka; secrets: string[] } {
  const inner = new ProblemList();
  const result = resolveKafkaBlock(prefixedBlock(env.raw, prefix), [], inner);
  const names = KAFKA_KEYS.flatMap((def) => [def.name, ...def.aliases]).sort((a, b) => b.length - a.length);
  const rename = (text: string): string =>
    names.reduce((out, name) => out.split(`\`${name}\``).join(`\`${prefix}${name}\``).split(`"${name}"`).join(`"${prefix}${name}"`), text).replace(/the kafka block/g, `the ${prefix}* keys`);
  inner.items.forEach((item, index) => {
    const segments = inner.segments[index] ?? [];
    const [first, ...rest] = segments;
    const path: JsonPath = first === undefined ? env.path : [...env.path, `${prefix}${String(first)}`, ...rest];
    env.problems.add(item.severity, path, item.rule, rename(item.message), rename(item.hint));
  });
  return result;
}

function hasPrefixedKeys(raw: JsonObject, prefix: string): boolean {
  return Object.keys(raw).some((key) => key.startsWith(prefix));
}

function registryFrom(env: ConnectorEnv, urls: readonly string[], urlKey: string, userInfo: ReplicatorValues['src.schema.registry.basic.auth.user.info'], userInfoKey: string, kafkaUsername: string | undefined, pathOf: (key: string) => JsonPath): { registry: ResolvedSchemaRegistry | undefined; secrets: string[] } {
  if (urls.length === 0) return { registry: undefined, secrets: [] };
  const result = resolveRegistry({ urls, urlsPath: pathOf(urlKey), userInfo, userInfoPath: pathOf(userInfoKey), kafkaUsername }, env.problems);
  return { registry: result.registry.urls.length > 0 ? result.registry : undefined, secrets: result.secrets };
}

/** Destination topic name for a source topic (Replicator's `${topic}` substitution). */
export function renameTopic(format: string, topic: string): string {
  return format.split('${topic}').join(topic);
}

function resolveReplicator(env: ConnectorEnv): ConnectorOutcome {
  const { problems, connectorClass: cls } = env;
  const isClusterKey = (key: string): boolean => key.startsWith(SOURCE_KAFKA_PREFIX) || key.startsWith(DEST_KAFKA_PREFIX);
  const v = validateKeys(REPLICATOR_OWN_KEYS, env.raw, problems, { path: env.path, owner: cls.name, flavor: cls.flavor, isDynamic: isClusterKey, docs: `docs/connectors/${cls.name}.md` });
  const values = v.values;
  const secrets: string[] = [];
  const name = (values.name ?? env.outerName ?? '').trim();
  if (name === '') {
    problems.report(COMMON_RULES.nameMissing, v.pathOf('name'), `This ${cls.name} connector has no \`name\``, 'Add "name": "<unique name>"; the replicator\'s consumer group and checkpoints are keyed by it, so keep it stable.');
  }

  // Clusters
  let source: ResolvedKafka | undefined;
  if (!hasPrefixedKeys(env.raw, SOURCE_KAFKA_PREFIX)) {
    problems.report(REPLICATOR_RULES.sourceMissing, [...env.path, 'src.kafka.bootstrap.servers'], 'The replicator has no source cluster', 'Add "src.kafka.bootstrap.servers": "host:port" (the lab\'s cluster a: 127.0.0.1:19092), plus src.kafka.security.protocol and credentials when needed.');
  } else {
    const resolved = resolvePrefixedKafka(env, SOURCE_KAFKA_PREFIX);
    source = resolved.kafka;
    secrets.push(...resolved.secrets);
  }
  let destination: ResolvedKafka | undefined;
  if (hasPrefixedKeys(env.raw, DEST_KAFKA_PREFIX)) {
    const resolved = resolvePrefixedKafka(env, DEST_KAFKA_PREFIX);
    destination = resolved.kafka;
    secrets.push(...resolved.secrets);
  } else if (env.pipelineKafka.bootstrapServers.length > 0) destination = env.pipelineKafka;
  else {
    problems.report(REPLICATOR_RULES.destinationMissing, [...env.path, 'dest.kafka.bootstrap.servers'], 'The replicator has no destination cluster', 'Add "dest.kafka.bootstrap.servers": "host:port" (the lab\'s cluster b: 127.0.0.1:29092), or a "kafka" block to the pipeline file.');
  }

  // Topics
  const regex = values['topic.regex']?.trim() || undefined;
  if (values['topic.whitelist'].length === 0 && regex === undefined) {
    problems.report(REPLICATOR_RULES.topicsMissing, v.pathOf('topic.whitelist'), 'The replicator names no topics to copy', 'Add "topic.whitelist": "test-topic" (exact names) or "topic.regex": "orders\\\\..*".');
  }
  if (regex !== undefined) checkRegex(regex, v.pathOf('topic.regex'), 'topic.regex', problems);
  for (const key of ['offset.translator.groups', 'offset.translator.groups.exclude'] as const) {
    for (const pattern of values[key]) checkRegex(pattern, v.pathOf(key), key, problems);
  }
  const format = values['topic.rename.format'];
  const sample = renameTopic(format, 'topic');
  const why = topicNameProblem(sample);
  if (why !== undefined) {
    problems.report(REPLICATOR_RULES.renameInvalid, v.pathOf('topic.rename.format'), `\`topic.rename.format\` = "${format}" gives destination names Kafka refuses: ${why}`, 'Use letters, digits, ".", "_" and "-" around ${topic}, e.g. "${topic}.replica".');
  } else if (!format.includes('${topic}')) {
    problems.report(REPLICATOR_RULES.renameConstant, v.pathOf('topic.rename.format'), `\`topic.rename.format\` = "${format}" has no \${topic}: every source topic is written into "${format}"`, 'Write "${topic}" into the format, e.g. "${topic}.replica", unless merging topics is intended.');
  }
  for (const topic of values['topic.whitelist']) {
    const invalid = topicNameProblem(renameTopic(format, topic));
    if (invalid !== undefined && why === undefined) {
      problems.report(REPLICATOR_RULES.renameInvalid, v.pathOf('topic.whitelist'), `Topic "${topic}" would be copied to "${renameTopic(format, topic)}", which Kafka refuses: ${invalid}`, 'Fix the topic name or `topic.rename.format`.');
    }
  }
  if (source && destination && format === '${topic}') {
    const same = source.bootstrapServers.some((server) => destination.bootstrapServers.includes(server));
    if (same) {
      problems.report(REPLICATOR_RULES.selfLoop, v.pathOf('topic.rename.format'), `Source and destination share ${source.bootstrapServers.join(', ')} and \`topic.rename.format\` keeps names: every record would be copied onto its own topic`, 'Point dest.kafka.bootstrap.servers at the other cluster, or rename, e.g. "topic.rename.format": "${topic}.replica".');
    }
  }
  if (!values['topic.preserve.partitions'] && values['offset.translator.tasks.max'] !== 0) {
    problems.report(REPLICATOR_RULES.partitionsNotPreserved, v.pathOf('topic.preserve.partitions'), 'With `topic.preserve.partitions=false` records change partition, so consumer group offsets are not translated', 'Keep the default (true) for failover, or set "offset.translator.tasks.max": 0 to say translation is not wanted.');
  }

  // Converters: bytes only
  for (const key of ['key.converter', 'value.converter', 'header.converter'] as const) {
    const value = values[key].trim();
    if (!(BYTE_ARRAY_CONVERTERS as readonly string[]).includes(value)) {
      problems.report(REPLICATOR_RULES.converter, v.pathOf(key), `\`${key}\` = "${value}": the replicator copies keys, values and headers byte for byte`, `Use "${BYTE_ARRAY_CONVERTERS[0]}" or remove the key; schema ids are handled by schema migration (schema.registry.url).`);
    }
  }

  // Delivery
  const exactlyOnce = values['exactly.once.support'] !== undefined;
  // Every task, in both modes: a partition stays with one task (and its transactional producer) for the whole run.
  const tasksMax = values['tasks.max'];

  if (exactlyOnce && !values['topic.preserve.partitions']) {
    problems.report(REPLICATOR_RULES.exactlyOnceRepartition, v.pathOf('topic.preserve.partitions'), 'Exactly-once needs `topic.preserve.partitions=true`: its checkpoint is stored per destination partition', 'Remove "topic.preserve.partitions": false, or remove exactly.once.support.');
  }

  // Schema migration
  if (values['schema.registry.topic'] !== undefined) {
    problems.report(REPLICATOR_RULES.schemaTopic, v.pathOf('schema.registry.topic'), '`schema.registry.topic` is not used: Ferry reads the source registry over its REST API', 'Set "src.schema.registry.url" to the source registry instead.');
  }
  const destRegistry = registryFrom(env, values['schema.registry.url'], 'schema.registry.url', values['schema.registry.client.basic.auth.user.info'], 'schema.registry.client.basic.auth.user.info', destination?.sasl?.username, v.pathOf);
  const srcRegistry = registryFrom(env, values['src.schema.registry.url'], 'src.schema.registry.url', values['src.schema.registry.basic.auth.user.info'], 'src.schema.registry.basic.auth.user.info', source?.sasl?.username, v.pathOf);
  secrets.push(...destRegistry.secrets, ...srcRegistry.secrets);
  if ((destRegistry.registry === undefined) !== (srcRegistry.registry === undefined)) {
    const missing = destRegistry.registry === undefined ? 'schema.registry.url' : 'src.schema.registry.url';
    problems.report(REPLICATOR_RULES.registryPair, v.pathOf(missing), `Schema migration needs \`${missing}\` too`, missing === 'schema.registry.url' ? 'Add "schema.registry.url": the destination registry that subjects are copied to.' : 'Add "src.schema.registry.url": the registry the source records\' schema ids belong to.');
  }

  if (name === '' || source === undefined || destination === undefined) return { connector: undefined, secrets, missingRegistry: false };
  const replicator: ResolvedReplicator = {
    role: 'replicator',
    name,
    connectorClass: String(env.raw['connector.class'] ?? cls.name),
    flavor: cls.flavor,
    source,
    destination,
    tasksMax,
    topics: { include: values['topic.whitelist'], regex, exclude: values['topic.blacklist'] },
    renameFormat: format,
    autoCreate: values['topic.auto.create'],
    preservePartitions: values['topic.preserve.partitions'],
    configSync: values['topic.config.sync'],
    configSyncIntervalMs: values['topic.config.sync.interval.ms'],
    topicPollIntervalMs: values['topic.poll.interval.ms'],
    timestampType: values['topic.timestamp.type'],
    destReplicationFactor: values['dest.topic.replication.factor'],
    provenanceHeader: values['provenance.header.enable'],
    groupId: values['src.consumer.group.id']?.trim() || name,
    offsetTranslation: {
      enabled: values['offset.translator.tasks.max'] !== 0 && values['topic.preserve.partitions'],
      groups: values['offset.translator.groups'],
      groupsExclude: values['offset.translator.groups.exclude'],
      intervalMs: values['offset.translator.batch.period.ms'],
    },
    delivery: exactlyOnce ? 'exactly-once' : 'at-least-once',
    schemaMigration: destRegistry.registry && srcRegistry.registry ? { source: srcRegistry.registry, destination: destRegistry.registry } : undefined,
    consumer: {
      maxBytes: values['src.consumer.fetch.max.bytes'],
      maxBytesPerPartition: values['src.consumer.max.partition.fetch.bytes'],
      maxWaitMs: values['src.consumer.fetch.max.wait.ms'],
      sessionTimeoutMs: values['src.consumer.session.timeout.ms'],
    },
    producer: { requestBytes: values['producer.override.batch.size'], lingerMs: values['producer.override.linger.ms'], compression: values['producer.override.compression.type'] },
    unknown: maskUnknown({ ...v.unknown }, env.secretValues),
    original: copyObject(env.original),
    originalSecrets: env.originalSecrets,
    path: pathText(env.path),
  };
  return { connector: replicator, secrets, missingRegistry: false };
}

export const REPLICATOR_FAMILY: ConnectorFamily = {
  id: 'replicator',
  role: 'replicator',
  title: 'Replicator',
  pageIntro:
    'Kafka → Kafka: copies topics from the source cluster (`src.kafka.*`) to the destination (`dest.kafka.*`, or the pipeline\'s `kafka` block) byte for byte — key, value, headers, timestamp, same partition — and keeps topic configs, schemas and consumer group offsets in step. Run it with `ferry replicate FILE` (a pipeline file, or the connector config alone). Delivery modes and offset translation: [docs/replicator.md](../replicator.md).',
  ownRulesOnly: true,
  keys: REPLICATOR_KEYS,
  rules: Object.values(REPLICATOR_RULES),
  pitfalls: PITFALLS,
  resolve: resolveReplicator,
};
