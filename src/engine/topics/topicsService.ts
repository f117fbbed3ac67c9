import { createKafkaClient, classifyKafkaError, assertValidTopicName, decodeMemberAssignment, findTopicCollisions, type KafkaAdmin, type KafkaClient } from '../kafka';
import type {
  AlterTopicConfigsRequest,
  ConsumerGroupDetails,
  ConsumerGroupSummary,
  CreateTopicRequest,
  DeleteTopicRequest,
  GroupPartitionLag,
  ResetOffsetsRequest,
  TopicConfigEntry,
  TopicOverview,
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
import { BrowseSession } from './browseSession';
import { ClusterResolver, type TopicsContext } from './clusterResolver';
import { topicsError } from './errors';
import { compileFilter } from './messageFilter';
import { PayloadDecoder } from './payloadDecoder';
import { produceRecord } from './recordProducer';
import { choosePartitions, DEFAULT_LIMIT, MAX_LIMIT, parseTimestamp, type PartitionPlan, type PartitionRange, planPartitions } from './startPositions';
import { appendAll } from '../base/arrays';
import { groupStateOf, isInactive, partitionLag, planReset } from './consumerGroups';
import { checkCreateRequest, configEntryOf, mergeTopicConfigs, type RawConfigEntry } from './topicAdmin';

const SIZE_NOTE = 'Size on disk is not reported: the Kafka admin client Ferry uses (kafkajs) has no DescribeLogDirs call.';
const RESET_TARGETS = new Set(['earliest', 'latest', 'timestamp', 'offset']);

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
      return metadata
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
    return produceRecord(createKafkaClient(settings), settings.bootstrapServers, request, registry);
  }

  async overview(cluster: ClusterRef, topic: string): Promise<TopicOverview> {
    if (typeof topic !== 'string' || topic === '') throw topicsError('TOPICS_BAD_REQUEST', 'Choose a topic.');
    const { settings } = await this.resolver.cluster(cluster, { retries: 2 });
    const kafka = createKafkaClient(settings);
    const details = await this.describeWith(kafka, settings.bootstrapServers, topic);
    return this.adminCall(kafka, settings.bootstrapServers, `describe topic ${topic}`, async (admin) => {
      const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
      const partitions = (metadata[0]?.partitions ?? []).slice().sort((a, b) => a.partitionId - b.partitionId);
      return {
        ...details,
        replicationFactor: partitions[0]?.replicas.length ?? 0,
        sizeNote: SIZE_NOTE,
        leaders: partitions.map((partition) => ({ partition: partition.partitionId, leader: partition.leader, replicas: [...partition.replicas], isr: [...partition.isr] })),
        configs: await this.configsWith(admin, topic),
      };
    });
  }

  async create(request: CreateTopicRequest): Promise<TopicOverview> {
    const topic = this.writableTopic(request, 'create topic');
    const checked = checkCreateRequest(request);
    await this.withAdmin(request.cluster, `create topic ${topic}`, async (admin) => {
      const existing = await admin.listTopics();
      if (existing.includes(topic)) throw topicsError('TOPICS_EXISTS', `Topic ${topic} exists already on this cluster. Pick another name, or open it from the list.`);
      const collision = findTopicCollisions([topic], existing)[0];
      if (collision) {
        throw topicsError('TOPICS_EXISTS', `Topic ${topic} collides with existing topic ${collision.collidesWith}: Kafka reads "." and "_" in topic names as the same character. Change one of them.`);
      }
      await admin.createTopics({
        topics: [{ topic, numPartitions: checked.partitions, replicationFactor: checked.replicationFactor, configs: checked.configs }],
        waitForLeaders: true,
      });
    });
    return this.overview(request.cluster, topic);
  }

  async delete(request: DeleteTopicRequest): Promise<void> {
    const topic = this.writableTopic(request, 'delete topic');
    await this.withAdmin(request.cluster, `delete topic ${topic}`, async (admin) => {
      if (!(await admin.listTopics()).includes(topic)) throw topicsError('TOPICS_NOT_FOUND', `Topic ${topic} does not exist on this cluster (deleted already?). Refresh the list.`);
      await admin.deleteTopics([topic]);
    });
  }

  async alterConfigs(request: AlterTopicConfigsRequest): Promise<TopicConfigEntry[]> {
    const topic = this.writableTopic(request, 'change the configs of topic');
    return this.withAdmin(request.cluster, `change the configs of topic ${topic}`, async (admin) => {
      const current = await this.configsWith(admin, topic);
      const topicLevel = Object.fromEntries(current.filter((entry) => entry.source === 'topic' && entry.value !== null).map((entry) => [entry.name, entry.value as string]));
      const sensitive = current.filter((entry) => entry.source === 'topic' && entry.value === null).map((entry) => entry.name);
      if (sensitive.length > 0) {
        // Their values never leave the brokers, so a whole-set AlterConfigs would erase them.
        throw topicsError('TOPICS_BAD_REQUEST', `Topic ${topic} has sensitive configs (${sensitive.join(', ')}) whose values the brokers do not return; change its configs with kafka-configs --alter, which edits one config at a time.`);
      }
      const merged = mergeTopicConfigs(topicLevel, request.set, request.reset);
      const unknown = Object.keys(request.set ?? {}).filter((name) => !current.some((entry) => entry.name === name));
      if (unknown.length > 0) throw topicsError('TOPICS_BAD_REQUEST', `${unknown.join(', ')} ${unknown.length === 1 ? 'is not a topic config' : 'are not topic configs'} of this cluster. Pick a name from the config list.`);
      const readOnly = Object.keys(request.set ?? {}).filter((name) => current.some((entry) => entry.name === name && entry.readOnly));
      if (readOnly.length > 0) throw topicsError('TOPICS_BAD_REQUEST', `${readOnly.join(', ')} cannot be changed on a topic (read-only).`);
      await admin.alterTopicConfigs([{ topic, configs: merged }]);
      return this.configsWith(admin, topic);
    });
  }

  async groups(cluster: ClusterRef): Promise<ConsumerGroupSummary[]> {
    return this.withAdmin(cluster, 'list consumer groups', async (admin) => {
      const groups = await admin.listGroups();
      if (groups.length === 0) return [];
      const described = await admin.describeGroups(groups.map((group) => group.groupId));
      return described
        .map((group) => ({ groupId: group.groupId, state: groupStateOf(group.state), members: group.members.length, protocolType: group.protocolType || (groups.find((g) => g.groupId === group.groupId)?.protocolType ?? '') }))
        .sort((a, b) => a.groupId.localeCompare(b.groupId));
    });
  }

  async group(cluster: ClusterRef, groupId: string): Promise<ConsumerGroupDetails> {
    if (typeof groupId !== 'string' || groupId === '') throw topicsError('TOPICS_BAD_REQUEST', 'Choose a consumer group.');
    return this.withAdmin(cluster, `describe consumer group ${groupId}`, (admin) => this.groupWith(admin, groupId));
  }

  async resetOffsets(request: ResetOffsetsRequest): Promise<ConsumerGroupDetails> {
    const { groupId, topic } = request ?? ({} as ResetOffsetsRequest);
    if (typeof groupId !== 'string' || groupId === '') throw topicsError('TOPICS_BAD_REQUEST', 'Choose the consumer group whose offsets to reset.');
    if (typeof topic !== 'string' || topic === '') throw topicsError('TOPICS_BAD_REQUEST', 'Choose the topic whose offsets to reset.');
    if (!RESET_TARGETS.has(request.to)) throw topicsError('TOPICS_BAD_REQUEST', `Reset target "${String(request.to)}" must be earliest, latest, timestamp or offset.`);
    if (request.cluster?.kind === 'profile') this.resolver.context.requireWriteConfirmation(request.cluster.profileId, request.confirmed, `reset the offsets of group ${groupId}`);
    const at = request.to === 'timestamp' ? parseTimestamp(request.timestamp) : undefined;
    const { settings } = await this.resolver.cluster(request.cluster, { retries: 2 });
    const kafka = createKafkaClient(settings);
    const ranges = choosePartitions(await this.rangesWith(kafka, settings.bootstrapServers, topic), request.partitions, topic);
    return this.adminCall(kafka, settings.bootstrapServers, `reset the offsets of group ${groupId}`, async (admin) => {
      const [group] = await admin.describeGroups([groupId]);
      const state = groupStateOf(group?.state);
      const members = group?.members.length ?? 0;
      if (!isInactive(state, members)) {
        throw topicsError(
          'TOPICS_GROUP_ACTIVE',
          `Group ${groupId} is active (${state}, ${members} member${members === 1 ? '' : 's'}): Kafka lets only an inactive group's offsets be moved, and a running consumer would overwrite them. Stop its consumers (for a pipeline's sink: stop the pipeline), wait until the group shows Empty, then reset.`,
          { retriable: true },
        );
      }
      let timestampOffsets: Map<number, bigint> | undefined;
      if (at !== undefined) {
        const found = await admin.fetchTopicOffsetsByTimestamp(topic, at);
        timestampOffsets = new Map(found.map((entry) => [entry.partition, BigInt(entry.offset)]));
      }
      const plan = planReset(ranges, request.to, { ...(timestampOffsets ? { timestampOffsets } : {}), ...(request.offset !== undefined ? { offset: String(request.offset) } : {}) });
      await admin.setOffsets({ groupId, topic, partitions: plan });
      return this.groupWith(admin, groupId);
    });
  }

  dispose(): void {
    clearInterval(this.orphanCheck);
    for (const session of this.sessions.values()) session.dispose();
    this.sessions.clear();
    this.batches.dispose();
  }

  // ------------------------------------------------------------------------------------------------

  /** Topic name check and, on a prod-coloured profile, the user's confirmation, before anything connects. */
  private writableTopic(request: { cluster: ClusterRef; topic: string; confirmed?: boolean }, action: string): string {
    if (typeof request?.topic !== 'string' || request.topic === '') throw topicsError('TOPICS_BAD_REQUEST', 'Enter a topic name.');
    assertValidTopicName(request.topic, 'the topic field');
    if (request.cluster?.kind === 'profile') this.resolver.context.requireWriteConfirmation(request.cluster.profileId, request.confirmed, `${action} ${request.topic}`);
    return request.topic;
  }

  private async describeWith(kafka: KafkaClient, brokers: readonly string[], topic: string): Promise<TopicDetails> {
    const ranges = await this.rangesWith(kafka, brokers, topic);
    return {
      name: topic,
      partitions: ranges.map((range) => ({ partition: range.partition, low: range.low.toString(), high: range.high.toString() })),
      records: ranges.reduce((sum, range) => sum + (range.high - range.low), 0n).toString(),
    };
  }

  private async configsWith(admin: KafkaAdmin, topic: string): Promise<TopicConfigEntry[]> {
    const [resource] = await admin.describeTopicConfigs([topic]);
    if (resource && resource.errorCode !== 0) throw topicsError('TOPICS_BAD_REQUEST', `The brokers refused to describe the configs of ${topic}: ${resource.errorMessage || `error ${resource.errorCode}`}.`);
    return (resource?.configEntries ?? []).map((entry) => configEntryOf(entry as RawConfigEntry)).sort((a, b) => a.name.localeCompare(b.name));
  }

  private async groupWith(admin: KafkaAdmin, groupId: string): Promise<ConsumerGroupDetails> {
    const [group] = await admin.describeGroups([groupId]);
    const state = groupStateOf(group?.state);
    const committed = await admin.fetchOffsets({ groupId });
    if (!group || (state === 'Dead' && committed.length === 0)) {
      throw topicsError('TOPICS_GROUP_NOT_FOUND', `Consumer group ${groupId} does not exist on this cluster (no members and no committed offsets). Refresh the list.`);
    }
    const owners = new Map<string, { memberId: string; clientId: string }>();
    for (const member of group.members) {
      for (const [topic, partitions] of decodeMemberAssignment(member.memberAssignment)) {
        for (const partition of partitions) owners.set(`${topic}\u0000${partition}`, { memberId: member.memberId, clientId: member.clientId });
      }
    }
    const partitions: GroupPartitionLag[] = [];
    for (const entry of committed.sort((a, b) => a.topic.localeCompare(b.topic))) {
      let offsets: Awaited<ReturnType<KafkaAdmin['fetchTopicOffsets']>>;
      try {
        offsets = await admin.fetchTopicOffsets(entry.topic);
      } catch {
        continue; // The topic was deleted since the group committed to it.
      }
      const byPartition = new Map(offsets.map((offset) => [offset.partition, offset]));
      for (const partition of entry.partitions.slice().sort((a, b) => a.partition - b.partition)) {
        const range = byPartition.get(partition.partition);
        if (!range) continue;
        const owner = owners.get(`${entry.topic}\u0000${partition.partition}`);
        partitions.push({ topic: entry.topic, partition: partition.partition, low: range.low, high: range.high, ...partitionLag(partition.offset, range.low, range.high), ...(owner ?? {}) });
      }
    }
    return {
      groupId,
      state,
      members: group.members.length,
      protocolType: group.protocolType,
      membersList: group.members.map((member) => ({ memberId: member.memberId, clientId: member.clientId, host: member.clientHost })),
      partitions,
      totalLag: partitions.reduce((sum, partition) => sum + BigInt(partition.lag), 0n).toString(),
    };
  }

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
    const kafka = createKafkaClient(settings);
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
    return this.rangesWith(createKafkaClient(settings), settings.bootstrapServers, topic);
  }

  private rangesWith(kafka: KafkaClient, brokers: readonly string[], topic: string): Promise<PartitionRange[]> {
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

  private async withAdmin<T>(cluster: ClusterRef, action: string, work: (admin: KafkaAdmin) => Promise<T>): Promise<T> {
    const { settings } = await this.resolver.cluster(cluster, { retries: 2 });
    return this.adminCall(createKafkaClient(settings), settings.bootstrapServers, action, work);
  }

  private async adminCall<T>(kafka: KafkaClient, brokers: readonly string[], action: string, work: (admin: KafkaAdmin) => Promise<T>): Promise<T> {
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
