import type { Event } from '../event';

/** A Kafka cluster to read: one of the lab's two clusters, or a saved Kafka connection profile. */
export type ClusterRef = { kind: 'lab'; cluster: 'a' | 'b' } | { kind: 'profile'; profileId: string };

/** A Schema Registry to decode and encode Avro with: a saved profile or a URL (e.g. the embedded registry). */
export type RegistryRef = { kind: 'profile'; profileId: string } | { kind: 'url'; url: string } | { kind: 'pipeline'; pipeline: string };

/** The registry a running pipeline writes its topics' schemas to (credentials stay in the engine). */
export interface PipelineRegistry {
  pipeline: string;
  ref: RegistryRef;
  url: string;
  /** Topics the pipeline's sources write or its sinks read. */
  topics: string[];
}

export interface ClusterChoice {
  ref: ClusterRef;
  label: string;
  bootstrap: string;
  environment: 'dev' | 'test' | 'prod';
  /** The registry records of this cluster are decoded with unless the user picks another. */
  defaultRegistry?: RegistryRef;
  /** Registries of running pipelines on this cluster: a topic one of them writes is decoded with its registry. */
  pipelineRegistries?: PipelineRegistry[];
}

export interface TopicSummary {
  name: string;
  partitions: number;
  internal: boolean;
}

export interface PartitionInfo {
  partition: number;
  /** Oldest offset still in the log. */
  low: string;
  /** Offset the next record will get (high watermark). */
  high: string;
}

export interface TopicDetails {
  name: string;
  partitions: PartitionInfo[];
  /** Sum of high − low over partitions (records currently kept, before compaction gaps). */
  records: string;
}

/** Where a read starts. `newest` shows the last `limit` records; `live` waits for new ones until stopped. */
export type StartMode = 'newest' | 'oldest' | 'live' | 'offset' | 'timestamp';
export const START_MODES: readonly StartMode[] = ['newest', 'oldest', 'live', 'offset', 'timestamp'];

/** How to show keys and values; `auto` tries Avro (magic byte), then JSON, then text, then hex. */
export type DecodeMode = 'auto' | 'avro' | 'json' | 'text' | 'hex';

export interface BrowseRequest {
  cluster: ClusterRef;
  topic: string;
  mode: StartMode;
  /** For `offset`: the offset to start at in every chosen partition (clamped to what the log holds). */
  offset?: string;
  /** For `timestamp`: ISO time or epoch milliseconds; each partition starts at its first record at or after it. */
  timestamp?: string;
  /** Partitions to read; all when absent or empty. */
  partitions?: number[];
  /** Stop after this many matching records (not for `live`); default 500, at most 100,000. */
  limit?: number;
  /** Filter evaluated in the engine; see `filterSyntax` in the UI. Empty matches everything. */
  filter?: string;
  keyDecode?: DecodeMode;
  valueDecode?: DecodeMode;
  registry?: RegistryRef;
}

/** A decoded key or value. `text` is what the UI shows; `reason` says why it is hex when decoding failed. */
export interface DecodedPayload {
  format: 'avro' | 'json' | 'text' | 'hex' | 'null';
  text: string;
  /** Bytes on the wire. */
  size: number;
  /** True when `text` was cut for display (exports hold the whole value). */
  truncated?: boolean;
  schemaId?: number;
  subject?: string;
  version?: number;
  /** Why the payload is shown as hex (no magic byte, unknown schema id, …). */
  reason?: string;
  /**
   * Decoded, but probably not right: the schema is not a version of this topic's subject in the chosen registry
   * (decoded with another topic's schema, typically because the topic was written through another registry).
   */
  warning?: string;
}

export interface BrowsedRecord {
  partition: number;
  offset: string;
  /** Epoch milliseconds. */
  timestamp: number;
  key: DecodedPayload;
  value: DecodedPayload;
  headers: { name: string; value: string }[];
}

export type BrowseState = 'starting' | 'reading' | 'paused' | 'done' | 'stopped' | 'failed';

