import { createKafka, classifyKafkaError, assertValidTopicName } from '../kafka';
import type {
  BrowseBatch,
  BrowseRequest,
  BrowseSession as BrowseSessionInfo,
  BrowsedRecord,
  ClusterChoice,
  ClusterRef,
  ExportRequest,
  ExportResult,
  ITopicsApi,
  ProduceRequest,
  ProduceResult,
  TopicDetails,
  TopicSummary,
} from '../../shared/api/topics';
import { Emitter } from '../../shared/event';
import type { IDisposable } from '../../shared/lifecycle';
import type { Admin, Kafka } from 'kafkajs';
import { BrowseSession } from './browseSession';
import { ClusterResolver, type TopicsContext } from './clusterResolver';
import { topicsError } from './errors';
import { compileFilter } from './messageFilter';
import { PayloadDecoder } from './payloadDecoder';
import { produceRecord } from './recordProducer';
import { choosePartitions, DEFAULT_LIMIT, MAX_LIMIT, parseTimestamp, type PartitionPlan, type PartitionRange, planPartitions } from './startPositions';
import { appendAll } from '../base/arrays';

/** Reads at once per engine; a new one beyond this is refused (the UI stops its previous read first). */
const MAX_SESSIONS = 8;
/** A read nobody listens to any more (the window closed) is stopped after this long. */
const ORPHAN_MS = 30_000;
const DEFAULT_EXPORT = 10_000;

const DECODE_MODES = new Set(['auto', 'avro', 'json', 'text', 'hex']);

function clampLimit(value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw topicsError('TOPICS_BAD_REQUEST', `Limit ${value} must be a whole number ≥ 1.`);
  return Math.min(value, MAX_LIMIT);
}

/** The `topics` namespace: list and describe topics, browse with decoding and a filter, export, produce a test record. */
export class TopicsService implements ITopicsApi, IDisposable {
  private readonly resolver: ClusterResolver;
  private readonly sessions = new Map<string, BrowseSession>();
  private readonly batches = new Emitter<BrowseBatch>();
  readonly onDidReceiveRecords = this.batches.event;
  private readonly orphanCheck: NodeJS.Timeout;
  private unheardSince: number | undefined;

  constructor(context: TopicsContext) {
    this.resolver = new ClusterResolver(context);
    this.orphanCheck = setInterval(() => this.stopOrphans(), 5_000);
    this.orphanCheck.unref();
  }

  get registries(): ClusterResolver {
    return this.resolver;
  }

  clusters(): Promise<ClusterChoice[]> {
    return this.resolver.clusters();
  }

  async list(cluster: ClusterRef): Promise<TopicSummary[]> {
    return this.withAdmin(cluster, 'list topics', async (admin) => {
      const metadata = await admin.fetchTopicMetadata();
      return metadata.topics
        .map((topic) => ({ name: topic.name, partitions: topic.partitions.length, internal: topic.name.startsWith('__') }))
        .sort((a, b) => Number(a.internal) - Number(b.internal) || a.name.localeCompare(b.name));
    });
  }

  async describe(cluster: ClusterRef, topic: string): Promise<TopicDetails> {
    const ranges = await this.ranges(cluster, topic);
    return {
      name: topic,
      partitions: ranges.map((range) => ({ partition: range.partition, low: range.low.toString(), high: range.high.toString() })),
      records: ranges.reduce((sum, range) => sum + (range.high - range.low), 0n).toString(),
    };
  }

  async browse(request: BrowseRequest): Promise<BrowseSessionInfo> {
    const running = [...this.sessions.values()].filter((session) => !['done', 'stopped', 'failed'].includes(session.currentState));
    if (running.length >= MAX_SESSIONS) {
      throw topicsError('TOPICS_BUSY', `${MAX_SESSIONS} reads are running already; stop one (or close a window) first.`, { retriable: true });
    }
    const session = await this.open(request, 'display', clampLimit(request.limit, DEFAULT_LIMIT), (batch) => this.batches.fire(batch));
    this.sessions.set(session.session.id, session.session);
    void session.session.whenFinished().then(() => setTimeout(() => this.sessions.delete(session.session.id), 60_000).unref());
    await session.session.start();
    return { sessionId: session.session.id, partitions: session.plans.map((plan) => ({ partition: plan.partition, start: plan.start.toString(), end: (plan.end ?? plan.start).toString() })) };
  }

