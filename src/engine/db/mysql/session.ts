import { mysql } from '../drivers';
import type { SqlStatement } from '../statement';
import { ConnectionLoss, type SqlSessionOptions } from '../connectionLoss';
import type { SqlConnectionSettings, SqlResult, SqlSession } from '../session';

export async function openMySqlSession(settings: SqlConnectionSettings, options: SqlSessionOptions = {}): Promise<SqlSession> {
  const connection = await mysql.createConnection({
    host: settings.host,
    port: settings.port,
    user: settings.user,
    password: settings.password,
    database: settings.database,
    // Values are bound as the dialect prepared them; nothing is reinterpreted in the client's zone.
    timezone: 'Z',
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
    dateStrings: true,
    multipleStatements: false,
    ...(settings.ssl ? { ssl: { rejectUnauthorized: settings.ssl.verify } } : {}),
  });
  // A connection the server drops (KILL CONNECTION, a restart, wait_timeout) emits 'error'; unheard, it ends the process.
  const loss = new ConnectionLoss(settings, options);
  connection.on('error', loss.listener);
  return {
    dialect: 'mysql',
    async execute(statement: SqlStatement): Promise<SqlResult> {
      loss.check();
      const [result] = await connection.query(statement.sql, statement.params);
      if (Array.isArray(result)) return { rows: result as Record<string, unknown>[], rowCount: result.length };
      return { rows: [], rowCount: (result as { affectedRows?: number }).affectedRows ?? 0 };
    },
    begin: async () => {
      loss.check();
      await connection.beginTransaction();
    },
    commit: async () => {
      loss.check();
      await connection.commit();
    },
    rollback: async () => {
      loss.check();
      await connection.rollback();
    },
    // A connection the server already closed cannot say goodbye; it is destroyed instead.
    close: () => connection.end().catch(() => connection.destroy()),
  };
}