export interface BrowseProgress {
  sessionId: string;
  state: BrowseState;
  /** Records read from Kafka so far (before the filter). */
  scanned: number;
  matched: number;
  /** Bytes of keys and values scanned. */
  bytes: number;
  elapsedMs: number;
  /** Matching records not sent to the UI because they arrived faster than it can show (live tail bursts). */
  skipped: number;
  /** Why the session is `done` or `failed`, written for the user. */
  message?: string;
  errorCode?: string;
}

export interface BrowseBatch extends BrowseProgress {
  records: BrowsedRecord[];
}

export interface BrowseSession {
  sessionId: string;
  /** Where each partition starts and the end it reads to (`live`: the end when it started). */
  partitions: { partition: number; start: string; end: string }[];
}

export interface ExportRequest extends BrowseRequest {
  /** Default 10,000, at most 100,000. */
  maxRecords?: number;
}

export interface ExportResult {
  /** JSON array of records with partition, offset, timestamp, key, value, headers, schema ids. */
  json: string;
  records: number;
  scanned: number;
  /** True when `maxRecords` stopped the export before the end of the topic. */
  truncated: boolean;
}

export interface ProduceRequest {
  cluster: ClusterRef;
  topic: string;
  partition?: number;
  key?: string;
  /** The value as JSON text (Avro: the record as JSON, validated against the schema before sending). */
  value: string;
  format: 'avro' | 'json' | 'text';
  headers?: { name: string; value: string }[];
  /** For Avro: the registry, and the subject and version of the schema to encode with (default latest). */
  registry?: RegistryRef;
  subject?: string;
  version?: number;
  /** Validate only, send nothing. */
  dryRun?: boolean;
  /** The user confirmed writing to a prod-coloured cluster. */
  confirmed?: boolean;
}

export interface ProduceProblem {
  /** Field path in the record, e.g. `customer.email`, or `$` for the whole value. */
  path: string;
  message: string;
}

export interface ProduceResult {
  valid: boolean;
  problems: ProduceProblem[];
  /** Set when sent. */
  partition?: number;
  offset?: string;
  schemaId?: number;
}

/** Where a topic config value comes from, as the brokers report it (DescribeConfigs `configSource`). */
export type TopicConfigSource = 'topic' | 'broker' | 'default' | 'other';

export interface TopicConfigEntry {
  name: string;
  /** The value in effect; null for a sensitive config (the brokers never send those). */
  value: string | null;
  source: TopicConfigSource;
  readOnly: boolean;
  sensitive: boolean;
}

export interface TopicOverview extends TopicDetails {
  /** Replicas per partition (from partition 0; every partition of a topic created by Kafka has the same count). */
  replicationFactor: number;
  /**
   * Bytes on disk. Absent: the Kafka client Ferry uses (kafkajs) has no DescribeLogDirs call, so the admin API gives
   * no size; `sizeNote` says so for the UI.
   */
  sizeBytes?: string;
  sizeNote?: string;
  /** Per partition: the leader broker and the replica and in-sync replica broker ids. */
  leaders: { partition: number; leader: number; replicas: number[]; isr: number[] }[];
  configs: TopicConfigEntry[];
}

export interface CreateTopicRequest {
  cluster: ClusterRef;
  topic: string;
  /** Default 1. */
  partitions?: number;
  /** Default: the brokers' default.replication.factor. */
  replicationFactor?: number;
  /** Topic-level configs, e.g. `{"cleanup.policy": "compact", "retention.ms": "86400000"}`. */
  configs?: Record<string, string>;
  /** The user confirmed writing to a prod-coloured cluster. */
  confirmed?: boolean;
}

export interface DeleteTopicRequest {
  cluster: ClusterRef;
  topic: string;
  confirmed?: boolean;
}

export interface AlterTopicConfigsRequest {
  cluster: ClusterRef;
  topic: string;
  /** Configs to set on the topic. */
  set?: Record<string, string>;
  /** Topic-level configs to remove, so the broker default applies again. */
  reset?: string[];
  confirmed?: boolean;
}

