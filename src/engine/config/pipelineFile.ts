/**
 * Reads a pipeline file: `{ "name", "kafka": {…}, "schema.registry.url", "connectors": [ … ] }`, where each
 * connector is a config pasted from Confluent Cloud or Kafka Connect (a bare config object, or a Connect REST
 * body `{ "name", "config": {…} }`). Returns every problem found, and the resolved pipeline when none of them
 * is an error.
 */
import { basename } from 'node:path';
import type { ConnectorEnv } from './connectors/connectorCommon';
import { type NamedCluster, resolveConnectorCluster, resolveNamedClusters } from './connectorClusters';
import { CONNECTOR_CLASSES, findConnectorClass, FOREIGN_CLASSES, suggestConnectorClass } from './connectors/index';
import { configError } from './errors';
import { FORMAT_RULES } from './formats';
import { isJsonObject, type JsonObject, type JsonValue, parseLocatedJson, type SourcePosition } from './jsonText';
import { KAFKA_KEYS, LAB_BOOTSTRAP_HINT, resolveKafkaBlock } from './kafkaBlock';
import { defineRule, formatPath, type JsonPath, type Problem, ProblemList } from './problems';
import { checkPipeline, type PlacedConnector } from './pipelineRules';
import { PIPELINE_KEYS } from './pipelineKeys';
import { expandProfileReferences, type ProfileLookup } from './profileReferences';
import { LAB_REGISTRY_HINT, resolveRegistry } from './schemaRegistry';
import { reportSecretPlaceholders } from './secretPlaceholder';
import { collectSecrets, maskSecrets, maskUnknown, scrubProblems, secretKeyNames } from './secretScrub';
import type { ResolvedConnector, ResolvedKafka, ResolvedPipeline, ResolvedReplicator, ResolvedSchemaRegistry } from './types';
import { validateKeys } from './validateKeys';
import { readUtf8File } from './textFile';

export const FILE_RULES = {
  syntax: defineRule('json.syntax', 'error', 'The file must be valid JSON.'),
  duplicateKey: defineRule('json.duplicate-key', 'warning', 'A key given twice in one object: the last value wins.'),
  notObject: defineRule('pipeline.not-object', 'error', 'A pipeline file is one JSON object.'),
  nameMissing: defineRule('pipeline.name-missing', 'warning', 'A pipeline without `name` is named after its file.'),
  bareConnector: defineRule('pipeline.bare-connector', 'error', 'The file is a single connector config, not a pipeline.'),
  kafkaNotObject: defineRule('pipeline.kafka-not-object', 'error', '`kafka` is an object of Kafka client keys.'),
  connectorsMissing: defineRule('pipeline.connectors-missing', 'error', '`connectors` is a non-empty array of connector configs.'),
  connectorNotObject: defineRule('pipeline.connector-not-object', 'error', 'Each entry of `connectors` is a connector config object.'),
  classMissing: defineRule('pipeline.connector-class-missing', 'error', 'Each connector needs `connector.class`.'),
  classUnknown: defineRule('pipeline.connector-class-unknown', 'error', '`connector.class` must be one of the classes Ferry runs.'),
};

export interface PipelineParseResult {
  /** Present when no problem is an error. */
  config?: ResolvedPipeline;
  /** Every problem, in file order; secrets are masked. */
  problems: Problem[];
}

const ALL_SECRET_KEYS = secretKeyNames([...new Set(CONNECTOR_CLASSES.flatMap((c) => c.family.keys)), ...KAFKA_KEYS, ...PIPELINE_KEYS]);
const EMPTY_KAFKA: ResolvedKafka = {
  bootstrapServers: [],
  securityProtocol: 'PLAINTEXT',
  sasl: undefined,
  tls: undefined,
  clientId: 'ferry',
  requestTimeoutMs: 30000,
  confluentCloud: false,
};

export interface PipelineParseOptions {
  /** Resolves `ferry.profile` / `schema.registry.profile` references (saved profiles, the running lab). */
  profiles?: ProfileLookup;
}

