import type { PipelineSource } from '../../shared/api/pipelines';
import type { IReplicatorsApi, ReplicatorStatus } from '../../shared/api/replicators';
import { Emitter } from '../../shared/event';
import type { IDisposable } from '../../shared/lifecycle';
import { parseReplicatorFile, type ProfileLookup, requireValidPipeline, type ResolvedReplicator } from '../config';
import { replicatorError } from './errors';
import { ReplicatorRunner } from './replicatorRunner';

/** The `replicators` namespace of the engine API: start the replicators of a file, stop, list and watch them by name. */
export class ReplicatorsService implements IReplicatorsApi, IDisposable {
  private readonly runners = new Map<string, ReplicatorRunner>();
  private readonly changes = new Emitter<ReplicatorStatus>();
  readonly onDidChangeStatus = this.changes.event;

  constructor(
    private readonly options: {
      dataDir?: string;
      /** Resolves `src.kafka.ferry.profile` & co. (saved profiles and the running lab), as the pipelines API does. */
      profiles?: () => Promise<ProfileLookup>;
    } = {},
  ) {}

  async start(source: PipelineSource): Promise<ReplicatorStatus[]> {
    const fileName = source.fileName ?? 'replicator.json';
    // Only a file that names a profile pays for reading the profiles and the lab's state.
    const profiles = this.options.profiles && /ferry\.profile|schema\.registry\.profile/.test(source.text) ? await this.options.profiles() : undefined;
    const pipeline = requireValidPipeline(parseReplicatorFile(source.text, fileName, profiles ? { profiles } : {}), fileName);
    if (pipeline.replicators.length === 0) {
      throw replicatorError('REPLICATOR_NONE', `${fileName} has no replicator: add a connector with "connector.class": "Replicator" (or io.confluent.connect.replicator.ReplicatorSourceConnector).`);
    }
    return this.startResolved(pipeline.replicators, { fileName, pipelineName: pipeline.name });
  }

  /**
   * Starts already validated replicators, e.g. those sitting in a pipeline file beside sources and sinks (the
   * pipelines API starts them with the pipeline and stops them with it). `waitMs` bounds how long to wait for them to
   * be copying (they keep retrying after it): 0 when their topics may not exist yet because a source in the same file
   * creates them.
   */
  async startResolved(configs: readonly ResolvedReplicator[], origin: { fileName: string; pipelineName: string }, options: { waitMs?: number } = {}): Promise<ReplicatorStatus[]> {
    const running = configs.find((r) => this.runners.has(r.name));
    if (running) throw replicatorError('REPLICATOR_RUNNING', `Replicator "${running.name}" is already running; stop it first or give the new one another "name".`);
    const started: ReplicatorRunner[] = [];
    for (const config of configs) {
      const runner = new ReplicatorRunner(config, { ...(this.options.dataDir === undefined ? {} : { dataDir: this.options.dataDir }), ...origin });
      this.runners.set(config.name, runner);
      runner.onDidChangeStatus((status) => this.changes.fire(status));
      started.push(runner);
    }
    try {
      await Promise.all(started.map((runner) => runner.start(options.waitMs)));
    } catch (error) {
      await Promise.all(started.map((runner) => this.stop(runner.status().name).catch(() => undefined)));
      throw error;
    }
    return started.map((runner) => runner.status());
  }

  async stop(name: string): Promise<ReplicatorStatus> {
    const runner = this.require(name);
    await runner.stop();
    this.runners.delete(name);
    const status = runner.status();
    runner.dispose();
    return status;
  }

  async list(): Promise<ReplicatorStatus[]> {
    return [...this.runners.values()].map((runner) => runner.status());
  }

  async status(name: string): Promise<ReplicatorStatus> {
    return this.require(name).status();
  }

  private require(name: string): ReplicatorRunner {
    const runner = this.runners.get(name);
    if (!runner) throw replicatorError('REPLICATOR_UNKNOWN', `No replicator named "${name}" is running; \`list\` shows the running ones.`);
    return runner;
  }

  dispose(): void {
    for (const runner of this.runners.values()) runner.dispose();
    this.runners.clear();
    this.changes.dispose();
  }
}
