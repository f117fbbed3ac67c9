/**
 * Pure helpers behind the editor's Connections tab: where a pipeline file can name a connection profile
 * (`ferry.profile` in the kafka block and in each connector, `schema.registry.profile` at the top), and the edits that
 * put a profile or the running lab there. The engine resolves the names when the file is validated or run, so the
 * saved file holds no password.
 */

export const PROFILE_KEY = 'ferry.profile';
export const REGISTRY_PROFILE_KEY = 'schema.registry.profile';
export const LOCAL_REGISTRY = 'http://127.0.0.1:18081';

export type SlotKind = 'kafka' | 'schemaRegistry' | 'database';
export type DatabaseProduct = 'mysql' | 'postgres' | 'sqlserver';

/** One place of the file that takes a profile. */
export interface ProfileSlot {
  /** `kafka`, `registry`, `connector:<index>` or a replicator's `replicator:<index>:src|dest` cluster. */
  id: string;
  label: string;
  kind: SlotKind;
  /** Databases: the product the connector class talks to, when the class says (generic JDBC classes: from the URL). */
  product?: DatabaseProduct;
  /** The profile named there now. */
  current?: string;
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parse(text: string): JsonObject | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function configOf(entry: JsonObject): JsonObject {
  return isObject(entry.config) && !('connector.class' in entry) ? entry.config : entry;
}

/** The database a connector class talks to; undefined for a Replicator (no database) or a class it cannot tell. */
export function productOf(config: JsonObject): DatabaseProduct | 'none' | undefined {
  const cls = typeof config['connector.class'] === 'string' ? config['connector.class'] : '';
  if (/replicator/i.test(cls)) return 'none';
  if (/mysql|mariadb/i.test(cls)) return 'mysql';
  if (/postgres/i.test(cls)) return 'postgres';
  if (/sqlserver/i.test(cls)) return 'sqlserver';
  const url = typeof config['connection.url'] === 'string' ? config['connection.url'] : '';
  if (/^jdbc:(mysql|mariadb):/i.test(url)) return 'mysql';
  if (/^jdbc:postgresql:/i.test(url)) return 'postgres';
  if (/^jdbc:sqlserver:/i.test(url)) return 'sqlserver';
  return undefined;
}

/** Where the file can name a profile: the Kafka cluster, the registry, each connector with a database, each replicator's two clusters. */
export function profileSlots(text: string): ProfileSlot[] | undefined {
  const document = parse(text);
  if (!document) return undefined;
  const kafka = isObject(document.kafka) ? document.kafka : {};
  const slots: ProfileSlot[] = [
    { id: 'kafka', label: 'Kafka cluster', kind: 'kafka', ...(typeof kafka[PROFILE_KEY] === 'string' ? { current: kafka[PROFILE_KEY] } : {}) },
    { id: 'registry', label: 'Schema Registry', kind: 'schemaRegistry', ...(typeof document[REGISTRY_PROFILE_KEY] === 'string' ? { current: document[REGISTRY_PROFILE_KEY] } : {}) },
  ];
  const connectors = Array.isArray(document.connectors) ? document.connectors : [];
  connectors.forEach((entry, index) => {
    if (!isObject(entry)) return;
    const config = configOf(entry);
    const product = productOf(config);
    const name = typeof entry.name === 'string' ? entry.name : typeof config.name === 'string' ? config.name : `connector ${index + 1}`;
    if (product === 'none') {
      // A replicator has no database: its source and destination clusters take Kafka profiles.
      for (const [side, what] of [
        ['src', 'source cluster'],
        ['dest', 'destination cluster'],
      ] as const) {
        const key = `${side}.kafka.${PROFILE_KEY}`;
        slots.push({ id: `replicator:${index}:${side}`, label: `${name} (${what})`, kind: 'kafka', ...(typeof config[key] === 'string' ? { current: config[key] } : {}) });
      }
      return;
    }
    slots.push({ id: `connector:${index}`, label: name, kind: 'database', ...(product ? { product } : {}), ...(typeof config[PROFILE_KEY] === 'string' ? { current: config[PROFILE_KEY] } : {}) });
  });
  return slots;
}

/** Keys a profile stands for, removed when the profile is named (else each would be reported as overridden). */
const DATABASE_KEYS = [
  'connection.url',
  'connection.host',
  'connection.port',
  'connection.user',
  'connection.username',
  'connection.password',
  'db.name',
  'ssl.mode',
  'database.hostname',
  'database.port',
  'database.user',
  'database.password',
  'database.dbname',
  'database.ssl.mode',
];
const KAFKA_KEYS = ['bootstrap.servers', 'security.protocol', 'sasl.mechanism', 'sasl.username', 'sasl.password', 'sasl.jaas.config'];
const REGISTRY_KEYS = ['schema.registry.url', 'schema.registry.basic.auth.user.info', 'basic.auth.credentials.source'];

function withoutKeys(object: JsonObject, keys: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(object)) if (!keys.includes(key)) out[key] = value;
  return out;
}

/**
 * The text with `profile` named at `slotId` and the keys it stands for removed; `undefined` removes the reference
 * (the user then writes the keys). The file is re-serialised with two-space indentation. Undefined when the text is
 * not a JSON object.
 */
