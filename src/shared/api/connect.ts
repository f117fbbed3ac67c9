/**
 * Kafka Connect clusters watched from the app: a cluster is a Connect connection profile (REST address, basic auth
 * with the password kept as the profile's secret) or the running lab's worker; the engine lists its connectors and
 * tasks with their state, says why a failed one failed, pauses, resumes and restarts them, deploys a pipeline to it
 * and draws its connectors' lineage from their topics.
 */
import type { ProfileEnvironment } from './connections';

/**
 * Which cluster: a saved Connect profile (the engine adds its password; the page never holds it), or an address
 * (the lab's worker, scripts and tests; credentials may be given in the URL or apart).
 */
export type ConnectClusterRef = { profileId: string } | { url: string; username?: string; password?: string };

/** A cluster the app offers: the running lab's worker and every Connect profile. */
export interface ConnectClusterChoice {
  /** `lab` or the profile's id; stable, for a picker's value and a URL. */
  key: string;
  label: string;
  /** The REST address, without credentials. */
  url: string;
  ref: ConnectClusterRef;
  environment?: ProfileEnvironment;
  /** A profile with a basic-auth user and no stored password: Test and every call will be refused. */
  passwordMissing?: boolean;
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

/** `ferry deploy` from the app: the config editor's text onto a Connect cluster, first as a dry run. */
export interface ConnectDeployRequest {
  cluster: ConnectClusterRef;
  /** The pipeline file's text, as the editor holds it (profile references are resolved as `ferry run` does). */
  text: string;
  fileName?: string;
  /** True: validate with the cluster and show what would be sent, sending nothing. */
  dryRun: boolean;
  /** A prod profile's deploy must be confirmed by the user (connections.checkWrite says so). */
  confirmed?: boolean;
}

export interface ConnectDeployNote {
  connector?: string;
  key?: string;
  /** class / added / dropped / renamed: what the translation changed; not-deployed / ferry-only: what Connect will not run. */
  kind: 'class' | 'added' | 'dropped' | 'renamed' | 'not-deployed' | 'ferry-only';
  message: string;
}

export interface ConnectDeployedConnector {
  name: string;
  connectorClass: string;
  /** What is (or would be) sent, secrets masked as ****. */
  config: Record<string, string>;
  /** `validated`: the cluster checked it; `plugin-missing`: the class is not installed there. */
  validation: 'validated' | 'plugin-missing';
  /** Connect's own validation messages, per key. */
  errors: { key: string; messages: string[] }[];
  action: 'created' | 'updated' | 'would-create' | 'would-update' | 'not-sent';
  notes: ConnectDeployNote[];
}

export interface ConnectDeployResult {
  pipeline: string;
  /** The cluster's REST address, without credentials. */
  connect: string;
  kafkaClusterId: string | undefined;
  connectVersion: string | undefined;
  dryRun: boolean;
  /** False when Connect's validation found errors: then nothing was sent. */
  ok: boolean;
  connectors: ConnectDeployedConnector[];
  notes: ConnectDeployNote[];
}

/** One topic a Connect connector writes or reads, with the counts Kafka keeps for it. */
export interface ConnectLineageTopic {
  topic: string;
  /** Records in the topic: the sum of its partitions' end offsets (what the source wrote, since the topic began). */
  records: number;
  /** A sink's committed offsets summed over the topic's partitions: records the sink has applied. */
  committed?: number;
  /** A sink's lag: end offsets minus committed offsets. */
  lag?: number;
  /** For a source: the table the topic carries (Debezium's prefix.database.table, the JDBC source's prefix+table). */
  table?: string;
  /** For a sink: the table the sink writes it to (table.name.format with ${topic}). */
  targetTable?: string;
}

export interface ConnectLineageConnector {
  name: string;
  type: 'source' | 'sink' | 'unknown';
  connectorClass?: string;
  state: ConnectState;
  /** The consumer group a sink commits to (connect-<name> unless overridden). */
  group?: string;
  topics: ConnectLineageTopic[];
}

export interface ConnectLineage {
  /** The cluster's REST address, without credentials. */
  connect: string;
  /** The Kafka cluster the workers use (GET /), and the Ferry name it was matched to (a Kafka profile or the lab's). */
  kafkaClusterId: string;
  kafka?: string;
  /** Why there are no counts (no Kafka profile or lab cluster has that id), in words; counts are 0 then. */
  problem?: string;
  connectors: ConnectLineageConnector[];
}

export interface IConnectApi {
  /** The running lab's worker and every saved Connect profile, for a picker. */
  clusters(): Promise<ConnectClusterChoice[]>;
  /** Checks the address and credentials: version, Kafka cluster and plugins, or an error saying what failed. */
  test(cluster: ConnectClusterRef): Promise<ConnectClusterInfo>;
  /** Every connector with its tasks and state. */
  connectors(cluster: ConnectClusterRef): Promise<ConnectConnectorView[]>;
  /** A connector's config as the cluster holds it (for the config editor). */
  config(cluster: ConnectClusterRef, connector: string): Promise<Record<string, string>>;
  /** `confirmed`: a prod profile's pause, resume and restart must be confirmed by the user (connections.checkWrite). */
  pause(cluster: ConnectClusterRef, connector: string, confirmed?: boolean): Promise<void>;
  resume(cluster: ConnectClusterRef, connector: string, confirmed?: boolean): Promise<void>;
  /** Restarts the connector and its failed tasks, or only `task` when given. */
  restart(cluster: ConnectClusterRef, connector: string, task?: number, confirmed?: boolean): Promise<void>;
  /**
   * Deploys the pipeline in `text` as `ferry deploy` does: every connector validated by the cluster first, nothing sent
   * unless all pass; a dry run only validates and says what would be created or updated.
   */
  deploy(request: ConnectDeployRequest): Promise<ConnectDeployResult>;
  /** The cluster's connectors with the topics they write and read, and Kafka's counts for each. */
  lineage(cluster: ConnectClusterRef): Promise<ConnectLineage>;
}