  async pause(sessionId: string): Promise<void> {
    this.session(sessionId).pause();
  }

  async resume(sessionId: string): Promise<void> {
    this.session(sessionId).resume();
  }

  async stop(sessionId: string): Promise<void> {
    const session = this.sessions.get(sessionId);
    await session?.stop();
  }

  async export(request: ExportRequest): Promise<ExportResult> {
    const max = clampLimit(request.maxRecords, DEFAULT_EXPORT);
    const records: BrowsedRecord[] = [];
    let scanned = 0;
    let failure: string | undefined;
    // An export reads to the end as it is now: a live tail has no end, so it exports the newest records instead.
    const bounded: ExportRequest = request.mode === 'live' ? { ...request, mode: 'newest', limit: max } : { ...request, limit: request.mode === 'newest' ? clampLimit(request.limit, DEFAULT_LIMIT) : max };
    const { session } = await this.open(bounded, 'export', max, (batch) => {
      appendAll(records, batch.records);
      scanned = batch.scanned;
      if (batch.state === 'failed') failure = batch.message;
    });
    await session.start();
    await session.whenFinished();
    if (failure) throw topicsError('TOPICS_BAD_REQUEST', `Export failed: ${failure}`);
    const rows = records.map((record) => ({
      partition: record.partition,
      offset: record.offset,
      timestamp: new Date(record.timestamp).toISOString(),
      key: exportPayload(record.key),
      value: exportPayload(record.value),
      keySchemaId: record.key.schemaId,
      valueSchemaId: record.value.schemaId,
      valueSubject: record.value.subject,
      valueSchemaVersion: record.value.version,
      headers: record.headers,
    }));
    return { json: JSON.stringify(rows, null, 2), records: rows.length, scanned, truncated: rows.length >= max };
  }

  async produce(request: ProduceRequest): Promise<ProduceResult> {
    if (typeof request?.topic !== 'string') throw topicsError('TOPICS_BAD_REQUEST', 'Choose the topic to produce to.');
    assertValidTopicName(request.topic, 'the topic field');
    if (request.cluster?.kind === 'profile' && !request.dryRun) {
      this.resolver.context.requireWriteConfirmation(request.cluster.profileId, request.confirmed, `produce a record to topic ${request.topic}`);
    }
    const { settings } = await this.resolver.cluster(request.cluster, { retries: 2 });
    const registry = request.format === 'avro' ? this.resolver.registry(request.registry) : undefined;
    return produceRecord(createKafka(settings), settings.bootstrapServers, request, registry);
  }

  dispose(): void {
    clearInterval(this.orphanCheck);
    for (const session of this.sessions.values()) session.dispose();
    this.sessions.clear();
    this.batches.dispose();
  }

  // ------------------------------------------------------------------------------------------------

  private session(id: string): BrowseSession {
    const session = this.sessions.get(id);
    if (!session) throw topicsError('TOPICS_SESSION_UNKNOWN', `No read ${id} is running (it finished or the engine restarted). Start the read again.`);
    return session;
  }