export function applyProfile(text: string, slotId: string, profile: string | undefined): string | undefined {
  const document = parse(text);
  if (!document) return undefined;
  let out: JsonObject = { ...document };
  if (slotId === 'kafka') {
    const kafka = isObject(document.kafka) ? document.kafka : {};
    out.kafka = profile === undefined ? withoutKeys(kafka, [PROFILE_KEY]) : { [PROFILE_KEY]: profile, ...withoutKeys(kafka, [...KAFKA_KEYS, PROFILE_KEY]) };
  } else if (slotId === 'registry') {
    // The profile sits where the URL was, so the file reads in the same order.
    out = {};
    for (const [key, value] of Object.entries(document)) {
      if (key === 'connectors' && profile !== undefined && !(REGISTRY_PROFILE_KEY in out)) out[REGISTRY_PROFILE_KEY] = profile;
      if (REGISTRY_KEYS.includes(key) && profile !== undefined) continue;
      if (key === REGISTRY_PROFILE_KEY) {
        if (profile !== undefined) out[key] = profile;
        continue;
      }
      out[key] = value;
    }
    if (profile !== undefined && !(REGISTRY_PROFILE_KEY in out)) out[REGISTRY_PROFILE_KEY] = profile;
  } else if (slotId.startsWith('replicator:')) {
    // `replicator:<index>:src|dest`: the profile replaces that side's `src.kafka.*` / `dest.kafka.*` cluster keys.
    const [, indexText, side] = slotId.split(':');
    const connectors = Array.isArray(document.connectors) ? [...document.connectors] : [];
    const entry = connectors[Number(indexText)];
    if (!isObject(entry) || (side !== 'src' && side !== 'dest')) return text;
    const config = configOf(entry);
    const prefix = `${side}.kafka.`;
    const key = `${prefix}${PROFILE_KEY}`;
    const cleared = withoutKeys(config, [...KAFKA_KEYS.map((name) => `${prefix}${name}`), key]);
    const next = profile === undefined ? withoutKeys(config, [key]) : { ...cleared, [key]: profile };
    connectors[Number(indexText)] = config !== entry ? { ...entry, config: next } : next;
    out.connectors = connectors;
  } else {
    const index = Number(slotId.replace(/^connector:/, ''));
    const connectors = Array.isArray(document.connectors) ? [...document.connectors] : [];
    const entry = connectors[index];
    if (!isObject(entry)) return text;
    const config = configOf(entry);
    const rest = config !== entry;
    const next = profile === undefined ? withoutKeys(config, [PROFILE_KEY]) : placeAfterClass(withoutKeys(config, [...DATABASE_KEYS, PROFILE_KEY]), profile);
    connectors[index] = rest ? { ...entry, config: next } : next;
    out.connectors = connectors;
  }
  return JSON.stringify(out, null, 2);
}

/** `ferry.profile` right after `connector.class`, where a reader looks for the connection. */
function placeAfterClass(config: JsonObject, profile: string): JsonObject {
  const out: JsonObject = {};
  let placed = false;
  for (const [key, value] of Object.entries(config)) {
    out[key] = value;
    if (key === 'connector.class') {
      out[PROFILE_KEY] = profile;
      placed = true;
    }
  }
  return placed ? out : { [PROFILE_KEY]: profile, ...out };
}

/** The lab service for a slot: Kafka "a" (a replicator's destination: "b"), the lab's MariaDB for MySQL/MariaDB connectors, its PostgreSQL for PostgreSQL. */
export function labServiceFor(slot: ProfileSlot): string | undefined {
  // A replicator copies from the lab's cluster a to its cluster b.
  if (slot.kind === 'kafka') return slot.id.endsWith(':dest') ? 'lab:kafka-b' : 'lab:kafka-a';
  if (slot.kind === 'database') return slot.product === 'mysql' ? 'lab:mariadb' : slot.product === 'postgres' ? 'lab:postgres' : undefined;
  return undefined;
}

/**
 * Points every slot the lab can serve at the running lab (Kafka "a", MariaDB, PostgreSQL) and, without a registry,
 * at Ferry's embedded one; returns the new text and the connectors the lab cannot serve (SQL Server, unknown class).
 */
export function fillFromLab(text: string): { text: string; skipped: string[] } | undefined {
  const slots = profileSlots(text);
  if (!slots) return undefined;
  let next = text;
  const skipped: string[] = [];
  for (const slot of slots) {
    if (slot.kind === 'schemaRegistry') continue;
    const service = labServiceFor(slot);
    if (!service) {
      skipped.push(slot.label);
      continue;
    }
    next = applyProfile(next, slot.id, service) ?? next;
  }
  const document = parse(next);
  if (document && document['schema.registry.url'] === undefined && document[REGISTRY_PROFILE_KEY] === undefined) {
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(document)) {
      if (key === 'connectors') out['schema.registry.url'] = LOCAL_REGISTRY;
      out[key] = value;
    }
    next = JSON.stringify(out, null, 2);
  }
  return { text: next, skipped };
}
