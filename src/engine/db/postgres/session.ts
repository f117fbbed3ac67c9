import { createHash } from 'node:crypto';
import { pg } from '../drivers';
import type { SqlStatement } from '../statement';
import { ConnectionLoss, type SqlSessionOptions } from '../connectionLoss';
import type { SqlConnectionSettings, SqlResult, SqlSession } from '../session';

export async function openPostgresSession(settings: SqlConnectionSettings, options: SqlSessionOptions = {}): Promise<SqlSession> {
  const client = new pg.Client({
    host: settings.host,
    port: settings.port,
    user: settings.user,
    password: settings.password,
    database: settings.database,
    ...(settings.ssl ? { ssl: { rejectUnauthorized: settings.ssl.verify } } : {}),
    ...(options.applicationName ? { application_name: options.applicationName.slice(0, 63) } : {}),
  });
  // A server that terminates an idle backend (pg_terminate_backend, a restart) makes the client emit 'error'.
  const loss = new ConnectionLoss(settings, options);
  client.on('error', loss.listener);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
  const run = async (text: string): Promise<void> => {
    loss.check();
    await client.query(text);
  };
  return {
    dialect: 'postgres',
    async execute(statement: SqlStatement): Promise<SqlResult> {
      // A reusable text is prepared once per connection under a name derived from it (pg parses and plans it once).
      loss.check();
      const name = statement.reusable ? `ferry_${createHash('sha1').update(statement.sql).digest('hex').slice(0, 20)}` : undefined;
      // `queryMode: 'extended'` (pg ≥ 8.12, not in its typings) sends an unnamed prepared statement even without values.
      const oneStatement = statement.oneStatement && !name ? { queryMode: 'extended' } : {};
      const result = await client.query({ text: statement.sql, values: statement.params as unknown[], ...(name ? { name } : {}), ...oneStatement });
      return { rows: result.rows as Record<string, unknown>[], rowCount: result.rowCount ?? 0 };
    },
    begin: () => run('BEGIN'),
    commit: () => run('COMMIT'),
    rollback: () => run('ROLLBACK'),
    // Ending a client whose server already went away may reject; closing must not fail for it.
    close: () => client.end().catch(() => {}),
  };
}
