import mysql from 'mysql2/promise';
import type { SqlStatement } from '../dialects/dialect';
import type { SqlConnectionSettings, SqlResult, SqlSession } from './session';

export async function openMySqlSession(settings: SqlConnectionSettings): Promise<SqlSession> {
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
  return {
    dialect: 'mysql',
    async execute(statement: SqlStatement): Promise<SqlResult> {
      const [result] = await connection.query(statement.sql, statement.params);
      if (Array.isArray(result)) return { rows: result as Record<string, unknown>[], rowCount: result.length };
      return { rows: [], rowCount: (result as { affectedRows?: number }).affectedRows ?? 0 };
    },
    begin: async () => void (await connection.beginTransaction()),
    commit: async () => void (await connection.commit()),
    rollback: async () => void (await connection.rollback()),
    close: async () => void (await connection.end()),
  };
}
