/**
 * The database a connector talks to, from either a self-managed `connection.url` or Confluent Cloud's
 * `connection.host`/`connection.port`/`db.name`. `connection.user`/`connection.password` override what the URL
 * carries, as in kafka-connect-jdbc.
 */
import { formatDsn } from '../db/connectionFailure';
import type { CONNECTION_KEYS } from './connectors/commonKeys';
import { DEFAULT_PORTS, parseJdbcUrl } from './jdbcUrl';
import type { Flavor, KeyValues } from './keys';
import { defineRule, type JsonPath, type ProblemList } from './problems';
import { Secret } from './secret';
import type { Dialect, ResolvedConnection, SslMode } from './types';

export const CONNECTION_RULES = {
  urlInvalid: defineRule('connection.url-invalid', 'error', '`connection.url` must be a MySQL/MariaDB, PostgreSQL or SQL Server JDBC URL.'),
  missing: defineRule('connection.missing', 'error', 'A connector needs a database: `connection.url` (self-managed) or `connection.host` (managed).'),
  dialectMismatch: defineRule('connection.dialect-mismatch', 'error', 'The database in `connection.url` / `dialect.name` must match the connector class.'),
  dialectUnknown: defineRule('connection.dialect-unknown', 'error', 'Without `connection.url`, a self-managed connector needs `dialect.name` to know the database.'),
  userMissing: defineRule('connection.user-missing', 'error', 'Managed connectors need `connection.user`.'),
  passwordMissing: defineRule('connection.password-missing', 'error', 'Managed connectors need `connection.password`.'),
  databaseMissing: defineRule('connection.database-missing', 'error', 'Managed connectors need `db.name`.'),
  databaseUnset: defineRule('connection.database-unset', 'warning', 'A `connection.url` without a database leaves tables to be qualified by hand.'),
  urlWins: defineRule('connection.url-and-host', 'warning', '`connection.url` and `connection.host`/`connection.port`/`db.name` are both set; the URL wins.'),
  backslash: defineRule('connection.password-backslash', 'warning', 'Confluent Cloud rejects a backslash in connector passwords.'),
  multipleHosts: defineRule('connection.multiple-hosts', 'warning', 'Ferry connects to the first host of a multi-host URL only.'),
};

const DIALECT_NAMES: Record<string, Dialect> = {
  MySqlDatabaseDialect: 'mysql',
  PostgreSqlDatabaseDialect: 'postgres',
  SqlServerDatabaseDialect: 'sqlserver',
};

export const DIALECT_LABEL: Record<Dialect, string> = { mysql: 'MySQL/MariaDB', postgres: 'PostgreSQL', sqlserver: 'SQL Server' };

export interface ConnectionInput {
  flavor: Flavor;
  className: string;
  /** Fixed by managed classes; self-managed classes learn it from the URL. */
  classDialect: Dialect | undefined;
  values: KeyValues<typeof CONNECTION_KEYS>;
  given: ReadonlySet<string>;
  pathOf(name: string): JsonPath;
  connectorPath: JsonPath;
}

export interface ConnectionResult {
  connection: ResolvedConnection | undefined;
  secrets: string[];
}

