import type { ConnectConnectorView } from '../../../../shared/api';

/** Keys whose values are credentials: masked before a config leaves the Connect pane (the editor shows "****"). */
const SECRET_KEY = /(password|secret|jaas\.config|user\.info|credentials|api\.key|token|private\.key|key\.password)/i;

export const MASKED = '****';

/** A connector's config as the editor should see it: secrets replaced by "****", with which keys were masked. */
export function maskSecrets(config: Record<string, string>): { config: Record<string, string>; masked: string[] } {
  const masked: string[] = [];
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    if (SECRET_KEY.test(key) && value !== '') {
      out[key] = MASKED;
      masked.push(key);
    } else out[key] = value;
  }
  return { config: out, masked };
}

/** Connect's `{name, config}` shape, which the editor's paste path wraps in a pipeline. */
export function connectorJsonFor(name: string, config: Record<string, string>): string {
  const { name: _ignored, ...rest } = config;
  return JSON.stringify({ name, config: rest }, null, 2);
}

/** "2 running, 1 failed" for a cluster's header. */
export function stateSummary(connectors: ConnectConnectorView[]): string {
  if (connectors.length === 0) return 'no connector';
  const counts = new Map<string, number>();
  for (const connector of connectors) counts.set(connector.state, (counts.get(connector.state) ?? 0) + 1);
  return [...counts].map(([state, count]) => `${count} ${state.toLowerCase()}`).join(', ');
}

/** The connector is in trouble when it or one of its tasks FAILED. */
export function hasFailure(connector: ConnectConnectorView): boolean {
  return connector.state === 'FAILED' || connector.tasks.some((task) => task.state === 'FAILED');
}
