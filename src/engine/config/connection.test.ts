import { describe, expect, it } from 'vitest';
import { connectionAt, jdbcSource, managedSink, parse } from './testing';

describe('a connector\'s connection as a DSN for display', () => {
  it('a connector\'s resolved connection displays the encoded user', () => {
    const result = parse([
      jdbcSource({ 'connection.url': 'jdbc:sqlserver://myserver.database.windows.net:1433;databaseName=shop', 'connection.user': 'ferry@myserver' }),
      managedSink({ topics: ['lab.customers'] }),
    ]);
    expect(connectionAt(result, 0)?.display).toBe('sqlserver://ferry%40myserver@myserver.database.windows.net:1433/shop');
  });
});
