import { describe, expect, it } from 'vitest';
import { changeTimeWithinSecond } from './mySqlBinlogReader';

// bench:pipeline --capture log measured streaming e2e p50 27 ms / p99 60 ms by the target's commit times, while Ferry
// reported p50 529 / p99 996 ms: every sample started from the binlog event's whole second.
describe("a binlog change's time for latency", () => {
  const second = Date.UTC(2026, 11, 6, 0, 10, 5);

  it('is when Ferry read it, when that falls within the event second', () => {
    expect(changeTimeWithinSecond(second, second + 873)).toBe(second + 873);
    expect(changeTimeWithinSecond(second, second)).toBe(second);
  });

  it('is the end of the event second when Ferry reads it later (catching up), never later than the log allows', () => {
    expect(changeTimeWithinSecond(second, second + 42_000)).toBe(second + 999);
  });

  it('is the event second when the clock reads earlier than it (clock skew between the host and the database)', () => {
    expect(changeTimeWithinSecond(second, second - 300)).toBe(second);
  });
});
