import { type PipelineParseResult, type ProfileLookup, parseConfigFiles, pipelineJsonSchema, requireValidPipeline, type ResolvedPipeline } from '../config';
import { maskPipelineSecrets } from '../config/secretMask';
import { WorkspaceStore } from '../store';
import type {
  IPipelinesApi,
  JsonValue,
  PipelineFile,
  PipelineFileInfo,
  PipelineHistory,
  PipelinePreview,
  PipelineSource,
  PipelineStatus,
  PipelineValidation,
  ReplicationSlotDrop,
  ReplicationSlotInfo,
} from '../../shared/api/pipelines';
import { EngineError } from '../../shared/errors';
import { Emitter } from '../../shared/event';
import type { IDisposable } from '../../shared/lifecycle';
import { pipelineError } from './errors';
import { MetricsHistory } from './metricsHistory';
import { PipelineRunner } from './pipelineRunner';
import { previewPipeline } from './preview';
import { dropReplicationSlotsOf, replicationSlotsOf } from '../connectors/replicationSlots';

export interface PreparedResource {
  close(): Promise<void>;
}

export interface PipelinesServiceOptions {
  dataDir?: string;
  /**
   * Runs before a pipeline starts, e.g. to serve the embedded Schema Registry on a loopback URL nothing answers (as
   * `ferry run` does); what it returns is closed when the pipeline stops.
   */
  prepare?: (pipeline: ResolvedPipeline) => Promise<PreparedResource[]>;
  /**
   * Resolves `ferry.profile` references (saved connection profiles and their secrets, the running lab) each time a
   * file is validated, previewed or started, so a saved file needs no password in it.
   */
  profiles?: () => Promise<ProfileLookup>;
}

/** How often running connectors are sampled for the charts. */
const SAMPLE_INTERVAL_MS = 1000;

/** The `pipelines` namespace of the engine API: validate, start, stop and watch pipelines by name. */
export class PipelinesService implements IPipelinesApi, IDisposable {
  private readonly runners = new Map<string, PipelineRunner>();
  /** Pipelines stopped in this session, so their replication slots can still be listed and dropped after Stop. */
  private readonly stopped = new Map<string, ResolvedPipeline>();
  private readonly changes = new Emitter<PipelineStatus>();
  readonly onDidChangeStatus = this.changes.event;

  private readonly histories = new Map<string, MetricsHistory>();
  private sampler: NodeJS.Timeout | undefined;
  private readonly workspace: WorkspaceStore;
  /** Saved files' full text (with passwords) for this process only: secrets never go to disk. */
  private readonly secretTexts = new Map<string, string>();

  /** What `prepare` started per pipeline (e.g. an embedded registry), released when the pipeline stops. */
  private readonly prepared = new Map<string, PreparedResource[]>();

  constructor(private readonly options: PipelinesServiceOptions = {}) {
    this.workspace = new WorkspaceStore(options.dataDir);
  }

  /** Samples while something runs; the timer never keeps a process alive. */
  private ensureSampler(): void {
    if (this.sampler) return;
    this.sampler = setInterval(() => {
      const now = Date.now();
      for (const [name, runner] of this.runners) this.histories.get(name)?.add(runner.sample(now));
      if (this.runners.size === 0) {
        clearInterval(this.sampler);
        this.sampler = undefined;
      }
    }, SAMPLE_INTERVAL_MS);
    this.sampler.unref();
  }

  async history(name: string, sinceMs?: number): Promise<PipelineHistory> {
    const history = this.histories.get(name);
    if (!history) throw new EngineError('PIPELINE_UNKNOWN', `No pipeline named "${name}" is running, so there is no history for it.`);
    return history.snapshot(sinceMs);
  }

  async restartConnector(name: string, connector: string): Promise<PipelineStatus> {
    const runner = this.require(name);
    await runner.restartConnector(connector);
    return runner.status();
  }

  async schema(): Promise<JsonValue> {
    return pipelineJsonSchema() as JsonValue;
  }

  /** Parses and validates a pipeline text as `ferry run` would, with profile references resolved. */
  async parse(source: PipelineSource): Promise<PipelineParseResult> {
    // Only a file that names a profile pays for reading the profiles and the lab's state.
    const profiles = this.options.profiles && /ferry\.profile|schema\.registry\.profile/.test(source.text) ? await this.options.profiles() : undefined;
    return parseConfigFiles([{ text: source.text, fileName: source.fileName ?? 'pipeline.json' }], profiles ? { profiles } : {});
  }

  async preview(source: PipelineSource): Promise<PipelinePreview> {
    const parsed = await this.parse(source);
    if (!parsed.config) return { valid: false, connectors: [] };
    return { valid: true, connectors: await previewPipeline(parsed.config) };
  }

  async listFiles(): Promise<PipelineFileInfo[]> {
    return this.workspace.list().map((file) => ({ name: file.name, savedAt: file.savedAt, secretsInMemory: this.secretTexts.has(file.name), path: this.workspace.pathOf(file.name) }));
  }

  async readFile(name: string): Promise<PipelineFile> {
    const file = this.workspace.read(name);
    if (!file) throw pipelineError('PIPELINE_FILE_UNKNOWN', `No pipeline file named "${name}" is saved in the workspace.`);
    const full = this.secretTexts.get(name);
    return { name: file.name, savedAt: file.savedAt, secretsInMemory: full !== undefined, path: this.workspace.pathOf(file.name), text: full ?? file.text };
  }

