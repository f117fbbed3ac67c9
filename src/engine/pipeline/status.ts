/** Connector states users know from Kafka Connect, plus DEGRADED: running but retrying a failure. */
export type ConnectorState = 'STARTING' | 'RUNNING' | 'DEGRADED' | 'FAILED' | 'PAUSED' | 'STOPPED';

export interface ConnectorStatus {
  name: string;
  role: 'source' | 'sink';
  state: ConnectorState;
  /** The root cause while DEGRADED or FAILED, written for the user. */
  error?: { code: string; message: string; retriable: boolean };
  /** Source: every table read up to its end. Sink: nothing left in Kafka to apply. */
  caughtUp: boolean;
  metrics: {
    rowsRead: number;
    rowsProduced: number;
    rowsApplied: number;
    errors: number;
    deadLettered: number;
    lag: number;
    rowsPerSecond: number;
    latencyP50Ms?: number;
    latencyP99Ms?: number;
  };
}

export interface PipelineStatus {
  name: string;
  state: ConnectorState;
  connectors: ConnectorStatus[];
}
