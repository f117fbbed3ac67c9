import type { ResolvedSource } from '../config';
import { SOURCE_CAPTURE_HEADER, SOURCE_TIME_HEADER } from '../connectors/headers';
import type { SchemaRow, SourceRecord, SourceValue } from '../connectors/port';
import type { RecordSchema, Row } from '../model';
import { DebeziumEnvelopeCodec, encodeFrame, extractNewRecordState, SchemaChangeCodec } from '../schema';
import { buildTransformChain, envelopeHeaders, EXTRACT_NEW_RECORD_STATE, probeTopic, type UnwrapOptions, unwrapOptions, withEnvelopeFields } from '../transforms';
import { FERRY_VERSION } from '../base/version';
import { changeEventToConnectJson } from './connectJson';
import { createConverter, registryClientFor, type RecordConverter } from './converters';
import { pipelineError } from './errors';

/** A record as the producer sends it. */
export interface OutgoingMessage {
  key: Buffer | null;
  value: Buffer | null;
  headers?: Record<string, string | Buffer>;
}

/**
 * The runner's transform and converter stage for one source connector: a plug-in's records become Kafka messages per
 * topic. Rows (polling) run through the transform chain as Connect's worker runs SMTs; change events (log capture)
 * are written as Debezium's envelope, or as the new row state when ExtractNewRecordState is on the source, with
 * only the chain's topic routing applied, as before the connector port.
 *
 * Only the first message of each topic in a batch carries the source time and capture headers: encoding them on
 * every record cost about three times the record itself (bench/runnerCosts.ts), only to feed a latency sample.
 */
export class SourceEncoder {
  private readonly keyConverter: RecordConverter;
  private readonly valueConverter: RecordConverter;
  private readonly transform: ReturnType<typeof buildTransformChain>;
  private readonly unwrap: UnwrapOptions | undefined;
  /** No transforms configured: the chain would hand every row back as it is, so rows skip it. */
  private readonly untransformed: boolean;
  private readonly routed = new Map<string, string>();
  private readonly codecs = new WeakMap<RecordSchema, DebeziumEnvelopeCodec>();
  private readonly envelopeIds = new WeakMap<DebeziumEnvelopeCodec, Map<string, number | Promise<number>>>();
  /** Debezium's schema change topic (MySQL/MariaDB DDL): its codec and registered ids by subject. */
  private schemaChanges: { codec: SchemaChangeCodec; ids: Map<string, Promise<number>> } | undefined;

  constructor(
    private readonly config: ResolvedSource,
    private readonly capture: 'polling' | 'log',
    private readonly startedAt: number = Date.now(),
  ) {
    this.keyConverter = createConverter(config.key, true);
    this.valueConverter = createConverter(config.value, false);
    this.transform = buildTransformChain(config.transforms, config.predicates);
    this.untransformed = config.transforms.length === 0;
    const unwrap = config.transforms.find((transform) => transform.type === EXTRACT_NEW_RECORD_STATE);
    this.unwrap = unwrap ? unwrapOptions(unwrap.config) : undefined;
  }

  /** The topic a source's topic becomes through the transforms' routing (cached per topic). */
  routedTopic(topic: string): string {
    if (topic === this.lastTopic) return this.lastRouted;
    let routed = this.routed.get(topic);
    if (routed === undefined) {
      routed = probeTopic(this.transform, topic);
      this.routed.set(topic, routed);
    }
    this.lastTopic = topic;
    this.lastRouted = routed;
    return routed;
  }

  private lastTopic: string | undefined;
  private lastRouted = '';

