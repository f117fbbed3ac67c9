import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SqlConnectionSettings } from '../db';
import { cancelSqlServerRequest, mysqlKillStatement, postgresCancelStatement, StatementStop } from './sqlRunner';

const settings: SqlConnectionSettings = { dialect: 'sqlserver', host: 'db.example', port: 1433, user: 'app', password: 'secret', database: 'shop' };

describe('stopping a statement on its database', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('asks each database the way a DBA would', async () => {
    expect(postgresCancelStatement(4242)).toEqual({ text: 'SELECT pg_cancel_backend($1)', values: [4242] });
    expect(mysqlKillStatement(17)).toBe('KILL QUERY 17');
    expect(() => mysqlKillStatement(Number.NaN)).toThrow(/thread id/);
    const request = { cancel: vi.fn() };
    await cancelSqlServerRequest(request);
    expect(request.cancel).toHaveBeenCalledTimes(1);
  });

  it('Cancel reaches the server once armed, again until the statement settles, and reads as cancelled', () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const stop = new StatementStop(settings, { signal: controller.signal });
    const cancelOnServer = vi.fn(() => Promise.resolve());
    const cut = vi.fn();
    controller.abort();
    expect(() => stop.throwIfStopped()).toThrow(expect.objectContaining({ code: 'QUERY_CANCELLED' }));
    stop.arm(cancelOnServer, cut);
    expect(cancelOnServer).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1000);
    expect(cancelOnServer).toHaveBeenCalledTimes(3);
    stop.dispose();
    vi.advanceTimersByTime(10_000);
    expect(cancelOnServer).toHaveBeenCalledTimes(3);
    expect(cut).not.toHaveBeenCalled();
    expect(stop.error().message).not.toContain('secret');
  });

  it('a timeout stops the statement, and a server that never answers gets its connection cut', () => {
    vi.useFakeTimers();
    const stop = new StatementStop(settings, { timeoutMs: 250 });
    const cancelOnServer = vi.fn(() => Promise.resolve());
    const cut = vi.fn();
    stop.arm(cancelOnServer, cut);
    expect(cancelOnServer).not.toHaveBeenCalled();
    vi.advanceTimersByTime(250);
    expect(cancelOnServer).toHaveBeenCalledTimes(1);
    expect(stop.error()).toMatchObject({ code: 'QUERY_TIMEOUT', message: expect.stringMatching(/longer than 0\.25 s on sqlserver:\/\/app@db\.example:1433\/shop/) });
    vi.advanceTimersByTime(10_000);
    expect(cut).toHaveBeenCalledTimes(1);
    stop.dispose();
  });
});
