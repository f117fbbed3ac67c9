import { describe, expect, it } from 'vitest';
import type { ConnectorStatus, PipelineStatus } from '../../shared/api/pipelines';
import { progressLine } from './cliRun';

function sink(lag: number, measured: { lagAsOf: number; lagStale: boolean } | undefined, state: ConnectorStatus['state'] = 'RUNNING'): ConnectorStatus {
  return {
    name: 'orders-sink',
    role: 'sink',
    state,
    caughtUp: false,
    metrics: { rowsRead: 0, rowsProduced: 0, rowsApplied: 10, errors: 0, deadLettered: 0, lag, rowsPerSecond: 0, ...measured },
  };
}

const pipeline = (connectors: ConnectorStatus[]): PipelineStatus => ({ name: 'orders', state: connectors[0]?.state ?? 'RUNNING', connectors });

describe('progressLine lag', () => {
  const now = 1_000_000;

  it('shows a freshly measured lag as it is', () => {
    expect(progressLine(pipeline([sink(0, { lagAsOf: now - 800, lagStale: false })]), now)).toContain('| lag 0 |');
  });

  it('marks a lag Kafka has not confirmed lately as a lower bound with its age', () => {
    const line = progressLine(pipeline([sink(996, { lagAsOf: now - 25_400, lagStale: true }, 'DEGRADED')]), now);
    expect(line).toContain('| lag ≥ 996 (stale 25 s) |');
    expect(line).not.toMatch(/\| lag 996 \|/);
  });

  it('sums every sink and dates a stale total by its oldest measurement', () => {
    const line = progressLine(pipeline([sink(5, { lagAsOf: now - 1000, lagStale: false }), sink(20_000, { lagAsOf: now - 61_000, lagStale: true })]), now);
    expect(line).toContain('| lag ≥ 20.0k (stale 61 s) |');
  });

  it('says plain lag before the first measurement', () => {
    expect(progressLine(pipeline([sink(0, undefined, 'STARTING')]), now)).toContain('| lag 0 |');
  });
});

describe('progressLine slots', () => {
  it("names each PostgreSQL slot's retained WAL, and an invalidated one", () => {
    const source = (walStatus: string): ConnectorStatus => ({
      name: 'orders-cdc',
      role: 'source',
      state: 'RUNNING',
      caughtUp: true,
      metrics: { rowsRead: 3, rowsProduced: 3, rowsApplied: 0, errors: 0, deadLettered: 0, lag: 0, rowsPerSecond: 0 },
      logLag: { position: '0/16B3748', behindBytes: 0, slot: { name: 'orders_slot', retainedWalBytes: 70_200, walStatus }, measuredAtMs: 1 },
    });
    expect(progressLine(pipeline([source('reserved')]))).toContain('| slot orders_slot keeps 70.2 kB WAL');
    expect(progressLine(pipeline([source('lost')]))).toContain('slot orders_slot keeps 70.2 kB WAL (LOST: invalidated)');
  });
});