  async encode(records: readonly SourceRecord[], readAt: number): Promise<Map<string, OutgoingMessage[]>> {
    const byTopic = new Map<string, OutgoingMessage[]>();
    const timed = new Set<string>();
    // The list of the previous record's topic: a batch's records mostly come table by table, so mostly no map lookup.
    let listTopic: string | undefined;
    let list: OutgoingMessage[] = [];
    for (const record of records) {
      // Most records encode without waiting (their schemas' ids are known): awaiting only the ones that must wait saves
      // a promise and a microtask turn per record.
      const encoding =
        record.value?.kind === 'row' ? this.encodeRow(record, record.value, readAt) : record.value?.kind === 'schemaChange' ? this.encodeSchemaChange(record, record.value) : this.encodeChange(record, record.value);
      const message = encoding instanceof Promise ? await encoding : encoding;
      if (!message) continue;
      if (message.topic !== listTopic) {
        let messages = byTopic.get(message.topic);
        if (!messages) {
          messages = [];
          byTopic.set(message.topic, messages);
          message.headers = { ...message.headers, [SOURCE_CAPTURE_HEADER]: this.capture };
        }
        listTopic = message.topic;
        list = messages;
      }
      const messages = list;
      // The latency sample: the first (oldest) streamed change of the batch for this topic, so the latency is not
      // understated. Snapshot rows are snapshot progress, not latency (one definition everywhere: source change →
      // target commit of a streamed change). A snapshot record is ruled out first, without a lookup in `timed`.
      if (!isSnapshotRecord(record, this.startedAt) && !timed.has(message.topic)) {
        timed.add(message.topic);
        message.headers = { ...message.headers, [SOURCE_TIME_HEADER]: String(record.sourceTimestampMs ?? readAt) };
      }
      messages.push(message);
    }
    return byTopic;
  }

  /** A polling row: through the transform chain (a Filter may drop it), then the converters. */
  private encodeRow(record: SourceRecord, value: SchemaRow, readAt: number): Encoded {
    if (this.untransformed) {
      // What the empty chain returns: the same topic, key and value, no headers.
      const topic = record.topic;
      const key = record.key ? converted(this.keyConverter, topic, record.key.schema, record.key.row) : null;
      const withKey = (keyBytes: Buffer | null): Encoded => {
        const encoded = converted(this.valueConverter, topic, value.schema, value.row);
        return encoded instanceof Promise ? encoded.then((bytes) => ({ topic, key: keyBytes, value: bytes })) : { topic, key: keyBytes, value: encoded };
      };
      return key instanceof Promise ? key.then(withKey) : withKey(key);
    }
    // Connect's JDBC source sends null keys; a ValueToKey transform is how users give records a key.
    const transformed = this.transform({
      topic: record.topic,
      partition: null,
      timestampMs: record.sourceTimestampMs ?? readAt,
      keySchema: record.key?.schema ?? null,
      key: record.key?.row ?? null,
      valueSchema: value.schema,
      value: value.row,
      headers: {},
    });
    if (transformed === null) return null;
    const topic = transformed.topic;
    const key = transformed.keySchema && transformed.key ? converted(this.keyConverter, topic, transformed.keySchema, transformed.key) : null;
    const headers = Object.keys(transformed.headers).length > 0 ? kafkaHeaders(transformed.headers) : undefined;
    const withKey = (keyBytes: Buffer | null): Encoded => {
      const encoded = transformed.valueSchema ? converted(this.valueConverter, topic, transformed.valueSchema, transformed.value) : null;
      const message = (bytes: Buffer | null): OutgoingMessage & { topic: string } => ({ topic, key: keyBytes, value: bytes, ...(headers ? { headers } : {}) });
      return encoded instanceof Promise ? encoded.then(message) : message(encoded);
    };
    return key instanceof Promise ? key.then(withKey) : withKey(key);
  }

  /** A change event (log capture) or a tombstone: the envelope, or the new row state under ExtractNewRecordState. */
  private encodeChange(record: SourceRecord, value: SourceValue | null): Encoded {
    const topic = this.routedTopic(record.topic);
    const key = record.key ? converted(this.keyConverter, topic, record.key.schema, record.key.row) : null;
    return key instanceof Promise ? key.then((bytes) => this.encodeChangeValue(record, value, topic, bytes)) : this.encodeChangeValue(record, value, topic, key);
  }

