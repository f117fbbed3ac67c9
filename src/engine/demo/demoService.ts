import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { pg } from '../db/drivers';
import type { DemoStartRequest, DemoStatus, IDemoApi } from '../../shared/api/demo';
import { isEngineError } from '../../shared/errors';
import { Emitter } from '../../shared/event';
import type { IDisposable } from '../../shared/lifecycle';
import { createLogger } from '../base/logger';
import type { Lab } from '../lab';
import { defaultExtraBinDirs } from '../lab/binaries';
import type { Env } from '../lab/paths';
import type { PipelinesService } from '../pipeline';
import { startEmbeddedSchemaRegistry, type EmbeddedSchemaRegistry } from '../schema';
import { defaultDataDir, safeFileName } from '../store';
import { DEMO_TOPIC_PREFIX, deleteGroup, deleteTopics, demoPipelineText } from './demo';
import { type EmbeddedPostgres, startEmbeddedPostgresPair } from './embeddedPostgres';
import { demoError } from './errors';
import { localKafkaReadiness } from './localKafka';
import { createOrderSchema, OrderSimulator } from './orderSimulator';
import { DEMO_CAPTURE, ORDER_TABLES } from './orderSchema';

const log = createLogger('demo');

export interface DemoServiceOptions {
  /** Where the pipelines service keeps checkpoints; the demo's are removed when it stops. */
  dataDir?: string;
  /** Topic (and target table) prefix; tests use their own so they never touch a user's demo. */
  topicPrefix?: string;
  /** For the Java/Maven check; default process.env and the lab's search directories. */
  env?: Env;
  binDirs?: readonly string[];
}

/** Everything one demo run holds, released in reverse order by `teardown`. */
interface DemoRun {
  bootstrap: string;
  pipeline?: string;
  registry?: EmbeddedSchemaRegistry;
  source?: EmbeddedPostgres;
  target?: EmbeddedPostgres;
  simulator?: OrderSimulator;
  /** Reads the target for the cancelled orders still there (status only). */
  targetReader?: Promise<pg.Client>;
}

const DEFAULT_ROWS = 1000;
const STEPS = 5;

/** "step 2/5 · ": where a start is, so a newcomer sees it move (the insert step adds its own count). */
function stepOf(step: number): string {
  return `step ${step}/${STEPS} · `;
}
const BOOTSTRAP = /^[A-Za-z0-9._-]+:\d{1,5}(,[A-Za-z0-9._-]+:\d{1,5})*$/;

/**
 * The `demo` namespace: the embedded default (PGlite source with the order simulator → Kafka → embedded registry →
 * PGlite target) as a long-running pipeline the app's panes show live, until `stop`. The pipeline runs in the
 * ordinary pipelines service, so the pipeline pane, lineage and charts see it like any other.
 */
export class DemoService implements IDemoApi, IDisposable {
  private readonly changes = new Emitter<DemoStatus>();
  readonly onDidChangeStatus = this.changes.event;
  private state: DemoStatus['state'] = 'idle';
  private step: string | undefined;
  private error: DemoStatus['error'];
  private startedAt: string | undefined;
  private run: DemoRun | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private readonly topicPrefix: string;

  constructor(
    private readonly lab: Lab,
    private readonly pipelines: PipelinesService,
    private readonly options: DemoServiceOptions = {},
  ) {
    this.topicPrefix = options.topicPrefix ?? DEMO_TOPIC_PREFIX;
  }

  /** `demo` for the default prefix `demo_`; tests' own prefixes give their own names (and consumer groups). */
  private get pipelineName(): string {
    return this.topicPrefix.replace(/_+$/, '').replace(/_/g, '-') || 'demo';
  }

  private removeCheckpoints(pipeline: string): void {
    rmSync(join(this.options.dataDir ?? defaultDataDir(), 'pipelines', safeFileName(pipeline)), { recursive: true, force: true });
  }

  private get topics(): string[] {
    return ORDER_TABLES.map((table) => `${this.topicPrefix}${table}`);
  }

