/**
 * JSON Schema (draft-07) for pipeline files, generated from the key definitions. Monaco's JSON language service
 * uses it for completion, hover (`markdownDescription`, `markdownEnumDescriptions`) and light validation; Ferry's
 * own validator stays the authority, which is why the schema accepts what Connect accepts (numeric strings,
 * "true"/"false", enums in any case) and does not forbid unknown keys (they are warnings, not errors).
 */
import { CLUSTER_NAME_KEY, REPLICATOR_CLUSTER_KEYS } from './connectorClusters';
import { CONNECTOR_CLASSES, type ConnectorClass } from './connectors/index';
import { emptyJsonObject, type JsonObject, type JsonValue } from './jsonText';
import { KAFKA_KEYS } from './kafkaBlock';
import { type AnyKeyDef, defaultFor, type Flavor, keysForFlavor } from './keys';
import { PIPELINE_KEYS } from './pipelineKeys';
import { PROFILE_KEY, REGISTRY_PROFILE_KEY } from './profileReferences';
import { predicateKeyCatalog, type TransformKeyDoc, transformClassSummary, transformKeyCatalog } from './transformKeys';
import { SUPPORTED_PREDICATES, SUPPORTED_TRANSFORMS } from './transforms';

const PROFILE_DOC =
  'Name of a saved connection profile (Connections pane) to take the connection and credentials from, or a lab service (`lab:mariadb`, `lab:postgres`, `lab:kafka-a`, `lab:kafka-b`). Resolved when the pipeline runs, so the file holds no password.';

function profileProperty(kind: string): JsonObject {
  const doc = `${kind} ${PROFILE_DOC}`;
  return { type: 'string', description: plain(doc), markdownDescription: doc };
}

/** Regex matching `word` in any letter case, since JSON Schema patterns have no case-insensitive flag. */
function anyCase(word: string): string {
  return [...word]
    .map((ch) => {
      const lower = ch.toLowerCase();
      const upper = ch.toUpperCase();
      if (lower !== upper) return `[${lower}${upper}]`;
      return /[.*+?^${}()|[\]\\/-]/.test(ch) ? `\\${ch}` : ch;
    })
    .join('');
}

