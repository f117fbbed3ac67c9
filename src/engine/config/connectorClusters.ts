/**
 * Which Kafka cluster (and Schema Registry) one connector runs against, when a pipeline spans clusters: capture on
 * an on-premises cluster, a replicator to the cloud, a sink reading the cloud (seed 001). Two spellings:
 *
 * - as Kafka Connect users write it: `producer.override.bootstrap.servers` (+ `producer.override.security.protocol`,
 *   `…sasl.*`, `…ssl.*`) on a source, `consumer.override.*` on a sink (KIP-458, `connector.client.config.override.policy=All`),
 *   with the converter's own `value.converter.schema.registry.url`;
 * - with a named cluster: the pipeline's `"clusters": { "<name>": { <kafka block keys>, "schema.registry.url": … } }`
 *   and `"kafka.cluster": "<name>"` on the connector, whose converters then default to that cluster's registry. A
 *   replicator names its two clusters with `src.kafka.cluster` and `dest.kafka.cluster`, which stand for the
 *   cluster's `src.kafka.*` / `dest.kafka.*` keys and its registry (`src.schema.registry.url` / `schema.registry.url`).
 *
 * The result becomes the connector's view of "the pipeline's cluster" before its class resolves it, so credentials
 * keys (`kafka.api.key`), converters and every later check see the cluster the connector really uses.
 */
import { emptyJsonObject, isJsonObject, type JsonObject, type JsonValue } from './jsonText';
import { KAFKA_KEYS, resolveKafkaBlock } from './kafkaBlock';
import { defineRule, type JsonPath, ProblemList } from './problems';
import { resolveRegistry } from './schemaRegistry';
import { Secret } from './secret';
import type { ResolvedKafka, ResolvedSchemaRegistry } from './types';

export const CLUSTER_RULES = {
  clustersNotObject: defineRule('pipeline.clusters-not-object', 'error', '`clusters` maps names to cluster blocks (Kafka client keys plus `schema.registry.url`).'),
  clusterUnknown: defineRule('connector.cluster-unknown', 'error', '`kafka.cluster` names one of the pipeline\'s `clusters`.'),
  overrideWithoutBootstrap: defineRule('connector.cluster-override-incomplete', 'warning', 'Client overrides without `bootstrap.servers` are not applied: Ferry takes a `producer.override.*` / `consumer.override.*` cluster only as a whole.'),
  overrideWrongRole: defineRule('connector.cluster-override-role', 'warning', 'A source writes with its producer (`producer.override.*`), a sink reads with its consumer (`consumer.override.*`).'),
};

/** The connector key that picks a named cluster. */
export const CLUSTER_NAME_KEY = 'kafka.cluster';
/** A replicator's keys that pick its source and destination among the named clusters. */
export const REPLICATOR_CLUSTER_KEYS = { source: 'src.kafka.cluster', destination: 'dest.kafka.cluster' } as const;
const OVERRIDE_PREFIX = { source: 'producer.override.', sink: 'consumer.override.' } as const;
const KAFKA_KEY_NAMES: ReadonlySet<string> = new Set(KAFKA_KEYS.flatMap((def) => [def.name, ...def.aliases]));
const REGISTRY_KEYS = ['schema.registry.url', 'schema.registry.basic.auth.user.info', 'basic.auth.user.info'] as const;

/** Keys this module reads on a connector (so the connector classes do not call them unknown). */
export function isConnectorClusterKey(key: string): boolean {
  if (key === CLUSTER_NAME_KEY || key === REPLICATOR_CLUSTER_KEYS.source || key === REPLICATOR_CLUSTER_KEYS.destination) return true;
  for (const prefix of Object.values(OVERRIDE_PREFIX)) {
    if (key.startsWith(prefix) && KAFKA_KEY_NAMES.has(key.slice(prefix.length))) return true;
  }
  return false;
}

export interface NamedCluster {
  kafka: ResolvedKafka;
  registry: ResolvedSchemaRegistry | undefined;
  /** The block as written (Kafka client keys and registry keys), for a replicator's `src.kafka.*` / `dest.kafka.*`. */
  block: JsonObject;
}

export interface ClustersResult {
  clusters: ReadonlyMap<string, NamedCluster>;
  secrets: string[];
}

