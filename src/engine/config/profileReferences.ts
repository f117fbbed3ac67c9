/**
 * Connection profiles named in a pipeline file instead of credentials. A connector config may say
 * `"ferry.profile": "<database profile>"`, the `kafka` block `"ferry.profile": "<Kafka profile>"` and the file
 * `"schema.registry.profile": "<registry profile>"`; `lab:mariadb`, `lab:postgres`, `lab:kafka-a` and
 * `lab:kafka-b` name the running lab's services. Before validation the reference is replaced, in memory only, by the
 * keys the connector's own class reads (a JDBC URL for self-managed JDBC classes, `connection.host`/`db.name` for
 * Confluent Cloud's, `database.*` for Debezium's), with the secret taken from where the app keeps it. The file on disk
 * therefore never holds a secret and runs as it is with `ferry run`, and Kafka Connect keys stay Connect's.
 */
import { findConnectorClass } from './connectors/index';
import { isJsonObject, type JsonObject, type JsonValue } from './jsonText';
import { defineRule, type JsonPath, type ProblemList } from './problems';

export const PROFILE_KEY = 'ferry.profile';
export const REGISTRY_PROFILE_KEY = 'schema.registry.profile';

export const PROFILE_RULES = {
  unknown: defineRule('profile.unknown', 'error', '`ferry.profile` / `schema.registry.profile` must name a saved connection profile or a lab service.'),
  wrongKind: defineRule('profile.wrong-kind', 'error', 'A connector names a database profile, the `kafka` block a Kafka profile, `schema.registry.profile` a registry profile.'),
  secretMissing: defineRule('profile.secret-not-stored', 'error', 'The named profile needs a password this process does not have.'),
  unsupported: defineRule('profile.unsupported', 'error', 'The profile cannot be expressed in this connector\'s keys.'),
  overridden: defineRule('profile.key-overridden', 'warning', 'A key the profile sets is also written in the connector; the profile\'s value is used.'),
  unresolved: defineRule('profile.unresolved', 'error', 'Profile references are resolved by `ferry run`, `ferry validate` and the app.'),
};

export interface ReferencedDatabase {
  kind: 'database';
  name: string;
  product: 'mysql' | 'postgres' | 'sqlserver';
  host: string;
  port: number;
  database: string;
  user: string;
  /** Undefined when the profile has a user but its password is not kept where this process can read it. */
  password: string | undefined;
  tls: 'disable' | 'require' | 'verify';
}

export interface ReferencedKafka {
  kind: 'kafka';
  name: string;
  bootstrapServers: string;
  securityProtocol: 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
  saslMechanism?: string;
  saslUsername?: string;
  saslPassword?: string;
  /** A private CA given as PEM text: pipeline files take CA files only, so such a profile is refused for now. */
  hasCaPem?: boolean;
}

export interface ReferencedRegistry {
  kind: 'schemaRegistry';
  name: string;
  url: string;
  basicAuthUser?: string;
  basicAuthPassword?: string;
}

export type ReferencedProfile = ReferencedDatabase | ReferencedKafka | ReferencedRegistry;

/** How a name is found: a profile, or why not (written for the user). */
export type ProfileLookupResult = { profile: ReferencedProfile } | { problem: string; hint: string };

/**
 * What the host knows: saved profiles with their secrets, and the running lab. Built before parsing (the lab's state
 * is read asynchronously), then consulted synchronously.
 */
export interface ProfileLookup {
  find(name: string): ProfileLookupResult;
  /** Where secrets of profiles are kept in this process, for the "password not stored" hint. */
  secretStorageHint: string;
  /** The whole hint for a profile whose secret is missing, when the host knows better than "type it again" (the CLI). */
  secretMissingHint?: (profileName: string) => string;
}

const KIND_LABEL = { database: 'database', kafka: 'Kafka', schemaRegistry: 'Schema Registry' } as const;

/**
 * A replicator's clusters and registries by profile: `src.kafka.ferry.profile` / `dest.kafka.ferry.profile` (Kafka
 * profiles, expanded into the `src.kafka.*` / `dest.kafka.*` keys) and `src.schema.registry.profile` /
 * `schema.registry.profile` (registry profiles, into `src.schema.registry.url` / `schema.registry.url` and their
 * basic-auth user info), as Replicator's own keys name the source and the destination.
 */
export const REPLICATOR_PROFILE_KEYS = {
  'src.kafka.ferry.profile': { kind: 'kafka', prefix: 'src.kafka.' },
  'dest.kafka.ferry.profile': { kind: 'kafka', prefix: 'dest.kafka.' },
  'src.schema.registry.profile': { kind: 'schemaRegistry', urlKey: 'src.schema.registry.url', userInfoKey: 'src.schema.registry.basic.auth.user.info' },
  'schema.registry.profile': { kind: 'schemaRegistry', urlKey: 'schema.registry.url', userInfoKey: 'schema.registry.client.basic.auth.user.info' },
} as const;

