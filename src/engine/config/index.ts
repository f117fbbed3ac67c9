/**
 * Pipeline and connector configuration: one TypeScript definition per connector class gives validation
 * (parsePipelineFile), the editor's JSON Schema (pipelineJsonSchema) and the reference docs (connectorDocs).
 */
export { CONNECTOR_CLASSES, findConnectorClass, type ConnectorClass } from './connectors/index';
export { sourceTopics } from './connectors/jdbcSource';
export { connectorDocs } from './docs';
export { type ConfigErrorCode } from './errors';
export { parseJdbcUrl, type JdbcUrlInfo } from './jdbcUrl';
export { connectorClassSchema, pipelineJsonSchema } from './jsonSchema';
export type { JsonObject, JsonValue } from './jsonText';
export type { Flavor } from './keys';
export { parsePipelineFile, readPipelineFile, requireValidPipeline, validatePipeline, type PipelineParseOptions, type PipelineParseResult } from './pipelineFile';
export { jdbcUrlOf, PROFILE_KEY, REGISTRY_PROFILE_KEY, type ProfileLookup, type ReferencedProfile } from './profileReferences';
export { renameTopic } from './connectors/replicator';
export { parseReplicatorFile, readReplicatorFile } from './replicatorFile';
export { CONFIG_FORM_RULES, type ConfigText, parseConfigFiles, readConfigFiles } from './configFiles';
export { countBySeverity, type Problem, type Severity } from './problems';
export { Secret } from './secret';
export { SUPPORTED_PREDICATES, SUPPORTED_TRANSFORMS } from './transforms';
export type * from './types';
export { hasDatabase, isJdbcSink, isLogSource, isObjectStoreSink, isPollingSource } from './types';
