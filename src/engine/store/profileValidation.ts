import type {
  ConnectionProfile,
  ConnectProfile,
  DatabaseProduct,
  DatabaseProfile,
  DatabaseTlsMode,
  KafkaProfile,
  KafkaSaslMechanism,
  KafkaSecurityProtocol,
  ProfileEnvironment,
  SchemaRegistryProfile,
} from '../../shared/api/connections';
import { storeError } from './errors';

/** One problem of a profile: the field it concerns and what to do, never the field's value (it may be a secret). */
export interface ProfileProblem {
  field: string;
  message: string;
}

const ENVIRONMENTS: readonly ProfileEnvironment[] = ['dev', 'test', 'prod'];
const PROTOCOLS: readonly KafkaSecurityProtocol[] = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'];
const MECHANISMS: readonly KafkaSaslMechanism[] = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'];
const PRODUCTS: readonly DatabaseProduct[] = ['mysql', 'postgres', 'sqlserver'];
const TLS_MODES: readonly DatabaseTlsMode[] = ['disable', 'require', 'verify'];
const HOST_PATTERN = /^[A-Za-z0-9._\-[\]:]+$/;
const TABLE_PATTERN = /^[A-Za-z0-9_$][A-Za-z0-9_$-]*(\.[A-Za-z0-9_$][A-Za-z0-9_$-]*){0,2}$/;

/** Default ports, so a form can prefill them. */
export const DEFAULT_DATABASE_PORTS: Record<DatabaseProduct, number> = { mysql: 3306, postgres: 5432, sqlserver: 1433 };

type Fields = Record<string, unknown>;

function text(fields: Fields, key: string): string | undefined {
  const value = fields[key];
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' ? value.trim() : undefined;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[]): value is T {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value);
}

/** Splits "a:9092, b:9092" into host:port entries and names each malformed one. */
export function parseBootstrapServers(value: string): { servers: string[]; problems: string[] } {
  const servers = value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
  const problems: string[] = [];
  for (const server of servers) {
    const match = /^(.+):(\d{1,5})$/.exec(server);
    const port = match ? Number(match[2]) : NaN;
    if (!match || !HOST_PATTERN.test(match[1] ?? '') || port < 1 || port > 65535) {
      problems.push(`"${server}" is not host:port (e.g. 127.0.0.1:19092 or pkc-xxxxx.westeurope.azure.confluent.cloud:9092)`);
    }
  }
  return { servers, problems };
}

function validateKafka(fields: Fields, problems: ProfileProblem[]): Omit<KafkaProfile, 'id' | 'name' | 'environment' | 'notes'> {
  const preset = fields.preset === 'confluentCloud' ? 'confluentCloud' : 'custom';
  const bootstrapServers = text(fields, 'bootstrapServers') ?? '';
  const parsed = parseBootstrapServers(bootstrapServers);
  if (parsed.servers.length === 0) {
    problems.push({ field: 'bootstrapServers', message: 'Bootstrap servers is empty: name at least one broker as host:port.' });
  }
  for (const problem of parsed.problems) problems.push({ field: 'bootstrapServers', message: `Bootstrap servers: ${problem}.` });

  let securityProtocol: KafkaSecurityProtocol = 'PLAINTEXT';
  let saslMechanism: KafkaSaslMechanism | undefined;
  if (preset === 'confluentCloud') {
    securityProtocol = 'SASL_SSL';
    saslMechanism = 'PLAIN';
  } else {
    if (fields.securityProtocol !== undefined && !oneOf(fields.securityProtocol, PROTOCOLS)) {
      problems.push({ field: 'securityProtocol', message: `Security protocol must be one of ${PROTOCOLS.join(', ')}.` });
    } else if (fields.securityProtocol !== undefined) securityProtocol = fields.securityProtocol as KafkaSecurityProtocol;
    if (securityProtocol.startsWith('SASL_')) {
      if (fields.saslMechanism === undefined || fields.saslMechanism === '') saslMechanism = 'PLAIN';
      else if (oneOf(fields.saslMechanism, MECHANISMS)) saslMechanism = fields.saslMechanism;
      else problems.push({ field: 'saslMechanism', message: `SASL mechanism must be one of ${MECHANISMS.join(', ')}.` });
    }
  }
  const saslUsername = text(fields, 'saslUsername');
  if (securityProtocol.startsWith('SASL_') && !saslUsername) {
    problems.push({
      field: 'saslUsername',
      message: preset === 'confluentCloud' ? 'API key is empty: paste the cluster API key (the secret goes in API secret).' : `${securityProtocol} needs a SASL user name.`,
    });
  }
  const sslCaPem = text(fields, 'sslCaPem');
  if (sslCaPem && !sslCaPem.includes('-----BEGIN CERTIFICATE-----')) {
    problems.push({ field: 'sslCaPem', message: 'CA certificate must be PEM text starting with -----BEGIN CERTIFICATE-----.' });
  }
  const schemaRegistryProfileId = text(fields, 'schemaRegistryProfileId');
  return {
    kind: 'kafka',
    preset,
    bootstrapServers: parsed.servers.join(','),
    securityProtocol,
    ...(saslMechanism ? { saslMechanism } : {}),
    ...(securityProtocol.startsWith('SASL_') && saslUsername ? { saslUsername } : {}),
    ...(sslCaPem && securityProtocol.endsWith('SSL') ? { sslCaPem } : {}),
    ...(schemaRegistryProfileId ? { schemaRegistryProfileId } : {}),
  };
}

