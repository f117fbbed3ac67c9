/**
 * A replicator (Confluent Replicator's keys, as Ferry runs them) as MirrorMaker 2: the dedicated-mode properties file
 * (`connect-mirror-maker.sh mm2.properties`) and the three connector configs for a Connect cluster. What MirrorMaker 2
 * cannot do the same way (a `topic.rename.format` it has no policy for, repartitioning, schema migration) is a note in
 * plain words, never silently dropped. Secrets are not written: the files read them from environment variables
 * through Kafka's EnvVarConfigProvider, and the notes name the variables.
 */
import type { ResolvedKafka, ResolvedPipeline, ResolvedReplicator } from '../config/types';
import type { DeployNote } from './translate';

export const MIRROR_SOURCE = 'org.apache.kafka.connect.mirror.MirrorSourceConnector';
export const MIRROR_CHECKPOINT = 'org.apache.kafka.connect.mirror.MirrorCheckpointConnector';
export const MIRROR_HEARTBEAT = 'org.apache.kafka.connect.mirror.MirrorHeartbeatConnector';
export const IDENTITY_POLICY = 'org.apache.kafka.connect.mirror.IdentityReplicationPolicy';
export const DEFAULT_POLICY = 'org.apache.kafka.connect.mirror.DefaultReplicationPolicy';
const BYTES = 'org.apache.kafka.connect.converters.ByteArrayConverter';

export interface Mm2Export {
  replicator: string;
  /** The dedicated-mode properties file's text. */
  properties: string;
  /** Connector configs for a Connect cluster (REST bodies: `{name, config}`). */
  connectors: { name: string; config: Record<string, string> }[];
  /** Environment variables the files read secrets from. */
  environment: string[];
  notes: DeployNote[];
}

/** How `topic.rename.format` maps onto a replication policy, or why it cannot. */
export function renamePolicy(format: string): { policy: 'identity' } | { policy: 'prefix'; alias: string; separator: string } | { policy: 'none'; why: string } {
  if (format === '${topic}') return { policy: 'identity' };
  const at = format.indexOf('${topic}');
  if (at > 1 && at + '${topic}'.length === format.length && !format.slice(0, at).includes('${')) {
    const prefix = format.slice(0, at);
    return { policy: 'prefix', alias: prefix.slice(0, -1), separator: prefix.slice(-1) };
  }
  if (at < 0) return { policy: 'none', why: `"${format}" names one topic for every source topic; MirrorMaker 2 keeps one remote topic per source topic` };
  if (at === 1) return { policy: 'none', why: `"${format}" prefixes a single character; MirrorMaker 2's prefix is "<cluster alias><separator>", at least two characters` };
  return { policy: 'none', why: `"${format}" puts text after (or around) the topic name; MirrorMaker 2 can keep names (IdentityReplicationPolicy) or prefix them with "<source alias><separator>" (DefaultReplicationPolicy), nothing else without a ReplicationPolicy class of your own` };
}

/** One regex for MirrorMaker's `topics` list from Replicator's exact names plus its regex. */
function topicsList(replicator: ResolvedReplicator): string {
  const escape = (name: string): string => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return [...replicator.topics.include.map(escape), ...(replicator.topics.regex ? [replicator.topics.regex] : [])].join(',');
}

function clientKeys(kafka: ResolvedKafka, envPrefix: string, environment: string[]): [string, string][] {
  const out: [string, string][] = [['bootstrap.servers', kafka.bootstrapServers.join(',')]];
  if (kafka.securityProtocol === 'PLAINTEXT') return out;
  out.push(['security.protocol', kafka.securityProtocol]);
  if (kafka.sasl) {
    const module = kafka.sasl.mechanism === 'PLAIN' ? 'org.apache.kafka.common.security.plain.PlainLoginModule' : 'org.apache.kafka.common.security.scram.ScramLoginModule';
    const variable = `${envPrefix}_KAFKA_PASSWORD`;
    environment.push(variable);
    out.push(['sasl.mechanism', kafka.sasl.mechanism], ['sasl.jaas.config', `${module} required username="${kafka.sasl.username}" password="\${env:${variable}}";`]);
  }
  if (kafka.tls?.caLocation) out.push(['ssl.truststore.type', 'PEM'], ['ssl.truststore.location', kafka.tls.caLocation]);
  return out;
}

