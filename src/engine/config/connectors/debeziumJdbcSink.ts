/**
 * Debezium's JDBC sink (`io.debezium.connector.jdbc.JdbcSinkConnector`): its own key names, and it reads Debezium
 * change events as they are (no ExtractNewRecordState needed). Ferry runs it on its JDBC sink: the keys are
 * validated under Debezium's names, then translated, and change events are unwrapped with deletes applied.
 */
import type { JsonObject } from '../jsonText';
import { booleanKey, enumKey, intKey, listKey, passwordKey, stringKey } from '../keys';
import { defineRule, type JsonPath, ProblemList } from '../problems';
import { validateKeys } from '../validateKeys';
import { CONVERTER_KEYS, ERROR_KEYS, IDENTITY_KEYS, TRANSFORM_KEYS } from './commonKeys';
import { type ConnectorEnv, type ConnectorFamily, type ConnectorOutcome, isDynamicConnectorKey } from './connectorCommon';
import { JDBC_SINK_FAMILY } from './jdbcSink';

const GROUP = { connection: 'Database connection', writes: 'Writes', topics: 'Topics' };

const OWN_KEYS = [
  stringKey('connection.url', { doc: 'JDBC URL of the target database, e.g. `jdbc:postgresql://host:5432/db`.', group: GROUP.connection, example: 'jdbc:postgresql://127.0.0.1:15432/ferry' }),
  stringKey('connection.username', { doc: 'Database user.', group: GROUP.connection }),
  passwordKey('connection.password', { doc: 'Database password. Stored and shown masked.', group: GROUP.connection }),
  listKey('topics', { doc: 'Topics to read.', group: GROUP.topics, default: [] }),
  stringKey('topics.regex', { doc: 'Regular expression of the topics to read, instead of `topics`.', group: GROUP.topics }),
  enumKey('insert.mode', ['insert', 'upsert', 'update'], { doc: 'How rows are written: plain INSERT, upsert by primary key, or UPDATE only.', group: GROUP.writes, default: 'insert' }),
  booleanKey('delete.enabled', { doc: 'Apply delete events and tombstones as DELETEs (needs `primary.key.mode=record_key`).', group: GROUP.writes, default: false }),
  booleanKey('truncate.enabled', { doc: 'Apply truncate events. Ferry\'s log sources do not write them, so nothing is truncated.', group: GROUP.writes, default: false }),
  enumKey('primary.key.mode', ['none', 'kafka', 'record_key', 'record_value'], { doc: 'Where the primary key comes from.', group: GROUP.writes, default: 'none' }),
  listKey('primary.key.fields', { doc: 'The key fields (for `record_value`, or a subset of the record key).', group: GROUP.writes, default: [] }),
  enumKey('schema.evolution', ['none', 'basic'], { doc: '`basic` creates missing tables and adds missing columns.', group: GROUP.writes, default: 'none' }),
  stringKey('table.name.format', { doc: 'Target table name; `${topic}` stands for the topic.', group: GROUP.writes, default: '${topic}' }),
  booleanKey('quote.identifiers', { doc: 'Quote table and column names (keeps their letter case).', group: GROUP.writes, default: false }),
  intKey('batch.size', { doc: 'Records written per transaction.', group: GROUP.writes, default: 500, min: 1 }),
] as const;

export const DEBEZIUM_JDBC_SINK_KEYS = [...IDENTITY_KEYS, ...OWN_KEYS, ...CONVERTER_KEYS, ...ERROR_KEYS, ...TRANSFORM_KEYS] as const;

export const DEBEZIUM_JDBC_SINK_RULES = {
  notHonoured: defineRule('debezium-sink.not-honoured', 'warning', 'A key of Debezium\'s JDBC sink that Ferry accepts but does not act on.'),
};

/** Debezium's key → the JDBC sink key Ferry's sink reads. */
const RENAMED: Readonly<Record<string, string>> = {
  'connection.username': 'connection.user',
  'primary.key.mode': 'pk.mode',
  'primary.key.fields': 'pk.fields',
};
const UNWRAP_ALIAS = 'debeziumEvents';

