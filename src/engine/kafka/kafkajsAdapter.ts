/**
 * The Kafka port (port.ts) implemented with kafkajs 2.x. Nothing outside this folder sees a kafkajs type: records,
 * batches and admin answers are handed over as the port's shapes (kafkajs's fetched messages already have them,
 * so the hot path passes them through without copying).
 */
import type {
  Admin,
  Batch,
  CompressionTypes,
  ConfigResourceTypes,
  Consumer,
  EachBatchPayload,
  Kafka,
  KafkaMessage,
  PartitionAssigner,
  Producer,
  RecordMetadata,
  RetryOptions as KafkaJsRetry,
  TopicMessages as TopicMessagesOfKafkajs,
  Transaction,
} from 'kafkajs';
import { kafkajs } from './kafkajsRuntime';
import { fetchedRecordBatchOf, RECORD_BATCHES_RACK, recordBatchMessages } from './rawBatchPath';
import { committedBatches, type RecordBatchView } from './recordBatches';
import type {
  AdminOptions,
  BatchContext,
  CompressionType,
  ConsumerEvents,
  ConsumerOptions,
  FetchedBatch,
  FetchedMessage,
  KafkaAdmin,
  KafkaClient,
  KafkaConsumer,
  KafkaProducer,
  KafkaTransaction,
  ProduceAck,
  ProducerOptions,
  RetryOptions,
  RunOptions,
  SendBatchRequest,
  SendRecordBatchesRequest,
  SendRequest,
  TransactionOffsets,
} from './port';
import { removeGroupMember } from './groupMembers';

/** ConfigResource type TOPIC; kafkajs's enum is not a named export Node's ESM loader can see in its CommonJS build. */
const TOPIC_RESOURCE = 2 as ConfigResourceTypes;

/** kafkajs CompressionTypes numbers (the protocol's attribute bits). */
const COMPRESSION_CODES: Record<CompressionType, CompressionTypes> = {
  none: 0 as CompressionTypes,
  gzip: 1 as CompressionTypes,
  snappy: 2 as CompressionTypes,
  lz4: 3 as CompressionTypes,
  zstd: 4 as CompressionTypes,
};

function retryOf(retry: RetryOptions | undefined): KafkaJsRetry | undefined {
  if (!retry) return undefined;
  return {
    ...(retry.retries !== undefined ? { retries: retry.retries } : {}),
    ...(retry.initialRetryTimeMs !== undefined ? { initialRetryTime: retry.initialRetryTimeMs } : {}),
    ...(retry.maxRetryTimeMs !== undefined ? { maxRetryTime: retry.maxRetryTimeMs } : {}),
  };
}

function acksOf(metadata: RecordMetadata[]): ProduceAck[] {
  return metadata.map((entry) => ({ topic: entry.topicName, partition: entry.partition, baseOffset: entry.baseOffset ?? entry.offset ?? '-1' }));
}

/** Fetched records as the port's FetchedMessage: kafkajs's objects already are, once every one has headers. */
function fetched(messages: KafkaMessage[]): FetchedMessage[] {
  for (const message of messages) {
    // Old message formats (magic 0/1) carry no headers.
    if (message.headers === undefined) (message as { headers?: object }).headers = {};
  }
  return messages as unknown as FetchedMessage[];
}

function batchOf(batch: Batch): FetchedBatch {
  fetched(batch.messages);
  return batch as unknown as FetchedBatch;
}

/** A fetch of a `recordBatches` consumer: its placeholders (rawBatchPath.ts) turned into the committed batches. */
function recordBatchesOf(batch: Batch): FetchedBatch {
  const first = batch.messages[0];
  if (first !== undefined && fetchedRecordBatchOf(first) === undefined) return batchOf(batch); // an old message format
  const views: RecordBatchView[] = [];
  for (const message of batch.messages) {
    const fetchedBatch = fetchedRecordBatchOf(message);
    if (fetchedBatch) views.push(fetchedBatch.batch);
  }
  const aborted = (first && fetchedRecordBatchOf(first)?.aborted) ?? [];
  const { batches, skippedRecords } = committedBatches(views, aborted);
  return {
    topic: batch.topic,
    partition: batch.partition,
    highWatermark: batch.highWatermark,
    messages: [],
    lastOffset: () => batch.lastOffset(),
    recordBatches: { batches, from: Number((batch as unknown as { fetchedOffset: string }).fetchedOffset), skippedRecords },
  };
}

