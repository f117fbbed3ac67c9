/**
 * Reads the JDBC URLs self-managed configs carry (`connection.url`) into host/port/database/credentials/TLS,
 * because Ferry talks to the databases with Node drivers, not JDBC. Supported shapes:
 *   jdbc:mysql://[user[:password]@]host[:port][,host…]/[db][?k=v&…]   (also jdbc:mysql:loadbalance:// etc.)
 *   jdbc:mariadb://host[:port]/[db][?k=v&…]
 *   jdbc:postgresql://host[:port][,host…]/db[?k=v&…], jdbc:postgresql:db
 *   jdbc:sqlserver://host[\instance][:port][;k=v;…]    (values may be wrapped in {…})
 *   jdbc:jtds:sqlserver://host[:port][/db][;k=v;…], jdbc:microsoft:sqlserver://host:port;DatabaseName=db
 * Messages never quote the URL: it may contain a password.
 */
import type { Dialect, SslMode } from './types';

export interface JdbcUrlInfo {
  dialect: Dialect;
  /** The JDBC subprotocol family, e.g. `mariadb` vs `mysql` (same dialect, different TLS defaults). */
  driver: 'mysql' | 'mariadb' | 'postgresql' | 'sqlserver' | 'jtds';
  host: string;
  port: number;
  database: string | undefined;
  user: string | undefined;
  /** In clear: the caller wraps it in a Secret and adds it to the scrub list. */
  password: string | undefined;
  ssl: SslMode;
  instanceName: string | undefined;
  /** Other driver properties, credentials removed, names as written. */
  properties: Record<string, string>;
  /** More than one host was listed; Ferry connects to the first. */
  extraHosts: string[];
}

export type JdbcUrlResult = { ok: true; info: JdbcUrlInfo } | { ok: false; message: string; hint: string };

export const DEFAULT_PORTS: Readonly<Record<Dialect, number>> = { mysql: 3306, postgres: 5432, sqlserver: 1433 };

const EXAMPLES =
  'jdbc:mysql://host:3306/db, jdbc:mariadb://host:3306/db, jdbc:postgresql://host:5432/db or jdbc:sqlserver://host:1433;databaseName=db';

function fail(message: string, hint = `Write it like ${EXAMPLES}.`): JdbcUrlResult {
  return { ok: false, message, hint };
}

