import { EngineError } from '../../shared/errors';

/** Stable codes of the topics and schemas namespaces; never rename one, add new ones instead. */
export type TopicsErrorCode =
  /** A browse or produce request with a missing or malformed field. */
  | 'TOPICS_BAD_REQUEST'
  /** The filter text does not parse; the message points at the term. */
  | 'TOPICS_FILTER_INVALID'
  | 'TOPICS_NOT_FOUND'
  | 'TOPICS_SESSION_UNKNOWN'
  /** Too many reads at once in this engine. */
  | 'TOPICS_BUSY'
  /** Avro produce without a Schema Registry, or a schema that is not Avro. */
  | 'TOPICS_SCHEMA'
  /** Create: a topic of that name exists already. */
  | 'TOPICS_EXISTS'
  /** The consumer group is unknown to the cluster. */
  | 'TOPICS_GROUP_NOT_FOUND'
  /** An offset reset asked of a group that has running members. */
  | 'TOPICS_GROUP_ACTIVE';

export function topicsError(code: TopicsErrorCode, message: string, options: { retriable?: boolean; detail?: unknown; cause?: unknown } = {}): EngineError {
  return new EngineError(code, message, options);
}
