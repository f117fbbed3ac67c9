import type { ResolvedPipeline } from '../config';
import type { AppliedLog, PipelinesService } from '../pipeline';
import type { PipelineStatus } from '../../shared/api/pipelines';
import type { IDisposable } from '../../shared/lifecycle';

/** A pipeline the engine can look inside: its resolved config, its last status and its sinks' applied logs. */
export interface KnownPipeline {
  pipeline: ResolvedPipeline;
  running: boolean;
  /** The last status seen (tables and topics per connector); absent for a pipeline only saved in the workspace. */
  status?: PipelineStatus;
  appliedLog(connector: string): AppliedLog | undefined;
}

/** Stopped pipelines remembered for traces and queries after they stop (their applied logs with them). */
const REMEMBERED = 16;

/**
 * Pipelines by name for row traces and the query pane: running ones (from the pipelines service), ones that ran in
 * this engine and stopped (remembered with their sinks' applied logs, so a trace still finds the write), and
 * files saved in the workspace.
 */
export class PipelineCatalog implements IDisposable {
  private readonly remembered = new Map<string, { pipeline: ResolvedPipeline; status: PipelineStatus; logs: Map<string, AppliedLog> }>();
  private readonly subscription: IDisposable;

  constructor(private readonly pipelines: PipelinesService) {
    this.subscription = pipelines.onDidChangeStatus((status) => this.remember(status));
  }

  private remember(status: PipelineStatus): void {
    const runner = this.pipelines.runner(status.name);
    if (!runner) {
      const entry = this.remembered.get(status.name);
      if (entry) entry.status = status;
      return;
    }
    const logs = new Map<string, AppliedLog>();
    for (const connector of runner.pipeline.connectors) {
      const log = runner.appliedLog(connector.name);
      if (log) logs.set(connector.name, log);
    }
    this.remembered.delete(status.name);
    this.remembered.set(status.name, { pipeline: runner.pipeline, status, logs });
    while (this.remembered.size > REMEMBERED) {
      const oldest = this.remembered.keys().next().value;
      if (oldest === undefined) break;
      this.remembered.delete(oldest);
    }
  }

  /** Running and remembered pipelines, newest last (not the workspace files: those need reading). */
  private list(): KnownPipeline[] {
    return [...this.remembered.keys()].map((name) => this.known(name)).filter((entry): entry is KnownPipeline => entry !== undefined);
  }

  private known(name: string): KnownPipeline | undefined {
    const runner = this.pipelines.runner(name);
    if (runner) {
      return { pipeline: runner.pipeline, running: true, status: runner.status(), appliedLog: (connector) => runner.appliedLog(connector) };
    }
    const entry = this.remembered.get(name);
    if (!entry) return undefined;
    return { pipeline: entry.pipeline, running: false, status: entry.status, appliedLog: (connector) => entry.logs.get(connector) };
  }

  /** Running, remembered, or saved in the workspace (passwords as this engine holds them); undefined when unknown. */
  async get(name: string): Promise<KnownPipeline | undefined> {
    await this.refresh();
    const known = this.known(name);
    if (known) return known;
    const file = await this.pipelines.readFile(name).catch(() => undefined);
    if (!file) return undefined;
    const parsed = await this.pipelines.parse({ text: file.text, fileName: `${name}.json` });
    if (!parsed.config) return undefined;
    return { pipeline: parsed.config, running: false, appliedLog: () => undefined };
  }

  /** Every name a user could mean, for "unknown pipeline" messages. */
  async names(): Promise<string[]> {
    const running = (await this.pipelines.list()).map((status) => status.name);
    const saved = (await this.pipelines.listFiles().catch(() => [])).map((file) => file.name);
    return [...new Set([...running, ...this.remembered.keys(), ...saved])].sort();
  }

  /** Running and remembered pipelines, after picking up any that started before a status event. */
  async refresh(): Promise<KnownPipeline[]> {
    for (const status of await this.pipelines.list()) this.remember(status);
    return this.list();
  }

  dispose(): void {
    this.subscription.dispose();
    this.remembered.clear();
  }
}
