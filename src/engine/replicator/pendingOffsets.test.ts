import { describe, expect, it } from 'vitest';
import { type CommitOffsets, PendingOffsets } from './pendingOffsets';

type Sent = Parameters<CommitOffsets>[0];

describe('PendingOffsets', () => {
  it('keeps positions whose commit failed and commits them with the next attempt', async () => {
    const pending = new PendingOffsets();
    pending.acknowledge('t', 0, 100);
    pending.acknowledge('t', 1, 50);
    const calls: Sent[] = [];
    const failing: CommitOffsets = (offsets) => {
      calls.push(offsets);
      return Promise.reject(new Error('The group is rebalancing, so a rejoin is needed'));
    };
    await expect(pending.commit(failing)).rejects.toThrow('rebalancing');
    expect(pending.entries()).toEqual([
      { topic: 't', partition: 0, offset: 100 },
      { topic: 't', partition: 1, offset: 50 },
    ]);

    pending.acknowledge('t', 0, 120);
    const succeeding: CommitOffsets = (offsets) => {
      calls.push(offsets);
      return Promise.resolve();
    };
    await pending.commit(succeeding);
    expect(calls[1]).toEqual([
      { topic: 't', partition: 0, offset: '120' },
      { topic: 't', partition: 1, offset: '50' },
    ]);
    expect(pending.size).toBe(0);
  });

  it('keeps an acknowledgement that arrives while a commit is on its way', async () => {
    const pending = new PendingOffsets();
    pending.acknowledge('t', 0, 10);
    let release: () => void = () => undefined;
    const slow: CommitOffsets = () => new Promise<void>((resolve) => (release = resolve));
    const first = pending.commit(slow);
    await Promise.resolve();
    pending.acknowledge('t', 0, 20);
    release();
    await first;
    expect(pending.entries()).toEqual([{ topic: 't', partition: 0, offset: 20 }]);
  });

  it('never moves a position back, and runs one commit at a time', async () => {
    const pending = new PendingOffsets();
    pending.acknowledge('t', 0, 30);
    pending.acknowledge('t', 0, 25);
    expect(pending.entries()).toEqual([{ topic: 't', partition: 0, offset: 30 }]);
    let running = 0;
    let most = 0;
    const sent: Sent[] = [];
    const commit: CommitOffsets = async (offsets) => {
      running++;
      most = Math.max(most, running);
      sent.push(offsets);
      await new Promise((resolve) => setImmediate(resolve));
      running--;
    };
    await Promise.all([pending.commit(commit), pending.commit(commit)]);
    expect(most).toBe(1);
    // The second call found nothing left to commit.
    expect(sent).toEqual([[{ topic: 't', partition: 0, offset: '30' }]]);
  });
});
