/**
 * The Kafka port: what the rest of the engine may ask of a Kafka client. Pipelines, the replicator, topics, trace,
 * connections and the lab use only these interfaces (from `engine/kafka`); the client library behind them is an
 * adapter in this folder (kafkajsAdapter.ts), so it can change without touching its users.
 *
 * Offsets are decimal strings, as the protocol's int64 does not fit a JS number in general; headers and payloads are
 * Buffers (a string is accepted when sending and encoded as UTF-8).
 */

import type { BuiltBatch, RecordBatchView } from './recordBatches';

export type { BuiltBatch, RecordBatchView } from './recordBatches';

/** One header value; a header name may repeat, which gives an array. */
export type HeaderValue = Buffer | string;
export type MessageHeaders = Record<string, HeaderValue | HeaderValue[] | undefined>;

/** A Kafka record as a consumer fetched it. */
export interface FetchedMessage {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: MessageHeaders;
  /** Milliseconds since the epoch, as a decimal string (CreateTime or LogAppendTime per the topic). */
  timestamp: string;
}

/** A Kafka record to send. Without a partition the client's default partitioner (murmur2 of the key) picks one. */
export interface OutgoingMessage {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  partition?: number;
  headers?: MessageHeaders;
  /** Milliseconds since the epoch as a decimal string; now when absent. */
  timestamp?: string;
}

export interface TopicMessages {
  topic: string;
  messages: OutgoingMessage[];
}

/** -1: every in-sync replica (acks=all), 1: the leader, 0: none. */
export type Acks = -1 | 0 | 1;

