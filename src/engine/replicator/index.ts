/** Kafka → Kafka: topic sync, record copy, schema migration, consumer group offset translation (architecture §3). */
export { type ReplicatorErrorCode } from './errors';
export { PROVENANCE_HEADER } from './provenance';
export { ReplicatorRunner, type ReplicatorRunnerOptions } from './replicatorRunner';
export { ReplicatorsService } from './replicatorsService';