function namesReplicatorProfile(config: JsonObject): boolean {
  return Object.keys(REPLICATOR_PROFILE_KEYS).some((key) => key in config);
}

/** True when the document names a profile anywhere (so a host without a lookup can say so). */
export function namesProfiles(document: JsonValue): boolean {
  if (!isJsonObject(document)) return false;
  if (typeof document[REGISTRY_PROFILE_KEY] === 'string') return true;
  if (isJsonObject(document.kafka) && PROFILE_KEY in document.kafka) return true;
  const names = (config: JsonObject): boolean => PROFILE_KEY in config || namesReplicatorProfile(config);
  return Array.isArray(document.connectors) && document.connectors.some((entry) => isJsonObject(entry) && (names(entry) || (isJsonObject(entry.config) && names(entry.config))));
}

/** The keys a Kafka profile stands for, under `prefix` ('' for the pipeline's `kafka` block). */
function kafkaKeys(profile: ReferencedKafka, prefix: string, path: JsonPath, problems: ProblemList, secretMissing: (what: string) => void): JsonObject {
  if (profile.hasCaPem) {
    problems.report(PROFILE_RULES.unsupported, path, `Profile "${profile.name}" carries its CA certificate as text, which a pipeline file cannot take yet`, `Save the CA as a PEM file and write the cluster keys with "${prefix}ssl.ca.location" instead of the profile.`);
  }
  const keys: JsonObject = { [`${prefix}bootstrap.servers`]: profile.bootstrapServers, [`${prefix}security.protocol`]: profile.securityProtocol };
  if (profile.saslMechanism) keys[`${prefix}sasl.mechanism`] = profile.saslMechanism;
  if (profile.saslUsername) {
    keys[`${prefix}sasl.username`] = profile.saslUsername;
    if (profile.saslPassword === undefined) secretMissing('its SASL password / API secret');
    else keys[`${prefix}sasl.password`] = profile.saslPassword;
  }
  return keys;
}

/**
 * Returns a copy of the pipeline document with every profile reference replaced by the keys it stands for. Problems
 * (an unknown name, a password not stored, a profile of the wrong kind) are reported at the reference's key. Without
 * a lookup every reference is an error saying who resolves them.
 */
