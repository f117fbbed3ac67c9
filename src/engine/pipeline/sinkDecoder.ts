import type { ResolvedSinkBase } from '../connectors/port';
import type { FetchedMessage } from '../kafka';
import type { RecordSchema, Row, SinkRecord } from '../model';
import { type ChangeEventReadOptions, type DecodedChangeEvent, extractNewRecordState } from '../schema';
import { buildTransformChain, envelopeHeaders, EXTRACT_NEW_RECORD_STATE, unwrapOptions, withEnvelopeFields } from '../transforms';
import { EngineError, isEngineError } from '../../shared/errors';
import { createConverter, type RecordConverter, RecordPlace } from './converters';

export function toSinkError(error: unknown): EngineError {
  return isEngineError(error) ? error : new EngineError('SINK_FAILED', error instanceof Error ? error.message : String(error), { retriable: true });
}

/** A converter or transform failure, with the stage Connect reports for it (`__connect.errors.stage`). */
export class ConverterError extends EngineError {
  constructor(
    readonly stage: 'KEY_CONVERTER' | 'VALUE_CONVERTER' | 'TRANSFORMATION',
    error: EngineError,
  ) {
    super(error.code, error.message, { retriable: error.retriable, detail: error.detail, cause: error });
  }
}

async function converting<T>(stage: ConverterError['stage'], convert: () => Promise<T>): Promise<T> {
  try {
    return await convert();
  } catch (error) {
    throw new ConverterError(stage, toSinkError(error));
  }
}

/**
 * The runner's converter and transform stage for one sink connector: a Kafka message becomes the record a sink
 * plug-in gets, as a Connect worker does before SinkTask.put. With ExtractNewRecordState, Debezium change events are
 * unwrapped into rows here.
 */
export class SinkRecordDecoder {
  private readonly keyConverter: RecordConverter | undefined;
  private readonly valueConverter: RecordConverter;
  private readonly transform: ReturnType<typeof buildTransformChain>;
  /** ExtractNewRecordState's options when the sink unwraps Debezium change events into rows. */
  private readonly unwrap: UnwrapOptions | undefined;
  private readonly changeEventReading: ChangeEventReadOptions;
  /** add.headers writes into a record's headers (see headersOf). */
  private readonly writableHeaders: boolean;

  constructor(config: ResolvedSinkBase, options: SinkDecoderOptions = {}) {
    this.keyConverter = config.key ? createConverter(config.key, true) : undefined;
    this.valueConverter = createConverter(config.value, false);
    this.transform = buildTransformChain(config.transforms, config.predicates);
    const unwrap = config.transforms.find((transform) => transform.type === EXTRACT_NEW_RECORD_STATE);
    this.unwrap = unwrap ? unwrapOptions(unwrap.config) : undefined;
    this.writableHeaders = this.unwrap !== undefined && this.unwrap.addHeaders.length > 0;
    // Without add.fields / add.headers nothing reads the envelope beyond op/before/after: the rest is skipped.
    const rowsOnly = this.unwrap !== undefined && this.unwrap.addFields.length === 0 && this.unwrap.addHeaders.length === 0;
    // Epoch-millisecond timestamps only where nothing but the plug-in reads the rows: ExtractNewRecordState (run here,
    // before any other step) is the connector's only transform, and the plug-in takes such values.
    const onlyUnwrap = config.transforms.every((transform) => transform.type === EXTRACT_NEW_RECORD_STATE);
    this.changeEventReading = { rowsOnly, timestampsAsEpochMs: rowsOnly && onlyUnwrap && options.timestampsAsEpochMs === true };
  }

  /**
   * The record as the plug-in gets it, after converters and transforms; null when a transform dropped it. Returned
   * without a promise when every schema it needs is loaded (all but the first records of a schema): a promise per
   * converter and record was a tenth of the sink thread's CPU, with the garbage it left.
   */
  decode(topic: string, partition: number, message: FetchedMessage): SinkRecord | null | Promise<SinkRecord | null> {
    const now = this.decodeNow(topic, partition, message);
    return now === NOT_READY ? this.decodeWaiting(topic, partition, message) : now;
  }

