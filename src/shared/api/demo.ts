import type { Event } from '../event';

/** The embedded default's life cycle: idle → starting → running → stopping → idle, or failed with the cause. */
export type DemoState = 'idle' | 'starting' | 'running' | 'stopping' | 'failed';

/** Whether this machine can run the lab's local Kafka for the demo (Java 17+ and Maven), and what is missing. */
export interface DemoLocalKafka {
  available: boolean;
  /** Already running: nothing needs to be started. */
  running: boolean;
  /** e.g. `[{ binary: 'java', debianPackage: 'openjdk-17-jre-headless' }]`. */
  missing: { binary: string; debianPackage: string }[];
  /** Written for the user when something is missing. */
  message?: string;
}

export interface DemoStatus {
  state: DemoState;
  /** What is happening now while starting or stopping (e.g. "starting the local Kafka…"). */
  step?: string;
  /** ISO time the demo started running. */
  startedAt?: string;
  localKafka: DemoLocalKafka;
  /** The Kafka cluster in use (bootstrap servers). */
  kafka?: string;
  schemaRegistry?: string;
  /** The pipeline the demo runs (see the pipelines namespace). */
  pipeline?: string;
  topics: string[];
  /** Source table → target table. */
  tables: { source: string; target: string }[];
  /** What the order simulator did so far; `cancellations` are orders deleted (with their lines) at the source. */
  simulated?: { orders: number; orderLines: number; updates: number; cancellations: number };
  /** Cancelled orders already deleted from the target too (the deletes that arrived); absent until the target has the table. */
  cancellationsApplied?: number;
  /** How the source is captured, in words (e.g. why the demo does not read PGlite's log). */
  capture?: string;
  error?: { code: string; message: string; retriable: boolean };
}

export interface DemoStartRequest {
  /** Use this cluster instead of the lab's local Kafka "a" (e.g. when Java or Maven is missing). */
  bootstrapServers?: string;
  /** Orders inserted before the pipeline starts; default 1000. */
  rows?: number;
}

/** The embedded default: PGlite source + order simulator → Kafka → embedded registry → PGlite target, until stopped. */
export interface IDemoApi {
  status(): Promise<DemoStatus>;
  /** Starts the demo and resolves once its pipeline runs; refused with DEMO_RUNNING when one runs already. */
  start(request?: DemoStartRequest): Promise<DemoStatus>;
  /** Stops the simulator and the pipeline and removes the demo's topics, group and databases. */
  stop(): Promise<DemoStatus>;
  readonly onDidChangeStatus: Event<DemoStatus>;
}
