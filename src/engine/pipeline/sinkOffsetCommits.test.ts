import { describe, expect, it } from 'vitest';
import type { DurableOffset } from '../connectors/port';
import { SinkOffsetCommits } from './sinkOffsetCommits';

/** A broker whose answers the test gives one by one. */
function fakeBroker(): {
  sent: DurableOffset[][];
  answer: (error?: Error) => void;
  events: string[];
  commits: SinkOffsetCommits;
  abort: AbortController;
} {
  const sent: DurableOffset[][] = [];
  const waiting: ((error?: Error) => void)[] = [];
  const events: string[] = [];
  const abort = new AbortController();
  const commits = new SinkOffsetCommits({
    commit: (offsets) => {
      sent.push([...offsets]);
      return new Promise<void>((resolve, reject) => waiting.push((error) => (error ? reject(error) : resolve())));
    },
    failed: (error) => events.push(`failed: ${String(error)}`),
    recovered: () => events.push('recovered'),
    signal: abort.signal,
  });
  return { sent, events, commits, abort, answer: (error) => waiting.shift()?.(error) };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('SinkOffsetCommits', () => {
  it('keeps one commit in flight and sends the newest offset per partition after it, never an older one', async () => {
    const { sent, commits, answer } = fakeBroker();
    commits.add('t', 0, 100n);
    commits.add('t', 0, 200n);
    commits.add('t', 1, 50n);
    commits.add('t', 0, 150n); // older than what waits: ignored
    expect(sent).toEqual([[{ topic: 't', partition: 0, offset: '100' }]]);
    expect(commits.waiting).toBe(2);
    answer();
    await tick();
    expect(sent[1]).toEqual([
      { topic: 't', partition: 0, offset: '200' },
      { topic: 't', partition: 1, offset: '50' },
    ]);
    answer();
    await commits.settle();
    expect(commits.waiting).toBe(0);
    expect(sent).toHaveLength(2);
  });

  it('an offset below one already committed (a chunk fetched again after a rejoin) is not sent: the commit never moves back', async () => {
    const { sent, commits, answer } = fakeBroker();
    commits.add('t', 0, 1001n);
    answer();
    await commits.settle();
    commits.add('t', 0, 951n);
    await commits.settle();
    expect(sent).toEqual([[{ topic: 't', partition: 0, offset: '1001' }]]);
    expect(commits.waiting).toBe(0);
  });

  it('a refused commit keeps its offsets, says so, and the next add or retryNow sends them again; a success says recovered', async () => {
    const { sent, events, commits, answer, abort } = fakeBroker();
    commits.add('t', 0, 10n);
    answer(new Error('coordinator went away'));
    await commits.settle();
    expect(events).toEqual(['failed: Error: coordinator went away']);
    expect(commits.failure).toBeInstanceOf(Error);
    expect(commits.waiting).toBe(1);
    // A retry is scheduled; retryNow (a rejoin) does not wait for it.
    commits.retryNow();
    expect(sent).toHaveLength(2);
    answer();
    await commits.settle();
    expect(events).toEqual(['failed: Error: coordinator went away', 'recovered']);
    expect(commits.failure).toBeUndefined();
    expect(commits.waiting).toBe(0);
    commits.stop();
    abort.abort();
  });

  it('after a rejoin, offsets of the old generation are not sent, and a late refusal of one sent before is no failure', async () => {
    const { sent, events, commits, answer } = fakeBroker();
    commits.add('t', 0, 100n);
    commits.add('t', 0, 200n);
    commits.rejoined();
    answer(new Error('ILLEGAL_GENERATION'));
    await commits.settle();
    expect(sent).toEqual([[{ topic: 't', partition: 0, offset: '100' }]]);
    expect(events).toEqual([]);
    expect(commits.failure).toBeUndefined();
    expect(commits.waiting).toBe(0);
    // Fetched again from the committed offset, the applied records are committed in the new generation.
    commits.add('t', 0, 200n);
    expect(sent[1]).toEqual([{ topic: 't', partition: 0, offset: '200' }]);
    answer();
    await commits.settle();
  });

  it('settle resolves after one failed attempt instead of waiting for Kafka to come back', async () => {
    const { commits, answer } = fakeBroker();
    commits.add('t', 0, 10n);
    const settled = commits.settle();
    answer(new Error('no broker'));
    await settled;
    expect(commits.waiting).toBe(1);
    commits.stop();
  });
});