/** The pipeline's `clusters` block; each entry is a kafka block plus its own Schema Registry. */
export function resolveNamedClusters(raw: JsonValue | undefined, problems: ProblemList): ClustersResult {
  const clusters = new Map<string, NamedCluster>();
  const secrets: string[] = [];
  if (raw === undefined) return { clusters, secrets };
  if (!isJsonObject(raw)) {
    problems.report(CLUSTER_RULES.clustersNotObject, ['clusters'], '`clusters` must be an object of named clusters', 'Write "clusters": { "onprem": { "bootstrap.servers": "127.0.0.1:19092", "schema.registry.url": "http://127.0.0.1:18081" }, "cloud": { … } }.');
    return { clusters, secrets };
  }
  for (const [name, block] of Object.entries(raw)) {
    const path: JsonPath = ['clusters', name];
    if (!isJsonObject(block)) {
      problems.report(CLUSTER_RULES.clustersNotObject, path, `Cluster "${name}" must be an object of Kafka client keys`, 'Write { "bootstrap.servers": "host:port", "schema.registry.url": "http://…" }.');
      continue;
    }
    const kafkaKeys = emptyJsonObject();
    for (const [key, value] of Object.entries(block)) if (!(REGISTRY_KEYS as readonly string[]).includes(key)) kafkaKeys[key] = value;
    const resolved = resolveKafkaBlock(kafkaKeys, path, problems);
    secrets.push(...resolved.secrets);
    const urls = listOf(block['schema.registry.url']);
    let registry: ResolvedSchemaRegistry | undefined;
    if (urls.length > 0) {
      const userInfoText = block['schema.registry.basic.auth.user.info'] ?? block['basic.auth.user.info'];
      const result = resolveRegistry(
        {
          urls,
          urlsPath: [...path, 'schema.registry.url'],
          userInfo: typeof userInfoText === 'string' ? new Secret(userInfoText) : undefined,
          userInfoPath: [...path, 'schema.registry.basic.auth.user.info'],
          kafkaUsername: resolved.kafka.sasl?.username,
        },
        problems,
      );
      secrets.push(...result.secrets);
      if (typeof userInfoText === 'string') secrets.push(userInfoText);
      registry = result.registry.urls.length > 0 ? result.registry : undefined;
    }
    clusters.set(name, { kafka: resolved.kafka, registry, block });
  }
  return { clusters, secrets };
}

/**
 * A replicator's `src.kafka.cluster` / `dest.kafka.cluster`: the named cluster's keys as `src.kafka.*` (and
 * `src.schema.registry.*`) or `dest.kafka.*` (and `schema.registry.*`, the destination registry). Keys the replicator
 * writes itself win.
 */
function replicatorClusters(input: ConnectorClusterInput): { raw?: JsonObject } {
  const { raw, path, problems } = input;
  const sides = [
    { key: REPLICATOR_CLUSTER_KEYS.source, kafkaPrefix: 'src.kafka.', registryPrefix: 'src.schema.registry.' },
    { key: REPLICATOR_CLUSTER_KEYS.destination, kafkaPrefix: 'dest.kafka.', registryPrefix: 'schema.registry.' },
  ] as const;
  if (!sides.some((side) => raw[side.key] !== undefined)) return {};
  const out = emptyJsonObject();
  for (const [key, value] of Object.entries(raw)) if (key !== REPLICATOR_CLUSTER_KEYS.source && key !== REPLICATOR_CLUSTER_KEYS.destination) out[key] = value;
  for (const side of sides) {
    const named = raw[side.key];
    if (named === undefined || named === null) continue;
    const cluster = typeof named === 'string' ? input.clusters.get(named.trim()) : undefined;
    if (!cluster) {
      const known = [...input.clusters.keys()];
      problems.report(
        CLUSTER_RULES.clusterUnknown,
        [...path, side.key],
        `\`${side.key}\` = ${JSON.stringify(named)} names no cluster of this pipeline${known.length > 0 ? ` (it has ${known.map((k) => `"${k}"`).join(', ')})` : ' (it has no `clusters` block)'}`,
        known.length > 0 ? `Use one of ${known.join(', ')}, or add it to "clusters".` : 'Add "clusters": { "<name>": { "bootstrap.servers": "host:port", "schema.registry.url": "…" } } at the top of the file.',
      );
      continue;
    }
    for (const [key, value] of Object.entries(cluster.block)) {
      const registryKey = key === 'basic.auth.user.info' ? 'basic.auth.user.info' : key.startsWith('schema.registry.') ? key.slice('schema.registry.'.length) : undefined;
      const target = registryKey !== undefined ? `${side.registryPrefix}${registryKey}` : `${side.kafkaPrefix}${key}`;
      if (out[target] === undefined) out[target] = value;
    }
  }
  return { raw: out };
}

function listOf(value: unknown): string[] {
  if (typeof value === 'string') return value.split(',').map((part) => part.trim()).filter(Boolean);
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string' && item.trim() !== '').map((item) => item.trim());
  return [];
}