/** Parses and validates the text of a pipeline file. `fileName` names the pipeline when it has no `name`. */
export function parsePipelineFile(text: string, fileName: string, options: PipelineParseOptions = {}): PipelineParseResult {
  const parsed = parseLocatedJson(text);
  if (!parsed.ok) {
    const { line, column } = parsed.position;
    // A syntax error can sit inside a secret; the message quotes no text, and the net catches the rest.
    const secrets = collectSecrets(text, new Set());
    const problem: Problem = { severity: 'error', path: '$', rule: FILE_RULES.syntax.id, message: `${fileName}:${line}:${column}: ${parsed.message}`, hint: parsed.hint, line, column };
    return { problems: scrubProblems([problem], secrets) };
  }
  const problems = new ProblemList();
  for (const dup of parsed.duplicates) {
    problems.report(FILE_RULES.duplicateKey, dup.segments, dup.key === '' ? 'The empty key "" appears more than once (blanked fields from a copied config?)' : `\`${dup.key}\` is given more than once in this object; the last value wins`, 'Keep one of them.');
  }
  return validateDocument(parsed.value, fileName, problems, parsed.locations, options);
}

/** Validates an already-parsed pipeline document (e.g. one the app sends over the API). */
export function validatePipeline(document: JsonValue, fileName: string, options: PipelineParseOptions = {}): PipelineParseResult {
  return validateDocument(document, fileName, new ProblemList(), new Map(), options);
}

/** Reads and validates a pipeline file; throws CONFIG_FILE_UNREADABLE when it cannot be read, CONFIG_FILE_NOT_UTF8 when it is not UTF-8. */
export async function readPipelineFile(path: string, options: PipelineParseOptions = {}): Promise<PipelineParseResult> {
  return parsePipelineFile(await readUtf8File(path, 'pipeline file'), path, options);
}

/** The resolved pipeline, or a CONFIG_INVALID error listing the errors (for the runner and scripts). */
export function requireValidPipeline(result: PipelineParseResult, fileName: string): ResolvedPipeline {
  if (result.config) return result.config;
  const errors = result.problems.filter((p) => p.severity === 'error');
  const lines = errors.slice(0, 10).map((p) => `  ${p.path}: ${p.message}${p.hint ? ` (${p.hint})` : ''}`);
  const more = errors.length > 10 ? `\n  … and ${errors.length - 10} more (run \`ferry validate ${fileName}\`)` : '';
  throw configError('CONFIG_INVALID', `${fileName} has ${errors.length} error${errors.length === 1 ? '' : 's'}:\n${lines.join('\n')}${more}`, { detail: { problems: result.problems } });
}