function plain(markdown: string): string {
  return markdown.replace(/`/g, '');
}

function jsonDefault(def: AnyKeyDef, flavor: Flavor | undefined): JsonValue | undefined {
  const value = defaultFor(def, flavor);
  if (value === undefined || def.secret) return undefined;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return undefined;
}

function defaultText(def: AnyKeyDef, flavor: Flavor | undefined): string | undefined {
  if (def.defaultDoc) return def.defaultDoc;
  const value = jsonDefault(def, flavor);
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value.length === 0 ? 'empty' : `\`${value.join(',')}\``;
  return value === '' ? 'empty' : `\`${String(value)}\``;
}

export function keyMarkdown(def: AnyKeyDef, flavor: Flavor | undefined): string {
  const parts = [def.doc];
  const dflt = defaultText(def, flavor);
  if (dflt) parts.push(`Default: ${dflt}.`);
  if (def.aliases.length > 0) parts.push(`Also accepted as ${def.aliases.map((a) => `\`${a}\``).join(', ')}.`);
  if (def.since) parts.push(`Since kafka-connect-jdbc ${def.since}.`);
  if (def.managedOnly) parts.push('Confluent Cloud (managed) key.');
  if (def.selfManagedOnly) parts.push('Kafka Connect (self-managed) key.');
  if (def.deprecated) parts.push(`**Deprecated:** ${def.deprecated}`);
  if (def.secret) parts.push('Secret: stored encrypted, never shown.');
  return parts.join('\n\n');
}

/** The schema of one key's value. */
export function keySchema(def: AnyKeyDef, flavor?: Flavor): JsonObject {
  const schema = emptyJsonObject();
  switch (def.kind) {
    case 'string':
      schema.type = 'string';
      break;
    case 'password':
      schema.type = 'string';
      schema.writeOnly = true;
      break;
    case 'int': {
      const integer: JsonObject = { type: 'integer' };
      if (def.min !== undefined) integer.minimum = def.min;
      if (def.max !== undefined) integer.maximum = def.max;
      schema.anyOf = [integer, { type: 'string', pattern: '^\\s*[+-]?\\d+\\s*$' }];
      break;
    }
    case 'boolean':
      schema.anyOf = [{ type: 'boolean' }, { type: 'string', pattern: `^\\s*(?:${anyCase('true')}|${anyCase('false')})\\s*$` }];
      break;
    case 'enum': {
      const values = def.values ?? [];
      const exact: JsonObject = { enum: [...values] };
      if (def.valueDocs) exact.markdownEnumDescriptions = values.map((v) => def.valueDocs?.[v] ?? '');
      schema.anyOf = [exact, { type: 'string', pattern: `^\\s*(?:${values.map(anyCase).join('|')})\\s*$` }];
      break;
    }
    case 'list': {
      const item: JsonObject = { type: 'string' };
      if (def.values) item.enum = [...def.values];
      schema.anyOf = [{ type: 'string' }, { type: 'array', items: item }];
      break;
    }
  }
  schema.description = plain(def.doc);
  schema.markdownDescription = keyMarkdown(def, flavor);
  const dflt = jsonDefault(def, flavor);
  if (dflt !== undefined) schema.default = dflt;
  if (def.example !== undefined && !def.secret) schema.examples = [typeof def.example === 'object' ? [...def.example] : def.example];
  if (def.deprecated) schema.deprecationMessage = `Deprecated: ${plain(def.deprecated)}`;
  return schema;
}

function keysObject(defs: readonly AnyKeyDef[], flavor: Flavor | undefined): JsonObject {
  const properties = emptyJsonObject();
  for (const def of defs) {
    properties[def.name] = keySchema(def, flavor);
    for (const alias of def.aliases) {
      const aliasSchema = keySchema(def, flavor);
      aliasSchema.markdownDescription = `Same as \`${def.name}\`.\n\n${keyMarkdown(def, flavor)}`;
      properties[alias] = aliasSchema;
    }
  }
  return properties;
}

const DYNAMIC_PATTERNS: JsonObject = {
  // The class of a transform or predicate, completed from the ones Ferry runs (any other class is kept, not applied).
  '^transforms\\.[^.]+\\.type$': {
    description: 'The transform class.',
    anyOf: [{ enum: [...SUPPORTED_TRANSFORMS], markdownEnumDescriptions: SUPPORTED_TRANSFORMS.map(transformClassSummary) }, { type: 'string' }],
  },
  '^predicates\\.[^.]+\\.type$': { description: 'The predicate class.', anyOf: [{ enum: [...SUPPORTED_PREDICATES] }, { type: 'string' }] },
  '^transforms\\.[^.]+\\..+$': { description: 'Setting of a transform listed in `transforms`.', type: ['string', 'number', 'boolean'] },
  '^predicates\\.[^.]+\\..+$': { description: 'Setting of a predicate listed in `predicates`.', type: ['string', 'number', 'boolean'] },
};

/**
 * The keys that put a connector on another cluster than the pipeline's: Connect's client overrides (a source's
 * producer, a sink's consumer) of every kafka block key, or a name from the file's `clusters`; a replicator names its
 * two clusters. Completed and documented like any other key.
 */