  /** `decode` with the converters' promise-free reads; NOT_READY when one of them would have to wait. */
  private decodeNow(topic: string, partition: number, message: FetchedMessage): SinkRecord | null | typeof NOT_READY {
    const keyConverter = this.keyConverter;
    const valueConverter = this.valueConverter;
    const keyNow = keyConverter && message.key ? keyConverter.toRowNow : undefined;
    if ((keyConverter && message.key && !keyNow) || !valueConverter.toRowNow) return NOT_READY;
    const headers = headersOf(message, this.writableHeaders);
    let key: { schema: RecordSchema; row: Row } | null | undefined = null;
    if (keyNow) {
      try {
        key = keyNow(topic, message.key, headers, new RecordPlace('key', topic, partition, message.offset));
      } catch (error) {
        throw new ConverterError('KEY_CONVERTER', toSinkError(error));
      }
      if (key === undefined) return NOT_READY;
    }
    let value: DecodedValue | typeof NOT_READY;
    try {
      value = this.decodeValueNow(topic, message.value, headers, new RecordPlace('value', topic, partition, message.offset));
    } catch (error) {
      throw new ConverterError('VALUE_CONVERTER', toSinkError(error));
    }
    if (value === NOT_READY) return NOT_READY;
    return this.finish(topic, partition, message, headers, key, value);
  }

  /** `decode` for a record whose schema has to be fetched first. */
  private async decodeWaiting(topic: string, partition: number, message: FetchedMessage): Promise<SinkRecord | null> {
    const where = `${topic}[${partition}]@${message.offset}`;
    const headers = headersOf(message, this.writableHeaders);
    // Key first, as Connect converts it; a failure names its stage for the dead letter headers.
    const keyConverter = this.keyConverter;
    const key = keyConverter && message.key ? await converting('KEY_CONVERTER', () => keyConverter.toRow(topic, message.key, headers, `The key of ${where}`)) : null;
    const value = await converting('VALUE_CONVERTER', () => this.decodeValue(topic, message.value, headers, where));
    return this.finish(topic, partition, message, headers, key, value);
  }

  private finish(topic: string, partition: number, message: FetchedMessage, headers: Record<string, Uint8Array>, key: { schema: RecordSchema; row: Row } | null, value: DecodedValue): SinkRecord | null {
    if (value === 'drop') return null;
    const record: SinkRecord = {
      topic,
      partition,
      offset: message.offset,
      timestampMs: Number(message.timestamp),
      keySchema: key?.schema ?? null,
      key: key?.row ?? null,
      valueSchema: value?.schema ?? null,
      value: value?.row ?? null,
      headers,
    };
    let transformed;
    try {
      transformed = this.transform(record);
    } catch (error) {
      throw new ConverterError('TRANSFORMATION', toSinkError(error));
    }
    if (transformed === null) return null;
    return transformed === record ? record : { ...transformed, partition, offset: message.offset, timestampMs: transformed.timestampMs ?? record.timestampMs, headers: headerBytes(transformed.headers) };
  }

  /** `decodeValue` with the converter's promise-free reads; NOT_READY when it would have to wait. */
  private decodeValueNow(topic: string, bytes: Buffer | null, headers: Record<string, Uint8Array>, where: RecordPlace): DecodedValue | typeof NOT_READY {
    const unwrap = this.unwrap;
    const converter = this.valueConverter;
    if (unwrap && bytes === null) return this.unwrapTombstone(unwrap, headers);
    if (unwrap && bytes !== null && converter.toChangeEvent) {
      if (!converter.toChangeEventNow) return NOT_READY;
      const event = converter.toChangeEventNow(topic, bytes, headers, where, this.changeEventReading);
      if (event === undefined) return NOT_READY;
      if (event) return this.unwrapEvent(unwrap, event, headers);
    }
    const row = converter.toRowNow?.(topic, bytes, headers, where);
    return row === undefined ? NOT_READY : row;
  }

