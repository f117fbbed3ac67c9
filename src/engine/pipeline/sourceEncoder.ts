import type { ResolvedSource } from '../config';
import { SOURCE_CAPTURE_HEADER, SOURCE_TIME_HEADER } from '../connectors/headers';
import type { SchemaRow, SourceRecord, SourceValue } from '../connectors/port';
import type { RecordSchema } from '../model';
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
    for (const record of records) {
      const message =
        record.value?.kind === 'row' ? await this.encodeRow(record, record.value, readAt) : record.value?.kind === 'schemaChange' ? await this.encodeSchemaChange(record, record.value) : await this.encodeChange(record, record.value);
      if (!message) continue;
      let messages = byTopic.get(message.topic);
      if (!messages) {
        messages = [];
        byTopic.set(message.topic, messages);
        message.headers = { ...message.headers, [SOURCE_CAPTURE_HEADER]: this.capture };
      }
      // The latency sample: the first (oldest) streamed change of the batch for this topic, so the latency is not
      // understated. Snapshot rows are snapshot progress, not latency (one definition everywhere: source change →
      // target commit of a streamed change).
      if (!timed.has(message.topic) && !isSnapshotRecord(record, this.startedAt)) {
        timed.add(message.topic);
        message.headers = { ...message.headers, [SOURCE_TIME_HEADER]: String(record.sourceTimestampMs ?? readAt) };
      }
      messages.push(message);
    }
    return byTopic;
  }

  /** A polling row: through the transform chain (a Filter may drop it), then the converters. */
  private async encodeRow(record: SourceRecord, value: SchemaRow, readAt: number): Promise<(OutgoingMessage & { topic: string }) | null> {
    if (this.untransformed) {
      // What the empty chain returns: the same topic, key and value, no headers.
      const key = record.key ? await this.keyConverter.fromRow(record.topic, record.key.schema, record.key.row) : null;
      return { topic: record.topic, key, value: await this.valueConverter.fromRow(record.topic, value.schema, value.row) };
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
    const key = transformed.keySchema && transformed.key ? await this.keyConverter.fromRow(transformed.topic, transformed.keySchema, transformed.key) : null;
    const encoded = transformed.valueSchema ? await this.valueConverter.fromRow(transformed.topic, transformed.valueSchema, transformed.value) : null;
    const headers = Object.keys(transformed.headers).length > 0 ? kafkaHeaders(transformed.headers) : undefined;
    return { topic: transformed.topic, key, value: encoded, ...(headers ? { headers } : {}) };
  }

  /** A change event (log capture) or a tombstone: the envelope, or the new row state under ExtractNewRecordState. */
  private async encodeChange(record: SourceRecord, value: SourceValue | null): Promise<(OutgoingMessage & { topic: string }) | null> {
    const topic = this.routedTopic(record.topic);
    const key = record.key ? await this.keyConverter.fromRow(topic, record.key.schema, record.key.row) : null;
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
      return { topic, key, value: await this.valueConverter.fromRow(topic, out.schema, out.row), ...(Object.keys(headers).length > 0 ? { headers } : {}) };
    }
    if (this.config.value.format === 'JSON') {
      // Connect's JsonConverter, as Debezium writes with it: what a Kafka Connect worker without Avro reads.
      return { topic, key, value: changeEventToConnectJson(record.topic, value.schema, value.connector, value.event, `${FERRY_VERSION}-ferry`, this.config.value.jsonSchemas === true) };
    }
    const codec = this.codecFor(record.topic, value);
    const id = this.envelopeId(topic, codec);
    return { topic, key, value: codec.encodeFramed(value.event, typeof id === 'number' ? id : await id) };
  }

  private codecFor(sourceTopic: string, value: Extract<SourceValue, { kind: 'change' }>): DebeziumEnvelopeCodec {
    let codec = this.codecs.get(value.schema);
    if (!codec) {
      // Named after the source's logical topic, as Debezium names it: a RegexRouter moves the record to another topic
      // (the registry subject follows it) but, as in Connect, leaves the schema's name alone.
      codec = new DebeziumEnvelopeCodec(sourceTopic, value.schema, value.connector, `${FERRY_VERSION}-ferry`);
      this.codecs.set(value.schema, codec);
    }
    return codec;
  }

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
  private envelopeId(topic: string, codec: DebeziumEnvelopeCodec): number | Promise<number> {
    const registry = this.config.value.schemaRegistry;
    if (!registry) return Promise.reject(pipelineError('PIPELINE_INVALID', 'AVRO needs a Schema Registry: set schema.registry.url.'));
    let ids = this.envelopeIds.get(codec);
    if (!ids) {
      ids = new Map();
      this.envelopeIds.set(codec, ids);
    }
    const known = ids.get(topic);
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
