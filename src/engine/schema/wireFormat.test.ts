import { describe, expect, it } from 'vitest';
import type { EngineError } from '../../shared/errors';
import { parseSubjectNameStrategy, subjectName } from './subjectNaming';
import { decodeFrame, encodeFrame, encodeSchemaIdHeader, VALUE_SCHEMA_ID_HEADER } from './wireFormat';

function thrown(fn: () => unknown): EngineError {
  try {
    fn();
  } catch (error) {
    return error as EngineError;
  }
  throw new Error('expected an error');
}

describe('Confluent wire format', () => {
  it('frames as magic byte 0 + big-endian id + body, and splits it back without copying', () => {
    const framed = encodeFrame(258, Buffer.from([7, 8, 9]));
    expect([...framed]).toEqual([0, 0, 0, 1, 2, 7, 8, 9]);
    const decoded = decodeFrame(framed);
    expect(decoded.ref).toEqual({ kind: 'id', id: 258 });
    expect([...decoded.body]).toEqual([7, 8, 9]);
    expect(decoded.body.buffer).toBe(framed.buffer);
    expect(decoded.source).toBe('prefix');
    expect(decodeFrame(encodeFrame(2 ** 31 - 1, new Uint8Array())).ref).toEqual({ kind: 'id', id: 2 ** 31 - 1 });
  });

  it('accepts a plain Uint8Array', () => {
    const bytes = new Uint8Array([0, 0, 0, 0, 5, 42]);
    expect(decodeFrame(bytes)).toMatchObject({ ref: { kind: 'id', id: 5 } });
  });

  it('says what the bytes look like when the magic byte is missing', () => {
    const json = thrown(() => decodeFrame(Buffer.from('{"id":1}')));
    expect(json.code).toBe('SCHEMA_WIRE_FORMAT');
    expect(json.message).toContain('not Confluent wire format: first byte 0x7b, looks like JSON');
    expect(thrown(() => decodeFrame(Buffer.from('hello'))).message).toContain('first byte 0x68, looks like text');
    expect(thrown(() => decodeFrame(Buffer.from([0, 0, 1]))).message).toContain('first byte 0x00, only 3 bytes, too short');
    expect(thrown(() => decodeFrame(Buffer.alloc(0))).message).toContain('is empty');
    expect(thrown(() => decodeFrame(Buffer.from([0x02, 1, 2, 3, 4, 5]))).message).toContain('first byte 0x02');
  });

  it('reads the schema id from the __value_schema_id header, where the body has no prefix', () => {
    const body = Buffer.from([1, 2, 3]);
    const byId = decodeFrame(body, { [VALUE_SCHEMA_ID_HEADER]: encodeSchemaIdHeader({ kind: 'id', id: 12 }) });
    expect(byId).toEqual({ ref: { kind: 'id', id: 12 }, body, source: 'header' });
    const guid = '0f8fad5b-d9cb-469f-a165-70867728950e';
    const byGuid = decodeFrame(body, { [VALUE_SCHEMA_ID_HEADER]: [encodeSchemaIdHeader({ kind: 'id', id: 1 }), encodeSchemaIdHeader({ kind: 'guid', guid })] });
    expect(byGuid.ref).toEqual({ kind: 'guid', guid });
    // A value header is not used for the key.
    expect(decodeFrame(encodeFrame(3, body), { [VALUE_SCHEMA_ID_HEADER]: encodeSchemaIdHeader({ kind: 'id', id: 12 }) }, true).ref).toEqual({ kind: 'id', id: 3 });
    expect(thrown(() => decodeFrame(body, { [VALUE_SCHEMA_ID_HEADER]: Buffer.from('x') })).message).toContain(`header ${VALUE_SCHEMA_ID_HEADER}`);
  });

  it('accepts the GUID prefix (magic byte 1) in the payload too', () => {
    const header = encodeSchemaIdHeader({ kind: 'guid', guid: '00112233-4455-6677-8899-aabbccddeeff' });
    const decoded = decodeFrame(Buffer.concat([header, Buffer.from([9])]));
    expect(decoded.ref).toEqual({ kind: 'guid', guid: '00112233-4455-6677-8899-aabbccddeeff' });
    expect([...decoded.body]).toEqual([9]);
  });
});

describe('subject name strategies', () => {
  it('accepts short and full class names', () => {
    expect(parseSubjectNameStrategy(undefined)).toBe('TopicNameStrategy');
    expect(parseSubjectNameStrategy('io.confluent.kafka.serializers.subject.RecordNameStrategy')).toBe('RecordNameStrategy');
    expect(parseSubjectNameStrategy(' TopicRecordNameStrategy ')).toBe('TopicRecordNameStrategy');
    const error = thrown(() => parseSubjectNameStrategy('io.confluent.kafka.serializers.subject.AssociatedNameStrategy'));
    expect(error.code).toBe('SCHEMA_BAD_STRATEGY');
    expect(error.message).toMatch(/Unknown subject name strategy.*TopicNameStrategy, RecordNameStrategy, TopicRecordNameStrategy/);
  });

  it('names subjects like Confluent serializers', () => {
    expect(subjectName('TopicNameStrategy', { topic: 'shop.orders', isKey: false })).toBe('shop.orders-value');
    expect(subjectName('TopicNameStrategy', { topic: 'shop.orders', isKey: true })).toBe('shop.orders-key');
    expect(subjectName('RecordNameStrategy', { topic: 't', isKey: false, recordName: 'com.acme.Order' })).toBe('com.acme.Order');
    expect(subjectName('TopicRecordNameStrategy', { topic: 't', isKey: true, recordName: 'com.acme.Order' })).toBe('t-com.acme.Order');
    expect(() => subjectName('RecordNameStrategy', { topic: 't', isKey: false })).toThrow(/no record name/);
  });
});
