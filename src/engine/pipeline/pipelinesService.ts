import { parsePipelineFile, requireValidPipeline } from '../config';
import type { IPipelinesApi, PipelineSource, PipelineStatus, PipelineValidation } from '../../shared/api/pipelines';
import { EngineError } from '../../shared/errors';
import { Emitter } from '../../shared/event';
import type { IDisposable } from '../../shared/lifecycle';
import { PipelineRunner } from './pipelineRunner';

/** The `pipelines` namespace of the engine API: validate, start, stop and watch pipelines by name. */
export class PipelinesService implements IPipelinesApi, IDisposable {
  private readonly runners = new Map<string, PipelineRunner>();
  private readonly changes = new Emitter<PipelineStatus>();
  readonly onDidChangeStatus = this.changes.event;

  constructor(private readonly options: { dataDir?: string } = {}) {}

  async validate(source: PipelineSource): Promise<PipelineValidation> {
    const result = parsePipelineFile(source.text, source.fileName ?? 'pipeline.json');
    return {
      valid: result.config !== undefined,
      problems: result.problems.map((problem) => ({
        severity: problem.severity,
        path: problem.path,
        message: problem.message,
        ...(problem.hint ? { hint: problem.hint } : {}),
      })),
    };
  }

  async start(source: PipelineSource): Promise<PipelineStatus> {
    const fileName = source.fileName ?? 'pipeline.json';
    const pipeline = requireValidPipeline(parsePipelineFile(source.text, fileName), fileName);
    if (this.runners.has(pipeline.name)) {
      throw new EngineError('PIPELINE_RUNNING', `Pipeline "${pipeline.name}" is already running; stop it first or give the new one another "name".`);
    }
    const runner = new PipelineRunner(pipeline, this.options);
    this.runners.set(pipeline.name, runner);
    runner.onDidChangeStatus((status) => this.changes.fire(status));
    try {
      await runner.start();
    } catch (error) {
      this.runners.delete(pipeline.name);
      await runner.stop().catch(() => {});
      throw error;
    }
    return runner.status();
  }

  async stop(name: string): Promise<PipelineStatus> {
    const runner = this.runners.get(name);
    if (!runner) throw new EngineError('PIPELINE_UNKNOWN', `No pipeline named "${name}" is running.`);
    await runner.stop();
    this.runners.delete(name);
    const status = runner.status();
    this.changes.fire(status);
    runner.dispose();
    return status;
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

  private require(name: string): PipelineRunner {
    const runner = this.runners.get(name);
    if (!runner) throw new EngineError('PIPELINE_UNKNOWN', `No pipeline named "${name}" is running.`);
    return runner;
  }

  async list(): Promise<PipelineStatus[]> {
    return [...this.runners.values()].map((runner) => runner.status());
  }

  dispose(): void {
    for (const runner of this.runners.values()) runner.dispose();
    this.runners.clear();
    this.changes.dispose();
  }
}
