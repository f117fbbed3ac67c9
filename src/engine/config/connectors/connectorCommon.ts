/**
 * What every connector class shares once its keys are validated: name, database connection, Kafka
 * credentials, transforms, error handling. The source and sink modules add their own keys and rules.
 */
import { type ConnectionResult, resolveConnection } from '../connection';
import { emptyJsonObject, type JsonObject, type JsonValue } from '../jsonText';
import { isConnectorClusterKey } from '../connectorClusters';
import { connectorKafka } from '../kafkaBlock';
import type { AnyKeyDef, Flavor, KeyValues } from '../keys';
import { defineRule, formatPath, type JsonPath, type ProblemList, type Rule } from '../problems';
import type { Secret } from '../secret';
import { maskUnknown } from '../secretScrub';
import { resolveTransforms } from '../transforms';
import type { Dialect, ResolvedConnection, ResolvedConnector, ResolvedErrorHandling, ResolvedReplicator, ResolvedKafka, ResolvedPredicate, ResolvedSchemaRegistry, ResolvedTransform } from '../types';
import type { CONNECTION_KEYS, ERROR_KEYS, IDENTITY_KEYS, MANAGED_KAFKA_KEYS, TRANSFORM_KEYS } from './commonKeys';

export const COMMON_RULES = {
  nameMissing: defineRule('connector.name-missing', 'error', 'Every connector needs a `name`: it keys its checkpoints, consumer group and status.'),
};

/** One connector class as users name it in `connector.class`. */
export interface ConnectorClass {
  /** The canonical `connector.class` value. */
  name: string;
  /** Other accepted spellings (Kafka Connect also accepts a class's simple name, with or without "Connector"). */
  aliases: readonly string[];
  title: string;
  summary: string;
  flavor: Flavor;
  /** Fixed for managed classes; learnt from `connection.url` for self-managed ones. */
  dialect: Dialect | undefined;
  family: ConnectorFamily;
}

/** The keys, checks and resolver shared by the classes of one role (JDBC source, JDBC sink, replicator). */
export interface ConnectorFamily {
  /** Names the family in schema definitions: `jdbc-source`, `jdbc-sink`. */
  id: string;
  role: 'source' | 'sink' | 'replicator';
  /** Title of the family in the JSON Schema and docs; default `JDBC <role>`. */
  title?: string;
  /** Replaces the database paragraph of a class's docs page, for families without a database. */
  pageIntro?: string;
  /** The family does not use the database, format and transform checks every JDBC class shares. */
  ownRulesOnly?: boolean;
  keys: readonly AnyKeyDef[];
  rules: readonly Rule[];
  /** Behaviours users trip over that validation cannot see (they depend on the data); listed in the docs. */
  pitfalls: readonly string[];
  resolve(env: ConnectorEnv): ConnectorOutcome;
}

export interface ConnectorEnv {
  connectorClass: ConnectorClass;
  /** The connector object, after unwrapping a Kafka Connect REST `{ "name", "config" }` body. */
  raw: JsonObject;
  /** Path of `raw` (…[i] or …[i].config). */
  path: JsonPath;
  /** The connector entry as written, secrets masked (see maskSecrets in pipelineFile.ts). */
  original: JsonObject;
  originalSecrets: Readonly<Record<string, Secret>>;
  /** Every secret value in the document, to mask unknown keys that hold one. */
  secretValues: ReadonlySet<string>;
  /** A name given outside `config` in a REST body. */
  outerName: string | undefined;
  pipelineKafka: ResolvedKafka;
  pipelineRegistry: ResolvedSchemaRegistry | undefined;
  problems: ProblemList;
}

export interface ConnectorOutcome {
  connector: ResolvedConnector | ResolvedReplicator | undefined;
  /** Secrets found inside other values (URL passwords), for the scrubber. */
  secrets: string[];
  /** The connector needs a Schema Registry and neither it nor the pipeline names one. */
  missingRegistry: boolean;
}

type CommonValues = KeyValues<typeof IDENTITY_KEYS> &
  KeyValues<typeof MANAGED_KAFKA_KEYS> &
  KeyValues<typeof CONNECTION_KEYS> &
  KeyValues<typeof ERROR_KEYS> &
  KeyValues<typeof TRANSFORM_KEYS>;

export interface CommonParts {
  name: string;
  connection: ResolvedConnection;
  kafka: ResolvedKafka;
  transforms: readonly ResolvedTransform[];
  predicates: readonly ResolvedPredicate[];
  unknown: Record<string, JsonValue>;
  errors: ResolvedErrorHandling;
}

export interface Validated<V> {
  values: V;
  given: ReadonlySet<string>;
  pathOf(name: string): JsonPath;
  unknown: JsonObject;
  dynamic: JsonObject;
}

/** Resolves the shared parts; undefined when they are too broken to build a connector (problems say why). */
export function resolveCommon(env: ConnectorEnv, v: Validated<CommonValues>): { parts: CommonParts | undefined; connection: ConnectionResult } {
  const { values } = v;
  const { problems, connectorClass: cls } = env;
  const name = (values.name ?? env.outerName ?? '').trim();
  if (name === '') {
    problems.report(COMMON_RULES.nameMissing, v.pathOf('name'), `This ${cls.name} connector has no \`name\``, 'Add "name": "<unique name>"; Ferry keys its checkpoints and consumer group by it, so keep it stable.');
  }
  const connection = resolveConnection(
    { flavor: cls.flavor, className: cls.name, classDialect: cls.dialect, values, given: v.given, pathOf: v.pathOf, connectorPath: env.path },
    problems,
  );
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
  const transformed = resolveTransforms(
    { transforms: values.transforms, predicates: values.predicates, dynamic: v.dynamic, path: env.path },
    problems,
  );
  const unknown = maskUnknown({ ...v.unknown, ...transformed.unmatched }, env.secretValues);
  if (name === '' || connection.connection === undefined) return { parts: undefined, connection };
  return {
    connection,
    parts: {
      name,
      connection: connection.connection,
      kafka,
      transforms: transformed.transforms,
      predicates: transformed.predicates,
      unknown,
      errors: {
        tolerance: values['errors.tolerance'],
        retryTimeoutMs: values['errors.retry.timeout'],
        retryDelayMaxMs: values['errors.retry.delay.max.ms'],
        logEnable: values['errors.log.enable'],
        logIncludeMessages: values['errors.log.include.messages'],
      },
    },
  };
}

export function isDynamicConnectorKey(key: string): boolean {
  // Cluster keys (`producer.override.bootstrap.servers`, `kafka.cluster`, …) are read by connectorClusters.ts.
  return key.startsWith('transforms.') || key.startsWith('predicates.') || isConnectorClusterKey(key);
}

/** A JSON path as text, for `ResolvedConnector.path`. */
export function pathText(path: JsonPath): string {
  return formatPath(path);
}

export function copyObject(source: JsonObject): JsonObject {
  const copy = emptyJsonObject();
  for (const [k, val] of Object.entries(source)) copy[k] = val;
  return copy;
}
