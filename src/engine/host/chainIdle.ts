import type { ReplicatorStatus } from '../../shared/api/replicators';

/** What `--until-idle` needs of a pipeline runner and of a replicator runner. */
export interface IdleWaiter {
  waitUntilIdle(options: { signal?: AbortSignal; maxStuckMs?: number }): Promise<void>;
}

export interface ReplicatorWaiter extends IdleWaiter {
  status(): ReplicatorStatus;
}

function copied(replicators: readonly ReplicatorWaiter[]): number {
  return replicators.reduce((total, replicator) => total + replicator.status().metrics.recordsCopied, 0);
}

/**
 * `--until-idle` for a pipeline that spans clusters: the connectors and the replicators of one file each become
 * idle on their own, but a sink reading the replicator's destination is only done once it applied what the
 * replicator copied after that sink last looked idle. So the waits repeat until a round in which the replicators
 * copied nothing new, and the connectors' idle check (which confirms sink lag against the brokers) comes last.
 */
export async function waitUntilChainIdle(runner: IdleWaiter, replicators: readonly ReplicatorWaiter[], options: { signal?: AbortSignal; maxStuckMs?: number }): Promise<void> {
  await Promise.all([runner.waitUntilIdle(options), ...replicators.map((replicator) => replicator.waitUntilIdle(options))]);
  if (replicators.length === 0) return;
  for (;;) {
    const before = copied(replicators);
    await runner.waitUntilIdle(options);
    await Promise.all(replicators.map((replicator) => replicator.waitUntilIdle(options)));
    if (copied(replicators) === before || options.signal?.aborted) return;
  }
}