  /** The rest of `encodeChange` once the key is encoded (the key's schema is registered before the value's). */
  private encodeChangeValue(record: SourceRecord, value: SourceValue | null, topic: string, key: Buffer | null): Encoded {
    if (value === null) {
      if (this.unwrap?.dropTombstones) return null;
      const headers = this.unwrap ? envelopeHeaders(this.unwrap.addHeaders, null) : {};
      return { topic, key, value: null, ...(Object.keys(headers).length > 0 ? { headers } : {}) };
    }
    if (value.kind !== 'change') return null;
    if (this.unwrap) {
      const unwrap = this.unwrap;
      // add.fields / add.headers read the envelope Debezium would have written (its source block's fields and types).
      const envelope = unwrap.addFields.length > 0 || unwrap.addHeaders.length > 0 ? this.codecFor(record.topic, value).envelopeFields(value.event) : undefined;
      const headers = envelope ? envelopeHeaders(unwrap.addHeaders, envelope) : {};
      const state = extractNewRecordState({ op: value.event.op, before: value.event.before ?? null, after: value.event.after }, unwrap);
      if (state.kind !== 'row') return null;
      const out = withEnvelopeFields(value.schema, state.row, unwrap.addFields, envelope);
      const encoded = converted(this.valueConverter, topic, out.schema, out.row);
      const message = (bytes: Buffer | null): OutgoingMessage & { topic: string } => ({ topic, key, value: bytes, ...(Object.keys(headers).length > 0 ? { headers } : {}) });
      return encoded instanceof Promise ? encoded.then(message) : message(encoded);
    }
    if (this.config.value.format === 'JSON') {
      // Connect's JsonConverter, as Debezium writes with it: what a Kafka Connect worker without Avro reads.
      return { topic, key, value: changeEventToConnectJson(record.topic, value.schema, value.connector, value.event, `${FERRY_VERSION}-ferry`, this.config.value.jsonSchemas === true) };
    }
    const codec = this.codecFor(record.topic, value);
    const id = this.envelopeId(topic, codec);
    const event = value.event;
    return typeof id === 'number' ? { topic, key, value: codec.encodeFramed(event, id) } : id.then((registered) => ({ topic, key, value: codec.encodeFramed(event, registered) }));
  }

  private codecFor(sourceTopic: string, value: Extract<SourceValue, { kind: 'change' }>): DebeziumEnvelopeCodec {
    // The previous record's, mostly (records come table by table): no WeakMap lookup per record.
    if (value.schema === this.lastCodec?.valueSchema) return this.lastCodec;
    let codec = this.codecs.get(value.schema);
    if (!codec) {
      // Named after the source's logical topic, as Debezium names it: a RegexRouter moves the record to another topic
      // (the registry subject follows it) but, as in Connect, leaves the schema's name alone.
      codec = new DebeziumEnvelopeCodec(sourceTopic, value.schema, value.connector, `${FERRY_VERSION}-ferry`);
      this.codecs.set(value.schema, codec);
    }
    this.lastCodec = codec;
    return codec;
  }

  private lastCodec: DebeziumEnvelopeCodec | undefined;

  /**
   * A DDL on Debezium's schema change topic: key and value as Debezium writes them (Avro or Connect JSON), whatever
   * transforms the source has (ExtractNewRecordState passes records that are not envelopes through unchanged).
   */
  private async encodeSchemaChange(record: SourceRecord, value: Extract<SourceValue, { kind: 'schemaChange' }>): Promise<OutgoingMessage & { topic: string }> {
    const topic = this.routedTopic(record.topic);
    if (this.schemaChanges?.codec.connector !== value.connector) this.schemaChanges = { codec: new SchemaChangeCodec(value.connector, `${FERRY_VERSION}-ferry`), ids: new Map() };
    const { codec, ids } = this.schemaChanges;
    const registered = (which: 'key' | 'value', schemaText: string, registry: ResolvedSource['value']['schemaRegistry']): Promise<number> => {
      if (!registry) return Promise.reject(pipelineError('PIPELINE_INVALID', 'AVRO needs a Schema Registry: set schema.registry.url.'));
      const subject = `${topic}-${which}`;
      let id = ids.get(subject);
      if (!id) {
        id = registryClientFor(registry)
          .register(subject, schemaText)
          .catch((error: unknown) => {
            ids.delete(subject);
            throw error;
          });
        ids.set(subject, id);
      }
      return id;
    };
    const keyFormat = this.config.key?.format;
    const key =
      keyFormat === 'AVRO'
        ? encodeFrame(await registered('key', codec.keySchemaText, this.config.key?.schemaRegistry), codec.encodeKeyAvro(value.event.databaseName))
        : keyFormat === 'JSON'
          ? codec.encodeKeyJson(value.event.databaseName, this.config.key?.jsonSchemas === true)
          : record.key
            ? await this.keyConverter.fromRow(topic, record.key.schema, record.key.row)
            : null;
    const body =
      this.config.value.format === 'JSON'
        ? codec.encodeJson(value.event, this.config.value.jsonSchemas === true)
        : encodeFrame(await registered('value', codec.valueSchemaText, this.config.value.schemaRegistry), codec.encodeAvro(value.event));
    return { topic, key, value: body };
  }

