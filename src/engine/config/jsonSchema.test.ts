import { describe, expect, it } from 'vitest';
import { CONNECTOR_CLASSES } from './connectors/index';
import { type JsonObject, type JsonValue, isJsonObject } from './jsonText';
import { connectorClassSchema, keySchema, pipelineJsonSchema } from './jsonSchema';
import { booleanKey, enumKey, intKey, keysForFlavor, listKey, passwordKey } from './keys';

function obj(value: JsonValue | undefined): JsonObject {
  if (!isJsonObject(value)) throw new Error(`not an object: ${JSON.stringify(value)}`);
  return value;
}

describe('pipelineJsonSchema', () => {
  const schema = pipelineJsonSchema();
  const definitions = obj(schema.definitions);

  it('is a draft-07 schema for the whole file', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.required).toEqual(['kafka', 'connectors']);
    expect(Object.keys(obj(schema.properties))).toEqual(expect.arrayContaining(['name', 'kafka', 'connectors', 'schema.registry.url', 'schema.registry.basic.auth.user.info']));
    expect(obj(obj(obj(schema.properties).kafka).properties)['kafka.api.key']).toBeDefined();
  });

  it('dispatches connectors on connector.class with one if/then per family and flavor, covering every class', () => {
    const branches = obj(definitions.connector).allOf as JsonValue[];
    const covered = branches.flatMap((b) => (obj(obj(obj(obj(b).if).properties)['connector.class']).enum as string[]) ?? []);
    for (const cls of CONNECTOR_CLASSES) expect(covered).toContain(cls.name);
    for (const branch of branches) {
      const ref = String(obj(obj(branch).then).$ref).replace('#/definitions/', '');
      expect(definitions[ref]).toBeDefined();
    }
  });

  it('documents every key of every class with descriptions for hover', () => {
    for (const cls of CONNECTOR_CLASSES) {
      const properties = obj(definitions[`${cls.family.id}.${cls.flavor}`]).properties;
      for (const def of keysForFlavor(cls.family.keys, cls.flavor)) {
        if (def.name === 'connector.class') continue;
        const property = obj(obj(properties)[def.name]);
        expect(typeof property.description).toBe('string');
        expect(String(property.markdownDescription)).toContain(def.doc);
        for (const alias of def.aliases) expect(obj(properties)[alias]).toBeDefined();
      }
    }
  });

  it('completes the keys of pipelines that span clusters: clusters, kafka.cluster, client overrides, a replicator\'s clusters', () => {
    const clusters = obj(obj(schema.properties).clusters);
    const block = obj(obj(clusters.additionalProperties).properties);
    expect(Object.keys(block)).toEqual(expect.arrayContaining(['bootstrap.servers', 'security.protocol', 'sasl.jaas.config', 'schema.registry.url']));
    expect(obj(clusters.additionalProperties).required).toEqual(['bootstrap.servers']);
    for (const cls of CONNECTOR_CLASSES) {
      const properties = obj(obj(definitions[`${cls.family.id}.${cls.flavor}`]).properties);
      const role = cls.family.role;
      if (role === 'replicator') {
        expect(properties['src.kafka.cluster'], cls.name).toBeDefined();
        expect(properties['dest.kafka.cluster'], cls.name).toBeDefined();
        expect(properties['kafka.cluster'], cls.name).toBeUndefined();
        continue;
      }
      const own = role === 'source' ? 'producer.override.' : 'consumer.override.';
      const other = role === 'source' ? 'consumer.override.' : 'producer.override.';
      expect(properties['kafka.cluster'], cls.name).toBeDefined();
      expect(String(obj(properties[`${own}bootstrap.servers`]).markdownDescription), cls.name).toContain('KIP-458');
      expect(properties[`${own}sasl.jaas.config`], cls.name).toBeDefined();
      expect(properties[`${other}bootstrap.servers`], cls.name).toBeUndefined();
    }
  });

  it('offers class-specific schemas too', () => {
    const mysql = connectorClassSchema(CONNECTOR_CLASSES.find((c) => c.name === 'MySqlSource') ?? (CONNECTOR_CLASSES[0] as never));
    expect(obj(mysql.properties)['connection.host']).toBeDefined();
    expect(obj(mysql.properties)['connection.url']).toBeUndefined(); // self-managed key
  });
});

describe('keySchema accepts what Connect accepts', () => {
  const g = { doc: 'Some `doc`.', group: 'g' };

  it('enums: canonical values for completion, any case by pattern', () => {
    const schema = keySchema(enumKey('insert.mode', ['insert', 'upsert'], { ...g, default: 'insert', valueDocs: { upsert: 'Idempotent.' } }));
    expect(schema.anyOf).toEqual([
      { enum: ['insert', 'upsert'], markdownEnumDescriptions: ['', 'Idempotent.'] },
      { type: 'string', pattern: '^\\s*(?:[iI][nN][sS][eE][rR][tT]|[uU][pP][sS][eE][rR][tT])\\s*$' },
    ]);
    expect(schema).toMatchObject({ default: 'insert', description: 'Some doc.' });
    expect(String(schema.markdownDescription)).toContain('Default: `insert`.');
  });

  it('ints, booleans and lists also accept their string forms', () => {
    expect(keySchema(intKey('batch.size', { ...g, min: 1, aliases: ['batch.sizes'] })).anyOf).toEqual([{ type: 'integer', minimum: 1 }, { type: 'string', pattern: '^\\s*[+-]?\\d+\\s*$' }]);
    expect(keySchema(booleanKey('auto.create', g)).anyOf).toHaveLength(2);
    expect(keySchema(listKey('table.types', { ...g, items: ['TABLE', 'VIEW'] })).anyOf).toEqual([{ type: 'string' }, { type: 'array', items: { type: 'string', enum: ['TABLE', 'VIEW'] } }]);
  });

  it('passwords are write-only strings', () => {
    expect(keySchema(passwordKey('connection.password', g))).toMatchObject({ type: 'string', writeOnly: true });
  });
});
