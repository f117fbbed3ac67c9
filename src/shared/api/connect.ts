/**
 * Kafka Connect clusters watched from the app: a cluster is its REST address (plus basic auth); the engine lists its
 * connectors and tasks with their state, says why a failed one failed, and pauses, resumes and restarts them.
 */

export interface ConnectClusterRef {
  /** http(s)://host:port of any worker; credentials may also be given in the URL. */
  url: string;
  username?: string;
  password?: string;
}

export interface ConnectClusterInfo {
  /** The URL without credentials. */
  url: string;
  version: string;
  /** The Kafka cluster the workers store their configs, offsets and status in. */
  kafkaClusterId: string;
  /** Installed connector classes. */
  plugins: string[];
}

export type ConnectState = 'RUNNING' | 'PAUSED' | 'STOPPED' | 'FAILED' | 'UNASSIGNED' | 'RESTARTING';

export interface ConnectTaskView {
  id: number;
  state: ConnectState;
  workerId: string;
  /** Connect's stack trace of a FAILED task. */
  trace?: string;
  /** The last "Caused by" of the trace: what actually went wrong, in one line. */
  rootCause?: string;
}

export interface ConnectConnectorView {
  name: string;
  type?: 'source' | 'sink';
  connectorClass?: string;
  state: ConnectState;
  workerId: string;
  trace?: string;
  rootCause?: string;
  tasks: ConnectTaskView[];
}

export interface IConnectApi {
  /** Checks the address and credentials: version, Kafka cluster and plugins, or an error saying what failed. */
  test(cluster: ConnectClusterRef): Promise<ConnectClusterInfo>;
  /** Every connector with its tasks and state. */
  connectors(cluster: ConnectClusterRef): Promise<ConnectConnectorView[]>;
  /** A connector's config as the cluster holds it (for the config editor). */
  config(cluster: ConnectClusterRef, connector: string): Promise<Record<string, string>>;
  pause(cluster: ConnectClusterRef, connector: string): Promise<void>;
  resume(cluster: ConnectClusterRef, connector: string): Promise<void>;
  /** Restarts the connector and its failed tasks, or only `task` when given. */
  restart(cluster: ConnectClusterRef, connector: string, task?: number): Promise<void>;
}