function exportReplicator(replicator: ResolvedReplicator): Mm2Export {
  const notes: DeployNote[] = [];
  const note = (n: Omit<DeployNote, 'connector'>): void => void notes.push({ connector: replicator.name, ...n });
  const environment: string[] = [];
  const rename = renamePolicy(replicator.renameFormat);
  let source = 'source';
  const target = 'target';
  let policy: [string, string][] = [['replication.policy.class', IDENTITY_POLICY]];
  if (rename.policy === 'prefix') {
    source = rename.alias === target ? `${rename.alias}-src` : rename.alias;
    policy = [['replication.policy.class', DEFAULT_POLICY], ['replication.policy.separator', rename.separator]];
    if (source !== rename.alias) note({ key: 'topic.rename.format', kind: 'dropped', message: `the prefix "${rename.alias}" is also MirrorMaker's name for the other cluster; rename it` });
  } else if (rename.policy === 'none') {
    note({ key: 'topic.rename.format', kind: 'not-deployed', message: `MirrorMaker 2 cannot rename topics this way: ${rename.why}. The export keeps the source names (IdentityReplicationPolicy); change topic.rename.format or write a ReplicationPolicy class` });
  }
  const replicationFactor = replicator.destReplicationFactor > 0 ? replicator.destReplicationFactor : -1;
  if (replicator.destReplicationFactor === 0) note({ key: 'dest.topic.replication.factor', kind: 'renamed', message: "MirrorMaker 2 cannot copy each source topic's replication factor; new topics get the destination broker's default (replication.factor=-1)" });
  if (!replicator.preservePartitions) note({ key: 'topic.preserve.partitions', kind: 'not-deployed', message: 'MirrorMaker 2 always writes a record to the partition it came from' });
  if (replicator.schemaMigration) note({ key: 'schema.registry.url', kind: 'not-deployed', message: 'MirrorMaker 2 does not copy Schema Registry subjects; copy them first (e.g. Confluent Schema Linking) or keep one registry for both clusters' });
  if (replicator.provenanceHeader) note({ key: 'provenance.header.enable', kind: 'not-deployed', message: 'MirrorMaker 2 adds no provenance header; IdentityReplicationPolicy cannot tell a copy from an original, so never mirror both ways with it' });
  if (replicator.timestampType === 'LogAppendTime') note({ key: 'dest.topic.timestamp.type', kind: 'not-deployed', message: 'MirrorMaker 2 keeps the records\' timestamps' });
  note({ key: 'src.consumer.group.id', kind: 'dropped', message: 'MirrorMaker 2 keeps its progress in Connect\'s offset storage, not in a consumer group on the source' });
  const exactlyOnce = replicator.delivery === 'exactly-once';
  const topics = topicsList(replicator);
  const exclude = replicator.topics.exclude.join(',');
  const groups = replicator.offsetTranslation.groups.length > 0 ? replicator.offsetTranslation.groups.join(',') : '.*';
  const seconds = (ms: number): string => String(Math.max(1, Math.round(ms / 1000)));

  const flow = `${source}->${target}`;
  const lines: [string, string][] = [
    ['clusters', `${source}, ${target}`],
    ...clientKeys(replicator.source, 'FERRY_MM2_SOURCE', environment).map(([k, v]): [string, string] => [`${source}.${k}`, v]),
    ...clientKeys(replicator.destination, 'FERRY_MM2_TARGET', environment).map(([k, v]): [string, string] => [`${target}.${k}`, v]),
    [`${flow}.enabled`, 'true'],
    [`${target}->${source}.enabled`, 'false'],
    // MirrorMaker would still run heartbeats for the disabled direction.
    [`${target}->${source}.emit.heartbeats.enabled`, 'false'],
    [`${flow}.topics`, topics],
    ...(exclude ? [[`${flow}.topics.exclude`, exclude] as [string, string]] : []),
    ...policy,
    ['tasks.max', String(replicator.tasksMax)],
    ['replication.factor', String(replicationFactor)],
    ['sync.topic.configs.enabled', String(replicator.configSync)],
    ['sync.topic.configs.interval.seconds', seconds(replicator.configSyncIntervalMs)],
    ['sync.topic.acls.enabled', 'false'],
    ['refresh.topics.interval.seconds', seconds(replicator.topicPollIntervalMs)],
    ['emit.checkpoints.enabled', String(replicator.offsetTranslation.enabled)],
    ['sync.group.offsets.enabled', String(replicator.offsetTranslation.enabled)],
    ['sync.group.offsets.interval.seconds', seconds(replicator.offsetTranslation.intervalMs)],
    ['emit.checkpoints.interval.seconds', seconds(replicator.offsetTranslation.intervalMs)],
    ['groups', groups],
    ...(replicator.offsetTranslation.groupsExclude.length > 0 ? [['groups.exclude', replicator.offsetTranslation.groupsExclude.join(',')] as [string, string]] : []),
    ['emit.heartbeats.enabled', 'true'],
    // MirrorMaker's internal topics and, in dedicated mode, Connect's own; -1 = the broker's default.
    ['checkpoints.topic.replication.factor', String(replicationFactor)],
    ['heartbeats.topic.replication.factor', String(replicationFactor)],
    ['offset-syncs.topic.replication.factor', String(replicationFactor)],
    ['config.storage.replication.factor', String(replicationFactor)],
    ['offset.storage.replication.factor', String(replicationFactor)],
    ['status.storage.replication.factor', String(replicationFactor)],
    ...(exactlyOnce ? [[`${target}.exactly.once.source.support`, 'enabled'] as [string, string]] : []),
    ...(environment.length > 0
      ? ([
          ['config.providers', 'env'],
          ['config.providers.env.class', 'org.apache.kafka.common.config.provider.EnvVarConfigProvider'],
        ] as [string, string][])
      : []),
  ];
  if (exactlyOnce) note({ key: 'exactly.once.support', kind: 'renamed', message: `${target}.exactly.once.source.support=enabled (dedicated mode); on a Connect cluster set exactly.once.source.support=enabled in every worker's properties` });
  const header = [
    `# MirrorMaker 2 (dedicated mode) for Ferry replicator "${replicator.name}", written by \`ferry export --mm2\`.`,
    '# Run: connect-mirror-maker.sh this-file (or java -cp "<kafka libs>/*" org.apache.kafka.connect.mirror.MirrorMaker this-file)',
    ...(environment.length > 0 ? [`# Set ${environment.join(', ')} in the environment first: secrets are not written here.`] : []),
  ];
  const properties = `${[...header, ...lines.map(([k, v]) => `${k} = ${v.replace(/\\/g, '\\\\')}`)].join('\n')}\n`;

  // Connector configs for a Connect cluster; the worker's own cluster is usually the target.
  const clusterKeys = (): Record<string, string> => {
    const out: Record<string, string> = { 'source.cluster.alias': source, 'target.cluster.alias': target };
    for (const [k, v] of clientKeys(replicator.source, 'FERRY_MM2_SOURCE', [])) out[`source.cluster.${k}`] = v;
    for (const [k, v] of clientKeys(replicator.destination, 'FERRY_MM2_TARGET', [])) out[`target.cluster.${k}`] = v;
    for (const [k, v] of policy) out[k] = v;
    return out;
  };
  const converters = { 'key.converter': BYTES, 'value.converter': BYTES, 'header.converter': BYTES };
  const connectors = [
    {
      name: `${replicator.name}-source`,
      config: {
        'connector.class': MIRROR_SOURCE,
        ...clusterKeys(),
        ...converters,
        'tasks.max': String(replicator.tasksMax),
        topics,
        ...(exclude ? { 'topics.exclude': exclude } : {}),
        'replication.factor': String(replicationFactor),
        'offset-syncs.topic.replication.factor': String(replicationFactor),
        'sync.topic.configs.enabled': String(replicator.configSync),
        'sync.topic.acls.enabled': 'false',
        'refresh.topics.interval.seconds': seconds(replicator.topicPollIntervalMs),
      },
    },
    {
      name: `${replicator.name}-checkpoint`,
      config: {
        'connector.class': MIRROR_CHECKPOINT,
        ...clusterKeys(),
        ...converters,
        groups,
        ...(replicator.offsetTranslation.groupsExclude.length > 0 ? { 'groups.exclude': replicator.offsetTranslation.groupsExclude.join(',') } : {}),
        'emit.checkpoints.enabled': String(replicator.offsetTranslation.enabled),
        'sync.group.offsets.enabled': String(replicator.offsetTranslation.enabled),
        'emit.checkpoints.interval.seconds': seconds(replicator.offsetTranslation.intervalMs),
        'sync.group.offsets.interval.seconds': seconds(replicator.offsetTranslation.intervalMs),
        'checkpoints.topic.replication.factor': String(replicationFactor),
      },
    },
    {
      name: `${replicator.name}-heartbeat`,
      config: { 'connector.class': MIRROR_HEARTBEAT, ...clusterKeys(), ...converters, 'heartbeats.topic.replication.factor': String(replicationFactor) },
    },
  ];
  if (environment.length > 0) {
    note({ kind: 'ferry-only', message: `The Connect configs read ${environment.join(', ')} through \${env:…}: the workers need config.providers=env and config.providers.env.class=org.apache.kafka.common.config.provider.EnvVarConfigProvider` });
  }
  return { replicator: replicator.name, properties, connectors, environment, notes };
}

/** Every replicator of the file; the file's other connectors are for `ferry deploy`. */
export function exportMirrorMaker(pipeline: ResolvedPipeline): Mm2Export[] {
  return pipeline.replicators.map(exportReplicator);
}