/** Kafka's `compression.type` values for producers ("producer" itself is a topic-side value only). */
export type CompressionType = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
export const COMPRESSION_TYPES: readonly CompressionType[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

/** Where a send landed: one entry per partition written. */
export interface ProduceAck {
  topic: string;
  partition: number;
  /** Offset of the first record written to the partition by this request. */
  baseOffset: string;
}

export interface RetryOptions {
  /** Attempts after the first before giving up. */
  retries?: number;
  initialRetryTimeMs?: number;
  maxRetryTimeMs?: number;
}

export interface ProducerOptions {
  idempotent?: boolean;
  maxInFlightRequests?: number;
  transactionalId?: string;
  transactionTimeoutMs?: number;
  allowAutoTopicCreation?: boolean;
  compression?: CompressionType;
  retry?: RetryOptions;
}

export interface SendRequest {
  topic: string;
  messages: OutgoingMessage[];
  acks?: Acks;
}

export interface SendBatchRequest {
  topicMessages: TopicMessages[];
  acks?: Acks;
}

/**
 * Prebuilt record batches (recordBatches.ts's buildRecordBatch), at most one per topic partition: Kafka takes exactly
 * one batch per partition in a produce request. The producer stamps its id, epoch, sequence and the CRC into each.
 */
export interface SendRecordBatchesRequest {
  batches: { topic: string; partition: number; batch: BuiltBatch }[];
  acks?: Acks;
}

/** Offsets committed inside a transaction (TxnOffsetCommit), with optional metadata per partition. */
export interface TransactionOffsets {
  consumerGroupId: string;
  topics: { topic: string; partitions: { partition: number; offset: string; metadata?: string }[] }[];
}

export interface KafkaTransaction {
  send(request: SendRequest): Promise<ProduceAck[]>;
  sendBatch(request: SendBatchRequest): Promise<ProduceAck[]>;
  sendRecordBatches(request: SendRecordBatchesRequest): Promise<ProduceAck[]>;
  sendOffsets(offsets: TransactionOffsets): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

export interface KafkaProducer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  send(request: SendRequest): Promise<ProduceAck[]>;
  sendBatch(request: SendBatchRequest): Promise<ProduceAck[]>;
  sendRecordBatches(request: SendRecordBatchesRequest): Promise<ProduceAck[]>;
  /** Transactional producers only (`transactionalId`). */
  transaction(): Promise<KafkaTransaction>;
}

export interface ConsumerOptions {
  groupId: string;
  sessionTimeoutMs?: number;
  rebalanceTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** Most bytes of one fetch response, and per partition within it. */
  maxBytes?: number;
  maxBytesPerPartition?: number;
  /** How long a fetch waits for data when there is none. */
  maxWaitMs?: number;
  /** false (default): read_committed, records of aborted transactions are never handed out. */
  readUncommitted?: boolean;
  allowAutoTopicCreation?: boolean;
  retry?: RetryOptions;
  /**
   * A private read: this member takes exactly these partitions of the one subscribed topic, whoever else is in the
   * group (a never-committed group of one, for browsing and tracing).
   */
  fixedAssignment?: { topic: string; partitions: readonly number[] };
  /**
   * Fetched batches come as record batches, their bytes untouched (FetchedBatch.recordBatches), not as decoded
   * messages — for forwarding them whole. Partitions still in an old message format (magic 0/1) come as messages.
   */
  recordBatches?: boolean;
}

/** A fetch's record batches of one partition (consumers with `recordBatches`). */
export interface FetchedRecordBatches {
  /**
   * The data batches in offset order: control batches (transaction markers) left out, and with read_committed the
   * batches of aborted transactions too. The first one may start before `from`.
   */
  batches: RecordBatchView[];
  /** The offset this fetch started at: records below it in the first batch were handed out before. */
  from: number;
  /** Records in batches of aborted transactions that were left out. */
  skippedRecords: number;
}

/** The records of one partition from one fetch, in offset order. */
export interface FetchedBatch {
  topic: string;
  partition: number;
  messages: FetchedMessage[];
  highWatermark: string;
  /** Offset of the last record the fetch covered (also when compaction or control records left no message for it). */
  lastOffset(): string;
  /** Consumers with `recordBatches`: the batches (then `messages` is empty), unless the partition holds an old format. */
  recordBatches?: FetchedRecordBatches;
}

export interface BatchContext {
  batch: FetchedBatch;
  /** Marks everything up to and including `offset` as consumed: the next fetch starts after it. */
  resolveOffset(offset: string): void;
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping. */
  isRunning(): boolean;
  /** True when a rebalance or seek made this batch obsolete. */
  isStale(): boolean;
}

export interface RunOptions {
  /** Default false here: Ferry commits what it has durably handled, itself. */
  autoCommit?: boolean;
  /** Resolve the whole batch when eachBatch returns (default true). */
  eachBatchAutoResolve?: boolean;
  partitionsConsumedConcurrently?: number;
  eachBatch(context: BatchContext): Promise<void>;
}

export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  offset: string;
}

/** Events every consumer reports. */
export interface ConsumerEvents {
  /** The consumer failed; with `restart` the client restarts it by itself (a broker away), without it is gone. */
  crash: { error: unknown; restart: boolean };
  /** This member joined (or rejoined) its group. */
  groupJoin: { memberId: string };
}

export interface KafkaConsumer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  subscribe(request: { topics: (string | RegExp)[]; fromBeginning?: boolean }): Promise<void>;
  /** Starts fetching in the background; resolves once the loop runs. */
  run(options: RunOptions): Promise<void>;
  /** Stops fetching and leaves the group, staying connected. */
  stop(): Promise<void>;
  /** Moves the next fetch of a partition to `offset` (after run). */
  seek(position: TopicPartitionOffset): void;
  pause(topics: { topic: string; partitions?: number[] }[]): void;
  resume(topics: { topic: string; partitions?: number[] }[]): void;
  /** Commits the group's offsets (the next offset to read, per partition). */
  commitOffsets(offsets: TopicPartitionOffset[]): Promise<void>;
  /** Returns a function that removes the listener. */
  on<E extends keyof ConsumerEvents>(event: E, listener: (payload: ConsumerEvents[E]) => void): () => void;
}

export interface BrokerInfo {
  nodeId: number;
  host: string;
  port: number;
}

export interface PartitionMetadata {
  partitionId: number;
  leader: number;
  replicas: number[];
  isr: number[];
}

