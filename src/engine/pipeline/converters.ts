import type { KeyFormat, ResolvedSchemaRegistry, ResolvedSerde, ValueFormat } from '../config';
import type { RecordSchema, Row } from '../model';
import { AvroConverter, type ChangeEventReadOptions, type DecodedChangeEvent, SchemaRegistryClient } from '../schema';
import { EngineError, isEngineError } from '../../shared/errors';
import { jsonToRow, rowToJson } from './jsonConverter';
import { connectJsonToChangeEvent, connectJsonToRow, rowToConnectJson } from './connectJson';
import { pipelineError } from './errors';

/** Turns key or value rows into Kafka bytes and back, as a Connect converter does. */
export interface RecordConverter {
  fromRow(topic: string, schema: RecordSchema, row: Row | null): Promise<Buffer | null>;
  /**
   * `fromRow` without a promise, for the source's per-record path: undefined when it would have to wait (an Avro
   * schema whose id for this topic is not known yet), then the caller uses `fromRow`. The same bytes either way.
   */
  fromRowNow?(topic: string, schema: RecordSchema, row: Row | null): Buffer | null | undefined;
  toRow(topic: string, bytes: Uint8Array | null, headers: Record<string, Uint8Array>, where: string): Promise<{ schema: RecordSchema; row: Row } | null>;
  /** Avro and JSON values: a Debezium change event read into row images, or null when the value is not one. */
  toChangeEvent?(topic: string, bytes: Uint8Array, headers: Record<string, Uint8Array>, where: string, options?: ChangeEventReadOptions): Promise<DecodedChangeEvent | null>;
  /**
   * `toRow` without a promise, for the sink's per-record path: undefined when it would have to wait (a schema not
   * fetched yet), then the caller uses `toRow`. `where` becomes text only to name the record in an error.
   */
  toRowNow?(topic: string, bytes: Uint8Array | null, headers: Record<string, Uint8Array>, where: RecordPlace): { schema: RecordSchema; row: Row } | null | undefined;
  /** `toChangeEvent` without a promise, as `toRowNow`. */
  toChangeEventNow?(topic: string, bytes: Uint8Array, headers: Record<string, Uint8Array>, where: RecordPlace, options?: ChangeEventReadOptions): DecodedChangeEvent | null | undefined;
}

/**
 * Which part of which record is being read, made into text (`The value of topic[0]@42`) only when an error names it.
 * A class rather than a closure per record: the sink makes one for every record it decodes.
 */
export class RecordPlace {
  constructor(
    readonly part: 'key' | 'value',
    readonly topic: string,
    readonly partition: number,
    readonly offset: string,
  ) {}

  toString(): string {
    return `The ${this.part} of ${this.topic}[${this.partition}]@${this.offset}`;
  }
}

const registryClients = new Map<string, SchemaRegistryClient>();

/** One client per registry URL and user, so ids fetched by one connector serve the others. */
export function registryClientFor(registry: ResolvedSchemaRegistry): SchemaRegistryClient {
  const auth = registry.basicAuth;
  const cacheKey = `${registry.urls.join(',')}|${auth?.username ?? ''}`;
  let client = registryClients.get(cacheKey);
  if (!client) {
    client = new SchemaRegistryClient({
      url: registry.urls.join(','),
      ...(auth ? { basicAuthUserInfo: `${auth.username}:${auth.password.reveal()}` } : {}),
    });
    registryClients.set(cacheKey, client);
  }
  return client;
}

/** A converter error with the record it is about (`The value of topic[0]@42: …`). */
function atRecord(error: unknown, where: string): EngineError {
  const message = error instanceof Error ? error.message : String(error);
  if (isEngineError(error)) return new EngineError(error.code, `${where}: ${message}`, { retriable: error.retriable, detail: error.detail, cause: error });
  return pipelineError('PIPELINE_CONVERTER', `${where}: ${message}`, { cause: error });
}