export function expandProfileReferences(document: JsonObject, lookup: ProfileLookup | undefined, problems: ProblemList): JsonObject {
  if (!namesProfiles(document)) return document;
  const out: JsonObject = { ...document };
  const resolve = (value: JsonValue | undefined, path: JsonPath, kind: ReferencedProfile['kind']): ReferencedProfile | undefined => {
    if (typeof value !== 'string' || value.trim() === '') {
      problems.report(PROFILE_RULES.unknown, path, `\`${String(path[path.length - 1])}\` must be the name of a ${KIND_LABEL[kind]} profile`, 'Pick one in the editor\'s "Use profile", or write the connection keys instead.');
      return undefined;
    }
    if (!lookup) {
      problems.report(PROFILE_RULES.unresolved, path, `Profile "${value}" cannot be resolved here`, 'Run or validate the file with `ferry run` / `ferry validate` or the app, which read the saved profiles.');
      return undefined;
    }
    const found = lookup.find(value.trim());
    if ('problem' in found) {
      problems.report(PROFILE_RULES.unknown, path, found.problem, found.hint);
      return undefined;
    }
    if (found.profile.kind !== kind) {
      problems.report(PROFILE_RULES.wrongKind, path, `"${found.profile.name}" is a ${KIND_LABEL[found.profile.kind]} profile; here a ${KIND_LABEL[kind]} profile is needed`, `Name a ${KIND_LABEL[kind]} profile.`);
      return undefined;
    }
    return found.profile;
  };
  const secretMissing = (profile: ReferencedProfile, path: JsonPath, what: string): void => {
    problems.report(
      PROFILE_RULES.secretMissing,
      path,
      `Profile "${profile.name}": password not stored (${what} is not kept where this process can read it)`,
      lookup?.secretMissingHint?.(profile.name) ?? `Open the profile in Connections and type the password again. ${lookup?.secretStorageHint ?? ''}`.trim(),
    );
  };

  /** A replicator's `src.kafka.ferry.profile` & co. (REPLICATOR_PROFILE_KEYS), expanded in place into `expanded`. */
  const expandReplicatorProfiles = (config: JsonObject, expanded: JsonObject, base: JsonPath): void => {
    const cls = typeof config['connector.class'] === 'string' ? findConnectorClass(config['connector.class']) : undefined;
    for (const [key, slot] of Object.entries(REPLICATOR_PROFILE_KEYS)) {
      if (!(key in config)) continue;
      const path = [...base, key];
      delete expanded[key];
      if (cls && cls.family.id !== 'replicator') {
        problems.report(PROFILE_RULES.unsupported, path, `\`${key}\` names a replicator's ${slot.kind === 'kafka' ? 'cluster' : 'registry'}, but this connector is a ${cls.name}`, slot.kind === 'kafka' ? 'Name the cluster with "ferry.profile" in the pipeline\'s "kafka" block.' : 'Name the registry with "schema.registry.profile" at the top of the pipeline file.');
        continue;
      }
      const profile = resolve(config[key], path, slot.kind);
      if (!profile) continue;
      if (profile.kind === 'kafka' && slot.kind === 'kafka') {
        overwrite(expanded, kafkaKeys(profile, slot.prefix, path, problems, (what) => secretMissing(profile, path, what)), base, profile.name, problems);
      } else if (profile.kind === 'schemaRegistry' && slot.kind === 'schemaRegistry') {
        const keys: JsonObject = { [slot.urlKey]: profile.url };
        if (profile.basicAuthUser) {
          if (profile.basicAuthPassword === undefined) secretMissing(profile, path, 'its basic-auth secret');
          else keys[slot.userInfoKey] = `${profile.basicAuthUser}:${profile.basicAuthPassword}`;
        }
        overwrite(expanded, keys, base, profile.name, problems);
      }
    }
  };

  // Schema Registry
  if (REGISTRY_PROFILE_KEY in document) {
    const path = [REGISTRY_PROFILE_KEY];
    const profile = resolve(document[REGISTRY_PROFILE_KEY], path, 'schemaRegistry');
    delete out[REGISTRY_PROFILE_KEY];
    if (profile?.kind === 'schemaRegistry') {
      if (document['schema.registry.url'] !== undefined) problems.report(PROFILE_RULES.overridden, ['schema.registry.url'], `\`schema.registry.url\` is also set by profile "${profile.name}"; the profile's URL is used`, 'Remove one of them.');
      out['schema.registry.url'] = profile.url;
      if (profile.basicAuthUser) {
        if (profile.basicAuthPassword === undefined) secretMissing(profile, path, 'its basic-auth secret');
        else {
          out['basic.auth.credentials.source'] = 'USER_INFO';
          out['schema.registry.basic.auth.user.info'] = `${profile.basicAuthUser}:${profile.basicAuthPassword}`;
        }
      }
    }
  }

  // Kafka cluster
  if (isJsonObject(document.kafka) && PROFILE_KEY in document.kafka) {
    const path = ['kafka', PROFILE_KEY];
    const block: JsonObject = { ...document.kafka };
    const profile = resolve(block[PROFILE_KEY], path, 'kafka');
    delete block[PROFILE_KEY];
    if (profile?.kind === 'kafka') {
      overwrite(block, kafkaKeys(profile, '', path, problems, (what) => secretMissing(profile, path, what)), ['kafka'], profile.name, problems);
    }
    out.kafka = block;
  }

  // Connectors
  if (Array.isArray(document.connectors)) {
    out.connectors = document.connectors.map((entry, index) => {
      if (!isJsonObject(entry)) return entry;
      const rest = isJsonObject(entry.config) && !('connector.class' in entry);
      const config = rest ? (entry.config as JsonObject) : entry;
      if (!(PROFILE_KEY in config) && !namesReplicatorProfile(config)) return entry;
      const base: JsonPath = rest ? ['connectors', index, 'config'] : ['connectors', index];
      const path = [...base, PROFILE_KEY];
      const expanded: JsonObject = { ...config };
      if (namesReplicatorProfile(config)) expandReplicatorProfiles(config, expanded, base);
      if (!(PROFILE_KEY in config)) return rest ? { ...entry, config: expanded } : expanded;
      delete expanded[PROFILE_KEY];
      const profile = resolve(config[PROFILE_KEY], path, 'database');
      if (profile?.kind === 'database') {
        if (profile.user !== '' && profile.password === undefined) secretMissing(profile, path, 'its password');
        const keys = databaseKeys(profile, config['connector.class'], path, problems);
        if (keys) overwrite(expanded, keys, base, profile.name, problems);
      }
      return rest ? { ...entry, config: expanded } : expanded;
    });
  }
  return out;
}