  private async open(request: BrowseRequest, purpose: 'display' | 'export', limit: number, onBatch: (batch: BrowseBatch) => void): Promise<{ session: BrowseSession; plans: PartitionPlan[] }> {
    if (typeof request?.topic !== 'string' || request.topic === '') throw topicsError('TOPICS_BAD_REQUEST', 'Choose a topic to read.');
    for (const [field, mode] of [['keyDecode', request.keyDecode], ['valueDecode', request.valueDecode]] as const) {
      if (mode !== undefined && !DECODE_MODES.has(mode)) throw topicsError('TOPICS_BAD_REQUEST', `${field} must be auto, avro, json, text or hex.`);
    }
    // The filter compiles before anything connects, so a typo is reported at once.
    const filter = compileFilter(request.filter);
    const { settings } = await this.resolver.cluster(request.cluster, { retries: 3 });
    const kafka = createKafka(settings);
    const ranges = choosePartitions(await this.rangesWith(kafka, settings.bootstrapServers, request.topic), request.partitions, request.topic);
    let timestampOffsets: Map<number, bigint> | undefined;
    if (request.mode === 'timestamp') {
      const at = parseTimestamp(request.timestamp);
      timestampOffsets = await this.adminCall(kafka, settings.bootstrapServers, `find offsets for ${new Date(at).toISOString()}`, async (admin) => {
        const found = await admin.fetchTopicOffsetsByTimestamp(request.topic, at);
        return new Map(found.map((entry) => [entry.partition, BigInt(entry.offset)]));
      });
    }
    const plans = planPartitions(ranges, request.mode, { limit, ...(request.offset !== undefined ? { offset: request.offset } : {}), ...(timestampOffsets ? { timestampOffsets } : {}) });
    const session = new BrowseSession({
      kafka,
      brokers: settings.bootstrapServers,
      topic: request.topic,
      plans,
      decoder: new PayloadDecoder(request.topic, this.resolver.registry(request.registry)),
      filter,
      keyDecode: request.keyDecode ?? 'auto',
      valueDecode: request.valueDecode ?? 'auto',
      limit: request.mode === 'live' ? undefined : limit,
      purpose,
      onBatch,
    });
    return { session, plans };
  }

  private async ranges(cluster: ClusterRef, topic: string): Promise<PartitionRange[]> {
    const { settings } = await this.resolver.cluster(cluster, { retries: 3 });
    return this.rangesWith(createKafka(settings), settings.bootstrapServers, topic);
  }

  private rangesWith(kafka: Kafka, brokers: readonly string[], topic: string): Promise<PartitionRange[]> {
    return this.adminCall(kafka, brokers, `read the offsets of ${topic}`, async (admin) => {
      const topics = await admin.listTopics();
      if (!topics.includes(topic)) {
        const near = topics.filter((name) => name.toLowerCase().includes(topic.toLowerCase().slice(0, 4))).slice(0, 3);
        throw topicsError('TOPICS_NOT_FOUND', `Topic ${topic} does not exist on this cluster${near.length > 0 ? ` (similar: ${near.join(', ')})` : ''}. Pick one from the list.`);
      }
      const offsets = await admin.fetchTopicOffsets(topic);
      return offsets
        .map((entry) => ({ partition: entry.partition, low: BigInt(entry.low), high: BigInt(entry.high) }))
        .sort((a, b) => a.partition - b.partition);
    });
  }

  private async withAdmin<T>(cluster: ClusterRef, action: string, work: (admin: Admin) => Promise<T>): Promise<T> {
    const { settings } = await this.resolver.cluster(cluster, { retries: 2 });
    return this.adminCall(createKafka(settings), settings.bootstrapServers, action, work);
  }

  private async adminCall<T>(kafka: Kafka, brokers: readonly string[], action: string, work: (admin: Admin) => Promise<T>): Promise<T> {
    const admin = kafka.admin();
    try {
      await admin.connect();
      return await work(admin);
    } catch (error) {
      throw classifyKafkaError(error, brokers, action);
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }

  private stopOrphans(): void {
    const live = [...this.sessions.values()].filter((session) => !['done', 'stopped', 'failed'].includes(session.currentState));
    if (live.length === 0 || this.batches.listenerCount > 0) {
      this.unheardSince = undefined;
      return;
    }
    this.unheardSince ??= Date.now();
    if (Date.now() - this.unheardSince > ORPHAN_MS) for (const session of live) void session.stop();
  }
}

function exportPayload(payload: BrowsedRecord['key']): unknown {
  if (payload.format === 'avro' || payload.format === 'json') {
    try {
      return JSON.parse(payload.text) as unknown;
    } catch {
      return payload.text;
    }
  }
  if (payload.format === 'null') return null;
  return payload.format === 'hex' ? { hex: payload.text.replace(/ /g, ''), reason: payload.reason } : payload.text;
}
