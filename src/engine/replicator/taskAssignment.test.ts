import { describe, expect, it } from 'vitest';
import { assignPartitionsToTasks } from './replicatorRunner';
import type { SourceTopic } from './topicSync';

function topic(name: string, partitions: number): SourceTopic {
  return { name, partitions, replicationFactor: 1, configs: {} };
}

describe('assignPartitionsToTasks', () => {
  it('spreads the partitions of every topic over the tasks round-robin, in topic-name order, each to one task', () => {
    const assignment = assignPartitionsToTasks([topic('orders', 4), topic('customers', 3)], 4);
    expect([...assignment]).toEqual([
      ['customers:0', 0],
      ['customers:1', 1],
      ['customers:2', 2],
      ['orders:0', 3],
      ['orders:1', 0],
      ['orders:2', 1],
      ['orders:3', 2],
    ]);
  });

  it('gives every partition to the one task when tasks.max is 1, and leaves extra tasks idle', () => {
    expect(new Set(assignPartitionsToTasks([topic('t', 6)], 1).values())).toEqual(new Set([0]));
    expect([...assignPartitionsToTasks([topic('t', 2)], 8).values()]).toEqual([0, 1]);
  });
});