function overwrite(target: JsonObject, keys: JsonObject, base: JsonPath, profileName: string, problems: ProblemList): void {
  for (const [key, value] of Object.entries(keys)) {
    if (key in target && target[key] !== value) {
      problems.report(PROFILE_RULES.overridden, [...base, key], `\`${key}\` is also set by profile "${profileName}"; the profile's value is used`, `Remove \`${key}\` here, or the profile reference.`);
    }
    target[key] = value;
  }
}

const JDBC_SSL = {
  mysql: { disable: 'sslMode=DISABLED', require: 'sslMode=REQUIRED', verify: 'sslMode=VERIFY_IDENTITY' },
  postgres: { disable: 'sslmode=disable', require: 'sslmode=require', verify: 'sslmode=verify-full' },
} as const;

/** A JDBC URL for the profile, as the self-managed JDBC classes take it (see jdbcUrl.ts for what Ferry reads back). */
export function jdbcUrlOf(profile: Pick<ReferencedDatabase, 'product' | 'host' | 'port' | 'database' | 'tls'>): string {
  const host = profile.host.includes(':') ? `[${profile.host}]` : profile.host;
  switch (profile.product) {
    case 'mysql':
      return `jdbc:mysql://${host}:${profile.port}/${encodeURIComponent(profile.database)}?${JDBC_SSL.mysql[profile.tls]}`;
    case 'postgres':
      return `jdbc:postgresql://${host}:${profile.port}/${encodeURIComponent(profile.database)}?${JDBC_SSL.postgres[profile.tls]}`;
    case 'sqlserver':
      return `jdbc:sqlserver://${host}:${profile.port};databaseName=${profile.database};encrypt=${profile.tls === 'disable' ? 'false' : 'true'};trustServerCertificate=${profile.tls === 'verify' ? 'false' : 'true'}`;
  }
}

const PRODUCT_LABEL = { mysql: 'MySQL/MariaDB', postgres: 'PostgreSQL', sqlserver: 'SQL Server' } as const;

/** The keys of `connector.class` that say what the profile says; undefined (with a problem) when the class cannot take it. */
function databaseKeys(profile: ReferencedDatabase, classValue: JsonValue | undefined, path: JsonPath, problems: ProblemList): JsonObject | undefined {
  const cls = typeof classValue === 'string' ? findConnectorClass(classValue) : undefined;
  // Without a known class the class problem is reported by validation itself.
  if (!cls) return undefined;
  if (cls.dialect !== undefined && cls.dialect !== profile.product) {
    problems.report(PROFILE_RULES.wrongKind, path, `Profile "${profile.name}" is a ${PRODUCT_LABEL[profile.product]} database, but ${cls.name} connects to ${PRODUCT_LABEL[cls.dialect]}`, 'Name a profile of that database, or change `connector.class`.');
    return undefined;
  }
  const password = profile.password ?? '';
  switch (cls.family.id) {
    case 'replicator':
      problems.report(
        PROFILE_RULES.unsupported,
        path,
        'A Replicator copies between Kafka clusters; it has no database to take from a profile',
        'Name its clusters with "src.kafka.ferry.profile" and "dest.kafka.ferry.profile" (Kafka profiles or lab:kafka-a / lab:kafka-b), its registries with "src.schema.registry.profile" and "schema.registry.profile".',
      );
      return undefined;
    case 'log-source': {
      if (profile.product === 'sqlserver') {
        problems.report(PROFILE_RULES.unsupported, path, 'Log-based capture from SQL Server is not available', 'Use MicrosoftSqlServerSource (polling) with this profile.');
        return undefined;
      }
      const sslMode = profile.product === 'mysql' ? { disable: 'disabled', require: 'required', verify: 'verify_identity' }[profile.tls] : { disable: 'disable', require: 'require', verify: 'verify-full' }[profile.tls];
      const keys: JsonObject = { 'database.hostname': profile.host, 'database.port': String(profile.port), 'database.user': profile.user, 'database.password': password, 'database.ssl.mode': sslMode };
      if (profile.product === 'postgres') keys['database.dbname'] = profile.database;
      return keys;
    }
    default: {
      if (cls.flavor === 'managed') {
        return {
          'connection.host': profile.host,
          'connection.port': String(profile.port),
          'connection.user': profile.user,
          'connection.password': password,
          'db.name': profile.database,
          // Confluent Cloud has no "disable": prefer is plain TLS-less when the server offers none.
          'ssl.mode': { disable: 'prefer', require: 'require', verify: 'verify-full' }[profile.tls],
        };
      }
      const userKey = cls.family.id === 'debezium-jdbc-sink' ? 'connection.username' : 'connection.user';
      return { 'connection.url': jdbcUrlOf(profile), [userKey]: profile.user, 'connection.password': password };
    }
  }
}
