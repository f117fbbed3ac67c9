import type { DatabaseProfile, ProfileTestResult } from '../../shared/api/connections';
import { isPGliteVersion, openSqlSession, type SqlSession } from '../db';
import { isEngineError } from '../../shared/errors';
import { type ConnectionErrorCode, connectionError } from './errors';
import { describeConnectionFailure, formatDsn } from '../db/connectionFailure';
import { failureError, probeTcp, resolveHost } from './networkProbes';
import { sqlSettingsOf } from './resolve';
import { type StepOutcome, StepRecorder } from './stepRecorder';

interface DriverError {
  code?: unknown;
  errno?: unknown;
  number?: unknown;
  message?: unknown;
  originalError?: unknown;
}

function fields(error: unknown): { code: string; errno: number | undefined; message: string } {
  const like = (error ?? {}) as DriverError;
  const inner = (like.originalError ?? {}) as DriverError;
  const code = String(like.code ?? inner.code ?? '');
  const errno = typeof like.errno === 'number' ? like.errno : typeof like.number === 'number' ? like.number : typeof inner.number === 'number' ? inner.number : undefined;
  return { code, errno, message: String(like.message ?? error) };
}

const SINK_LOAD_LABEL = 'Bulk loading as a sink target (COPY)';

const PRODUCT_NAMES: Record<DatabaseProfile['product'], string> = { mysql: 'MySQL/MariaDB', postgres: 'PostgreSQL', sqlserver: 'SQL Server' };

/** Sorts a driver's login error (mysql2, pg, tedious) into TLS, authentication, missing database or privilege. */
export function classifyLoginError(profile: DatabaseProfile, error: unknown): Error {
  const { code, errno, message } = fields(error);
  const who = `${profile.user} at ${profile.host}:${profile.port}`;
  const fail = (kind: ConnectionErrorCode, text: string, hint: string): Error => connectionError(kind, text, { hint, cause: error });
  // The server went away between the TCP probe and the login: said as everywhere else.
  const unreachable = describeConnectionFailure(error, profile);
  if (unreachable && unreachable.kind !== 'closed') return failureError(unreachable, error);
  if (code === 'ER_ACCESS_DENIED_ERROR' || errno === 1045 || code === '28P01' || code === 'ELOGIN' || /password authentication failed|Login failed/i.test(message)) {
    return fail('CONNECTION_AUTH', `${PRODUCT_NAMES[profile.product]} refused the login of ${who}: wrong user or password (${code || errno}).`, 'Check the user name and password.');
  }
  if (code === 'ER_HOST_NOT_PRIVILEGED' || errno === 1130 || code === '28000') {
    return fail('CONNECTION_AUTH', `${PRODUCT_NAMES[profile.product]} does not let ${profile.user} log in from this machine: ${message}`, 'Allow this host for the user (MySQL: CREATE USER … @\'%\'; PostgreSQL: a pg_hba.conf entry).');
  }
  if (code === 'ER_BAD_DB_ERROR' || errno === 1049 || code === '3D000' || errno === 4060) {
    return fail('CONNECTION_NOT_FOUND', `Database "${profile.database}" does not exist on ${profile.host}:${profile.port} (or ${profile.user} may not see it).`, 'Check the database name.');
  }
  if (code === 'ER_DBACCESS_DENIED_ERROR' || errno === 1044 || code === '42501') {
    return fail('CONNECTION_PRIVILEGE', `${profile.user} may not use database "${profile.database}": ${message}`, `Grant access, e.g. MySQL: GRANT SELECT ON ${profile.database}.* TO '${profile.user}'@'%'; PostgreSQL: GRANT CONNECT ON DATABASE ${profile.database} TO ${profile.user}.`);
  }
  if (/ssl|tls|certificate|self.signed|HANDSHAKE_NO_SSL|EPROTO/i.test(`${code} ${message}`)) {
    return fail('CONNECTION_TLS', `TLS with ${profile.host}:${profile.port} failed: ${message}`, profile.tls === 'verify' ? 'Use TLS "require" for a self-signed test server, or install its CA.' : 'Turn TLS off for a server without TLS, or enable TLS on the server.');
  }
  if (/ETIMEDOUT|ETIMEOUT|timeout/i.test(`${code} ${message}`)) return fail('CONNECTION_TCP_TIMEOUT', `The login to ${profile.host}:${profile.port} timed out: ${message}`, 'Is this the database port? Another service may be listening there.');
  return fail('CONNECTION_PROTOCOL', `Login to ${PRODUCT_NAMES[profile.product]} at ${profile.host}:${profile.port} failed: ${message}`, `Is ${profile.port} a ${PRODUCT_NAMES[profile.product]} port?`);
}