export function resolveConnection(input: ConnectionInput, problems: ProblemList): ConnectionResult {
  const { values, pathOf, flavor } = input;
  const secrets: string[] = [];
  const url = values['connection.url'];
  const byName = values['dialect.name'] === '' ? undefined : DIALECT_NAMES[values['dialect.name']];

  let dialect: Dialect | undefined;
  let host: string | undefined;
  let port: number | undefined;
  let database: string | undefined;
  let user: string | undefined;
  let password: string | undefined;
  let ssl: SslMode = values['ssl.mode'];
  let instanceName: string | undefined;
  let properties: Record<string, string> = {};

  if (url !== undefined && url.trim() !== '') {
    const parsed = parseJdbcUrl(url);
    if (!parsed.ok) {
      problems.report(CONNECTION_RULES.urlInvalid, pathOf('connection.url'), parsed.message, parsed.hint);
      return { connection: undefined, secrets };
    }
    const info = parsed.info;
    if (info.password !== undefined) secrets.push(info.password);
    ({ dialect, host, port, database, user, password, ssl, instanceName, properties } = info);
    if (info.extraHosts.length > 0) {
      problems.report(CONNECTION_RULES.multipleHosts, pathOf('connection.url'), `\`connection.url\` lists ${info.extraHosts.length + 1} hosts; Ferry connects to the first (${info.host}) only`, 'List one host, or put a load balancer or failover address in front of the servers.');
    }
    const hostKeys = (['connection.host', 'connection.port', 'db.name'] as const).filter((k) => input.given.has(k));
    if (hostKeys.length > 0) {
      problems.report(CONNECTION_RULES.urlWins, pathOf(hostKeys[0] ?? 'connection.host'), `${hostKeys.map((k) => `\`${k}\``).join(', ')} ${hostKeys.length === 1 ? 'is' : 'are'} ignored because \`connection.url\` is set`, 'Keep either the URL or the separate keys.');
    }
    if (byName !== undefined && byName !== dialect) {
      problems.report(CONNECTION_RULES.dialectMismatch, pathOf('dialect.name'), `\`dialect.name\` says ${DIALECT_LABEL[byName]} but \`connection.url\` points to ${DIALECT_LABEL[dialect]}`, 'Remove `dialect.name`; it is detected from the URL.');
    }
  } else if (values['connection.host'] !== undefined && values['connection.host'].trim() !== '') {
    dialect = input.classDialect ?? byName;
    host = values['connection.host'].trim();
    database = values['db.name'];
    if (dialect === undefined) {
      problems.report(CONNECTION_RULES.dialectUnknown, pathOf('connection.host'), `${input.className} cannot tell which database \`connection.host\` runs`, 'Set `connection.url` (e.g. jdbc:postgresql://host:5432/db) instead of connection.host/port/db.name.');
      return { connection: undefined, secrets };
    }
    port = values['connection.port'] ?? DEFAULT_PORTS[dialect];
  } else {
    const hint =
      flavor === 'managed'
        ? 'Set connection.host, connection.port, connection.user, connection.password and db.name.'
        : 'Set connection.url, e.g. "jdbc:mysql://host:3306/db", plus connection.user and connection.password.';
    problems.report(CONNECTION_RULES.missing, flavor === 'managed' ? pathOf('connection.host') : pathOf('connection.url'), `${input.className} has no database to connect to`, hint);
    return { connection: undefined, secrets };
  }

  if (input.classDialect !== undefined && dialect !== input.classDialect) {
    problems.report(CONNECTION_RULES.dialectMismatch, pathOf('connection.url'), `${input.className} is a ${DIALECT_LABEL[input.classDialect]} connector but \`connection.url\` points to ${DIALECT_LABEL[dialect]}`, 'Fix the URL, or use the connector class for that database.');
  }

  if (values['connection.user'] !== undefined) user = values['connection.user'];
  const passwordSecret = values['connection.password'] ?? (password === undefined ? undefined : new Secret(password));

  if (flavor === 'managed') {
    if (user === undefined || user === '') {
      problems.report(CONNECTION_RULES.userMissing, pathOf('connection.user'), `${input.className} needs \`connection.user\``, 'Set the database user the connector logs in as.');
    }
    if (passwordSecret === undefined || passwordSecret.isEmpty) {
      problems.report(CONNECTION_RULES.passwordMissing, pathOf('connection.password'), `${input.className} needs \`connection.password\``, 'Set the database password (Ferry stores it encrypted and never prints it).');
    } else if (passwordSecret.reveal().includes('\\')) {
      problems.report(CONNECTION_RULES.backslash, pathOf('connection.password'), 'The password contains a backslash, which Confluent Cloud\'s managed connectors do not accept (Ferry does)', 'Change the password if this config must also run in Confluent Cloud.');
    }
    if (database === undefined || database === '') {
      problems.report(CONNECTION_RULES.databaseMissing, pathOf('db.name'), `${input.className} needs \`db.name\``, 'Set the name of the database that holds the tables.');
    }
  } else if (database === undefined || database === '') {
    problems.report(CONNECTION_RULES.databaseUnset, pathOf('connection.url'), '`connection.url` names no database, so table names must be fully qualified', dialect === 'sqlserver' ? 'Add ;databaseName=<db> to the URL.' : 'Add /<database> after host:port in the URL.');
  }

  const scheme = { mysql: 'mysql', postgres: 'postgres', sqlserver: 'sqlserver' }[dialect];
  // The user is encoded: an Azure login `user@server` must not read as a second host part.
  const display = formatDsn({ scheme, user, host, port, instanceName, database });
  return {
    secrets,
    connection: {
      dialect,
      host,
      port,
      user: user === '' ? undefined : user,
      password: passwordSecret,
      database: database === '' ? undefined : database,
      ssl,
      instanceName,
      properties,
      attempts: values['connection.attempts'],
      backoffMs: values['connection.backoff.ms'],
      display,
    },
  };
}
