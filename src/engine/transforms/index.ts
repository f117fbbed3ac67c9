/** Connect's single message transforms, applied by the pipeline's source and sink tasks and by Preview. */
export { type ConnectRecord, type RecordTransform } from './connectRecord';
export { type EnvelopeFieldReference, type EnvelopeFields, envelopeFieldReferences, envelopeHeaders, EXTRACT_NEW_RECORD_STATE, type UnwrapOptions, unwrapOptions, withDeletedField, withEnvelopeFields } from './extractNewRecordState';
export { buildTransformChain, probeTopic, runnablePredicateClasses, runnableTransformClasses, traceTransformChain, type TransformStepTrace } from './transformChain';
export { type ConnectData, type ConnectSchema, type ConnectValue } from './connectData';
export { displayFields } from './structureTransforms';
