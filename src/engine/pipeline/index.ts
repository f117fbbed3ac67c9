export { PipelineRunner, type PipelineRunnerOptions } from './pipelineRunner';
export type { ConnectorState, ConnectorStatus, PipelineStatus } from './status';
export { PipelinesService } from './pipelinesService';
export { AppliedLog, type AppliedChunk } from './appliedLog';
