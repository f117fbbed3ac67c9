import { useEffect, useRef } from 'react';
import type { ProfileTestResult, ProfileTestStepStatus } from '../../../../shared/api';
import { formatMs } from '../../app/format';

const ICONS: Record<ProfileTestStepStatus, string> = { ok: '✓', failed: '✗', warning: '!', skipped: '–' };

/** Each step of a connection test with its outcome and time, the failure first in words. */
export function TestResults({ result }: { result: ProfileTestResult }) {
  const warnings = result.steps.filter((step) => step.status === 'warning').length;
  const section = useRef<HTMLElement>(null);
  // The results appear below a long form: bring them into view, or a click on Test seems to do nothing.
  // Braces: Chromium's scrollIntoView returns a promise, which React would take for the effect's clean-up.
  useEffect(() => {
    section.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }, [result]);
  return (
    <section ref={section} className={`test-results ${result.ok ? 'ok' : 'failed'}`} aria-label="Test results" data-testid="test-results">
      <header className="test-summary" role="status">
        <strong>{result.ok ? (warnings > 0 ? `Connected, with ${warnings} warning${warnings > 1 ? 's' : ''}` : 'Connected') : `Failed: ${result.failure?.code ?? 'error'}`}</strong>
        <span className="muted">
          {result.target} · {formatMs(result.totalMs)} in all
        </span>
      </header>
      <ol className="test-steps">
        {result.steps.map((step, index) => (
          <li key={`${step.step}-${index}`} className={`test-step step-${step.status}`} data-testid={`test-step-${step.step}`}>
            <span className="step-icon" aria-label={step.status}>
              {ICONS[step.status]}
            </span>
            <div className="step-body">
              <div className="step-label">
                {step.label}
                {step.code && step.status !== 'ok' && <code className="step-code">{step.code}</code>}
              </div>
              <div className="step-detail">{step.detail}</div>
              {step.hint && <div className="step-hint">→ {step.hint}</div>}
            </div>
            <span className="step-ms">{step.status === 'skipped' ? '' : formatMs(step.ms)}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
