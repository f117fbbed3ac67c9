import { randomUUID } from 'node:crypto';
import type { IVerifyApi, VerifyProgress, VerifyReport, VerifyRequest } from '../../shared/api/verify';
import { Emitter } from '../../shared/event';
import type { IDisposable } from '../../shared/lifecycle';
import { verifyError } from './errors';
import { DEFAULT_EXPLAIN_ROWS, explainMismatches, type TraceRow } from './explain';
import { runVerify } from './verifier';

/** The engine's `verify` namespace: runs comparisons, fans out progress, and cancels by run id. */
export interface VerifyServiceOptions {
  /** The engine's trace service, for `explain`; without it `explain` adds a note instead of classifications. */
  traceRow?: TraceRow;
}

export class VerifyService implements IVerifyApi, IDisposable {
  constructor(private readonly options: VerifyServiceOptions = {}) {}

  private readonly progress = new Emitter<VerifyProgress>();
  private readonly running = new Map<string, AbortController>();
  readonly onDidProgress = this.progress.event;

  async run(request: VerifyRequest): Promise<VerifyReport> {
    const runId = request.runId ?? randomUUID();
    if (this.running.has(runId)) throw verifyError('VERIFY_BAD_REQUEST', `A verify run with id "${runId}" is already in progress; choose another runId.`);
    const controller = new AbortController();
    this.running.set(runId, controller);
    try {
      const report = await runVerify({ ...request, runId }, { signal: controller.signal, onProgress: (event) => this.progress.fire(event) });
      if (request.explain && !report.equal) {
        if (this.options.traceRow) {
          report.explanations = await explainMismatches(report, request.explain.pipeline, request.source.table, this.options.traceRow, request.explain.maxRows ?? DEFAULT_EXPLAIN_ROWS);
        } else {
          report.notes.push('explain needs the engine’s trace service (run verify through the engine API); the mismatches are not classified.');
        }
      }
      return report;
    } finally {
      this.running.delete(runId);
    }
  }

  async cancel(runId: string): Promise<boolean> {
    const controller = this.running.get(runId);
    if (!controller) return false;
    controller.abort();
    return true;
  }

  dispose(): void {
    for (const controller of this.running.values()) controller.abort();
    this.running.clear();
    this.progress.dispose();
  }
}