async function query(session: SqlSession, sql: string): Promise<Record<string, unknown>[]> {
  return (await session.execute({ sql, params: [] })).rows;
}

function quoteTable(product: DatabaseProfile['product'], table: string): string {
  const parts = table.split('.');
  switch (product) {
    case 'mysql':
      return parts.map((part) => `\`${part}\``).join('.');
    case 'postgres':
      return parts.map((part) => `"${part}"`).join('.');
    case 'sqlserver':
      return parts.map((part) => `[${part}]`).join('.');
  }
}

async function tlsInUse(session: SqlSession, product: DatabaseProfile['product']): Promise<string | undefined> {
  switch (product) {
    case 'mysql': {
      const rows = await query(session, "SHOW SESSION STATUS LIKE 'Ssl_cipher'");
      const cipher = String(rows[0]?.Value ?? '');
      return cipher === '' ? undefined : cipher;
    }
    case 'postgres': {
      const rows = await query(session, 'SELECT ssl, version, cipher FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
      return rows[0]?.ssl === true ? `${String(rows[0].version)} ${String(rows[0].cipher)}` : undefined;
    }
    case 'sqlserver': {
      const rows = await query(session, 'SELECT encrypt_option FROM sys.dm_exec_connections WHERE session_id = @@SPID');
      return String(rows[0]?.encrypt_option ?? '').toUpperCase() === 'TRUE' ? 'encrypted' : undefined;
    }
  }
}

async function serverVersion(session: SqlSession, product: DatabaseProfile['product']): Promise<string> {
  const sql = product === 'sqlserver' ? 'SELECT @@VERSION AS v' : product === 'postgres' ? 'SELECT version() AS v' : 'SELECT CONCAT(@@version, \' \', @@version_comment) AS v';
  const rows = await query(session, sql);
  return String(rows[0]?.v ?? '?').split('\n')[0] ?? '?';
}

/** What log-based capture needs besides SELECT, per product; polling capture and sinks need none of it. */
async function capturePrivileges(session: SqlSession, profile: DatabaseProfile): Promise<StepOutcome> {
  switch (profile.product) {
    case 'mysql': {
      const grants = (await query(session, 'SHOW GRANTS')).map((row) => String(Object.values(row)[0] ?? '')).join('\n');
      const all = /GRANT ALL PRIVILEGES ON \*\.\*/i.test(grants);
      const missing: string[] = [];
      if (!all && !/REPLICATION CLIENT|BINLOG MONITOR|SUPER/i.test(grants)) missing.push('REPLICATION CLIENT');
      if (!all && !/REPLICATION SLAVE|REPLICATION REPLICA|SUPER/i.test(grants)) missing.push('REPLICATION SLAVE');
      const binlog = (await query(session, 'SELECT @@log_bin AS log_bin, @@binlog_format AS format'))[0] ?? {};
      const binlogText = String(binlog.log_bin) === '1' ? `binary log on (${String(binlog.format)})` : 'binary log OFF';
      if (missing.length > 0) {
        return {
          status: 'warning',
          code: 'CONNECTION_PRIVILEGE',
          detail: `Missing ${missing.join(' and ')}: reading the binlog (log-based capture) will fail; polling capture and sinks work. ${binlogText}.`,
          hint: `GRANT ${missing.join(', ')} ON *.* TO '${profile.user}'@'%';`,
        };
      }
      if (String(binlog.log_bin) !== '1' || String(binlog.format).toUpperCase() !== 'ROW') {
        return { status: 'warning', code: 'CONNECTION_PRIVILEGE', detail: `Replication privileges present, but ${binlogText}: log-based capture needs log_bin=ON and binlog_format=ROW.`, hint: 'Set log_bin and binlog_format=ROW in the server configuration.' };
      }
      return { detail: `REPLICATION CLIENT and REPLICATION SLAVE granted; ${binlogText}.` };
    }
    case 'postgres': {
      const role = (await query(session, 'SELECT rolsuper, rolreplication FROM pg_roles WHERE rolname = current_user'))[0] ?? {};
      const walLevel = String((await query(session, 'SHOW wal_level'))[0]?.wal_level ?? '?');
      if (role.rolsuper !== true && role.rolreplication !== true) {
        return {
          status: 'warning',
          code: 'CONNECTION_PRIVILEGE',
          detail: `Role ${profile.user} lacks REPLICATION: logical decoding (log-based capture) will fail; polling capture and sinks work. wal_level=${walLevel}.`,
          hint: `ALTER ROLE ${profile.user} REPLICATION;`,
        };
      }
      if (walLevel !== 'logical') {
        return { status: 'warning', code: 'CONNECTION_PRIVILEGE', detail: `REPLICATION granted, but wal_level=${walLevel}: logical decoding needs wal_level=logical.`, hint: 'Set wal_level = logical in postgresql.conf and restart.' };
      }
      return { detail: `${role.rolsuper === true ? 'Superuser' : 'REPLICATION'} granted; wal_level=logical.` };
    }
    case 'sqlserver': {
      const row = (await query(session, "SELECT IS_SRVROLEMEMBER('sysadmin') AS sa, (SELECT is_cdc_enabled FROM sys.databases WHERE name = DB_NAME()) AS cdc, HAS_PERMS_BY_NAME(DB_NAME(), 'DATABASE', 'VIEW DATABASE STATE') AS vds"))[0] ?? {};
      const cdc = row.cdc === true || row.cdc === 1;
      if (!cdc) {
        return { status: 'warning', code: 'CONNECTION_PRIVILEGE', detail: `CDC is not enabled on database ${profile.database}: log-based capture needs it; polling capture and sinks work.`, hint: 'EXEC sys.sp_cdc_enable_db; (needs sysadmin)' };
      }
      return { detail: `CDC enabled${row.sa === 1 ? '; sysadmin' : ''}.` };
    }
  }
}

/**
 * PostgreSQL as a sink target: batches of 1,000 rows and more load by COPY into a temporary table
 * (sinks/sql/dialects/postgresStaging.ts), which needs the TEMPORARY privilege and a server that takes COPY FROM STDIN.
 * Without them the sink still writes every row, with unnest, at a higher cost on the server: a warning, not a failure.
 */
async function sinkLoad(session: SqlSession, profile: DatabaseProfile): Promise<StepOutcome> {
  const row = (await query(session, "SELECT has_database_privilege(current_database(), 'TEMPORARY') AS temp, version() AS version"))[0] ?? {};
  if (isPGliteVersion(String(row.version))) {
    return { status: 'warning', code: 'CONNECTION_PRIVILEGE', detail: 'PGlite takes no COPY FROM STDIN over its socket: as a sink target it loads batches with unnest (slower on the server; every row still arrives).', hint: 'For bulk loads at full speed use a PostgreSQL server.' };
  }
  if (row.temp !== true) {
    return {
      status: 'warning',
      code: 'CONNECTION_PRIVILEGE',
      detail: `${profile.user} lacks TEMPORARY on database ${profile.database}: as a sink target it loads batches with unnest instead of COPY, which costs the server about a third more per row; every row still arrives.`,
      hint: `GRANT TEMPORARY ON DATABASE "${profile.database}" TO "${profile.user}";`,
    };
  }
  return { detail: 'TEMPORARY granted: as a sink target, batches of 1,000 rows and more load by COPY.' };
}

function tableCheckSql(product: DatabaseProfile['product'], table: string): string {
  const quoted = quoteTable(product, table);
  return product === 'sqlserver' ? `SELECT TOP 1 * FROM ${quoted}` : `SELECT * FROM ${quoted} LIMIT 1`;
}

function classifyTableError(profile: DatabaseProfile, table: string, error: unknown): Error {
  const { code, errno, message } = fields(error);
  if (code === 'ER_TABLEACCESS_DENIED_ERROR' || errno === 1142 || code === '42501' || errno === 229) {
    return connectionError('CONNECTION_PRIVILEGE', `${profile.user} may not read table ${table}: SELECT denied.`, {
      hint: profile.product === 'mysql' ? `GRANT SELECT ON ${profile.database}.${table} TO '${profile.user}'@'%';` : `GRANT SELECT ON ${table} TO ${profile.user};`,
      cause: error,
    });
  }
  if (code === 'ER_NO_SUCH_TABLE' || errno === 1146 || code === '42P01' || errno === 208) {
    return connectionError('CONNECTION_NOT_FOUND', `Table ${table} does not exist in ${profile.database} (or ${profile.user} cannot see it).`, { hint: 'Check the table name and schema.', cause: error });
  }
  return connectionError('CONNECTION_FAILED', `Reading table ${table} failed: ${message}`, { cause: error });
}

/** DNS → TCP → login (TLS when set) → TLS in use → server version → capture privileges → each table to check. */
export async function testDatabaseProfile(profile: DatabaseProfile, secret: string | undefined): Promise<ProfileTestResult> {
  const recorder = new StepRecorder(secret ? [secret] : []);
  const target = formatDsn({ scheme: profile.product, user: profile.user, host: profile.host, port: profile.port, database: profile.database });
  await recorder.run('dns', `Resolve ${profile.host}`, async () => {
    const addresses = await resolveHost(profile.host);
    return { outcome: { detail: addresses[0] === profile.host ? 'IP address: no lookup needed.' : `Resolves to ${addresses.join(', ')}.` }, value: addresses };
  });
  await recorder.run('tcp', `TCP connect to ${profile.host}:${profile.port}`, async () => {
    await probeTcp(profile.host, profile.port);
    return { outcome: { detail: 'Port open.' }, value: true };
  });
  const session = await recorder.run('auth', `Log in as ${profile.user}${profile.tls === 'disable' ? '' : ` over TLS (${profile.tls})`}`, async () => {
    try {
      const opened = await openSqlSession(sqlSettingsOf(profile, secret));
      return { outcome: { detail: `Logged in to database ${profile.database}.` }, value: opened };
    } catch (error) {
      const classified = classifyLoginError(profile, error);
      // Without a password the server's "wrong password" is really "none was given": this process does not hold it.
      if ((secret === undefined || secret === '') && profile.user !== '' && isEngineError(classified) && classified.code === 'CONNECTION_AUTH') {
        throw connectionError('CONNECTION_SECRET_MISSING', `Password not stored: the login of ${profile.user} at ${profile.host}:${profile.port} was tried without one, because this profile's password is not kept where this Ferry can read it.`, {
          hint: 'Type the password in the profile and save (tick "Keep secrets in a file readable only by me" to keep it across restarts of the web host).',
          cause: error,
        });
      }
      throw classified;
    }
  });
  if (!session) {
    // The steps that need a session are listed as not tried, as the Kafka test does.
    for (const [step, label] of [['server', 'Server version'], ['privileges', 'Privileges for log-based capture']] as const) {
      await recorder.run(step, label, async () => ({ outcome: { detail: '' }, value: undefined }));
    }
    if (profile.product === 'postgres') await recorder.run('sinkLoad', SINK_LOAD_LABEL, async () => ({ outcome: { detail: '' }, value: undefined }));
    return recorder.result(profile.name, target);
  }
  try {
    if (profile.tls !== 'disable') {
      await recorder.run('tls', 'Connection encrypted', async () => {
        const cipher = await tlsInUse(session, profile.product);
        if (!cipher) throw connectionError('CONNECTION_TLS', 'The session is not encrypted although TLS was asked for.', { hint: 'Enable TLS on the server.' });
        return { outcome: { detail: `Encrypted (${cipher}).` }, value: true };
      });
    }
    await recorder.run('server', 'Server version', async () => ({ outcome: { detail: await serverVersion(session, profile.product) }, value: true }));
    await recorder.run('privileges', 'Privileges for log-based capture', async () => ({ outcome: await capturePrivileges(session, profile), value: true }));
    if (profile.product === 'postgres') await recorder.run('sinkLoad', SINK_LOAD_LABEL, async () => ({ outcome: await sinkLoad(session, profile), value: true }));
    for (const table of profile.checkTables ?? []) {
      await recorder.run('table', `SELECT on ${table}`, async () => {
        try {
          await query(session, tableCheckSql(profile.product, table));
        } catch (error) {
          throw classifyTableError(profile, table, error);
        }
        return { outcome: { detail: 'Readable.' }, value: true };
      });
    }
  } finally {
    await session.close().catch(() => {});
  }
  return recorder.result(profile.name, target);
}
