import type { Event } from '../event';
import type { ConnectorState, PipelineSource } from './pipelines';

/** Throughput of one copied topic, over the last few seconds. */
export interface ReplicatedTopicMetrics {
  source: string;
  destination: string;
  records: number;
  bytes: number;
  recordsPerSecond: number;
  /** Megabytes (10^6 bytes) of keys, values and headers per second. */
  megabytesPerSecond: number;
}

export interface ReplicatedPartitionLag {
  topic: string;
  partition: number;
  /** Source log end offset when last measured. */
  endOffset: number;
  /** Next source offset the replicator has copied and committed up to. */
  replicatedOffset: number;
  /** endOffset − replicatedOffset. */
  lag: number;
}

export interface ReplicatorMetrics {
  recordsCopied: number;
  bytesCopied: number;
  /** Records not copied because their provenance header says they came from the destination. */
  recordsSkipped: number;
  recordsPerSecond: number;
  megabytesPerSecond: number;
  /** Sum of partition lags. */
  lag: number;
  /** Destination append (acknowledgement) time − source record timestamp; meaningless while catching up on old data. */
  latencyP50Ms?: number;
  latencyP99Ms?: number;
  topics: ReplicatedTopicMetrics[];
  partitions: ReplicatedPartitionLag[];
  /** Consumer groups whose offsets were translated onto the destination, with when it last happened. */
  translatedGroups: { group: string; partitions: number; at: string }[];
}

export interface ReplicatorStatus {
  /** The replicator connector's `name`. */
  name: string;
  /** The file (pipeline) it came from. */
  pipeline: string;
  state: ConnectorState;
  delivery: 'at-least-once' | 'exactly-once';
  source: string;
  destination: string;
  error?: { code: string; message: string; retriable: boolean };
  /** Every copied partition has lag 0 and nothing is in flight. */
  caughtUp: boolean;
  metrics: ReplicatorMetrics;
}

export interface IReplicatorsApi {
  /** Starts every replicator of a pipeline file, or a lone replicator config; refused with CONFIG_INVALID and the problems in `detail`. */
  start(source: PipelineSource): Promise<ReplicatorStatus[]>;
  /** Stops one replicator gracefully (in-flight records are written and their progress committed). */
  stop(name: string): Promise<ReplicatorStatus>;
  list(): Promise<ReplicatorStatus[]>;
  status(name: string): Promise<ReplicatorStatus>;
  readonly onDidChangeStatus: Event<ReplicatorStatus>;
}