export interface TopicMetadata {
  name: string;
  partitions: PartitionMetadata[];
}

export interface PartitionOffsets {
  partition: number;
  /** Log start and end offset. */
  low: string;
  high: string;
}

export interface GroupOffsets {
  topic: string;
  /** offset "-1": nothing committed. */
  partitions: { partition: number; offset: string; metadata: string | null }[];
}

/** DescribeConfigs' config source: 1 topic override, 2–4 broker, 5 default, 6 other. */
export interface ConfigEntry {
  configName: string;
  configValue: string | null;
  configSource: number;
  isDefault: boolean;
  isSensitive: boolean;
  readOnly: boolean;
}

export interface TopicConfigs {
  topic: string;
  errorCode: number;
  errorMessage: string | null;
  configEntries: ConfigEntry[];
}

export interface NewTopic {
  topic: string;
  /** -1: the broker's default. */
  numPartitions?: number;
  replicationFactor?: number;
  configs?: Record<string, string>;
}

export interface GroupSummary {
  groupId: string;
  protocolType: string;
}

export interface GroupMember {
  memberId: string;
  clientId: string;
  clientHost: string;
  /** ConsumerProtocol bytes for consumer groups (decodeMemberAssignment). */
  memberAssignment: Buffer;
}

export interface GroupDescription {
  groupId: string;
  /** Empty, Stable, PreparingRebalance, CompletingRebalance, Dead. */
  state: string;
  protocolType: string;
  members: GroupMember[];
}

export interface AdminOptions {
  retry?: RetryOptions;
}

export interface KafkaAdmin {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  describeCluster(): Promise<{ clusterId: string; controller: number | null; brokers: BrokerInfo[] }>;
  listTopics(): Promise<string[]>;
  /** Every topic when `topics` is absent. */
  fetchTopicMetadata(request?: { topics: string[] }): Promise<TopicMetadata[]>;
  fetchTopicOffsets(topic: string): Promise<PartitionOffsets[]>;
  /** Per partition, the first offset at or after `timestamp` (ms), or "-1" when there is none. */
  fetchTopicOffsetsByTimestamp(topic: string, timestamp: number): Promise<{ partition: number; offset: string }[]>;
  /** A group's committed offsets, for the given topics or all it has. */
  fetchOffsets(request: { groupId: string; topics?: string[] }): Promise<GroupOffsets[]>;
  /** Moves an inactive group's offsets (the group must be Empty). */
  setOffsets(request: { groupId: string; topic: string; partitions: { partition: number; offset: string }[] }): Promise<void>;
  describeTopicConfigs(topics: string[], configNames?: string[]): Promise<TopicConfigs[]>;
  /** Replaces each topic's whole set of overrides with its `configs` (AlterConfigs, not incremental). */
  alterTopicConfigs(topics: { topic: string; configs: Record<string, string> }[]): Promise<void>;
  /** Returns false when nothing was created (all existed). */
  createTopics(request: { topics: NewTopic[]; waitForLeaders?: boolean }): Promise<boolean>;
  deleteTopics(topics: string[]): Promise<void>;
  createPartitions(request: { topic: string; count: number }[]): Promise<void>;
  listGroups(): Promise<GroupSummary[]>;
  describeGroups(groupIds: string[]): Promise<GroupDescription[]>;
  deleteGroups(groupIds: string[]): Promise<void>;
}

/** One cluster's client: every producer, consumer and admin it makes shares its settings. */
export interface KafkaClient {
  producer(options?: ProducerOptions): KafkaProducer;
  consumer(options: ConsumerOptions): KafkaConsumer;
  admin(options?: AdminOptions): KafkaAdmin;
  /**
   * Asks the group coordinator to remove a member (LeaveGroup on its behalf), so a restarted consumer need not wait
   * for the dead one's session to expire. 'gone': it was no longer a member; 'unsupported': the client cannot.
   */
  removeGroupMember(groupId: string, memberId: string): Promise<'removed' | 'gone' | 'unsupported'>;
}
