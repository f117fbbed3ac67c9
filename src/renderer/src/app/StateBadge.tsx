import type { ConnectorState } from '../../../shared/api';

/** RUNNING / DEGRADED / FAILED / PAUSED… as a coloured badge; the text is the state, so colour is never the only cue. */
export function StateBadge({ state, testId }: { state: ConnectorState; testId?: string }) {
  return (
    <span className={`badge badge-${state.toLowerCase()}`} data-testid={testId}>
      {state}
    </span>
  );
}
