import type { Event } from '../event';

/** The four local services `ferry lab up` runs on 127.0.0.1. */
export type LabServiceName = 'kafka-a' | 'kafka-b' | 'mariadb' | 'postgres' | 'connect' | 'registry-a' | 'registry-b' | 'azurite';
export const LAB_SERVICE_NAMES: readonly LabServiceName[] = ['kafka-a', 'kafka-b', 'mariadb', 'postgres', 'connect', 'registry-a', 'registry-b', 'azurite'];
/**
 * Services `up` starts only when asked (`ferry lab up --connect`): the Kafka Connect worker is a JVM of about half a
 * gigabyte that most work never needs. `running` ignores an optional service that is stopped.
 */
export const LAB_OPTIONAL_SERVICES: readonly LabServiceName[] = ['connect'];
export const LAB_DEFAULT_SERVICES: readonly LabServiceName[] = LAB_SERVICE_NAMES.filter((name) => !LAB_OPTIONAL_SERVICES.includes(name));

export type LabServiceKind = 'kafka' | 'mariadb' | 'postgres' | 'connect' | 'schema-registry' | 'azurite';
export type LabServiceState = 'stopped' | 'starting' | 'running' | 'stopping' | 'failed';

export interface LabServiceStatus {
  name: LabServiceName;
  kind: LabServiceKind;
  state: LabServiceState;
  /** host:port clients connect to. */
  endpoint: string;
  pid?: number;
  /** The log to read when the service fails. */
  logFile: string;
  /** Why the service is `failed`, written for the user. */
  error?: string;
  /** ISO time the service became ready. */
  readyAt?: string;
}

export interface KafkaEndpoint {
  bootstrap: string;
  /** This cluster's Schema Registry (the lab's `registry-a` / `registry-b` service), for `schema.registry.url`. */
  schemaRegistry?: { url: string };
}

export interface DatabaseEndpoint {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

/** Stable keys scripts rely on (`ferry lab up --json`); later issues add keys, never rename these. */
export interface LabEndpoints {
  kafka: { a: KafkaEndpoint; b: KafkaEndpoint };
  mariadb: DatabaseEndpoint;
  postgres: DatabaseEndpoint;
  /** The Kafka Connect worker's REST API (distributed mode, on cluster a); see the `connect` service for its state. */
  connect: { url: string };
  /** Cluster a's Schema Registry (`kafka.b.schemaRegistry` is cluster b's): Confluent-compatible, for kcat, avro-tools, converters. */
  schemaRegistry: { url: string };
  /**
   * Azurite's Blob endpoint (`store.url` of the Azure Blob / ADLS Gen2 sinks) and its documented development account;
   * the key is Microsoft's published one for the emulator, not a secret.
   */
  azurite: { url: string; account: string; accountKey: string };
}

export interface LabStatus {
  /** Directory holding the lab's data, logs and state. */
  dir: string;
  /** True when every service is running (an optional service that is stopped does not count). */
  running: boolean;
  services: LabServiceStatus[];
  endpoints: LabEndpoints;
}

export interface LabUpResult extends LabStatus {
  /** Services that were already running and were reused. */
  reused: LabServiceName[];
  /** Services this call started. */
  started: LabServiceName[];
  /** Wall-clock seconds the call took. */
  seconds: number;
}

export interface LabUpRequest {
  /** Start only these services (e.g. the demo needs Kafka "a" alone); default: LAB_DEFAULT_SERVICES. `connect` brings `kafka-a`. */
  services?: LabServiceName[];
}

export interface ILabApi {
  status(): Promise<LabStatus>;
  /** Starts whatever is not running; idempotent. On failure stops what this call started and throws. */
  up(request?: LabUpRequest): Promise<LabUpResult>;
  /**
   * Cancels an `up` in progress (Ctrl-C in the CLI): the services it had started are stopped again and that `up`
   * rejects with LAB_CANCELLED. Resolves false when no `up` is running.
   */
  cancel(): Promise<boolean>;
  /** Stops only the processes the lab started (by pid). */
  down(): Promise<LabStatus>;
  /** Stops the lab and wipes its data directory. */
  reset(): Promise<LabStatus>;
  readonly onDidChangeStatus: Event<LabStatus>;
}
