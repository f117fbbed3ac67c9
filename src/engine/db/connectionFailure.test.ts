import { describe, expect, it } from 'vitest';
import { connectionFailureText, describeConnectionFailure, formatDsn } from './connectionFailure';

const endpoint = { host: 'db.example.com', port: 1433 };
const errno = (code: string, message: string, extra: Record<string, unknown> = {}): Error => Object.assign(new Error(message), { code, ...extra });

describe('connection failures in words', () => {
  it('a DNS server that does not answer (EAI_AGAIN) is said as such, not as a code', () => {
    const failure = describeConnectionFailure(errno('EAI_AGAIN', 'getaddrinfo EAI_AGAIN db.example.com'), endpoint);
    expect(failure).toMatchObject({ kind: 'dns-unavailable', text: 'the host name "db.example.com" could not be resolved: the DNS server did not answer' });
  });

  it('finds the refusal inside tedious\' wrapper (AggregateError of attempts), with the address refused', () => {
    const inner = new AggregateError([errno('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.5:1433', { address: '10.0.0.5', port: 1433 })], '');
    const tedious = Object.assign(new Error('Failed to connect to db.example.com:1433 - Could not connect (sequence)'), { code: 'ESOCKET', cause: inner });
    const mssql = Object.assign(new Error(tedious.message), { code: 'ESOCKET', originalError: tedious });
    expect(connectionFailureText(mssql, endpoint)).toBe('connection refused: nothing listens on 10.0.0.5:1433 (db.example.com:1433)');
    // Without the inner errors, the sequence message alone still means nobody answered on that port.
    expect(connectionFailureText(new Error('Failed to connect to db.example.com:1433 - Could not connect (sequence)'), endpoint)).toBe('connection refused: nothing listens on db.example.com:1433');
  });

  it('leaves what is not about reaching the server to the driver\'s own words', () => {
    const login = Object.assign(new Error("Access denied for user 'x'@'h'"), { code: 'ER_ACCESS_DENIED_ERROR', errno: 1045 });
    expect(describeConnectionFailure(login, endpoint)).toBeUndefined();
    expect(connectionFailureText(login, endpoint)).toBe(login.message);
  });
});

describe('DSNs for display', () => {
  it('an Azure-style user@server login shows without a second @', () => {
    expect(formatDsn({ scheme: 'sqlserver', user: 'ferry@myserver', host: 'myserver.database.windows.net', port: 1433, database: 'shop' })).toBe('sqlserver://ferry%40myserver@myserver.database.windows.net:1433/shop');
    expect(formatDsn({ scheme: 'postgres', user: 'DOMAIN\\ann', host: '::1', port: 5432 })).toBe('postgres://DOMAIN\\ann@[::1]:5432');
  });
});