function validateRegistry(fields: Fields, problems: ProfileProblem[]): Omit<SchemaRegistryProfile, 'id' | 'name' | 'environment' | 'notes'> {
  const url = (text(fields, 'url') ?? '').replace(/\/+$/, '');
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    problems.push({ field: 'url', message: 'URL is not a URL: use e.g. http://127.0.0.1:18081 or https://psrc-xxxxx.westeurope.azure.confluent.cloud.' });
  }
  if (parsed && parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    problems.push({ field: 'url', message: 'URL must start with http:// or https://.' });
  }
  if (parsed && (parsed.username !== '' || parsed.password !== '')) {
    // Credentials in the URL would be written to the profile file in clear: they belong in the secret.
    problems.push({ field: 'url', message: 'URL must not carry user:password@: put the user in Basic auth user and the password or API secret in the secret field.' });
  }
  const basicAuthUser = text(fields, 'basicAuthUser');
  if (basicAuthUser?.includes(':')) {
    problems.push({ field: 'basicAuthUser', message: 'Basic auth user must not contain ":": type the key here and the secret in the secret field.' });
  }
  return { kind: 'schemaRegistry', url, ...(basicAuthUser ? { basicAuthUser } : {}) };
}

function validateConnect(fields: Fields, problems: ProfileProblem[]): Omit<ConnectProfile, 'id' | 'name' | 'environment' | 'notes'> {
  const url = (text(fields, 'url') ?? '').replace(/\/+$/, '');
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    problems.push({ field: 'url', message: 'REST URL is not a URL: give any Connect worker\'s REST address, e.g. http://127.0.0.1:8083 (the lab\'s is http://127.0.0.1:18083).' });
  }
  if (parsed && parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    problems.push({ field: 'url', message: 'REST URL must start with http:// or https:// (Connect\'s REST API, not a Kafka bootstrap address).' });
  }
  if (parsed && (parsed.username !== '' || parsed.password !== '')) {
    // Credentials in the URL would be written to the profile file in clear: they belong in the secret.
    problems.push({ field: 'url', message: 'REST URL must not carry user:password@: put the user in Basic auth user and the password in the secret field.' });
  }
  const basicAuthUser = text(fields, 'basicAuthUser');
  if (basicAuthUser?.includes(':')) {
    problems.push({ field: 'basicAuthUser', message: 'Basic auth user must not contain ":": type the user here and the password in the secret field.' });
  }
  return { kind: 'connect', url, ...(basicAuthUser ? { basicAuthUser } : {}) };
}

