export { createKafka, createKafkaClient, type KafkaClientSettings, type SaslMechanism, type SecurityProtocol } from './client';
export { classifyKafkaError, kafkaError, type KafkaErrorCode } from './errors';
export { assertValidTopicName, ensureTopics, findTopicCollisions, TOPIC_NAME_PATTERN, topicCollisionKey, type TopicSpec } from './topics';
export { removeGroupMember } from './groupMembers';
export { decodeMemberAssignment } from './groupAssignment';
export type * from './port';
export { COMPRESSION_TYPES } from './port';
export { decodeRecordBatch } from './rawBatchPath';
export { buildRecordBatch, canForward, type BatchPart, BATCH_HEADER_BYTES } from './recordBatches';
