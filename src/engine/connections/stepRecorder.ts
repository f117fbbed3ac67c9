import type { ProfileTestResult, ProfileTestStep, ProfileTestStepName } from '../../shared/api/connections';
import { isEngineError } from '../../shared/errors';
import { hintOf } from './errors';

/** What a step found. `warning` means the connection works but something a workload needs is missing. */
export interface StepOutcome {
  status?: 'ok' | 'warning' | 'failed';
  detail: string;
  code?: string;
  hint?: string;
}

const MASK = '****';

/**
 * Runs the steps of one connection test in order, timing each, stopping at the first failure, and scrubbing the
 * profile's secret out of every text it records (driver messages are not trusted to leave it out).
 */
export class StepRecorder {
  private readonly steps: ProfileTestStep[] = [];
  private readonly started = performance.now();
  private failed = false;

  constructor(private readonly secrets: readonly string[]) {}

  get hasFailed(): boolean {
    return this.failed;
  }

  /** Runs `work` unless an earlier step failed; returns its value, or undefined when it failed or was skipped. */
  async run<T>(step: ProfileTestStepName, label: string, work: () => Promise<{ outcome: StepOutcome; value: T }>): Promise<T | undefined> {
    if (this.failed) {
      this.steps.push({ step, label, status: 'skipped', ms: 0, detail: 'Not tried: an earlier step failed.' });
      return undefined;
    }
    const begin = performance.now();
    try {
      const { outcome, value } = await work();
      this.record(step, label, begin, outcome);
      return outcome.status === 'failed' ? undefined : value;
    } catch (error) {
      const code = isEngineError(error) ? error.code : 'CONNECTION_FAILED';
      const hint = isEngineError(error) ? hintOf(error) : undefined;
      this.record(step, label, begin, { status: 'failed', detail: error instanceof Error ? error.message : String(error), code, ...(hint ? { hint } : {}) });
      return undefined;
    }
  }

  /** Records a step whose outcome is known without running anything (e.g. a settings problem). */
  note(step: ProfileTestStepName, label: string, outcome: StepOutcome): void {
    this.record(step, label, performance.now(), outcome);
  }

  result(profileName: string, target: string): ProfileTestResult {
    const failedStep = this.steps.find((step) => step.status === 'failed');
    return {
      ok: failedStep === undefined,
      profileName,
      target: this.scrub(target),
      steps: this.steps,
      totalMs: Math.round(performance.now() - this.started),
      ...(failedStep ? { failure: { step: failedStep.step, code: failedStep.code ?? 'CONNECTION_FAILED', message: failedStep.detail } } : {}),
    };
  }

  private record(step: ProfileTestStepName, label: string, begin: number, outcome: StepOutcome): void {
    const status = outcome.status ?? 'ok';
    if (status === 'failed') this.failed = true;
    this.steps.push({
      step,
      label: this.scrub(label),
      status,
      ms: Math.round(performance.now() - begin),
      detail: this.scrub(outcome.detail),
      ...(outcome.code ? { code: outcome.code } : status === 'failed' ? { code: 'CONNECTION_FAILED' } : {}),
      ...(outcome.hint ? { hint: this.scrub(outcome.hint) } : {}),
    });
  }

  private scrub(text: string): string {
    let out = text;
    for (const secret of this.secrets) if (secret.length >= 3) out = out.split(secret).join(MASK);
    return out;
  }
}
