import { describe, expect, it } from 'vitest';
import type { ReplicatorStatus } from '../../shared/api/replicators';
import { waitUntilChainIdle } from './chainIdle';

// A replicator that copies more records after the pipeline's sinks first looked idle (they read its destination):
// --until-idle must wait for the sinks once more, until a round in which nothing new was copied.
function replicatorCopying(rounds: number[]): { waits: number; status(): ReplicatorStatus; waitUntilIdle(): Promise<void> } {
  let round = 0;
  return {
    waits: 0,
    status: () => ({ metrics: { recordsCopied: rounds[Math.min(round, rounds.length - 1)] ?? 0 } }) as ReplicatorStatus,
    async waitUntilIdle() {
      this.waits += 1;
      round += 1;
    },
  };
}

describe('waitUntilChainIdle', () => {
  it('waits for the connectors again after every round in which a replicator copied something', async () => {
    let runnerWaits = 0;
    const runner = { waitUntilIdle: async () => void (runnerWaits += 1) };
    const replicator = replicatorCopying([0, 10, 25, 25]);
    await waitUntilChainIdle(runner, [replicator], {});
    // First the parallel wait, then rounds until the copied count stops moving (10 → 25 → 25).
    expect(runnerWaits).toBe(3);
    expect(replicator.waits).toBe(3);
  });

  it('is one wait when there is no replicator', async () => {
    let runnerWaits = 0;
    await waitUntilChainIdle({ waitUntilIdle: async () => void (runnerWaits += 1) }, [], {});
    expect(runnerWaits).toBe(1);
  });
});
