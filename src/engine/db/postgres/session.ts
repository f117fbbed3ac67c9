import { createHash } from 'node:crypto';
import { pg } from '../drivers';
import type { SqlStatement } from '../statement';
import { ConnectionLoss, type SqlSessionOptions } from '../connectionLoss';
import { type CopyIn, copyInOf, type SqlConnectionSettings, type SqlResult, type SqlSession, StagingUnavailableError } from '../session';
import { copyFrom, StagingTables } from './staging';
import { isPGliteVersion } from './pglite';

/**
 * SQLSTATEs that say the target cannot stage rows at all, rather than refusing this batch: no TEMPORARY privilege
 * (42501), a feature the server does not have (0A000: temporary tables or COPY on some PostgreSQL-compatible servers),
 * and a COPY sub-protocol the server does not speak (08P01).
 */
const STAGING_UNAVAILABLE_CODES = new Set(['42501', '0A000', '08P01']);

/** A staging step's failure as StagingUnavailableError when it says staging cannot work here; otherwise unchanged. */
function stagingRefused(error: unknown, step: 'create' | 'copy', settings: SqlConnectionSettings): unknown {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !STAGING_UNAVAILABLE_CODES.has(code)) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (step === 'create' && code === '42501') {
    return new StagingUnavailableError(
      `${message}. Without the TEMPORARY privilege on database "${settings.database}" batches load with unnest, which costs the server ` +
        `about a third more per row; for the faster path run GRANT TEMPORARY ON DATABASE "${settings.database}" TO "${settings.user}"`,
      { cause: error },
    );
  }
  return new StagingUnavailableError(`${step === 'create' ? 'CREATE TEMP TABLE' : 'COPY FROM STDIN'} failed (${code}: ${message}); batches load with unnest instead`, { cause: error });
}

/**
 * PGlite (PostgreSQL in WebAssembly, the demo's databases) answers COPY FROM STDIN on its socket with a FATAL protocol
 * error and then accepts no connection at all, so it is recognised by its version string and never sent a COPY.
 */
async function stagingUnavailableReason(client: pg.Client): Promise<string | undefined> {
  const result = await client.query<{ version: string }>('SELECT version() AS version');
  const version = result.rows[0]?.version ?? '';
  return isPGliteVersion(version) ? `the server is PGlite (${version.split(' on ')[0] ?? version}), which does not take COPY FROM STDIN over its socket; batches load with unnest` : undefined;
}

let nextSessionTag = Math.floor(Math.random() * 1e6);

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
  /**
   * Prepared statements are named per session as well as per text: PGlite serves every client from one backend, where
   * a name prepared by an earlier connection still exists, and pg (which only knows its own connection's names)
   * would prepare it again and be refused ("already exists").
   */
  const sessionTag = (nextSessionTag++).toString(36);
  /** Whether this server can stage at all, asked once per connection before its first COPY. */
  let stagingChecked = false;
  const run = async (text: string): Promise<void> => {
    loss.check();
    await client.query(text);
  };
  const query = async (statement: SqlStatement): Promise<SqlResult> => {
    // A reusable text is prepared once per connection under a name derived from it (pg parses and plans it once).
    const name = statement.reusable ? `ferry_${sessionTag}_${createHash('sha1').update(statement.sql).digest('hex').slice(0, 20)}` : undefined;
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
    if (!stagingChecked) {
      const reason = await stagingUnavailableReason(client);
      if (reason) throw new StagingUnavailableError(reason);
      stagingChecked = true;
    }
    const own = !staging.inTransaction;
    if (own) {
      await client.query('BEGIN');
      staging.begun();
    }
    try {
      if (!staging.exists(copyIn.table)) {
        await client.query(copyIn.create).catch((error: unknown) => {
          throw stagingRefused(error, 'create', settings);
        });
        staging.created(copyIn.table);
      } else if (staging.isFilled(copyIn.table)) {
        // Filled by an earlier statement of this transaction (another chunk, or the same table after a delete).
        await client.query(`DELETE FROM ${copyIn.table}`);
        staging.emptied(copyIn.table);
      }
      staging.filled(copyIn.table);
      await copyFrom(client, copyIn.copy, copyIn.data).catch((error: unknown) => {
        throw stagingRefused(error, 'copy', settings);
      });
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
