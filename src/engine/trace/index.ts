/** A row's journey through a pipeline; the lookups are exported for Verify's "explain". */
export { PipelineCatalog, type KnownPipeline } from './pipelineCatalog';
export { TraceService, locateSource, chooseKey, findRecords, sinkWriteOf, compareRow, DEFAULT_MAX_SCAN } from './traceService';
export { describeTable, fetchRow, changeTime, keyCondition } from './rowLookup';