  async saveFile(source: PipelineSource): Promise<PipelineFileInfo> {
    const masked = maskPipelineSecrets(source.text);
    if (!masked) {
      throw new EngineError('CONFIG_INVALID', 'The pipeline is not valid JSON, so it cannot be saved yet (its passwords could not be told apart). Fix the syntax errors first.');
    }
    const parsed = await this.parse(source);
    const named = (JSON.parse(source.text) as { name?: unknown }).name;
    const name = typeof named === 'string' && named.trim() !== '' ? named.trim() : (parsed.config?.name ?? (source.fileName ?? 'pipeline').replace(/\.json$/i, ''));
    const file = this.workspace.save(name, masked.masked);
    if (masked.secrets.length > 0) this.secretTexts.set(name, source.text);
    else this.secretTexts.delete(name);
    return { name: file.name, savedAt: file.savedAt, secretsInMemory: this.secretTexts.has(name), path: this.workspace.pathOf(name) };
  }

  async deleteFile(name: string): Promise<void> {
    if (!this.workspace.delete(name)) throw pipelineError('PIPELINE_FILE_UNKNOWN', `No pipeline file named "${name}" is saved in the workspace.`);
    this.secretTexts.delete(name);
  }

  async validate(source: PipelineSource): Promise<PipelineValidation> {
    const result = await this.parse(source);
    return {
      valid: result.config !== undefined,
      problems: result.problems.map((problem) => ({
        severity: problem.severity,
        path: problem.path,
        message: problem.message,
        rule: problem.rule,
        ...(problem.hint ? { hint: problem.hint } : {}),
        ...(problem.line === undefined ? {} : { line: problem.line }),
        ...(problem.column === undefined ? {} : { column: problem.column }),
      })),
    };
  }

  async start(source: PipelineSource): Promise<PipelineStatus> {
    const fileName = source.fileName ?? 'pipeline.json';
    const pipeline = requireValidPipeline(await this.parse({ text: source.text, fileName }), fileName);
    if (this.runners.has(pipeline.name)) {
      throw new EngineError('PIPELINE_RUNNING', `Pipeline "${pipeline.name}" is already running; stop it first or give the new one another "name".`);
    }
    const runner = new PipelineRunner(pipeline, this.options.dataDir === undefined ? {} : { dataDir: this.options.dataDir });
    this.runners.set(pipeline.name, runner);
    this.histories.set(pipeline.name, new MetricsHistory(pipeline.name));
    this.ensureSampler();
    runner.onDidChangeStatus((status) => this.changes.fire(status));
    try {
      if (this.options.prepare) this.prepared.set(pipeline.name, await this.options.prepare(pipeline));
      await runner.start();
    } catch (error) {
      this.runners.delete(pipeline.name);
      this.histories.delete(pipeline.name);
      await runner.stop().catch(() => {});
      await this.release(pipeline.name);
      throw error;
    }
    return runner.status();
  }

  async stop(name: string): Promise<PipelineStatus> {
    const runner = this.runners.get(name);
    if (!runner) throw new EngineError('PIPELINE_UNKNOWN', `No pipeline named "${name}" is running.`);
    await runner.stop();
    this.runners.delete(name);
    this.stopped.set(name, runner.pipeline);
    this.histories.delete(name);
    await this.release(name);
    const status = runner.status();
    this.changes.fire(status);
    runner.dispose();
    return status;
  }

  async replicationSlots(name: string): Promise<ReplicationSlotInfo[]> {
    const pipeline = this.runners.get(name)?.pipeline ?? this.stopped.get(name);
    if (!pipeline) throw new EngineError('PIPELINE_UNKNOWN', `No pipeline named "${name}" is running or was stopped in this session.`);
    return replicationSlotsOf(pipeline);
  }

  async dropReplicationSlots(name: string): Promise<ReplicationSlotDrop[]> {
    if (this.runners.has(name)) throw new EngineError('PIPELINE_RUNNING', `Pipeline "${name}" is running and reading its slots; stop it first, then drop them.`);
    const pipeline = this.stopped.get(name);
    if (!pipeline) throw new EngineError('PIPELINE_UNKNOWN', `No pipeline named "${name}" was stopped in this session; drop its slots with \`ferry slots drop <pipeline file>\`.`);
    return dropReplicationSlotsOf(pipeline, this.options.dataDir === undefined ? {} : { dataDir: this.options.dataDir });
  }

  async pause(name: string): Promise<PipelineStatus> {
    const runner = this.require(name);
    await runner.pause();
    return runner.status();
  }

  async resume(name: string): Promise<PipelineStatus> {
    const runner = this.require(name);
    await runner.resume();
    return runner.status();
  }

  private async release(name: string): Promise<void> {
    const resources = this.prepared.get(name) ?? [];
    this.prepared.delete(name);
    await Promise.all(resources.map((resource) => resource.close().catch(() => {})));
  }

  private require(name: string): PipelineRunner {
    const runner = this.runners.get(name);
    if (!runner) throw new EngineError('PIPELINE_UNKNOWN', `No pipeline named "${name}" is running.`);
    return runner;
  }

  /** The runner of a running pipeline, for services that look inside it (row traces, the query pane). */
  runner(name: string): PipelineRunner | undefined {
    return this.runners.get(name);
  }

  async list(): Promise<PipelineStatus[]> {
    return [...this.runners.values()].map((runner) => runner.status());
  }

  dispose(): void {
    for (const runner of this.runners.values()) runner.dispose();
    this.runners.clear();
    this.histories.clear();
    for (const name of [...this.prepared.keys()]) void this.release(name);
    if (this.sampler) clearInterval(this.sampler);
    this.sampler = undefined;
    this.changes.dispose();
  }
}