  async status(): Promise<DemoStatus> {
    const env = this.options.env ?? process.env;
    const running = (await this.lab.status()).services.some((service) => service.name === 'kafka-a' && service.state === 'running');
    const run = this.run;
    const simulator = run?.simulator;
    return {
      state: this.state,
      ...(this.step ? { step: this.step } : {}),
      ...(this.startedAt ? { startedAt: this.startedAt } : {}),
      localKafka: localKafkaReadiness(running, env, this.options.binDirs ?? defaultExtraBinDirs(env)),
      ...(run ? { kafka: run.bootstrap } : {}),
      ...(run?.registry ? { schemaRegistry: run.registry.url } : {}),
      ...(run?.pipeline ? { pipeline: run.pipeline } : {}),
      topics: run ? this.topics : [],
      tables: run ? ORDER_TABLES.map((table) => ({ source: table, target: `${this.topicPrefix}${table}` })) : [],
      ...(simulator ? { simulated: { orders: simulator.counts.orders, orderLines: simulator.counts.orderLines, updates: simulator.counts.updates, cancellations: simulator.counts.cancellations } } : {}),
      ...(run && this.state === 'running' ? await this.cancellationsApplied(run).then((applied) => (applied === undefined ? {} : { cancellationsApplied: applied })) : {}),
      capture: DEMO_CAPTURE,
      ...(this.error ? { error: this.error } : {}),
    };
  }

