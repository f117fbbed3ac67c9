import { createHash } from 'node:crypto';
import { pg } from '../drivers';
import type { SqlStatement } from '../statement';
import { ConnectionLoss, type SqlSessionOptions } from '../connectionLoss';
import { type CopyIn, copyInOf, type SqlConnectionSettings, type SqlResult, type SqlSession } from '../session';
import { copyFrom, StagingTables } from './staging';

/**
 * A CREATE TEMP TABLE refused for want of the TEMPORARY privilege says what to grant; the driver's error stays the
 * cause (its SQLSTATE decides how the writer classifies the failure).
 */
function stagingRefused(error: unknown, settings: SqlConnectionSettings): unknown {
  if ((error as { code?: unknown }).code !== '42501') return error;
  return new Error(
    `${error instanceof Error ? error.message : String(error)}: batches of many rows are loaded by COPY into a temporary table, which needs the ` +
      `TEMPORARY privilege on database "${settings.database}" (PostgreSQL grants it to PUBLIC unless revoked). Run GRANT TEMPORARY ON DATABASE ` +
      `"${settings.database}" TO "${settings.user}".`,
    { cause: error },
  );
}

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
  const staging = new StagingTables();
  const run = async (text: string): Promise<void> => {
    loss.check();
    await client.query(text);
  };
  const query = async (statement: SqlStatement): Promise<SqlResult> => {
    // A reusable text is prepared once per connection under a name derived from it (pg parses and plans it once).
    const name = statement.reusable ? `ferry_${createHash('sha1').update(statement.sql).digest('hex').slice(0, 20)}` : undefined;
    // `queryMode: 'extended'` (pg ≥ 8.12, not in its typings) sends an unnamed prepared statement even without values.
    const oneStatement = statement.oneStatement && !name ? { queryMode: 'extended' } : {};
    const result = await client.query({ text: statement.sql, values: statement.params as unknown[], ...(name ? { name } : {}), ...oneStatement });
    return { rows: result.rows as Record<string, unknown>[], rowCount: result.rowCount ?? 0 };
  };
  /**
   * COPY into the staging table, then the statement that reads it. Outside a transaction both run in one of their
   * own: ON COMMIT DELETE ROWS would empty the table between them otherwise.
   */
  const staged = async (statement: SqlStatement, copyIn: CopyIn): Promise<SqlResult> => {
    const own = !staging.inTransaction;
    if (own) {
      await client.query('BEGIN');
      staging.begun();
    }
    try {
      if (!staging.exists(copyIn.table)) {
        await client.query(copyIn.create).catch((error: unknown) => {
          throw stagingRefused(error, settings);
        });
        staging.created(copyIn.table);
      } else if (staging.isFilled(copyIn.table)) {
        // Filled by an earlier statement of this transaction (another chunk, or the same table after a delete).
        await client.query(`DELETE FROM ${copyIn.table}`);
        staging.emptied(copyIn.table);
      }
      staging.filled(copyIn.table);
      await copyFrom(client, copyIn.copy, copyIn.data);
      const result = await query(statement);
      if (own) {
        await client.query('COMMIT');
        staging.committedTransaction();
      }
      return result;
    } catch (error) {
      if (own) {
        await client.query('ROLLBACK').catch(() => {});
        staging.rolledBack();
      }
      throw error;
    }
  };
  return {
    dialect: 'postgres',
    async execute(statement: SqlStatement): Promise<SqlResult> {
      loss.check();
      const copyIn = copyInOf(statement);
      try {
        if (copyIn) return await staged(statement, copyIn);
        staging.observe(statement.sql);
        return await query(statement);
      } catch (error) {
        staging.uncertain();
        throw error;
      }
    },
    begin: async () => {
      await run('BEGIN');
      staging.begun();
    },
    commit: async () => {
      try {
        await run('COMMIT');
      } catch (error) {
        // A COMMIT the server refuses (a deferred constraint) rolls the transaction back, CREATEs included.
        staging.rolledBack();
        throw error;
      }
      staging.committedTransaction();
    },
    rollback: async () => {
      try {
        await run('ROLLBACK');
      } finally {
        staging.rolledBack();
      }
    },
    // Ending a client whose server already went away may reject; closing must not fail for it.
    close: () => client.end().catch(() => {}),
  };
}
