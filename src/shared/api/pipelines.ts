import type { Event } from '../event';

/** Connector states users know from Kafka Connect, plus DEGRADED (running, retrying a failure) and STARTING. */
export type ConnectorState = 'STARTING' | 'RUNNING' | 'DEGRADED' | 'FAILED' | 'PAUSED' | 'STOPPED';

export interface ConnectorMetrics {
  rowsRead: number;
  rowsProduced: number;
  rowsApplied: number;
  errors: number;
  deadLettered: number;
  /** Sink: records in Kafka not yet applied. */
  lag: number;
  rowsPerSecond: number;
  /** End-to-end latency from the source change to the target commit. */
  latencyP50Ms?: number;
  latencyP99Ms?: number;
}

export interface ConnectorStatus {
  name: string;
  role: 'source' | 'sink';
  state: ConnectorState;
  /** The root cause while DEGRADED or FAILED, written for the user; `retriable` false means the user must act. */
  error?: { code: string; message: string; retriable: boolean };
  /** Source: every table read to its end. Sink: nothing left in Kafka to apply. */
  caughtUp: boolean;
  metrics: ConnectorMetrics;
}

export interface PipelineStatus {
  name: string;
  state: ConnectorState;
  connectors: ConnectorStatus[];
}

export interface PipelineProblem {
  severity: 'error' | 'warning';
  /** JSON path of the offending key, e.g. `$.connectors[0]['insert.mode']`. */
  path: string;
  message: string;
  hint?: string;
}

export interface PipelineValidation {
  valid: boolean;
  problems: PipelineProblem[];
}

export interface PipelineSource {
  /** The pipeline file's text (JSON). */
  text: string;
  /** For messages and relative paths; default `pipeline.json`. */
  fileName?: string;
}

export interface IPipelinesApi {
  validate(source: PipelineSource): Promise<PipelineValidation>;
  /** Validates and starts; an invalid file is refused with CONFIG_INVALID and the problems in `detail`. */
  start(source: PipelineSource): Promise<PipelineStatus>;
  stop(name: string): Promise<PipelineStatus>;
  /** Sources stop polling and sinks stop fetching; nothing is lost, `resume` carries on from the same place. */
  pause(name: string): Promise<PipelineStatus>;
  resume(name: string): Promise<PipelineStatus>;
  list(): Promise<PipelineStatus[]>;
  readonly onDidChangeStatus: Event<PipelineStatus>;
}
