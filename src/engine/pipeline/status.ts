/** The status DTOs are the API's own (src/shared/api/pipelines.ts), so what the runner reports is what hosts show. */
export type { ConnectorMetrics as ConnectorMetricsDto, ConnectorState, ConnectorStatus, ConnectorTableStatus, PipelineStatus } from '../../shared/api/pipelines';
