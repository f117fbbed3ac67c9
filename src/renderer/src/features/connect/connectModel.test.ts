import { describe, expect, it } from 'vitest';
import { connectorJsonFor, hasFailure, maskSecrets, stateSummary } from './connectModel';

describe('Connect pane model', () => {
  it('masks credentials before a config goes to the editor, and names the masked keys', () => {
    const { config, masked } = maskSecrets({ 'connection.url': 'jdbc:postgresql://db/x', 'connection.password': 'hunter2', 'sasl.jaas.config': 'x required password="p";', 'tasks.max': '1' });
    expect(config).toEqual({ 'connection.url': 'jdbc:postgresql://db/x', 'connection.password': '****', 'sasl.jaas.config': '****', 'tasks.max': '1' });
    expect(masked).toEqual(['connection.password', 'sasl.jaas.config']);
  });

  it("gives Connect's {name, config} shape without the duplicated name key", () => {
    expect(JSON.parse(connectorJsonFor('sink', { name: 'sink', 'connector.class': 'C' }))).toEqual({ name: 'sink', config: { 'connector.class': 'C' } });
  });

  it('summarises states and sees a failed task under a running connector', () => {
    const running = { name: 'a', state: 'RUNNING' as const, workerId: 'w', tasks: [{ id: 0, state: 'FAILED' as const, workerId: 'w' }] };
    expect(hasFailure(running)).toBe(true);
    expect(stateSummary([running, { ...running, name: 'b', state: 'PAUSED', tasks: [] }])).toBe('1 running, 1 paused');
    expect(stateSummary([])).toBe('no connector');
  });
});