function validateDatabase(fields: Fields, problems: ProfileProblem[]): Omit<DatabaseProfile, 'id' | 'name' | 'environment' | 'notes'> {
  const product = oneOf(fields.product, PRODUCTS) ? fields.product : undefined;
  if (!product) problems.push({ field: 'product', message: 'Database must be one of mysql (MySQL/MariaDB), postgres or sqlserver.' });
  const host = text(fields, 'host') ?? '';
  if (!host) problems.push({ field: 'host', message: 'Host is empty: type the server name or IP address.' });
  else if (!HOST_PATTERN.test(host)) problems.push({ field: 'host', message: 'Host must be a name or IP address without spaces, scheme or path.' });
  const portText = text(fields, 'port');
  const port = portText === undefined || portText === '' ? (product ? DEFAULT_DATABASE_PORTS[product] : 0) : Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) problems.push({ field: 'port', message: 'Port must be a whole number from 1 to 65535.' });
  const database = text(fields, 'database') ?? '';
  if (!database) problems.push({ field: 'database', message: 'Database is empty: name the database (schema) to connect to.' });
  const user = text(fields, 'user') ?? '';
  if (!user) problems.push({ field: 'user', message: 'User is empty.' });
  let tls: DatabaseTlsMode = 'disable';
  if (fields.tls !== undefined) {
    if (oneOf(fields.tls, TLS_MODES)) tls = fields.tls;
    else problems.push({ field: 'tls', message: 'TLS must be disable, require (encrypt, accept any certificate) or verify (encrypt and check the certificate).' });
  }
  const checkTables: string[] = [];
  const rawTables = fields.checkTables;
  const tableList = Array.isArray(rawTables) ? rawTables : typeof rawTables === 'string' ? rawTables.split(',') : [];
  for (const entry of tableList) {
    const table = String(entry).trim();
    if (table === '') continue;
    if (TABLE_PATTERN.test(table)) checkTables.push(table);
    else problems.push({ field: 'checkTables', message: `Tables to check: "${table}" is not a table name (use table or schema.table).` });
  }
  return {
    kind: 'database',
    product: product ?? 'mysql',
    host,
    port,
    database,
    user,
    tls,
    ...(checkTables.length > 0 ? { checkTables } : {}),
  };
}

/**
 * Checks a profile coming from the UI or an import (untrusted JSON) and returns it normalised (trimmed, defaults
 * filled, fields of other kinds dropped), or throws PROFILE_INVALID with every problem in `detail`.
 */
export function validateProfile(input: unknown, id: string): ConnectionProfile {
  const problems: ProfileProblem[] = [];
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw storeError('PROFILE_INVALID', 'A connection profile must be an object with kind, name and the connection fields.');
  }
  const fields = input as Fields;
  const name = text(fields, 'name') ?? '';
  if (!name) problems.push({ field: 'name', message: 'Name is empty: give the profile a name you will recognise, e.g. "orders-db (staging)".' });
  else if (name.length > 100) problems.push({ field: 'name', message: 'Name is longer than 100 characters.' });
  const environment = fields.environment === undefined ? 'dev' : fields.environment;
  if (!oneOf(environment, ENVIRONMENTS)) problems.push({ field: 'environment', message: 'Environment must be dev, test or prod.' });
  const notes = text(fields, 'notes');
  if (notes && notes.length > 2000) problems.push({ field: 'notes', message: 'Notes are longer than 2000 characters.' });

  let specific: Omit<ConnectionProfile, 'id' | 'name' | 'environment' | 'notes'>;
  switch (fields.kind) {
    case 'kafka':
      specific = validateKafka(fields, problems);
      break;
    case 'schemaRegistry':
      specific = validateRegistry(fields, problems);
      break;
    case 'database':
      specific = validateDatabase(fields, problems);
      break;
    case 'connect':
      specific = validateConnect(fields, problems);
      break;
    default:
      throw storeError('PROFILE_INVALID', 'Profile kind must be kafka, schemaRegistry, database or connect.', {
        detail: [{ field: 'kind', message: 'Profile kind must be kafka, schemaRegistry, database or connect.' }],
      });
  }
  if (problems.length > 0) {
    throw storeError('PROFILE_INVALID', `The profile${name ? ` "${name}"` : ''} cannot be saved: ${problems.map((problem) => problem.message).join(' ')}`, {
      detail: problems,
    });
  }
  return { id, name, environment: environment as ProfileEnvironment, ...(notes ? { notes } : {}), ...specific } as ConnectionProfile;
}
