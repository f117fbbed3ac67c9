import { createHash } from 'node:crypto';
import pg from 'pg';
import type { SqlStatement } from '../dialects/dialect';
import type { SqlConnectionSettings, SqlResult, SqlSession } from './session';

export async function openPostgresSession(settings: SqlConnectionSettings): Promise<SqlSession> {
  const client = new pg.Client({
    host: settings.host,
    port: settings.port,
    user: settings.user,
    password: settings.password,
    database: settings.database,
    ...(settings.ssl ? { ssl: { rejectUnauthorized: settings.ssl.verify } } : {}),
  });
  await client.connect();
  return {
    dialect: 'postgres',
    async execute(statement: SqlStatement): Promise<SqlResult> {
      // A reusable text is prepared once per connection under a name derived from it (pg parses and plans it once).
      const name = statement.reusable ? `ferry_${createHash('sha1').update(statement.sql).digest('hex').slice(0, 20)}` : undefined;
      const result = await client.query({ text: statement.sql, values: statement.params as unknown[], ...(name ? { name } : {}) });
      return { rows: result.rows as Record<string, unknown>[], rowCount: result.rowCount ?? 0 };
    },
    begin: async () => void (await client.query('BEGIN')),
    commit: async () => void (await client.query('COMMIT')),
    rollback: async () => void (await client.query('ROLLBACK')),
    close: () => client.end(),
  };
}