/** kafkajs messages standing for prebuilt record batches, per topic (rawBatchPath.ts encodes them). */
function recordBatchTopicMessages(request: SendRecordBatchesRequest): TopicMessagesOfKafkajs[] {
  const byTopic = new Map<string, object[]>();
  for (const { topic, partition, batch } of request.batches) {
    const messages = byTopic.get(topic);
    const carriers = recordBatchMessages(partition, batch);
    if (messages) for (const carrier of carriers) messages.push(carrier);
    else byTopic.set(topic, carriers);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages: messages as TopicMessagesOfKafkajs['messages'] }));
}

class KafkajsTransaction implements KafkaTransaction {
  constructor(
    private readonly transaction: Transaction,
    private readonly compression: CompressionTypes,
  ) {}

  async send(request: SendRequest): Promise<ProduceAck[]> {
    return this.sendBatch({ topicMessages: [{ topic: request.topic, messages: request.messages }], acks: request.acks });
  }

  async sendBatch(request: SendBatchRequest): Promise<ProduceAck[]> {
    return acksOf(await this.transaction.sendBatch({ topicMessages: request.topicMessages as TopicMessagesOfKafkajs[], acks: request.acks ?? -1, compression: this.compression }));
  }

  async sendRecordBatches(request: SendRecordBatchesRequest): Promise<ProduceAck[]> {
    return acksOf(await this.transaction.sendBatch({ topicMessages: recordBatchTopicMessages(request), acks: request.acks ?? -1 }));
  }

  async sendOffsets(offsets: TransactionOffsets): Promise<void> {
    await this.transaction.sendOffsets({ consumerGroupId: offsets.consumerGroupId, topics: offsets.topics });
  }

  async commit(): Promise<void> {
    await this.transaction.commit();
  }

  async abort(): Promise<void> {
    await this.transaction.abort();
  }
}

class KafkajsProducer implements KafkaProducer {
  private readonly compression: CompressionTypes;

  constructor(
    private readonly producer: Producer,
    options: ProducerOptions,
  ) {
    this.compression = COMPRESSION_CODES[options.compression ?? 'none'];
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }

  async send(request: SendRequest): Promise<ProduceAck[]> {
    return this.sendBatch({ topicMessages: [{ topic: request.topic, messages: request.messages }], acks: request.acks });
  }

  async sendBatch(request: SendBatchRequest): Promise<ProduceAck[]> {
    return acksOf(await this.producer.sendBatch({ topicMessages: request.topicMessages as TopicMessagesOfKafkajs[], acks: request.acks ?? -1, compression: this.compression }));
  }

  async sendRecordBatches(request: SendRecordBatchesRequest): Promise<ProduceAck[]> {
    return acksOf(await this.producer.sendBatch({ topicMessages: recordBatchTopicMessages(request), acks: request.acks ?? -1 }));
  }

  async transaction(): Promise<KafkaTransaction> {
    return new KafkajsTransaction(await this.producer.transaction(), this.compression);
  }
}

/** Gives the member exactly the chosen partitions (no rebalancing across other members). */
function fixedAssigner(topic: string, partitions: readonly number[]): PartitionAssigner {
  const { AssignerProtocol } = kafkajs;
  return () => ({
    name: 'FerryFixedAssigner',
    version: 1,
    async assign({ members }) {
      return members.map((member, index) => ({
        memberId: member.memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 1, assignment: index === 0 ? { [topic]: [...partitions] } : {}, userData: Buffer.alloc(0) }),
      }));
    },
    protocol({ topics }) {
      return { name: 'FerryFixedAssigner', metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.alloc(0) }) };
    },
  });
}

class KafkajsConsumer implements KafkaConsumer {
  constructor(
    private readonly consumer: Consumer,
    private readonly recordBatches: boolean,
  ) {}

  connect(): Promise<void> {
    return this.consumer.connect();
  }

  disconnect(): Promise<void> {
    return this.consumer.disconnect();
  }

  subscribe(request: { topics: (string | RegExp)[]; fromBeginning?: boolean }): Promise<void> {
    return this.consumer.subscribe({ topics: request.topics, fromBeginning: request.fromBeginning ?? false });
  }

  run(options: RunOptions): Promise<void> {
    const eachBatch = options.eachBatch;
    const adapt = this.recordBatches ? recordBatchesOf : batchOf;
    return this.consumer.run({
      autoCommit: options.autoCommit ?? false,
      eachBatchAutoResolve: options.eachBatchAutoResolve ?? true,
      ...(options.partitionsConsumedConcurrently !== undefined ? { partitionsConsumedConcurrently: options.partitionsConsumedConcurrently } : {}),
      eachBatch: (payload: EachBatchPayload) => {
        const context: BatchContext = {
          batch: adapt(payload.batch),
          resolveOffset: payload.resolveOffset,
          heartbeat: payload.heartbeat,
          isRunning: payload.isRunning,
          isStale: payload.isStale,
        };
        return eachBatch(context);
      },
    });
  }