function validateDocument(written: JsonValue, fileName: string, problems: ProblemList, locations: ReadonlyMap<string, SourcePosition>, options: PipelineParseOptions): PipelineParseResult {
  // Profile references become the keys they stand for (in memory only), so everything below sees plain configs.
  const document = isJsonObject(written) ? expandProfileReferences(written, options.profiles, problems) : written;
  const secrets = collectSecrets(document, ALL_SECRET_KEYS);
  const finish = (config: ResolvedPipeline | undefined): PipelineParseResult => {
    const located = problems.items.map((p, i) => withPosition(p, problems.segments[i] ?? [], locations));
    const ordered = located.map((p, i) => ({ p, i })).sort((a, b) => (a.p.line ?? Infinity) - (b.p.line ?? Infinity) || a.i - b.i).map((x) => x.p);
    const clean = scrubProblems(ordered, secrets);
    return clean.some((p) => p.severity === 'error') || !config ? { problems: clean } : { config, problems: clean };
  };

  if (!isJsonObject(document)) {
    problems.report(FILE_RULES.notObject, [], `The file holds ${Array.isArray(document) ? 'an array' : 'a single value'}, not a pipeline object`, 'Write { "name": …, "kafka": { "bootstrap.servers": … }, "schema.registry.url": …, "connectors": [ … ] }.');
    return finish(undefined);
  }
  reportSecretPlaceholders(document, ALL_SECRET_KEYS, problems);

  // A single pasted connector config is validated in place, so the user also sees its own problems.
  const bare = 'connector.class' in document && !('connectors' in document);
  const top = validateKeys(PIPELINE_KEYS, bare ? {} : document, problems, { path: [], owner: 'the pipeline file', isDynamic: (k) => k === 'kafka' || k === 'connectors' || k === 'clusters', docs: 'docs/connectors/README.md' });
  if (bare) {
    problems.report(FILE_RULES.bareConnector, [], 'This file is a single connector config; a pipeline file wraps connectors with the Kafka cluster they use', 'Write { "name": "…", "kafka": { "bootstrap.servers": "…" }, "schema.registry.url": "…", "connectors": [ <this config> ] }.');
  }
  const defaultName = basename(fileName).replace(/\.json$/i, '');
  let name = top.values.name?.trim() ?? '';
  if (name === '' && !bare) {
    problems.report(FILE_RULES.nameMissing, ['name'], `The pipeline has no \`name\`; it is called "${defaultName}" after its file`, 'Add "name": "<pipeline name>" to keep the name when the file is renamed.');
  }
  if (name === '') name = defaultName;

  // Kafka cluster
  let kafka = EMPTY_KAFKA;
  const kafkaRaw = bare ? undefined : document.kafka;
  if (kafkaRaw !== undefined && !isJsonObject(kafkaRaw)) {
    problems.report(FILE_RULES.kafkaNotObject, ['kafka'], '`kafka` must be an object of Kafka client settings', `Write "kafka": { "bootstrap.servers": "host:port" }. ${LAB_BOOTSTRAP_HINT}`);
  } else {
    const block = resolveKafkaBlock(kafkaRaw ?? {}, ['kafka'], problems);
    kafka = block.kafka;
    secrets.push(...block.secrets);
  }

  // Schema Registry
  let registry: ResolvedSchemaRegistry | undefined;
  const urls = top.values['schema.registry.url'] ?? [];
  if (urls.length > 0) {
    const resolved = resolveRegistry(
      { urls, urlsPath: top.pathOf('schema.registry.url'), userInfo: top.values['schema.registry.basic.auth.user.info'], userInfoPath: top.pathOf('schema.registry.basic.auth.user.info'), kafkaUsername: kafka.sasl?.username },
      problems,
    );
    registry = resolved.registry;
    secrets.push(...resolved.secrets);
  }

  // Named clusters a connector may pick with `kafka.cluster` (connectorClusters.ts)
  const named = resolveNamedClusters(bare ? undefined : document.clusters, problems);
  secrets.push(...named.secrets);

  // Connectors
  const entries: { value: JsonValue; path: JsonPath }[] = [];
  if (bare) entries.push({ value: document, path: [] });
  else if (!Array.isArray(document.connectors) || document.connectors.length === 0) {
    problems.report(FILE_RULES.connectorsMissing, ['connectors'], Array.isArray(document.connectors) ? '`connectors` is empty' : 'The pipeline has no `connectors` array', 'Add "connectors": [ { "connector.class": "MySqlSource", … }, { "connector.class": "PostgresSink", … } ].');
  } else document.connectors.forEach((value, i) => entries.push({ value, path: ['connectors', i] }));

  const placed: PlacedConnector[] = [];
  const needRegistry: string[] = [];
  for (const entry of entries) {
    const outcome = resolveEntry(entry.value, entry.path, kafka, registry, problems, new Set(secrets), named.clusters);
    if (!outcome) continue;
    secrets.push(...outcome.secrets);
    if (outcome.missingRegistry) needRegistry.push(outcome.label);
    if (outcome.connector) placed.push({ connector: outcome.connector, path: outcome.path, pathOf: outcome.pathOf });
  }
  if (needRegistry.length > 0) {
    problems.report(
      FORMAT_RULES.registryMissing,
      ['schema.registry.url'],
      `${needRegistry.join(', ')} ${needRegistry.length === 1 ? 'uses' : 'use'} AVRO, which needs a Schema Registry, and the pipeline names none`,
      `Add "schema.registry.url": "<url>" at the top of the file (Confluent Cloud: https://psrc-….confluent.cloud plus schema.registry.basic.auth.user.info). ${LAB_REGISTRY_HINT}`,
    );
  }
  checkPipeline(placed, problems);

  if (problems.hasErrors || placed.length !== entries.length || entries.length === 0) return finish(undefined);
  const unknown = maskUnknown({ ...top.unknown }, new Set(secrets));
  const connectors: ResolvedConnector[] = [];
  const replicators: ResolvedReplicator[] = [];
  for (const { connector } of placed) {
    if (connector.role === 'replicator') replicators.push(connector);
    else connectors.push(connector);
  }
  return finish({ name, fileName, kafka, schemaRegistry: registry, connectors, replicators, unknown, offsetFlushIntervalMs: top.values['offset.flush.interval.ms'] });
}