/** Kafka's group states (ListGroups/DescribeGroups), plus `Unknown` for anything newer. */
export type ConsumerGroupState = 'Stable' | 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Dead' | 'Unknown';

export interface ConsumerGroupSummary {
  groupId: string;
  state: ConsumerGroupState;
  members: number;
  /** `consumer` for Kafka consumers; Connect workers and others use their own. */
  protocolType: string;
}

export interface GroupPartitionLag {
  topic: string;
  partition: number;
  /** The group's committed offset; null when the group committed nothing for this partition. */
  committed: string | null;
  /** Oldest offset still in the log. */
  low: string;
  /** High watermark: the offset the next record will get. */
  high: string;
  /** high − committed (high − low when nothing is committed): records the group has yet to read. */
  lag: string;
  /** The member consuming this partition now, when the group is active. */
  memberId?: string;
  clientId?: string;
}

export interface ConsumerGroupDetails extends ConsumerGroupSummary {
  membersList: { memberId: string; clientId: string; host: string }[];
  partitions: GroupPartitionLag[];
  /** Sum of `lag` over partitions. */
  totalLag: string;
}

/** Where a reset moves the group's committed offsets to. */
export type OffsetResetTarget = 'earliest' | 'latest' | 'timestamp' | 'offset';
export const OFFSET_RESET_TARGETS: readonly OffsetResetTarget[] = ['earliest', 'latest', 'timestamp', 'offset'];

export interface ResetOffsetsRequest {
  cluster: ClusterRef;
  groupId: string;
  topic: string;
  /** Partitions to move; every partition of the topic when absent or empty. */
  partitions?: number[];
  to: OffsetResetTarget;
  /** For `timestamp`: ISO time or epoch milliseconds; each partition moves to its first record at or after it (the end when none). */
  timestamp?: string;
  /** For `offset`: the offset for every chosen partition, clamped to what the log holds. */
  offset?: string;
  confirmed?: boolean;
}

export interface ITopicsApi {
  clusters(): Promise<ClusterChoice[]>;
  list(cluster: ClusterRef): Promise<TopicSummary[]>;
  describe(cluster: ClusterRef, topic: string): Promise<TopicDetails>;
  /** Starts reading; records and progress arrive on `onDidReceiveRecords` tagged with the session id. */
  browse(request: BrowseRequest): Promise<BrowseSession>;
  pause(sessionId: string): Promise<void>;
  resume(sessionId: string): Promise<void>;
  stop(sessionId: string): Promise<void>;
  /** Reads from the start position to the end as it is now and returns every matching record (whole values). */
  export(request: ExportRequest): Promise<ExportResult>;
  produce(request: ProduceRequest): Promise<ProduceResult>;
  /** Partitions, offsets, leaders, replication and every config in effect (with where each value comes from). */
  overview(cluster: ClusterRef, topic: string): Promise<TopicOverview>;
  create(request: CreateTopicRequest): Promise<TopicOverview>;
  delete(request: DeleteTopicRequest): Promise<void>;
  /** Sets and resets topic-level configs, keeping every other topic-level config as it was; returns the configs now in effect. */
  alterConfigs(request: AlterTopicConfigsRequest): Promise<TopicConfigEntry[]>;
  groups(cluster: ClusterRef): Promise<ConsumerGroupSummary[]>;
  /** Members and, per partition the group committed offsets for, committed offset, high watermark and lag. */
  group(cluster: ClusterRef, groupId: string): Promise<ConsumerGroupDetails>;
  /** Moves the committed offsets of an inactive group (no members); refused with TOPICS_GROUP_ACTIVE otherwise. */
  resetOffsets(request: ResetOffsetsRequest): Promise<ConsumerGroupDetails>;
  /** Matching records in batches (at most ~10 a second per session) with the scan counters. */
  readonly onDidReceiveRecords: Event<BrowseBatch>;
}