  stop(): Promise<void> {
    return this.consumer.stop();
  }

  seek(position: { topic: string; partition: number; offset: string }): void {
    this.consumer.seek(position);
  }

  pause(topics: { topic: string; partitions?: number[] }[]): void {
    this.consumer.pause(topics);
  }

  resume(topics: { topic: string; partitions?: number[] }[]): void {
    this.consumer.resume(topics);
  }

  commitOffsets(offsets: { topic: string; partition: number; offset: string }[]): Promise<void> {
    return this.consumer.commitOffsets(offsets);
  }

  on<E extends keyof ConsumerEvents>(event: E, listener: (payload: ConsumerEvents[E]) => void): () => void {
    const { events } = this.consumer;
    if (event === 'crash') {
      return this.consumer.on(events.CRASH, ({ payload }) => (listener as (payload: ConsumerEvents['crash']) => void)({ error: payload.error, restart: payload.restart }));
    }
    return this.consumer.on(events.GROUP_JOIN, ({ payload }) => (listener as (payload: ConsumerEvents['groupJoin']) => void)({ memberId: payload.memberId }));
  }
}

class KafkajsAdmin implements KafkaAdmin {
  constructor(private readonly admin: Admin) {}

  connect(): Promise<void> {
    return this.admin.connect();
  }

  disconnect(): Promise<void> {
    return this.admin.disconnect();
  }

  async describeCluster(): Promise<{ clusterId: string; controller: number | null; brokers: { nodeId: number; host: string; port: number }[] }> {
    const cluster = await this.admin.describeCluster();
    return { clusterId: cluster.clusterId, controller: cluster.controller, brokers: cluster.brokers.map(({ nodeId, host, port }) => ({ nodeId, host, port })) };
  }

  listTopics(): Promise<string[]> {
    return this.admin.listTopics();
  }

  async fetchTopicMetadata(request?: { topics: string[] }): Promise<{ name: string; partitions: { partitionId: number; leader: number; replicas: number[]; isr: number[] }[] }[]> {
    const metadata = await this.admin.fetchTopicMetadata(request ? { topics: request.topics } : undefined);
    return metadata.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((partition) => ({ partitionId: partition.partitionId, leader: partition.leader, replicas: partition.replicas, isr: partition.isr })),
    }));
  }

  async fetchTopicOffsets(topic: string): Promise<{ partition: number; low: string; high: string }[]> {
    return (await this.admin.fetchTopicOffsets(topic)).map(({ partition, low, high }) => ({ partition, low, high }));
  }

  async fetchTopicOffsetsByTimestamp(topic: string, timestamp: number): Promise<{ partition: number; offset: string }[]> {
    return (await this.admin.fetchTopicOffsetsByTimestamp(topic, timestamp)).map(({ partition, offset }) => ({ partition, offset }));
  }

  async fetchOffsets(request: { groupId: string; topics?: string[] }): Promise<{ topic: string; partitions: { partition: number; offset: string; metadata: string | null }[] }[]> {
    const offsets = await this.admin.fetchOffsets(request.topics ? { groupId: request.groupId, topics: request.topics } : { groupId: request.groupId });
    return offsets.map(({ topic, partitions }) => ({ topic, partitions: partitions.map(({ partition, offset, metadata }) => ({ partition, offset, metadata })) }));
  }

  setOffsets(request: { groupId: string; topic: string; partitions: { partition: number; offset: string }[] }): Promise<void> {
    return this.admin.setOffsets(request);
  }

  async describeTopicConfigs(topics: string[], configNames?: string[]) {
    const described = await this.admin.describeConfigs({
      includeSynonyms: false,
      resources: topics.map((name) => ({ type: TOPIC_RESOURCE, name, ...(configNames ? { configNames } : {}) })),
    });
    return described.resources.map((resource) => ({
      topic: resource.resourceName,
      errorCode: resource.errorCode,
      errorMessage: resource.errorMessage ?? null,
      configEntries: resource.configEntries.map((entry) => ({
        configName: entry.configName,
        configValue: entry.configValue,
        configSource: (entry as { configSource?: number }).configSource ?? 6,
        isDefault: entry.isDefault,
        isSensitive: entry.isSensitive,
        readOnly: entry.readOnly,
      })),
    }));
  }

  async alterTopicConfigs(topics: { topic: string; configs: Record<string, string> }[]): Promise<void> {
    await this.admin.alterConfigs({
      validateOnly: false,
      resources: topics.map(({ topic, configs }) => ({ type: TOPIC_RESOURCE, name: topic, configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })) })),
    });
  }

  createTopics(request: { topics: { topic: string; numPartitions?: number; replicationFactor?: number; configs?: Record<string, string> }[]; waitForLeaders?: boolean }): Promise<boolean> {
    return this.admin.createTopics({
      waitForLeaders: request.waitForLeaders ?? true,
      topics: request.topics.map((topic) => ({
        topic: topic.topic,
        numPartitions: topic.numPartitions ?? -1,
        replicationFactor: topic.replicationFactor ?? -1,
        configEntries: Object.entries(topic.configs ?? {}).map(([name, value]) => ({ name, value })),
      })),
    });
  }

  deleteTopics(topics: string[]): Promise<void> {
    return this.admin.deleteTopics({ topics });
  }

  async createPartitions(request: { topic: string; count: number }[]): Promise<void> {
    await this.admin.createPartitions({ topicPartitions: request });
  }

  async listGroups(): Promise<{ groupId: string; protocolType: string }[]> {
    return (await this.admin.listGroups()).groups.map(({ groupId, protocolType }) => ({ groupId, protocolType }));
  }

  async describeGroups(groupIds: string[]) {
    const { groups } = await this.admin.describeGroups(groupIds);
    return groups.map((group) => ({
      groupId: group.groupId,
      state: group.state,
      protocolType: group.protocolType,
      members: group.members.map((member) => ({ memberId: member.memberId, clientId: member.clientId, clientHost: member.clientHost, memberAssignment: member.memberAssignment })),
    }));
  }

  deleteGroups(groupIds: string[]): Promise<void> {
    return this.admin.deleteGroups(groupIds).then(() => undefined);
  }
}