  /**
   * Registers the envelope under `<topic>-value` (TopicNameStrategy), once per schema and topic; the id itself once
   * known. Keyed by the codec, not by its schema text: a key made of the text (kilobytes) was built and hashed for
   * every record, 10 % of a snapshot's CPU.
   */
  private lastEnvelopeId: { codec: DebeziumEnvelopeCodec; topic: string; id: number } | undefined;

  private envelopeId(topic: string, codec: DebeziumEnvelopeCodec): number | Promise<number> {
    const last = this.lastEnvelopeId;
    if (last !== undefined && last.codec === codec && last.topic === topic) return last.id;
    const registry = this.config.value.schemaRegistry;
    if (!registry) return Promise.reject(pipelineError('PIPELINE_INVALID', 'AVRO needs a Schema Registry: set schema.registry.url.'));
    let ids = this.envelopeIds.get(codec);
    if (!ids) {
      ids = new Map();
      this.envelopeIds.set(codec, ids);
    }
    const known = ids.get(topic);
    // A registered id is kept for the next record (mostly of the same table and topic): no lookups per record.
    if (typeof known === 'number') this.lastEnvelopeId = { codec, topic, id: known };
    if (known !== undefined) return known;
    const registered = ids;
    const pending = registryClientFor(registry)
      .register(`${topic}-value`, codec.schemaText)
      .then(
        (id) => {
          registered.set(topic, id);
          return id;
        },
        (error: unknown) => {
          registered.delete(topic);
          throw error;
        },
      );
    ids.set(topic, pending);
    return pending;
  }
}

/** A record's message, or the promise of it when a schema had to be registered first; null when it is dropped. */
type Encoded = (OutgoingMessage & { topic: string }) | null | Promise<(OutgoingMessage & { topic: string }) | null>;

/** A key or value through its converter: without a promise when the converter can answer now, as it mostly can. */
function converted(converter: RecordConverter, topic: string, schema: RecordSchema, row: Row | null): Buffer | null | Promise<Buffer | null> {
  const now = converter.fromRowNow?.(topic, schema, row);
  return now !== undefined ? now : converter.fromRow(topic, schema, row);
}

/** Headers a transform set (InsertHeader, HeaderFrom) as the producer takes them. */
function kafkaHeaders(headers: Record<string, string | Uint8Array>): Record<string, string | Buffer> {
  const out: Record<string, string | Buffer> = {};
  for (const [name, value] of Object.entries(headers)) out[name] = typeof value === 'string' ? value : Buffer.from(value);
  return out;
}

/**
 * A record of the snapshot rather than a streamed change: a log source's snapshot read (op `r`), or a polled row whose
 * change time is older than the connector (a row that was already there when it started).
 */
export function isSnapshotRecord(record: SourceRecord, startedAt: number): boolean {
  // A DDL is not a row change: never a latency sample.
  if (record.value?.kind === 'schemaChange') return true;
  if (record.value?.kind === 'change') return record.value.event.op === 'r';
  if (record.value?.kind === 'row') return record.sourceTimestampMs !== undefined && record.sourceTimestampMs < startedAt;
  return false;
}
