import { randomUUID } from 'node:crypto';
import type { IVerifyApi, VerifyProgress, VerifyReport, VerifyRequest } from '../../shared/api/verify';
import { Emitter } from '../../shared/event';
import type { IDisposable } from '../../shared/lifecycle';
import { verifyError } from './errors';
import { runVerify } from './verifier';

/** The engine's `verify` namespace: runs comparisons, fans out progress, and cancels by run id. */
export class VerifyService implements IVerifyApi, IDisposable {
  private readonly progress = new Emitter<VerifyProgress>();
  private readonly running = new Map<string, AbortController>();
  readonly onDidProgress = this.progress.event;

  async run(request: VerifyRequest): Promise<VerifyReport> {
    const runId = request.runId ?? randomUUID();
    if (this.running.has(runId)) throw verifyError('VERIFY_BAD_REQUEST', `A verify run with id "${runId}" is already in progress; choose another runId.`);
    const controller = new AbortController();
    this.running.set(runId, controller);
    try {
      return await runVerify({ ...request, runId }, { signal: controller.signal, onProgress: (event) => this.progress.fire(event) });
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