export class KafkajsClient implements KafkaClient {
  constructor(private readonly kafka: Kafka) {}

  producer(options: ProducerOptions = {}): KafkaProducer {
    const retry = retryOf(options.retry);
    const producer = this.kafka.producer({
      ...(options.idempotent !== undefined ? { idempotent: options.idempotent } : {}),
      ...(options.maxInFlightRequests !== undefined ? { maxInFlightRequests: options.maxInFlightRequests } : {}),
      ...(options.transactionalId !== undefined ? { transactionalId: options.transactionalId } : {}),
      ...(options.transactionTimeoutMs !== undefined ? { transactionTimeout: options.transactionTimeoutMs } : {}),
      allowAutoTopicCreation: options.allowAutoTopicCreation ?? false,
      ...(retry ? { retry } : {}),
    });
    return new KafkajsProducer(producer, options);
  }

  consumer(options: ConsumerOptions): KafkaConsumer {
    const retry = retryOf(options.retry);
    const consumer = this.kafka.consumer({
      groupId: options.groupId,
      ...(options.sessionTimeoutMs !== undefined ? { sessionTimeout: options.sessionTimeoutMs } : {}),
      ...(options.rebalanceTimeoutMs !== undefined ? { rebalanceTimeout: options.rebalanceTimeoutMs } : {}),
      ...(options.heartbeatIntervalMs !== undefined ? { heartbeatInterval: options.heartbeatIntervalMs } : {}),
      ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}),
      ...(options.maxBytesPerPartition !== undefined ? { maxBytesPerPartition: options.maxBytesPerPartition } : {}),
      ...(options.maxWaitMs !== undefined ? { maxWaitTimeInMs: options.maxWaitMs } : {}),
      readUncommitted: options.readUncommitted ?? false,
      allowAutoTopicCreation: options.allowAutoTopicCreation ?? false,
      ...(retry ? { retry } : {}),
      ...(options.fixedAssignment ? { partitionAssigners: [fixedAssigner(options.fixedAssignment.topic, options.fixedAssignment.partitions)] } : {}),
      // The rack id reaches every fetch this consumer makes: rawBatchPath.ts keeps those fetches' batches whole.
      ...(options.recordBatches ? { rackId: RECORD_BATCHES_RACK } : {}),
    });
    return new KafkajsConsumer(consumer, options.recordBatches === true);
  }

  admin(options: AdminOptions = {}): KafkaAdmin {
    const retry = retryOf(options.retry);
    return new KafkajsAdmin(this.kafka.admin(retry ? { retry } : undefined));
  }

  removeGroupMember(groupId: string, memberId: string): Promise<'removed' | 'gone' | 'unsupported'> {
    return removeGroupMember(this.kafka, groupId, memberId);
  }
}

/** Port admins from the kafkajs admins that pipeline code still creates until it moves to the port (see ensureTopics). */
export function adaptKafkajsAdmin(admin: Admin): KafkaAdmin {
  return new KafkajsAdmin(admin);
}
