import type { Producer } from 'kafkajs';
import type { ResolvedLogSource } from '../config';
import { createKafka, ensureTopics, type KafkaClientSettings, classifyKafkaError } from '../kafka';
import { type ChangeRecord, type FieldValue, type Position, type RecordSchema, tableIdToString } from '../model';
import { DebeziumEnvelopeCodec, encodeFrame, extractNewRecordState, type SourceInfo } from '../schema';
import type { LogCapture } from '../sources';
import type { CheckpointStore } from '../store';
import { EngineError, isEngineError } from '../../shared/errors';
import { Backoff, sleep } from '../base/backoff';
import { createLogger } from '../base/logger';
import { FERRY_VERSION } from '../base/version';
import { changeEventToConnectJson } from './connectJson';
import { createConverter, registryClientFor, type RecordConverter } from './converters';
import { ConnectorMetrics } from './metrics';
import { SOURCE_CAPTURE_HEADER, SOURCE_RETRY_BACKOFF, SOURCE_TIME_HEADER } from './sourceTask';
import type { ConnectorState, ConnectorStatus, ConnectorTableStatus } from './status';
import { buildTransformChain, EXTRACT_NEW_RECORD_STATE, probeTopic, type UnwrapOptions, unwrapOptions, withDeletedField } from '../transforms';
import { pipelineError } from './errors';

/** The checkpoint key of a log source: one position for the whole log. */
const LOG_POSITION_KEY = 'log';
const READ_BATCH = 2_500;
const READ_WAIT_MS = 200;
const PRODUCE_CHUNK = 2_500;

function toError(error: unknown): EngineError {
  return isEngineError(error) ? error : new EngineError('SOURCE_FAILED', error instanceof Error ? error.message : String(error), { retriable: true });
}

interface OutgoingMessage {
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/**
 * Runs one log-based source connector: a consistent snapshot (when there is no checkpoint and `snapshot.mode`
 * asks for one), then every committed change, written as Debezium change events (or, with ExtractNewRecordState on
 * the source, as plain rows) through an idempotent producer; a position is checkpointed, and confirmed to the
 * database's log, only after Kafka acknowledged every record up to it.
 */
export class LogSourceTask {
  readonly metrics = new ConnectorMetrics();
  private state: ConnectorState = 'STARTING';
  private error: EngineError | undefined;
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  private producer: Producer | undefined;
  private readonly keyConverter: RecordConverter;
  private readonly valueConverter: RecordConverter;
  private readonly transform: ReturnType<typeof buildTransformChain>;
  private readonly unwrap: UnwrapOptions | undefined;
  private readonly codecs = new WeakMap<RecordSchema, DebeziumEnvelopeCodec>();
  private readonly envelopeIds = new Map<string, Promise<number>>();
  private readonly createdTopics = new Set<string>();
  private readonly tables = new Map<string, ConnectorTableStatus>();
  private readonly log = createLogger('source.log');
  private snapshotDone = false;
  private streamIdle = false;
  private busy = false;
  private paused: { promise: Promise<void>; release: () => void } | undefined;
  private position: Position | undefined;
  deliveries = 0;

  constructor(
    private readonly config: ResolvedLogSource,
    private readonly capture: LogCapture,
    private readonly kafkaSettings: KafkaClientSettings,
    private readonly checkpoints: CheckpointStore,
    private readonly onChange: () => void,
  ) {
    this.keyConverter = createConverter(config.key, true);
    this.valueConverter = createConverter(config.value, false);
    this.transform = buildTransformChain(config.transforms, config.predicates);
    const unwrap = config.transforms.find((transform) => transform.type === EXTRACT_NEW_RECORD_STATE);
    this.unwrap = unwrap ? unwrapOptions(unwrap.config) : undefined;
  }

  get name(): string {
    return this.config.name;
  }

  /** Snapshot finished and the last read found no change waiting, with nothing on its way to Kafka. */
  get caughtUp(): boolean {
    return !this.paused && !this.busy && this.snapshotDone && this.streamIdle;
  }

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.paused?.release();
    await this.running;
    await this.capture.close().catch(() => undefined);
    await this.producer?.disconnect().catch(() => undefined);
    if (this.state !== 'FAILED') this.setState('STOPPED');
  }

