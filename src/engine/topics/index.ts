/** Topics, schemas and the live message viewer: browse with decoding and an engine-side filter, export, produce. */
export type { TopicsContext } from './clusterResolver';
export { compileFilter, FILTER_SYNTAX } from './messageFilter';
export { PayloadDecoder } from './payloadDecoder';
export { SchemasService } from './schemasService';
export { TopicsService } from './topicsService';
