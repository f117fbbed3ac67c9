export { createKafka, kafkaConfig, type KafkaClientSettings, type SaslMechanism, type SecurityProtocol } from './client';
export { classifyKafkaError, kafkaError, type KafkaErrorCode } from './errors';
export { assertValidTopicName, ensureTopics, TOPIC_NAME_PATTERN, type TopicSpec } from './topics';