  pause(): void {
    if (this.paused || this.state === 'FAILED' || this.state === 'STOPPED') return;
    let release = (): void => {};
    const promise = new Promise<void>((resolve) => (release = resolve));
    this.paused = { promise, release };
    this.setState('PAUSED');
  }

  resume(): void {
    const gate = this.paused;
    if (!gate) return;
    this.paused = undefined;
    gate.release();
    this.setState('RUNNING');
  }

  status(now: number): ConnectorStatus {
    return {
      name: this.config.name,
      role: 'source',
      state: this.state,
      ...(this.error ? { error: { code: this.error.code, message: this.error.message, retriable: this.error.retriable } } : {}),
      caughtUp: this.caughtUp,
      kafka: this.kafkaSettings.bootstrapServers.join(','),
      ...(this.tables.size > 0 ? { tables: [...this.tables.values()].map((table) => ({ ...table })) } : {}),
      ...(this.position ? { logPosition: this.capture.describe(this.position) } : {}),
      metrics: this.metrics.sourceStatus(now),
    };
  }

  private setState(state: ConnectorState, error?: EngineError): void {
    this.state = this.paused && (state === 'RUNNING' || state === 'STARTING') ? 'PAUSED' : state;
    this.error = error;
    this.onChange();
  }

  private async run(): Promise<void> {
    const backoff = new Backoff(SOURCE_RETRY_BACKOFF);
    let begun = false;
    while (!this.abort.signal.aborted) {
      try {
        if (!this.producer) {
          const producer = createKafka(this.kafkaSettings).producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
          await producer.connect().catch((error: unknown) => {
            throw classifyKafkaError(error, this.kafkaSettings.bootstrapServers, 'connect the producer');
          });
          this.producer = producer;
        }
        if (!begun) {
          await this.begin();
          begun = true;
        }
        if (this.config.snapshotMode === 'initial_only') {
          this.streamIdle = true;
          this.setState('RUNNING');
          await sleep(1_000, this.abort.signal);
          continue;
        }
        await this.paused?.promise;
        const records = await this.capture.read(READ_BATCH, READ_WAIT_MS, this.abort.signal);
        if (this.abort.signal.aborted) return;
        this.streamIdle = records.length === 0;
        if (this.state !== 'RUNNING') this.setState('RUNNING');
        backoff.reset();
        if (records.length > 0) await this.deliver(records, false);
      } catch (error) {
        if (this.abort.signal.aborted) return;
        const failure = toError(error);
        this.metrics.errors++;
        if (!failure.retriable) {
          this.log.error('log source failed', { connector: this.config.name, error: failure.message });
          this.setState('FAILED', failure);
          return;
        }
        this.setState('DEGRADED', failure);
        // Resume from the checkpoint: records read but not acknowledged are read again from the log.
        begun = false;
        await this.capture.close().catch(() => undefined);
        await this.producer?.disconnect().catch(() => undefined);
        this.producer = undefined;
        await sleep(backoff.next(), this.abort.signal);
      }
    }
  }