export function parseJdbcUrl(url: string): JdbcUrlResult {
  const trimmed = url.trim();
  const lower = trimmed.toLowerCase();
  if (!lower.startsWith('jdbc:')) return fail('`connection.url` is not a JDBC URL (it must start with "jdbc:")');
  if (/^jdbc:mysql(\+srv)?:(\w+:)?\/\//.test(lower)) return parseUrlStyle(trimmed, 'mysql');
  if (/^jdbc:mariadb:(\w+:)?\/\//.test(lower)) return parseUrlStyle(trimmed, 'mariadb');
  if (lower.startsWith('jdbc:postgresql:')) return parseUrlStyle(trimmed, 'postgresql');
  if (lower.startsWith('jdbc:sqlserver:') || lower.startsWith('jdbc:microsoft:sqlserver:')) return parseSqlServer(trimmed);
  if (lower.startsWith('jdbc:jtds:sqlserver:')) return parseJtds(trimmed);
  const subprotocol = lower.slice(5).split(':')[0] ?? '';
  return fail(
    `Ferry does not support the JDBC subprotocol "${subprotocol}" in \`connection.url\``,
    `Ferry replicates MySQL/MariaDB, PostgreSQL and SQL Server; write it like ${EXAMPLES}.`,
  );
}

// ---------------------------------------------------------------------------------------------------------
// MySQL, MariaDB and PostgreSQL: URL syntax with percent-encoding and ?k=v&k=v parameters.

function parseUrlStyle(url: string, driver: 'mysql' | 'mariadb' | 'postgresql'): JdbcUrlResult {
  const dialect: Dialect = driver === 'postgresql' ? 'postgres' : 'mysql';
  const afterScheme = url.replace(/^jdbc:[a-z+]+:(?:\w+:)?/i, '');
  const [beforeQuery = '', query = ''] = splitOnce(afterScheme, '?');
  const params = parseQuery(query);
  if (!params.ok) return params.result;

  let hostPart: string;
  let path: string;
  if (beforeQuery.startsWith('//')) {
    const rest = beforeQuery.slice(2);
    const slash = rest.indexOf('/');
    hostPart = slash < 0 ? rest : rest.slice(0, slash);
    path = slash < 0 ? '' : rest.slice(slash + 1);
  } else if (driver === 'postgresql') {
    // jdbc:postgresql:db and jdbc:postgresql:/ mean localhost:5432.
    hostPart = '';
    path = beforeQuery.replace(/^\//, '');
  } else {
    return fail(`\`connection.url\` has no "//host" part`);
  }

  let user: string | undefined;
  let password: string | undefined;
  const at = hostPart.lastIndexOf('@');
  if (at >= 0) {
    if (driver === 'postgresql') {
      return fail('PostgreSQL JDBC URLs cannot carry user:password@ before the host', 'Use ?user=…&password=… in the URL, or `connection.user` and `connection.password`.');
    }
    const [u = '', p] = splitOnce(hostPart.slice(0, at), ':');
    user = decode(u);
    password = p === undefined || p === '' ? undefined : decode(p);
    hostPart = hostPart.slice(at + 1);
  }
  if (hostPart.includes('(')) return fail('The address=(host=…)(port=…) form of `connection.url` is not supported', 'Write the URL as jdbc:mysql://host:port/db.');

  const hosts = hostPart === '' ? [] : hostPart.split(',');
  const first = parseHostPort(hosts[0] ?? '', DEFAULT_PORTS[dialect]);
  if (!first.ok) return first.result;

  const properties: Record<string, string> = {};
  let database: string | undefined = path === '' ? undefined : decode(path);
  for (const [key, value] of params.entries) {
    const k = key.toLowerCase();
    if (k === 'user') user = value;
    else if (k === 'password') password = value;
    else if (driver === 'postgresql' && k === 'pgdbname') database = value;
    else properties[key] = value;
  }
  const ssl = driver === 'postgresql' ? postgresSsl(params.entries) : driver === 'mariadb' ? mariadbSsl(params.entries) : mysqlSsl(params.entries);
  if (!ssl.ok) return ssl.result;
  return {
    ok: true,
    info: {
      dialect,
      driver,
      host: first.host || 'localhost',
      port: first.port,
      database,
      user,
      password,
      ssl: ssl.mode,
      instanceName: undefined,
      properties,
      extraHosts: hosts.slice(1),
    },
  };
}

type Sub<T> = ({ ok: true } & T) | { ok: false; result: JdbcUrlResult };

function parseQuery(query: string): Sub<{ entries: [string, string][] }> {
  const entries: [string, string][] = [];
  for (const part of query.split('&')) {
    if (part === '') continue;
    const [key = '', value = ''] = splitOnce(part, '=');
    try {
      entries.push([decodeURIComponent(key), decodeURIComponent(value.replace(/\+/g, ' '))]);
    } catch {
      return { ok: false, result: fail('`connection.url` has a malformed %-escape in its parameters', 'Percent-encode special characters, e.g. %40 for @.') };
    }
  }
  return { ok: true, entries };
}

function parseHostPort(text: string, defaultPort: number): Sub<{ host: string; port: number }> {
  let host = text;
  let portText: string | undefined;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return { ok: false, result: fail('`connection.url` has an unclosed [IPv6] host') };
    host = text.slice(1, close);
    const rest = text.slice(close + 1);
    if (rest.startsWith(':')) portText = rest.slice(1);
  } else {
    const colon = text.lastIndexOf(':');
    if (colon >= 0) {
      host = text.slice(0, colon);
      portText = text.slice(colon + 1);
    }
  }
  if (portText === undefined || portText === '') return { ok: true, host, port: defaultPort };
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) {
    return { ok: false, result: fail(`\`connection.url\` has an invalid port "${portText}"`, 'Ports are whole numbers from 1 to 65535.') };
  }
  return { ok: true, host: decode(host), port };
}

function param(entries: readonly [string, string][], name: string): string | undefined {
  let found: string | undefined;
  for (const [k, v] of entries) if (k.toLowerCase() === name.toLowerCase()) found = v;
  return found;
}

function isTrue(value: string | undefined): boolean {
  return value !== undefined && ['true', 'yes', '1'].includes(value.toLowerCase());
}

function badSsl(name: string, value: string, allowed: string): Sub<{ mode: SslMode }> {
  return { ok: false, result: fail(`\`connection.url\` has ${name}=${value}, which is not a known value`, `Use one of ${allowed}.`) };
}

/** MySQL Connector/J: sslMode wins over the legacy useSSL/requireSSL/verifyServerCertificate trio. */
function mysqlSsl(entries: readonly [string, string][]): Sub<{ mode: SslMode }> {
  const sslMode = param(entries, 'sslMode');
  if (sslMode !== undefined) {
    const map: Record<string, SslMode> = { disabled: 'disable', preferred: 'prefer', required: 'require', verify_ca: 'verify-ca', verify_identity: 'verify-full' };
    const mode = map[sslMode.toLowerCase()];
    return mode ? { ok: true, mode } : badSsl('sslMode', sslMode, 'DISABLED, PREFERRED, REQUIRED, VERIFY_CA, VERIFY_IDENTITY');
  }
  const useSsl = param(entries, 'useSSL');
  if (useSsl !== undefined && !isTrue(useSsl)) return { ok: true, mode: 'disable' };
  if (isTrue(param(entries, 'verifyServerCertificate'))) return { ok: true, mode: 'verify-ca' };
  if (isTrue(param(entries, 'requireSSL'))) return { ok: true, mode: 'require' };
  return { ok: true, mode: 'prefer' }; // Connector/J 8's default is PREFERRED
}

/** MariaDB Connector/J 3: sslMode disable|trust|verify-ca|verify-full; older useSsl + trustServerCertificate. */
function mariadbSsl(entries: readonly [string, string][]): Sub<{ mode: SslMode }> {
  const sslMode = param(entries, 'sslMode');
  if (sslMode !== undefined) {
    const map: Record<string, SslMode> = { disable: 'disable', trust: 'require', 'verify-ca': 'verify-ca', 'verify-full': 'verify-full' };
    const mode = map[sslMode.toLowerCase()];
    return mode ? { ok: true, mode } : badSsl('sslMode', sslMode, 'disable, trust, verify-ca, verify-full');
  }
  if (!isTrue(param(entries, 'useSsl'))) return { ok: true, mode: 'disable' }; // MariaDB's driver default
  return { ok: true, mode: isTrue(param(entries, 'trustServerCertificate')) ? 'require' : 'verify-full' };
}

/** pgjdbc: sslmode, or ssl=true which (since 42.2.5) means verify-full. */
function postgresSsl(entries: readonly [string, string][]): Sub<{ mode: SslMode }> {
  const sslMode = param(entries, 'sslmode');
  if (sslMode !== undefined) {
    const map: Record<string, SslMode> = { disable: 'disable', allow: 'prefer', prefer: 'prefer', require: 'require', 'verify-ca': 'verify-ca', 'verify-full': 'verify-full' };
    const mode = map[sslMode.toLowerCase()];
    return mode ? { ok: true, mode } : badSsl('sslmode', sslMode, 'disable, allow, prefer, require, verify-ca, verify-full');
  }
  const ssl = param(entries, 'ssl');
  if (ssl !== undefined) return { ok: true, mode: isTrue(ssl) ? 'verify-full' : 'disable' };
  return { ok: true, mode: 'prefer' };
}

// ---------------------------------------------------------------------------------------------------------
// SQL Server: jdbc:sqlserver://host\instance:port;k=v;k={v;with;semicolons}

function splitSemicolonProperties(text: string): Sub<{ entries: [string, string][] }> {
  const entries: [string, string][] = [];
  let i = 0;
  while (i < text.length) {
    const eq = text.indexOf('=', i);
    const semi = text.indexOf(';', i);
    if (eq < 0 || (semi >= 0 && semi < eq)) {
      const bare = text.slice(i, semi < 0 ? text.length : semi).trim();
      if (bare !== '') return { ok: false, result: fail('`connection.url` has a property without "=" after the host', 'Write properties as ;name=value.') };
      i = semi < 0 ? text.length : semi + 1;
      continue;
    }
    const key = text.slice(i, eq).trim();
    let value: string;
    if (text[eq + 1] === '{') {
      // Braces protect ';' and '=' inside a value; '}}' is an escaped brace.
      let j = eq + 2;
      value = '';
      for (;;) {
        if (j >= text.length) return { ok: false, result: fail('`connection.url` has a {…} value without its closing brace') };
        if (text[j] === '}' && text[j + 1] === '}') {
          value += '}';
          j += 2;
        } else if (text[j] === '}') {
          j += 1;
          break;
        } else {
          value += text[j];
          j += 1;
        }
      }
      const next = text.indexOf(';', j);
      i = next < 0 ? text.length : next + 1;
    } else {
      const end = semi < 0 ? text.length : semi;
      value = text.slice(eq + 1, end);
      i = end + 1;
    }
    entries.push([key, value]);
  }
  return { ok: true, entries };
}

function sqlServerSsl(entries: readonly [string, string][], defaultEncrypt: string): SslMode {
  const encrypt = (param(entries, 'encrypt') ?? defaultEncrypt).toLowerCase();
  if (['false', 'no', 'optional'].includes(encrypt)) return 'prefer';
  return isTrue(param(entries, 'trustServerCertificate')) ? 'require' : 'verify-full';
}

function parseSqlServer(url: string): JdbcUrlResult {
  const body = url.replace(/^jdbc:(?:microsoft:)?sqlserver:/i, '');
  if (!body.startsWith('//')) return fail('`connection.url` has no "//host" part');
  const semi = body.indexOf(';');
  const server = body.slice(2, semi < 0 ? body.length : semi);
  const props = splitSemicolonProperties(semi < 0 ? '' : body.slice(semi + 1));
  if (!props.ok) return props.result;
  const entries = props.entries;
  let [hostPort = '', instance] = splitOnce(server, '\\');
  if (instance !== undefined) {
    // host\instance:port — the port belongs after the instance name.
    const [inst = '', port] = splitOnce(instance, ':');
    instance = inst;
    hostPort = port === undefined ? hostPort : `${hostPort}:${port}`;
  }
  const hp = parseHostPort(hostPort, DEFAULT_PORTS.sqlserver);
  if (!hp.ok) return hp.result;
  let host = hp.host;
  let port = hp.port;
  const properties: Record<string, string> = {};
  let database: string | undefined;
  let user: string | undefined;
  let password: string | undefined;
  for (const [key, value] of entries) {
    const k = key.toLowerCase();
    if (k === 'databasename' || k === 'database') database = value;
    else if (k === 'user' || k === 'username') user = value;
    else if (k === 'password') password = value;
    else if (k === 'servername') host = value;
    else if (k === 'instancename') instance = value;
    else if (k === 'portnumber' || k === 'port') {
      const n = Number(value);
      if (!/^\d+$/.test(value) || n < 1 || n > 65535) return fail(`\`connection.url\` has an invalid ${key} "${value}"`, 'Ports are whole numbers from 1 to 65535.');
      port = n;
    } else if (k !== 'encrypt' && k !== 'trustservercertificate') properties[key] = value;
  }
  // mssql-jdbc 10.2+ encrypts by default.
  const ssl = sqlServerSsl(entries, 'true');
  if (host === '') host = 'localhost';
  return { ok: true, info: { dialect: 'sqlserver', driver: 'sqlserver', host, port, database, user, password, ssl, instanceName: instance || undefined, properties, extraHosts: [] } };
}

function parseJtds(url: string): JdbcUrlResult {
  const body = url.replace(/^jdbc:jtds:sqlserver:/i, '');
  if (!body.startsWith('//')) return fail('`connection.url` has no "//host" part');
  const semi = body.indexOf(';');
  const [hostPort = '', path] = splitOnce(body.slice(2, semi < 0 ? body.length : semi), '/');
  const hp = parseHostPort(hostPort, DEFAULT_PORTS.sqlserver);
  if (!hp.ok) return hp.result;
  const props = splitSemicolonProperties(semi < 0 ? '' : body.slice(semi + 1));
  if (!props.ok) return props.result;
  const properties: Record<string, string> = {};
  let user: string | undefined;
  let password: string | undefined;
  let instance: string | undefined;
  let ssl: SslMode = 'disable';
  for (const [key, value] of props.entries) {
    const k = key.toLowerCase();
    if (k === 'user') user = value;
    else if (k === 'password') password = value;
    else if (k === 'instance') instance = value;
    else if (k === 'ssl') {
      const map: Record<string, SslMode> = { off: 'disable', request: 'prefer', require: 'require', authenticate: 'verify-full' };
      const mode = map[value.toLowerCase()];
      if (!mode) return fail(`\`connection.url\` has ssl=${value}, which jTDS does not know`, 'Use one of off, request, require, authenticate.');
      ssl = mode;
    } else properties[key] = value;
  }
  return {
    ok: true,
    info: { dialect: 'sqlserver', driver: 'jtds', host: hp.host || 'localhost', port: hp.port, database: path || undefined, user, password, ssl, instanceName: instance, properties, extraHosts: [] },
  };
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const i = text.indexOf(separator);
  return i < 0 ? [text, undefined] : [text.slice(0, i), text.slice(i + separator.length)];
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
