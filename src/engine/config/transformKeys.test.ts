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

  it('puts them in the pipeline schema, and completes transforms.<alias>.type from the classes Ferry runs', () => {
    const schema = pipelineJsonSchema() as { definitions: Record<string, Record<string, Record<string, unknown>>> };
    expect(Object.keys(schema.definitions.transformKeys?.['org.apache.kafka.connect.transforms.MaskField$Value'] ?? {})).toContain('fields');
    expect(schema.definitions.predicateKeys?.['org.apache.kafka.connect.transforms.predicates.HasHeaderKey']).toHaveProperty('name');
    expect(JSON.stringify(schema.definitions)).toContain('"^transforms\\\\.[^.]+\\\\.type$":{"description":"The transform class.","anyOf":[{"enum":["org.apache.kafka.connect.transforms.ValueToKey"');
  });
});
