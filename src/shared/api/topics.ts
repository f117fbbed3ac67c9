import type { Event } from '../event';

/** A Kafka cluster to read: one of the lab's two clusters, or a saved Kafka connection profile. */
export type ClusterRef = { kind: 'lab'; cluster: 'a' | 'b' } | { kind: 'profile'; profileId: string };

/** A Schema Registry to decode and encode Avro with: a saved profile or a URL (e.g. the embedded registry). */
export type RegistryRef = { kind: 'profile'; profileId: string } | { kind: 'url'; url: string };

export interface ClusterChoice {
  ref: ClusterRef;
  label: string;
  bootstrap: string;
  environment: 'dev' | 'test' | 'prod';
  /** The registry records of this cluster are decoded with unless the user picks another. */
  defaultRegistry?: RegistryRef;
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
  /** Matching records in batches (at most ~10 a second per session) with the scan counters. */
  readonly onDidReceiveRecords: Event<BrowseBatch>;
}