function clusterKeys(role: string): JsonObject {
  const properties = emptyJsonObject();
  const clusterName = (doc: string): JsonObject => ({ type: 'string', description: plain(doc), markdownDescription: doc });
  if (role === 'replicator') {
    properties[REPLICATOR_CLUSTER_KEYS.source] = clusterName('Name of the source cluster in the file\'s `clusters`: stands for its `src.kafka.*` keys and, as `src.schema.registry.url`, its registry. Keys written here win.');
    properties[REPLICATOR_CLUSTER_KEYS.destination] = clusterName('Name of the destination cluster in the file\'s `clusters`: stands for its `dest.kafka.*` keys and, as `schema.registry.url`, its registry (subjects are migrated there). Keys written here win.');
    return properties;
  }
  properties[CLUSTER_NAME_KEY] = clusterName('Name of a cluster in the file\'s `clusters`: this connector reads or writes that cluster instead of the `kafka` block\'s, and its converters default to that cluster\'s Schema Registry.');
  const prefix = role === 'source' ? 'producer.override.' : 'consumer.override.';
  const client = role === 'source' ? 'producer' : 'consumer';
  for (const def of KAFKA_KEYS) {
    for (const name of [def.name, ...def.aliases]) {
      const schema = keySchema(def, undefined);
      const doc = `This connector's ${client} only (Kafka Connect's \`${prefix}*\`, KIP-458): ${keyMarkdown(def, undefined)}\n\nFerry takes a \`${prefix}*\` cluster as a whole, so \`${prefix}bootstrap.servers\` must be among them.`;
      schema.description = plain(doc);
      schema.markdownDescription = doc;
      properties[`${prefix}${name}`] = schema;
    }
  }
  return properties;
}

function connectorObject(title: string, description: string, properties: JsonObject): JsonObject {
  return { type: 'object', title, description, markdownDescription: `**${title}**\n\n${description}`, properties, patternProperties: DYNAMIC_PATTERNS, required: ['connector.class'] };
}

function catalogSchema(catalog: Record<string, Record<string, TransformKeyDoc>>): JsonObject {
  const out = emptyJsonObject();
  for (const [type, keys] of Object.entries(catalog)) {
    const properties = emptyJsonObject();
    for (const [key, doc] of Object.entries(keys)) {
      const schema: JsonObject = { type: 'string', description: plain(doc.doc), markdownDescription: doc.doc };
      if (doc.values) schema.enum = [...doc.values];
      if (doc.default !== undefined) schema.default = doc.default;
      if (doc.example !== undefined) schema.examples = [doc.example];
      properties[key] = schema;
    }
    out[type] = properties;
  }
  return out;
}

/** Schema of one connector class's config object (for an editor opened on a single connector). */
export function connectorClassSchema(cls: ConnectorClass): JsonObject {
  const properties = keysObject(keysForFlavor(cls.family.keys, cls.flavor), cls.flavor);
  properties['connector.class'] = { enum: [cls.name, ...cls.aliases], description: cls.summary };
  return connectorObject(cls.title, cls.summary, properties);
}

/**
 * The schema of a whole pipeline file. Connectors are told apart by `connector.class` with one if/then per
 * family and flavor: classes of the same family and flavor share their keys, so they share one definition.
 */
