import { describe, expect, it } from 'vitest';
import { type AvroSchemaJson, avroFullName, canonicalAvroString, parseAvroSchemaText } from './avroJson';

const canonical = (schema: unknown): string => canonicalAvroString(schema as AvroSchemaJson);

describe('canonical Avro text (Avro Java Schema.toString)', () => {
  it('writes primitives without props as bare names and keeps props in document order after "type"', () => {
    expect(canonical({ type: 'string' })).toBe('"string"');
    expect(canonical({ logicalType: 'date', type: 'int', 'connect.version': 1 })).toBe('{"type":"int","logicalType":"date","connect.version":1}');
    // doc is reserved: Java drops it on primitives.
    expect(canonical({ type: 'long', doc: 'ignored' })).toBe('"long"');
  });

  it('orders record keys type, name, namespace, doc, fields, props, aliases', () => {
    const text = canonical({
      'connect.name': 'x.Y',
      fields: [{ type: ['null', 'int'], default: null, name: 'a', 'field.prop': true, aliases: ['old_a'] }],
      aliases: ['Old'],
      doc: 'a record',
      namespace: 'x',
      name: 'Y',
      type: 'record',
    });
    expect(text).toBe(
      '{"type":"record","name":"Y","namespace":"x","doc":"a record","fields":[{"name":"a","type":["null","int"],"default":null,"aliases":["old_a"],"field.prop":true}],"connect.name":"x.Y","aliases":["Old"]}',
    );
  });

  it('writes namespaces relative to the enclosing one and a repeated named type as a reference', () => {
    const text = canonical({
      type: 'record',
      name: 'com.acme.Order',
      fields: [
        { name: 'money', type: { type: 'fixed', name: 'Money', size: 8 } },
        { name: 'refund', type: ['null', 'com.acme.Money'] },
        { name: 'other', type: { type: 'enum', name: 'other.Kind', symbols: ['A'] } },
        { name: 'kind2', type: 'other.Kind' },
        { name: 'nons', type: { type: 'fixed', name: 'Raw', namespace: '', size: 1 } },
      ],
    });
    expect(text).toBe(
      '{"type":"record","name":"Order","namespace":"com.acme","fields":[' +
        '{"name":"money","type":{"type":"fixed","name":"Money","size":8}},' +
        '{"name":"refund","type":["null","Money"]},' +
        '{"name":"other","type":{"type":"enum","name":"Kind","namespace":"other","symbols":["A"]}},' +
        '{"name":"kind2","type":"other.Kind"},' +
        '{"name":"nons","type":{"type":"fixed","name":"Raw","namespace":"","size":1}}]}',
    );
    expect(avroFullName(parseAvroSchemaText(text))).toBe('com.acme.Order');
  });

  it('ignores whitespace and key order of structural keys', () => {
    const a = parseAvroSchemaText('{ "type" : "array", "items" : { "type" : "map", "values" : "long" } }');
    const b = parseAvroSchemaText('{"items":{"values":"long","type":"map"},"type":"array"}');
    expect(canonicalAvroString(a)).toBe('{"type":"array","items":{"type":"map","values":"long"}}');
    expect(canonicalAvroString(b)).toBe(canonicalAvroString(a));
  });

  it('rejects text that is not JSON with a clear error', () => {
    expect(() => parseAvroSchemaText('record Foo {')).toThrow(/not valid JSON/);
  });
});