interface EntryOutcome {
  connector: ResolvedConnector | ResolvedReplicator | undefined;
  secrets: string[];
  missingRegistry: boolean;
  label: string;
  path: JsonPath;
  pathOf(key: string): JsonPath;
}

function resolveEntry(
  value: JsonValue,
  entryPath: JsonPath,
  kafka: ResolvedKafka,
  registry: ResolvedSchemaRegistry | undefined,
  problems: ProblemList,
  secretValues: ReadonlySet<string>,
  clusters: ReadonlyMap<string, NamedCluster>,
): EntryOutcome | undefined {
  if (!isJsonObject(value)) {
    problems.report(FILE_RULES.connectorNotObject, entryPath, 'A connector must be a JSON object of config keys', 'Paste the connector\'s config object here: { "connector.class": …, "name": …, … }.');
    return undefined;
  }
  // Kafka Connect's REST API wraps configs as { "name": …, "config": { … } }.
  let raw: JsonObject = value;
  let path: JsonPath = entryPath;
  let outerName: string | undefined;
  if (isJsonObject(value.config) && !('connector.class' in value)) {
    raw = value.config;
    path = [...entryPath, 'config'];
    outerName = typeof value.name === 'string' ? value.name : undefined;
    for (const key of Object.keys(value)) {
      if (key !== 'name' && key !== 'config' && key !== 'tasks' && key !== 'type') {
        problems.warning([...entryPath, key], 'key.unknown', `Unknown key \`${key}\` next to "config" (Kafka Connect REST bodies have only "name" and "config")`, 'Move connector settings into "config".');
      }
    }
  }
  const classValue = raw['connector.class'];
  const label = typeof raw.name === 'string' ? `"${raw.name}"` : outerName ? `"${outerName}"` : formatPath(entryPath);
  if (typeof classValue !== 'string' || classValue.trim() === '') {
    problems.report(FILE_RULES.classMissing, [...path, 'connector.class'], `Connector ${label} has no \`connector.class\``, `Add "connector.class": one of ${CONNECTOR_CLASSES.map((c) => c.name).join(', ')}.`);
    return undefined;
  }
  const cls = findConnectorClass(classValue);
  if (!cls) {
    const foreign = FOREIGN_CLASSES[classValue.trim()];
    const suggestion = suggestConnectorClass(classValue);
    problems.report(
      FILE_RULES.classUnknown,
      [...path, 'connector.class'],
      `Ferry does not run connector class "${classValue}"`,
      foreign ?? (suggestion ? `Did you mean "${suggestion}"? ` : '') + `Ferry runs ${CONNECTOR_CLASSES.map((c) => c.name).join(', ')}.`,
    );
    return undefined;
  }
  const { masked, stash } = maskSecrets(value, ALL_SECRET_KEYS, secretValues);
  // A connector on another cluster than the pipeline's (`*.override.bootstrap.servers`, `kafka.cluster`) sees that
  // cluster, and its registry, as "the pipeline's" from here on.
  const cluster = resolveConnectorCluster({ raw, path, role: cls.family.role, pipelineKafka: kafka, pipelineRegistry: registry, clusters, problems });
  const env: ConnectorEnv = { connectorClass: cls, raw: cluster.raw ?? raw, path, original: masked, originalSecrets: stash, secretValues, outerName, pipelineKafka: cluster.kafka, pipelineRegistry: cluster.registry, problems };
  const outcome = cls.family.resolve(env);
  // Pipeline rules only name keys without aliases, so the canonical spelling is the written one.
  return { ...outcome, secrets: [...outcome.secrets, ...cluster.secrets], label, path, pathOf: (key) => [...path, key] };
}

function withPosition(problem: Problem, segments: JsonPath, locations: ReadonlyMap<string, SourcePosition>): Problem {
  for (let n = segments.length; n >= 0; n -= 1) {
    const position = locations.get(formatPath(segments.slice(0, n)));
    if (position) return { ...problem, line: position.line, column: position.column };
  }
  return problem;
}
