/** Connect's single message transforms, applied by the pipeline's source and sink tasks and by Preview. */
export { type ConnectRecord, type RecordTransform } from './connectRecord';
export { buildTransformChain, probeTopic, runnablePredicateClasses, runnableTransformClasses } from './transformChain';
