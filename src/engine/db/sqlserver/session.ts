import { sql } from '../drivers';
import type { SqlStatement } from '../statement';
import { ConnectionLoss, type SqlSessionOptions } from '../connectionLoss';
import type { SqlConnectionSettings, SqlResult, SqlSession } from '../session';

/**
 * SQL Server through `mssql` (tedious). One pooled connection, so a transaction and the statements in it share it.
 * Parameters are declared with the dialect's types: an untyped null would be NVARCHAR, which VARBINARY refuses.
 */
export async function openSqlServerSession(settings: SqlConnectionSettings, options: SqlSessionOptions = {}): Promise<SqlSession> {
  const pool = new sql.ConnectionPool({
    server: settings.host,
    port: settings.port,
    user: settings.user,
    password: settings.password,
    database: settings.database,
    pool: { max: 1, min: 1 },
    options: {
      encrypt: settings.ssl !== false && settings.ssl !== undefined,
      trustServerCertificate: settings.ssl ? !settings.ssl.verify : true,
      ...(options.applicationName ? { appName: options.applicationName.slice(0, 128) } : {}),
    },
  });
  // The pool emits 'error' when its connection breaks (KILL, a failover); unheard, that ends the process.
  const loss = new ConnectionLoss(settings, options);
  pool.on('error', loss.listener);
  try {
    await pool.connect();
  } catch (error) {
    await pool.close().catch(() => {});
    throw error;
  }
  let transaction: sql.Transaction | undefined;
  const request = (): sql.Request => (transaction ? new sql.Request(transaction) : new sql.Request(pool));
  return {
    dialect: 'sqlserver',
    async execute(statement: SqlStatement): Promise<SqlResult> {
      loss.check();
      const prepared = request();
      statement.params.forEach((value, index) => {
        const declared = statement.types?.[index];
        if (declared) prepared.input(`p${index + 1}`, sql.TYPES[declared.type], value);
        else prepared.input(`p${index + 1}`, value);
      });
      const result = await prepared.query(statement.sql);
      const rows = (result.recordset ?? []) as Record<string, unknown>[];
      return { rows, rowCount: result.rowsAffected.reduce((sum, count) => sum + count, 0) };
    },
    async begin() {
      loss.check();
      transaction = new sql.Transaction(pool);
      await transaction.begin();
    },
    async commit() {
      loss.check();
      await transaction?.commit();
      transaction = undefined;
    },
    async rollback() {
      await transaction?.rollback();
      transaction = undefined;
    },
    close: () => pool.close().catch(() => {}),
  };
}
