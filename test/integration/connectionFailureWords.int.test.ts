import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { DatabaseProfile } from '../../src/shared/api/connections';
import { testDatabaseProfile } from '../../src/engine/connections/databaseTest';
import { runSql } from '../../src/engine/query/sqlRunner';
import { createPollingReader } from '../../src/engine/sources';
import { openSqlSession, type SqlConnectionSettings } from '../../src/engine/db';
import { isConnectionFailure } from '../../src/engine/sinks/sql/sinkWriter';
import { openSide } from '../../src/engine/verify/side';

// A database that cannot be reached is said in the same words by every part of Ferry and for every driver:
// mysql2 and pg pass Node's `connect ECONNREFUSED …` / `getaddrinfo ENOTFOUND …` through, mssql says
// "Could not connect (sequence)". Real sockets: a port nothing listens on, and a name under `.invalid`, which
// never resolves (RFC 2606).

const DIALECTS = ['mysql', 'postgres', 'sqlserver'] as const;
type Dialect = (typeof DIALECTS)[number];
const URL_SCHEMES: Record<Dialect, string> = { mysql: 'mysql', postgres: 'postgres', sqlserver: 'mssql' };
const UNRESOLVABLE = 'nonexistent.invalid';

/** A port that was free a moment ago: bound, then released, so nothing listens on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function settings(dialect: Dialect, host: string, port: number): SqlConnectionSettings {
  return { dialect, host, port, user: 'ferry@myserver', password: 'not-used', database: 'ferry', ssl: false };
}

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(outcome instanceof Error)) throw new Error(`expected a failure, got ${String(outcome)}`);
  return outcome;
}

const refusedWords = (port: number): string => `connection refused: nothing listens on 127.0.0.1:${port}`;
const unresolvedWords = new RegExp(`the host name "${UNRESOLVABLE.replace('.', '\\.')}" could not be resolved`);

describe.each(DIALECTS)('a %s server that cannot be reached, in words', (dialect) => {
  it('sink, row trace and verify sessions (openSqlSession): refused port and unknown host', async () => {
    const port = await closedPort();
    const refused = await failureOf(openSqlSession(settings(dialect, '127.0.0.1', port)));
    expect(refused).toMatchObject({ code: 'DB_UNREACHABLE', retriable: true, message: refusedWords(port) });
    // Still a connection fault for the sink: retried with backoff, never dead-lettered.
    expect(isConnectionFailure(refused)).toBe(true);

    const unknown = await failureOf(openSqlSession(settings(dialect, UNRESOLVABLE, port)));
    expect(unknown.message).toMatch(unresolvedWords);
    expect(unknown.message).not.toMatch(/ENOTFOUND|EAI_AGAIN|sequence/);
    expect(isConnectionFailure(unknown)).toBe(true);
  });

  it('verify: the side that cannot be opened is named with the words and a DSN with one @', async () => {
    const port = await closedPort();
    const aborted = new Promise<never>(() => {});
    const url = `${URL_SCHEMES[dialect]}://${encodeURIComponent('ferry@myserver')}:pw@127.0.0.1:${port}/ferry`;
    const error = await failureOf(openSide('target', { url, table: 'orders' }, 1, aborted));
    expect(error.message).toContain(refusedWords(port));
    expect(error.message).toContain(`ferry%40myserver@127.0.0.1:${port}`);
    expect(error.message).not.toContain('ferry@myserver@');
  });

  it('query pane: refused port and unknown host', async () => {
    const port = await closedPort();
    const refused = await failureOf(runSql(settings(dialect, '127.0.0.1', port), 'SELECT 1', { maxRows: 10, readOnly: true }));
    expect(refused).toMatchObject({ code: 'QUERY_CONNECT_FAILED' });
    expect(refused.message).toContain(refusedWords(port));
    expect(refused.message).not.toContain('ferry@myserver@');
    const unknown = await failureOf(runSql(settings(dialect, UNRESOLVABLE, port), 'SELECT 1', { maxRows: 10, readOnly: true }));
    expect(unknown.message).toMatch(unresolvedWords);
  });

  it('polling source: refused port and unknown host', async () => {
    const port = await closedPort();
    for (const [host, words] of [
      ['127.0.0.1', refusedWords(port)],
      [UNRESOLVABLE, unresolvedWords],
    ] as const) {
      const reader = createPollingReader(dialect, {
        connection: { host, port, user: 'ferry', password: 'not-used', database: 'ferry', tls: 'disable' },
        options: { mode: 'bulk', connectionAttempts: 1, connectionBackoffMs: 10 },
      });
      try {
        const error = await failureOf(reader.poll());
        expect(error).toMatchObject({ code: 'SOURCE_CONNECTION_FAILED' });
        expect(error.message).toMatch(words);
      } finally {
        await reader.close();
      }
    }
  });

  it('Connections Test: the failing step says the same, and the target shows one @', async () => {
    const port = await closedPort();
    const profile: DatabaseProfile = { id: 'p', name: 'p', environment: 'dev', kind: 'database', product: dialect, host: '127.0.0.1', port, database: 'ferry', user: 'ferry@myserver', tls: 'disable' };
    const refused = await testDatabaseProfile(profile, 'pw');
    expect(refused.failure).toMatchObject({ step: 'tcp', code: 'CONNECTION_TCP_REFUSED', message: `Connection refused: nothing listens on 127.0.0.1:${port}.` });
    expect(refused.target).toBe(`${dialect}://ferry%40myserver@127.0.0.1:${port}/ferry`);

    const unknown = await testDatabaseProfile({ ...profile, host: UNRESOLVABLE }, 'pw');
    expect(unknown.failure).toMatchObject({ step: 'dns', code: 'CONNECTION_DNS' });
    expect(unknown.failure?.message).toMatch(/^The host name "nonexistent\.invalid" could not be resolved/);
  });
});