function translate(raw: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'schema.evolution' || key === 'quote.identifiers' || key === 'truncate.enabled' || key.startsWith('hibernate.')) continue;
    out[RENAMED[key] ?? key] = value;
  }
  if (String(raw['schema.evolution'] ?? 'none') === 'basic') {
    out['auto.create'] = 'true';
    out['auto.evolve'] = 'true';
  }
  out['quote.sql.identifiers'] = String(raw['quote.identifiers'] ?? 'false') === 'true' ? 'always' : 'never';
  // Debezium's sink reads change events itself: unwrap them first, deletes kept as deletes.
  const listed = raw.transforms;
  const aliases = typeof listed === 'string' ? listed.split(',').map((alias) => alias.trim()).filter(Boolean) : Array.isArray(listed) ? listed.map(String) : [];
  out.transforms = [UNWRAP_ALIAS, ...aliases].join(',');
  out[`transforms.${UNWRAP_ALIAS}.type`] = 'io.debezium.transforms.ExtractNewRecordState';
  out[`transforms.${UNWRAP_ALIAS}.delete.handling.mode`] = 'none';
  out[`transforms.${UNWRAP_ALIAS}.drop.tombstones`] = 'false';
  return out;
}

function resolveDebeziumSink(env: ConnectorEnv): ConnectorOutcome {
  const { problems, connectorClass: cls } = env;
  // Problems are reported under Debezium's key names, as the user wrote them.
  const v = validateKeys(DEBEZIUM_JDBC_SINK_KEYS, env.raw, problems, {
    path: env.path,
    owner: cls.name,
    flavor: cls.flavor,
    isDynamic: (key) => isDynamicConnectorKey(key) || key.startsWith('hibernate.') || key.startsWith('errors.deadletterqueue.'),
    docs: `docs/connectors/${cls.name}.md`,
  });
  if (v.values['truncate.enabled']) {
    problems.report(DEBEZIUM_JDBC_SINK_RULES.notHonoured, v.pathOf('truncate.enabled'), '`truncate.enabled`: Ferry\'s log sources write no truncate events, so nothing is truncated', 'Remove the key, or keep it for when the config runs on Kafka Connect.');
  }
  for (const key of Object.keys(env.raw).filter((k) => k.startsWith('hibernate.'))) {
    problems.report(DEBEZIUM_JDBC_SINK_RULES.notHonoured, [...env.path, key], `\`${key}\`: Ferry writes with its own SQL, not Hibernate`, 'Remove the key, or keep it for when the config runs on Kafka Connect.');
  }
  // Everything else is checked by the JDBC sink's own rules; only its findings about the translated keys are kept.
  const inner = new ProblemList();
  const outcome = JDBC_SINK_FAMILY.resolve({ ...env, raw: translate(env.raw), problems: inner });
  const reverse = new Map(Object.entries(RENAMED).map(([debezium, ferry]) => [ferry, debezium]));
  inner.items.forEach((item, index) => {
    if (item.rule?.startsWith('key.') || item.rule?.startsWith('transforms.')) return; // the keys as written were checked above
    const segments = (inner.segments[index] ?? []).map((segment): string | number => (typeof segment === 'string' ? (reverse.get(segment) ?? segment) : segment)) as JsonPath;
    problems.add(item.severity, segments, item.rule ?? 'sink', item.message, item.hint);
  });
  return outcome;
}

export const DEBEZIUM_JDBC_SINK_FAMILY: ConnectorFamily = {
  id: 'debezium-jdbc-sink',
  role: 'sink',
  title: 'Debezium JDBC sink',
  pageIntro:
    'Writes Debezium change events (and plain records) into a database, as Debezium\'s JDBC sink does: rows from `after`, deletes from delete events and tombstones when `delete.enabled`. Ferry runs it on its own JDBC sink, so the checks of the JDBC sink apply too.',
  ownRulesOnly: true,
  keys: DEBEZIUM_JDBC_SINK_KEYS,
  rules: Object.values(DEBEZIUM_JDBC_SINK_RULES),
  pitfalls: ['`delete.enabled` needs `primary.key.mode=record_key`: the key of a delete event is all that identifies the row.'],
  resolve: resolveDebeziumSink,
};