  /** Cancelled orders no longer in the target table: the deletes that arrived. Undefined before the table exists. */
  private async cancellationsApplied(run: DemoRun): Promise<number | undefined> {
    const ids = run.simulator?.cancelledOrderIds ?? [];
    if (!run.target) return undefined;
    if (ids.length === 0) return 0;
    try {
      if (!run.targetReader) {
        const client = new pg.Client(run.target);
        const connected = client.connect().then(() => client);
        client.on('error', () => {
          if (run.targetReader === connected) run.targetReader = undefined;
        });
        run.targetReader = connected;
      }
      const reader = await run.targetReader;
      const table = `"${`${this.topicPrefix}sales_orders`.replaceAll('"', '""')}"`;
      const left = await reader.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE id = ANY($1::bigint[])`, [ids]);
      return ids.length - Number(left.rows[0]?.n ?? 0);
    } catch (error) {
      log.debug('demo: cancelled orders not counted in the target yet', { error: String(error) });
      return undefined;
    }
  }

  private publish(): void {
    this.status().then(
      (status) => this.changes.fire(status),
      (error: unknown) => log.debug('demo status failed', { error: String(error) }),
    );
  }

  private setStep(step: string | undefined): void {
    this.step = step;
    this.publish();
  }

  async start(request: DemoStartRequest = {}): Promise<DemoStatus> {
    if (this.state === 'starting' || this.state === 'running' || this.state === 'stopping') {
      throw demoError('DEMO_RUNNING', `The demo is already ${this.state}. Stop it first to start it again.`);
    }
    const external = request.bootstrapServers?.trim();
    if (external !== undefined && external !== '' && !BOOTSTRAP.test(external.replace(/\s+/g, ''))) {
      throw demoError('DEMO_BAD_BOOTSTRAP', `"${external}" is not a list of host:port pairs. Write e.g. "broker1:9092,broker2:9092".`);
    }
    this.state = 'starting';
    this.error = undefined;
    this.startedAt = undefined;
    try {
      const bootstrap = external ? external.replace(/\s+/g, '') : await this.startLocalKafka();
      const run: DemoRun = { bootstrap };
      this.run = run;
      // A fixed name reads well on a presenter's screen ("demo"); whatever an earlier run left behind (a crash skips
      // the clean-up) goes first, or its checkpoints and group offsets would skip rows of these fresh databases.
      const name = this.pipelineName;
      this.setStep(`${stepOf(2)}clearing earlier demo topics on ${bootstrap}…`);
      await deleteTopics(bootstrap, [...this.topics, `dlq-${name}-sink`]);
      await deleteGroup(bootstrap, `connect-${name}-sink`).catch(() => {});
      this.removeCheckpoints(name);

      this.setStep(`${stepOf(3)}starting the embedded Schema Registry and two PGlite databases…`);
      // Side by side: the registry is quick, the databases take the WebAssembly start (see startEmbeddedPostgresPair).
      const [registry, pair] = await Promise.allSettled([startEmbeddedSchemaRegistry(), startEmbeddedPostgresPair()]);
      if (registry.status === 'fulfilled') run.registry = registry.value;
      if (pair.status === 'fulfilled') [run.source, run.target] = pair.value;
      if (registry.status === 'rejected') throw registry.reason;
      if (pair.status === 'rejected') throw pair.reason;
      if (!run.registry || !run.source || !run.target) throw demoError('DEMO_START_FAILED', 'The demo\'s registry or databases did not start.');
      await createOrderSchema(run.source);
      const rows = Math.max(0, Math.floor(request.rows ?? DEFAULT_ROWS));
      this.setStep(`${stepOf(4)}inserting ${rows} orders into the source… 0/${rows}`);
      const simulator = new OrderSimulator(run.source, { ordersPerTick: 5, tickMs: 250 });
      run.simulator = simulator;
      // Inserting into WebAssembly PostgreSQL is the slow part of a first start: show how far it is.
      await simulator.insertOrders(rows, (inserted, total) => this.setStep(`${stepOf(4)}inserting ${total} orders into the source… ${inserted}/${total}`));

      this.setStep(`${stepOf(5)}starting the pipeline (it snapshots the ${rows} orders, then streams)…`);
      await this.pipelines.start({ text: demoPipelineText(name, bootstrap, run.registry.url, run.source, run.target, this.topicPrefix), fileName: 'demo.json' });
      run.pipeline = name;
      await simulator.start();
      this.state = 'running';
      this.startedAt = new Date().toISOString();
      this.step = undefined;
      // The simulator's counts change all the time; a status a second is plenty for the screen.
      this.ticker = setInterval(() => this.publish(), 1000);
      this.ticker.unref();
      this.publish();
      return await this.status();
    } catch (error) {
      const failure = isEngineError(error) ? error : demoError('DEMO_START_FAILED', `The demo could not start: ${error instanceof Error ? error.message : String(error)}`, { retriable: true, cause: error });
      log.warn('demo failed to start', { error: failure.message });
      await this.teardown();
      this.state = 'failed';
      this.step = undefined;
      this.error = { code: failure.code, message: failure.message, retriable: failure.retriable };
      this.publish();
      throw failure;
    }
  }

  private async startLocalKafka(): Promise<string> {
    const status = await this.status();
    if (!status.localKafka.available) throw demoError('DEMO_NO_LOCAL_KAFKA', status.localKafka.message ?? 'The local Kafka cannot start on this machine.');
    this.setStep(`${stepOf(1)}${status.localKafka.running ? 'using the local Kafka (lab cluster a)…' : 'starting the local Kafka (lab cluster a); its first start takes longest…'}`);
    const lab = await this.lab.up({ services: ['kafka-a'] });
    return lab.endpoints.kafka.a.bootstrap;
  }

  async stop(): Promise<DemoStatus> {
    if (this.state !== 'running' && this.state !== 'failed') {
      throw demoError('DEMO_NOT_RUNNING', this.state === 'idle' ? 'The demo is not running.' : `The demo is ${this.state}; wait until it has finished.`);
    }
    this.state = 'stopping';
    this.setStep('stopping the simulator and the pipeline, removing the demo topics…');
    await this.teardown();
    this.state = 'idle';
    this.step = undefined;
    this.error = undefined;
    this.startedAt = undefined;
    this.publish();
    return this.status();
  }

  /** Releases whatever the run holds; every step is attempted, failures are logged, not thrown. */
  private async teardown(): Promise<void> {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
    const run = this.run;
    this.run = undefined;
    if (!run) return;
    const attempt = async (what: string, action: () => Promise<unknown>): Promise<void> => {
      try {
        await action();
      } catch (error) {
        log.debug(`demo teardown: ${what} failed`, { error: String(error) });
      }
    };
    await attempt('simulator', async () => run.simulator?.stop());
    await attempt('target reader', async () => (await run.targetReader)?.end());
    if (run.pipeline) {
      const pipeline = run.pipeline;
      await attempt('pipeline', () => this.pipelines.stop(pipeline));
      await attempt('topics', () => deleteTopics(run.bootstrap, [...this.topics, `dlq-${pipeline}-sink`]));
      await attempt('group', () => deleteGroup(run.bootstrap, `connect-${pipeline}-sink`));
      this.removeCheckpoints(pipeline);
    }
    await attempt('databases', () => Promise.all([run.source?.close(), run.target?.close(), run.registry?.close()]));
  }

  dispose(): void {
    void this.teardown();
    this.changes.dispose();
  }
}
