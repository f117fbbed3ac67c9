import { EngineError } from '../../shared/errors';

export type ReplicatorErrorCode =
  | 'REPLICATOR_TOPIC_MISSING'
  | 'REPLICATOR_TOPIC_SETUP'
  | 'REPLICATOR_PARTITIONS'
  | 'REPLICATOR_SCHEMA'
  | 'REPLICATOR_TRANSACTION'
  | 'REPLICATOR_CHECKPOINT'
  | 'REPLICATOR_RUNNING'
  | 'REPLICATOR_UNKNOWN'
  | 'REPLICATOR_NONE'
  | 'REPLICATOR_FAILED'
  /** The source cluster has not answered for a while (a broker paused or down); retried. */
  | 'REPLICATOR_KAFKA_SILENT';

export function replicatorError(code: ReplicatorErrorCode, message: string, options: { retriable?: boolean; cause?: unknown; detail?: unknown } = {}): EngineError {
  return new EngineError(code, message, options);
}
