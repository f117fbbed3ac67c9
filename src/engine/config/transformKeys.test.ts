import { describe, expect, it } from 'vitest';
import { pipelineJsonSchema } from './jsonSchema';
import { predicateKeyCatalog, transformKeyCatalog } from './transformKeys';
import { SUPPORTED_PREDICATES, SUPPORTED_TRANSFORMS } from './transforms';

describe('transform keys for the editor', () => {
  it('documents the keys of every transform and predicate Ferry runs', () => {
    const transforms = transformKeyCatalog();
    expect(Object.keys(transforms).sort()).toEqual([...SUPPORTED_TRANSFORMS].sort());
    expect(Object.keys(transforms['org.apache.kafka.connect.transforms.ReplaceField$Value'] ?? {})).toEqual(expect.arrayContaining(['include', 'exclude', 'renames', 'predicate', 'negate']));
    expect(transforms['org.apache.kafka.connect.transforms.TimestampConverter$Key']?.['target.type']?.values).toEqual(['string', 'unix', 'Date', 'Time', 'Timestamp']);
    expect(Object.keys(predicateKeyCatalog()).sort()).toEqual([...SUPPORTED_PREDICATES].sort());
  });

  it('gives every transform its own keys (Filter takes only predicate and negate), for $Key and $Value alike', () => {
    const transforms = transformKeyCatalog();
    for (const [type, keys] of Object.entries(transforms)) {
      const own = Object.keys(keys).filter((key) => key !== 'predicate' && key !== 'negate');
      if (type.endsWith('.Filter')) expect(own).toEqual([]);
      else expect(own.length, type).toBeGreaterThan(0);
    }
    expect(Object.keys(transforms['org.apache.kafka.connect.transforms.HoistField$Key'] ?? {})).toContain('field');
    expect(transforms['org.apache.kafka.connect.transforms.ExtractField$Value']?.['field.syntax.version']?.values).toEqual(['V1', 'V2']);
  });

  it('puts them in the pipeline schema, and completes transforms.<alias>.type from the classes Ferry runs', () => {
    const schema = pipelineJsonSchema() as { definitions: Record<string, Record<string, Record<string, unknown>>> };
    expect(Object.keys(schema.definitions.transformKeys?.['org.apache.kafka.connect.transforms.MaskField$Value'] ?? {})).toContain('fields');
    expect(schema.definitions.predicateKeys?.['org.apache.kafka.connect.transforms.predicates.HasHeaderKey']).toHaveProperty('name');
    expect(JSON.stringify(schema.definitions)).toContain('"^transforms\\\\.[^.]+\\\\.type$":{"description":"The transform class.","anyOf":[{"enum":["org.apache.kafka.connect.transforms.ValueToKey"');
  });
});