export function pipelineJsonSchema(): JsonObject {
  const definitions = emptyJsonObject();
  const classNames = CONNECTOR_CLASSES.map((c) => c.name);
  const groups = new Map<string, ConnectorClass[]>();
  for (const cls of CONNECTOR_CLASSES) {
    const id = `${cls.family.id}.${cls.flavor}`;
    groups.set(id, [...(groups.get(id) ?? []), cls]);
  }
  const branches: JsonObject[] = [];
  for (const [id, classes] of groups) {
    const first = classes[0];
    if (!first) continue;
    const names = classes.flatMap((c) => [c.name, ...c.aliases]);
    const properties = keysObject(keysForFlavor(first.family.keys, first.flavor), first.flavor);
    if (first.family.role !== 'replicator') properties[PROFILE_KEY] = profileProperty('Database:');
    Object.assign(properties, clusterKeys(first.family.role));
    properties['connector.class'] = { enum: names, markdownEnumDescriptions: classes.flatMap((c) => [c.name, ...c.aliases].map(() => c.summary)) };
    const title = first.family.title ?? `JDBC ${first.family.role}`;
    definitions[id] = connectorObject(`${title} (${first.flavor})`, `Keys of ${classes.map((c) => c.name).join(', ')}.`, properties);
    branches.push({ if: { properties: { 'connector.class': { enum: names } }, required: ['connector.class'] }, then: { $ref: `#/definitions/${id}` } });
  }
  definitions.connector = {
    type: 'object',
    required: ['connector.class'],
    properties: {
      'connector.class': {
        description: 'Which connector this is.',
        anyOf: [{ enum: classNames, markdownEnumDescriptions: CONNECTOR_CLASSES.map((c) => c.summary) }, { type: 'string' }],
      },
    },
    allOf: branches,
  };
  // Per class, the keys of `transforms.<alias>.*` / `predicates.<alias>.*`: the editor adds them for the aliases a
  // connector lists once their type is set (aliases are the user's, so no static property name can hold them).
  definitions.transformKeys = catalogSchema(transformKeyCatalog());
  definitions.predicateKeys = catalogSchema(predicateKeyCatalog());
  definitions.restConnector = {
    type: 'object',
    description: 'A Kafka Connect REST body: { "name", "config" }.',
    required: ['config'],
    properties: { name: { type: 'string', description: 'Connector name.' }, config: { $ref: '#/definitions/connector' } },
  };

  const properties = keysObject(PIPELINE_KEYS, undefined);
  properties.kafka = {
    type: 'object',
    description: 'The Kafka cluster and the credentials connectors use by default.',
    markdownDescription: 'The Kafka cluster and the credentials connectors use by default. A managed connector\'s own `kafka.api.key`/`kafka.api.secret` replace the credentials for that connector.',
    properties: { ...keysObject(KAFKA_KEYS, undefined), [PROFILE_KEY]: profileProperty('Kafka cluster:') },
    anyOf: [{ required: ['bootstrap.servers'] }, { required: [PROFILE_KEY] }],
  };
  properties[REGISTRY_PROFILE_KEY] = profileProperty('Schema Registry:');
  const clusterBlock = keysObject(KAFKA_KEYS, undefined);
  clusterBlock['schema.registry.url'] = { type: 'string', description: 'The Schema Registry of this cluster: the default of the converters of connectors that name the cluster.', examples: ['http://127.0.0.1:28081'] };
  clusterBlock['schema.registry.basic.auth.user.info'] = { type: 'string', writeOnly: true, description: 'user:password of that Schema Registry.' };
  clusterBlock['basic.auth.user.info'] = { type: 'string', writeOnly: true, description: 'Same as schema.registry.basic.auth.user.info.' };
  properties.clusters = {
    type: 'object',
    description: 'Named Kafka clusters for a pipeline that spans clusters: connectors pick one with kafka.cluster (a replicator with src.kafka.cluster / dest.kafka.cluster).',
    markdownDescription: 'Named Kafka clusters for a pipeline that spans clusters (seed 001: on premises → cloud): each is a `kafka` block plus its `schema.registry.url`. Connectors pick one with `kafka.cluster`, a replicator with `src.kafka.cluster` / `dest.kafka.cluster`.',
    additionalProperties: { type: 'object', properties: clusterBlock, required: ['bootstrap.servers'] },
    examples: [{ onprem: { 'bootstrap.servers': '127.0.0.1:19092', 'schema.registry.url': 'http://127.0.0.1:18081' }, cloud: { 'bootstrap.servers': '127.0.0.1:29092', 'schema.registry.url': 'http://127.0.0.1:28081' } }],
  };
  properties.connectors = {
    type: 'array',
    description: 'Connector configs as pasted from Confluent Cloud or Kafka Connect.',
    minItems: 1,
    items: { oneOf: [{ $ref: '#/definitions/connector' }, { $ref: '#/definitions/restConnector' }] },
  };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'Ferry pipeline',
    description: 'A Ferry pipeline file: a Kafka cluster, a Schema Registry and Kafka Connect-style connector configs.',
    type: 'object',
    required: ['kafka', 'connectors'],
    properties,
    definitions,
  };
}