  /** Starts the capture from the checkpoint, or snapshots first; `when_needed` snapshots again when the log position is gone. */
  private async begin(): Promise<void> {
    const saved = this.checkpoints.positions(this.config.name)[LOG_POSITION_KEY];
    const wantSnapshot = this.config.snapshotMode !== 'no_data';
    let start;
    try {
      start = await this.capture.begin(saved, saved === undefined && wantSnapshot);
    } catch (error) {
      if (saved === undefined || this.config.snapshotMode !== 'when_needed' || (error as { code?: string }).code !== 'SOURCE_BAD_POSITION') throw error;
      this.log.warn('saved log position is gone; taking a new snapshot (snapshot.mode=when_needed)', { connector: this.config.name, error: (error as Error).message });
      this.checkpoints.reset(this.config.name);
      await this.capture.close().catch(() => undefined);
      start = await this.capture.begin(undefined, true);
    }
    for (const table of start.tables) {
      const key = tableIdToString(table);
      if (!this.tables.has(key)) this.tables.set(key, { table: key, topic: this.topicOf(table), rows: 0, snapshotDone: start.snapshot === undefined });
    }
    for (const table of this.tables.values()) await this.ensureTopic(table.topic);
    if (start.snapshot) {
      this.setState('RUNNING');
      for await (const page of start.snapshot.pages) {
        if (this.abort.signal.aborted) return;
        await this.paused?.promise;
        await this.deliver(page, true);
      }
      for (const table of this.tables.values()) table.snapshotDone = true;
      this.checkpoints.save(this.config.name, { [LOG_POSITION_KEY]: start.snapshot.position });
      this.position = start.snapshot.position;
    } else if (saved) {
      this.position = saved;
    }
    this.snapshotDone = true;
    this.onChange();
  }

  private topicOf(table: { catalog?: string; schema?: string; table: string }): string {
    return probeTopic(this.transform, `${this.config.topicPrefix}.${table.schema ?? table.catalog ?? ''}.${table.table}`);
  }

  private async deliver(records: ChangeRecord[], snapshot: boolean): Promise<void> {
    const producer = this.producer;
    if (!producer) throw new EngineError('SOURCE_FAILED', 'The Kafka producer is not connected.', { retriable: true });
    this.busy = true;
    try {
      this.metrics.rowsRead += records.length;
      const byTopic = new Map<string, OutgoingMessage[]>();
      for (const record of records) {
        const topic = this.topicOf(record.table);
        const messages = byTopic.get(topic) ?? [];
        for (const change of splitKeyChange(record)) for (const message of await this.messagesFor(topic, change, snapshot)) messages.push(message);
        byTopic.set(topic, messages);
        const table = this.tables.get(tableIdToString(record.table));
        if (table) table.rows += 1;
      }
      for (const topic of byTopic.keys()) await this.ensureTopic(topic);
      try {
        for (const [topic, messages] of byTopic) {
          for (let start = 0; start < messages.length; start += PRODUCE_CHUNK) {
            await producer.send({ acks: -1, topic, messages: messages.slice(start, start + PRODUCE_CHUNK) });
          }
        }
      } catch (error) {
        throw classifyKafkaError(error, this.kafkaSettings.bootstrapServers, `produce to ${[...byTopic.keys()].join(', ')}`);
      }
      this.deliveries++;
      this.metrics.rowsProduced += records.length;
      const last = records[records.length - 1];
      // Snapshot pages are not checkpointed one by one: an interrupted snapshot starts again (as Debezium's does).
      if (last && !snapshot) {
        this.checkpoints.save(this.config.name, { [LOG_POSITION_KEY]: last.position });
        this.position = last.position;
        await this.capture.acknowledge(last.position);
      }
      this.onChange();
    } finally {
      this.busy = false;
    }
  }

  /** The Kafka messages for one change: the change event, and a tombstone after a delete (`tombstones.on.delete`). */
  private async messagesFor(topic: string, record: ChangeRecord, snapshot: boolean): Promise<OutgoingMessage[]> {
    const headers = { [SOURCE_TIME_HEADER]: String(record.sourceTimestampMs ?? Date.now()), [SOURCE_CAPTURE_HEADER]: 'log' };
    const key = record.keySchema && record.key ? await this.keyConverter.fromRow(topic, record.keySchema, record.key) : null;
    const out: OutgoingMessage[] = [];
    if (this.unwrap) {
      const state = extractNewRecordState({ op: record.op, before: record.before ?? null, after: record.after }, this.unwrap);
      if (state.kind === 'row') {
        const schema = state.row.__deleted === undefined ? record.valueSchema : withDeletedField(record.valueSchema);
        out.push({ key, value: await this.valueConverter.fromRow(topic, schema, state.row), headers });
      }
    } else {
      const value = await this.envelope(topic, record, snapshot);
      out.push({ key, value, headers });
    }
    if (record.op === 'd' && this.config.tombstonesOnDelete && !(this.unwrap?.dropTombstones ?? false)) out.push({ key, value: null, headers });
    return out;
  }

