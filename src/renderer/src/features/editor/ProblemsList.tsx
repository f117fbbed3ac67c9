import type { PipelineProblem } from '../../../../shared/api';

/** Every problem of the file, errors first, each with its fix; clicking one puts the cursor on the key. */
export function ProblemsList({ problems, validating, onReveal }: { problems: PipelineProblem[]; validating: boolean; onReveal: (problem: PipelineProblem) => void }) {
  if (problems.length === 0) {
    return (
      <p className="muted no-problems" data-testid="no-problems" aria-live="polite">
        {validating ? 'Checking…' : '✓ No problems. Press Run (Ctrl+Enter) to start the pipeline.'}
      </p>
    );
  }
  const sorted = [...problems].sort((a, b) => (a.severity === b.severity ? (a.line ?? 0) - (b.line ?? 0) : a.severity === 'error' ? -1 : 1));
  return (
    <ul className="problems" aria-label="Problems" data-testid="problems">
      {sorted.map((problem, index) => (
        <li key={`${problem.path}-${index}`} className={`problem-item ${problem.severity}`}>
          <button type="button" className="problem-button" onClick={() => onReveal(problem)} aria-label={`${problem.severity}: ${problem.message}`}>
            <span className={`severity ${problem.severity}`} aria-hidden="true">
              {problem.severity === 'error' ? '✕' : '!'}
            </span>
            <span className="problem-text">
              <span className="problem-message">{problem.message}</span>
              {problem.hint && <span className="problem-hint">Fix: {problem.hint}</span>}
              <span className="problem-where muted small">
                {problem.line !== undefined ? `line ${problem.line} · ` : ''}
                <code>{problem.path}</code>
              </span>
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}