export function createConverter(serde: ResolvedSerde<KeyFormat> | ResolvedSerde<ValueFormat>, isKey: boolean): RecordConverter {
  switch (serde.format) {
    case 'AVRO': {
      if (!serde.schemaRegistry) {
        throw pipelineError('PIPELINE_INVALID', 'AVRO needs a Schema Registry: set schema.registry.url (Ferry can run its embedded one for local work).');
      }
      const avro = new AvroConverter({
        registry: registryClientFor(serde.schemaRegistry),
        subjectNameStrategy: serde.subjectNameStrategy,
        autoRegisterSchemas: serde.autoRegisterSchemas,
      });
      return {
        fromRow: (topic, schema, row) => avro.fromRow(topic, isKey, schema, row),
        fromRowNow: (topic, schema, row) => avro.fromRowNow(topic, isKey, schema, row),
        async toChangeEvent(topic, bytes, headers, where, options) {
          try {
            return await avro.toChangeEvent(topic, bytes, headers, options);
          } catch (error) {
            throw atRecord(error, where);
          }
        },
        toChangeEventNow(topic, bytes, headers, where, options) {
          try {
            return avro.toChangeEventNow(topic, bytes, headers, options);
          } catch (error) {
            throw atRecord(error, where.toString());
          }
        },
        toRowNow(topic, bytes, headers, where) {
          try {
            return avro.toRowNow(topic, isKey, bytes, headers);
          } catch (error) {
            throw atRecord(error, where.toString());
          }
        },
        async toRow(topic, bytes, headers, where) {
          try {
            const decoded = await avro.toRow(topic, isKey, bytes, headers);
            return decoded ? { schema: decoded.schema, row: decoded.row } : null;
          } catch (error) {
            // The schema layer says what is wrong with the bytes but not which record they are; the user needs both
            // (the JSON converter already names the record the same way).
            throw atRecord(error, where);
          }
        },
      };
    }
    case 'JSON': {
      const withSchemas = serde.jsonSchemas === true;
      // JSON needs no schema from elsewhere: its promise-free reads always answer.
      const toChangeEvent: RecordConverter['toChangeEvent'] = async (_topic, bytes, _headers, where) => connectJsonToChangeEvent(bytes, where, withSchemas);
      const toChangeEventNow: RecordConverter['toChangeEventNow'] = (_topic, bytes, _headers, where) => connectJsonToChangeEvent(bytes, where.toString(), withSchemas);
      if (withSchemas) {
        return {
          fromRow: async (_topic, schema, row) => rowToConnectJson(schema, row),
          fromRowNow: (_topic, schema, row) => rowToConnectJson(schema, row),
          toRow: async (_topic, bytes, _headers, where) => connectJsonToRow(bytes, where),
          toRowNow: (_topic, bytes, _headers, where) => connectJsonToRow(bytes, where.toString()),
          toChangeEvent,
          toChangeEventNow,
        };
      }
      return {
        fromRow: async (_topic, _schema, row) => rowToJson(row),
        fromRowNow: (_topic, _schema, row) => rowToJson(row),
        toRow: async (_topic, bytes, _headers, where) => jsonToRow(bytes, where),
        toRowNow: (_topic, bytes, _headers, where) => jsonToRow(bytes, where.toString()),
        toChangeEvent,
        toChangeEventNow,
      };
    }
    case 'STRING':
      return {
        fromRow: async (_topic, schema, row) => stringKey(schema, row),
        fromRowNow: (_topic, schema, row) => stringKey(schema, row),
        async toRow(_topic, bytes) {
          if (bytes === null) return null;
          return { schema: { name: 'key', fields: [{ name: 'key', type: { kind: 'string' }, optional: false }] }, row: { key: Buffer.from(bytes).toString('utf8') } };
        },
      };
  }
}

/** A STRING key: the single column's text, or the columns' texts as a JSON array. */
function stringKey(schema: RecordSchema, row: Row | null): Buffer | null {
  if (row === null) return null;
  const values = schema.fields.map((field) => row[field.name]);
  return Buffer.from(values.length === 1 ? String(values[0]) : JSON.stringify(values.map(String)), 'utf8');
}