export interface ConnectorClusterInput {
  raw: JsonObject;
  /** Path of `raw`. */
  path: JsonPath;
  role: 'source' | 'sink' | 'replicator';
  pipelineKafka: ResolvedKafka;
  pipelineRegistry: ResolvedSchemaRegistry | undefined;
  clusters: ReadonlyMap<string, NamedCluster>;
  problems: ProblemList;
}

export interface ConnectorCluster {
  /** A replicator's config with its named clusters written out as the keys they stand for; absent otherwise. */
  raw?: JsonObject;
  /** The cluster the connector reads or writes (its own credentials keys are applied on top by its class). */
  kafka: ResolvedKafka;
  /** The registry its converters use unless they name one. */
  registry: ResolvedSchemaRegistry | undefined;
  secrets: string[];
}

/**
 * The cluster one connector runs against: its `*.override.*` cluster, else its named cluster, else the pipeline's.
 * A replicator names its clusters with `src.kafka.*` / `dest.kafka.*` and is left as it is.
 */
export function resolveConnectorCluster(input: ConnectorClusterInput): ConnectorCluster {
  const { raw, path, role, problems } = input;
  let kafka = input.pipelineKafka;
  let registry = input.pipelineRegistry;
  const secrets: string[] = [];
  if (role === 'replicator') return { kafka, registry, secrets, ...replicatorClusters(input) };

  const named = raw[CLUSTER_NAME_KEY];
  if (named !== undefined && named !== null) {
    const cluster = typeof named === 'string' ? input.clusters.get(named.trim()) : undefined;
    if (cluster) {
      kafka = cluster.kafka;
      registry = cluster.registry ?? registry;
    } else {
      const known = [...input.clusters.keys()];
      problems.report(
        CLUSTER_RULES.clusterUnknown,
        [...path, CLUSTER_NAME_KEY],
        `\`kafka.cluster\` = ${JSON.stringify(named)} names no cluster of this pipeline${known.length > 0 ? ` (it has ${known.map((k) => `"${k}"`).join(', ')})` : ' (it has no `clusters` block)'}`,
        known.length > 0 ? `Use one of ${known.join(', ')}, or add it to "clusters".` : 'Add "clusters": { "<name>": { "bootstrap.servers": "host:port", "schema.registry.url": "…" } } at the top of the file.',
      );
    }
  }

  const own = OVERRIDE_PREFIX[role];
  const other = role === 'source' ? OVERRIDE_PREFIX.sink : OVERRIDE_PREFIX.source;
  const overrides = emptyJsonObject();
  for (const [key, value] of Object.entries(raw)) {
    if (!isConnectorClusterKey(key) || key === CLUSTER_NAME_KEY) continue;
    if (key.startsWith(other)) {
      problems.report(
        CLUSTER_RULES.overrideWrongRole,
        [...path, key],
        `\`${key}\` is not used: a ${role} ${role === 'source' ? 'writes with its producer' : 'reads with its consumer'}`,
        `Write it as \`${own}${key.slice(other.length)}\`.`,
      );
      continue;
    }
    overrides[key.slice(own.length)] = value;
  }
  if (Object.keys(overrides).length === 0) return { kafka, registry, secrets };
  if (overrides['bootstrap.servers'] === undefined) {
    problems.report(
      CLUSTER_RULES.overrideWithoutBootstrap,
      [...path, `${own}${Object.keys(overrides)[0] ?? ''}`],
      `\`${own}*\` keys are given without \`${own}bootstrap.servers\`, so they are not applied; the connector uses ${named === undefined ? 'the pipeline\'s cluster' : 'its named cluster'} as it is`,
      `Add "${own}bootstrap.servers" (with the protocol and credentials that cluster needs), or put per-connector credentials in kafka.api.key / kafka.api.secret.`,
    );
    return { kafka, registry, secrets };
  }
  // Resolved like a kafka block, with problems placed (and named) at the prefixed keys the user wrote.
  const inner = new ProblemList();
  const resolved = resolveKafkaBlock(overrides, [], inner);
  const names = [...KAFKA_KEY_NAMES].sort((a, b) => b.length - a.length);
  const rename = (text: string): string =>
    names.reduce((out, name) => out.split(`\`${name}\``).join(`\`${own}${name}\``).split(`"${name}"`).join(`"${own}${name}"`), text).replace(/the kafka block/g, `the ${own}* keys`);
  inner.items.forEach((item, index) => {
    const [first, ...rest] = inner.segments[index] ?? [];
    problems.add(item.severity, first === undefined ? path : [...path, `${own}${String(first)}`, ...rest], item.rule, rename(item.message), rename(item.hint));
  });
  secrets.push(...resolved.secrets);
  return { kafka: resolved.kafka, registry, secrets };
}
