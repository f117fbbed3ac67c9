import { describe, expect, it } from 'vitest';
import { MySqlPollingReader } from './mysql/mysqlPollingReader';
import { PostgresPollingReader } from './postgres/postgresPollingReader';
import { createPollingReader, POLLING_SOURCE_KINDS, pollingReaderFactory } from './registry';
import { SqlServerPollingReader } from './sqlserver/sqlServerPollingReader';

const init = { connection: { host: 'localhost', port: 1, user: 'u', password: 'p', database: 'd' }, options: { mode: 'bulk' as const } };

describe('polling reader registry', () => {
  it('maps each kind to its reader without connecting', async () => {
    expect(POLLING_SOURCE_KINDS).toEqual(['mysql', 'postgres', 'sqlserver']);
    const readers = POLLING_SOURCE_KINDS.map((kind) => createPollingReader(kind, init));
    expect(readers[0]).toBeInstanceOf(MySqlPollingReader);
    expect(readers[1]).toBeInstanceOf(PostgresPollingReader);
    expect(readers[2]).toBeInstanceOf(SqlServerPollingReader);
    for (const reader of readers) await reader.close();
  });

  it('rejects an unknown kind and invalid options up front', () => {
    expect(() => pollingReaderFactory('oracle' as 'mysql')).toThrow(/No polling reader for source kind "oracle"/);
    expect(() => createPollingReader('mysql', { ...init, options: { mode: 'timestamp' } })).toThrow(/timestamp.column.name/);
  });
});