  private async envelope(topic: string, record: ChangeRecord, snapshot: boolean): Promise<Buffer> {
    let codec = this.codecs.get(record.valueSchema);
    if (!codec) {
      codec = new DebeziumEnvelopeCodec(topic, record.valueSchema, this.capture.connectorName, `${FERRY_VERSION}-ferry`);
      this.codecs.set(record.valueSchema, codec);
    }
    const fields = this.capture.sourceFields(record);
    const tsMs = record.sourceTimestampMs ?? Date.now();
    const marker = snapshot ? 'true' : 'false';
    const source: SourceInfo =
      fields.kind === 'binlog'
        ? { connector: this.capture.connectorName === 'mariadb' ? 'mariadb' : 'mysql', name: this.config.topicPrefix, tsMs, snapshot: marker, ...withoutKind(fields) }
        : { connector: 'postgresql', name: this.config.topicPrefix, tsMs, snapshot: marker, ...withoutKind(fields) };
    const event = { op: record.op, before: record.before ?? null, after: record.after, source, tsMs: Date.now() };
    if (this.config.value.format === 'JSON') {
      // Connect's JsonConverter, as Debezium writes with it: what a Kafka Connect worker without Avro reads.
      return changeEventToConnectJson(topic, record.valueSchema, this.capture.connectorName, event, `${FERRY_VERSION}-ferry`, this.config.value.jsonSchemas === true);
    }
    const body = codec.encode(event);
    const id = await this.envelopeId(topic, codec);
    return encodeFrame(id, body);
  }

  /** Registers the envelope under `<topic>-value` (TopicNameStrategy), once per schema. */
  private envelopeId(topic: string, codec: DebeziumEnvelopeCodec): Promise<number> {
    const registry = this.config.value.schemaRegistry;
    if (!registry) return Promise.reject(pipelineError('PIPELINE_INVALID', 'AVRO needs a Schema Registry: set schema.registry.url.'));
    const cacheKey = `${topic}\u0000${codec.schemaText}`;
    let id = this.envelopeIds.get(cacheKey);
    if (!id) {
      id = registryClientFor(registry)
        .register(`${topic}-value`, codec.schemaText)
        .catch((error: unknown) => {
          this.envelopeIds.delete(cacheKey);
          throw error;
        });
      this.envelopeIds.set(cacheKey, id);
    }
    return id;
  }

  private async ensureTopic(topic: string): Promise<void> {
    if (this.createdTopics.has(topic)) return;
    const admin = createKafka(this.kafkaSettings).admin();
    await admin.connect();
    try {
      await ensureTopics(admin, [{ name: topic }], this.kafkaSettings.bootstrapServers);
    } finally {
      await admin.disconnect();
    }
    this.createdTopics.add(topic);
  }
}

function withoutKind<T extends { kind: string }>(fields: T): Omit<T, 'kind'> {
  const { kind: _kind, ...rest } = fields;
  return rest;
}

/**
 * An update that changes the primary key is, as Debezium writes it, a delete of the old key (with its tombstone)
 * and a create of the new one: a consumer keyed by the primary key must drop the old row.
 */
function splitKeyChange(record: ChangeRecord): ChangeRecord[] {
  if (record.op !== 'u' || !record.before || !record.after || !record.keySchema) return [record];
  const fields = record.keySchema.fields.map((field) => field.name);
  const oldKey: Record<string, FieldValue> = {};
  for (const name of fields) oldKey[name] = record.before[name] ?? null;
  if (fields.every((name) => sameValue(oldKey[name] ?? null, record.after?.[name] ?? null))) return [record];
  return [
    { ...record, op: 'd', key: oldKey, after: null },
    { ...record, op: 'c', before: null },
  ];
}

function sameValue(a: FieldValue, b: FieldValue): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.from(a).equals(Buffer.from(b));
  return a === b || String(a) === String(b);
}
