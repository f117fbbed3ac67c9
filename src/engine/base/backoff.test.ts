import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { Backoff, sleep } from './backoff';

/** A random source that always answers `value`, to reach the bounds of each kind of jitter. */
const constant = (value: number) => () => value;

describe('Backoff', () => {
  it('without jitter doubles from initialMs and stops at maxMs', () => {
    const backoff = new Backoff({ initialMs: 500, maxMs: 30_000, jitter: 'none' });
    expect(Array.from({ length: 9 }, () => backoff.next())).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
    expect(backoff.attempt).toBe(9);
  });

  it('with full jitter stays within [0, the exponential ceiling]', () => {
    const low = new Backoff({ initialMs: 100, maxMs: 1000 }, constant(0));
    const high = new Backoff({ initialMs: 100, maxMs: 1000 }, constant(0.999_999));
    expect(Array.from({ length: 6 }, () => low.next())).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from({ length: 6 }, () => high.next())).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('with full jitter spreads the delays of clients that failed together', () => {
    const delays = Array.from({ length: 50 }, () => new Backoff({ initialMs: 1000, maxMs: 60_000 }).next());
    expect(new Set(delays).size).toBeGreaterThan(10);
  });

  it('with decorrelated jitter never goes below initialMs nor above maxMs, and grows from the previous delay', () => {
    const high = new Backoff({ initialMs: 100, maxMs: 2000, jitter: 'decorrelated' }, constant(0.999_999));
    expect(Array.from({ length: 5 }, () => high.next())).toEqual([300, 900, 2000, 2000, 2000]);
    const low = new Backoff({ initialMs: 100, maxMs: 2000, jitter: 'decorrelated' }, constant(0));
    expect(Array.from({ length: 3 }, () => low.next())).toEqual([100, 100, 100]);
  });

  it('starts over after reset', () => {
    const backoff = new Backoff({ initialMs: 10, maxMs: 1000, jitter: 'none' });
    backoff.next();
    backoff.next();
    backoff.reset();
    expect(backoff.attempt).toBe(0);
    expect(backoff.next()).toBe(10);
  });

  it('keeps to maxMs after very many attempts (no overflow to NaN)', () => {
    const backoff = new Backoff({ initialMs: 1, maxMs: 5000, jitter: 'none' });
    for (let i = 0; i < 2000; i++) backoff.next();
    expect(backoff.next()).toBe(5000);
  });

  it('rejects a policy that cannot work, naming the field', () => {
    expect(() => new Backoff({ initialMs: -1, maxMs: 10 })).toThrow(/initialMs/);
    expect(() => new Backoff({ initialMs: 100, maxMs: 10 })).toThrow(/maxMs/);
    expect(() => new Backoff({ initialMs: 1, maxMs: 10, multiplier: 0.5 })).toThrow(/multiplier/);
  });
});

describe('sleep', () => {
  it('resolves true after the delay and leaves no abort listener behind', async () => {
    const controller = new AbortController();
    for (let i = 0; i < 20; i++) expect(await sleep(1, controller.signal)).toBe(true);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('resolves false as soon as the signal aborts, also when it already had', async () => {
    const controller = new AbortController();
    const waiting = sleep(60_000, controller.signal);
    controller.abort();
    expect(await waiting).toBe(false);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect(await sleep(60_000, controller.signal)).toBe(false);
  });

  it('Backoff.wait waits the next delay on the signal', async () => {
    const controller = new AbortController();
    const backoff = new Backoff({ initialMs: 1, maxMs: 2 });
    for (let i = 0; i < 15; i++) expect(await backoff.wait(controller.signal)).toBe(true);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});