  /**
   * The value as a row. With ExtractNewRecordState, a Debezium change event becomes its `after` row (a delete: a
   * tombstone, or a `__deleted` row under rewrite), and tombstones are dropped when `drop.tombstones` says so.
   */
  private async decodeValue(topic: string, bytes: Buffer | null, headers: Record<string, Uint8Array>, where: string): Promise<DecodedValue> {
    const unwrap = this.unwrap;
    const toChangeEvent = this.valueConverter.toChangeEvent;
    if (unwrap && bytes === null) return this.unwrapTombstone(unwrap, headers);
    if (unwrap && bytes !== null && toChangeEvent) {
      const event = await toChangeEvent(topic, bytes, headers, `The value of ${where}`, this.changeEventReading);
      if (event) return this.unwrapEvent(unwrap, event, headers);
    }
    return this.valueConverter.toRow(topic, bytes, headers, `The value of ${where}`);
  }

  private unwrapTombstone(unwrap: UnwrapOptions, headers: Record<string, Uint8Array>): DecodedValue {
    if (unwrap.dropTombstones) return 'drop';
    addHeaders(headers, envelopeHeaders(unwrap.addHeaders, null));
    return null;
  }

  private unwrapEvent(unwrap: UnwrapOptions, event: DecodedChangeEvent, headers: Record<string, Uint8Array>): DecodedValue {
    const envelope = unwrap.addFields.length > 0 || unwrap.addHeaders.length > 0 ? event.envelope : undefined;
    // add.headers go on every event that is not a tombstone, before the delete handling (as Debezium's apply).
    if (envelope) addHeaders(headers, envelopeHeaders(unwrap.addHeaders, envelope));
    const state = extractNewRecordState(event, unwrap);
    if (state.kind === 'drop') return 'drop';
    if (state.kind === 'delete') return null;
    return withEnvelopeFields(event.schema, state.row, unwrap.addFields, envelope);
  }
}

export interface SinkDecoderOptions {
  /**
   * The plug-in reads a timestamp field whose type carries `epochMs` as epoch milliseconds or a Date (the SQL sink):
   * change events' images may then carry their timestamps as numbers (see ChangeEventReadOptions).
   */
  timestampsAsEpochMs?: boolean;
}

/** A plug-in that takes epoch-millisecond timestamps where the record's schema says so (SinkDecoderOptions). */
export interface EpochMsTimestampsSink {
  readonly takesEpochMsTimestamps: true;
}

export function takesEpochMsTimestamps(sink: object): sink is EpochMsTimestampsSink {
  return (sink as Partial<EpochMsTimestampsSink>).takesEpochMsTimestamps === true;
}

type UnwrapOptions = ReturnType<typeof unwrapOptions>;
/** A value as a row; null: a tombstone (delete); 'drop': a transform dropped the record. */
type DecodedValue = { schema: RecordSchema; row: Row } | null | 'drop';
/** A converter would have to wait for a schema: decode through the promise path instead. */
const NOT_READY = Symbol('not ready');

/** ExtractNewRecordState's `add.headers` onto a record's headers (text, as Connect's SimpleHeaderConverter writes). */
function addHeaders(headers: Record<string, Uint8Array>, added: Record<string, string>): void {
  for (const name in added) headers[name] = Buffer.from(added[name] ?? '', 'utf8');
}

/**
 * A message's headers as bytes; most records carry none (the source samples its headers on one record per batch), and
 * those share one frozen empty object unless `writable` (ExtractNewRecordState's add.headers writes into them): a
 * record holds its headers until its chunk is applied, and nothing else writes into a sink record's headers
 * (transforms and the dead letter queue copy them; a write would fail loudly).
 */
function headersOf(message: FetchedMessage, writable: boolean): Record<string, Uint8Array> {
  let out: Record<string, Uint8Array> | undefined;
  const headers = message.headers;
  for (const name in headers) {
    const value = headers[name];
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) (out ??= {})[name] = typeof first === 'string' ? Buffer.from(first) : first;
  }
  return out ?? (writable ? {} : NO_HEADERS);
}

const NO_HEADERS: Record<string, Uint8Array> = Object.freeze({});

/** Headers a transform set, as the bytes sink records carry. */
function headerBytes(headers: Record<string, string | Uint8Array>): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  for (const [name, value] of Object.entries(headers)) out[name] = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return out;
}
