/**
 * Single message transforms (`transforms`, `transforms.<alias>.*`) and predicates. Ferry keeps every transform in
 * the resolved config and its runner applies the SUPPORTED_TRANSFORMS, with Connect's semantics, behind the
 * SUPPORTED_PREDICATES; anything else is reported as "not applied" instead of being silently ignored. These lists
 * must match src/engine/transforms/transformChain.ts (a unit test checks). HoistField and ExtractField may leave a
 * key or value nested or bare inside the chain; the chain must end flat (Flatten, or a bare value's one-field struct).
 */
import { emptyJsonObject, type JsonObject, type JsonValue } from './jsonText';
import { defineRule, type JsonPath, type ProblemList } from './problems';
import type { ResolvedPredicate, ResolvedTransform } from './types';

const CONNECT_TRANSFORMS = 'org.apache.kafka.connect.transforms.';

export const SUPPORTED_TRANSFORMS: readonly string[] = [
  'ValueToKey',
  'RegexRouter',
  ...['InsertField', 'ReplaceField', 'MaskField', 'Cast', 'TimestampConverter', 'Flatten', 'HoistField', 'ExtractField', 'HeaderFrom'].flatMap((name) => [`${name}$Key`, `${name}$Value`]),
  'TimestampRouter',
  'Filter',
  'InsertHeader',
  'DropHeaders',
].map((name) => `${CONNECT_TRANSFORMS}${name}`).concat(['io.debezium.transforms.ExtractNewRecordState']);

export const SUPPORTED_PREDICATES: readonly string[] = ['TopicNameMatches', 'HasHeaderKey', 'RecordIsTombstone'].map((name) => `${CONNECT_TRANSFORMS}predicates.${name}`);

export const TRANSFORM_RULES = {
  typeMissing: defineRule('transforms.type-missing', 'error', 'Every alias in `transforms` needs `transforms.<alias>.type`.'),
  notApplied: defineRule('transforms.not-applied', 'warning', 'Ferry keeps transforms it cannot run, but does not apply them.'),
  unlisted: defineRule('transforms.unlisted', 'warning', '`transforms.<alias>.*` keys for an alias not listed in `transforms` have no effect.'),
  predicateUnknown: defineRule('transforms.predicate-unknown', 'error', 'A transform\'s predicate must be listed in `predicates` with a type.'),
  optionInvalid: defineRule('transforms.option-invalid', 'error', 'ExtractNewRecordState\'s `add.fields` / `add.headers` entries must be `[source.|transaction.]field[:newName]`.'),
};

export function isTransformKey(key: string): boolean {
  return key.startsWith('transforms.') || key.startsWith('predicates.');
}

function asText(value: JsonValue): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(',');
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

export interface TransformInput {
  transforms: readonly string[];
  predicates: readonly string[];
  /** The `transforms.*` / `predicates.*` keys of the connector. */
  dynamic: JsonObject;
  path: JsonPath;
}

export interface TransformResult {
  transforms: ResolvedTransform[];
  predicates: ResolvedPredicate[];
  /** Keys that belong to no listed alias; kept with the connector's unknown keys. */
  unmatched: JsonObject;
}

/** Splits `transforms.<alias>.<prop>` on the longest listed alias (aliases may themselves contain dots). */
function group(prefix: string, aliases: readonly string[], dynamic: JsonObject, unmatched: JsonObject): Map<string, Map<string, JsonValue>> {
  const byAlias = new Map<string, Map<string, JsonValue>>(aliases.map((a) => [a, new Map()]));
  const sorted = [...aliases].sort((a, b) => b.length - a.length);
  for (const [key, value] of Object.entries(dynamic)) {
    if (!key.startsWith(prefix)) continue;
    const rest = key.slice(prefix.length);
    const alias = sorted.find((a) => rest.startsWith(`${a}.`));
    if (alias === undefined) unmatched[key] = value;
    else byAlias.get(alias)?.set(rest.slice(alias.length + 1), value);
  }
  return byAlias;
}

export function resolveTransforms(input: TransformInput, problems: ProblemList): TransformResult {
  const unmatched = emptyJsonObject();
  const transformProps = group('transforms.', input.transforms, input.dynamic, unmatched);
  const predicateProps = group('predicates.', input.predicates, input.dynamic, unmatched);
  for (const key of Object.keys(unmatched)) {
    const list = key.startsWith('transforms.') ? 'transforms' : 'predicates';
    problems.report(TRANSFORM_RULES.unlisted, [...input.path, key], `\`${key}\` configures an alias that is not listed in \`${list}\``, `Add the alias to "${list}", or remove the key.`);
  }

  const predicates: ResolvedPredicate[] = [];
  for (const [alias, props] of predicateProps) {
    const type = props.get('type');
    if (type === undefined || type === null) {
      problems.report(TRANSFORM_RULES.predicateUnknown, [...input.path, `predicates.${alias}.type`], `Predicate "${alias}" has no \`predicates.${alias}.type\``, 'Set the predicate class, e.g. org.apache.kafka.connect.transforms.predicates.RecordIsTombstone.');
      continue;
    }
    predicates.push({ alias, type: asText(type), config: configOf(props, ['type']) });
  }

  const transforms: ResolvedTransform[] = [];
  for (const [alias, props] of transformProps) {
    const typeValue = props.get('type');
    if (typeValue === undefined || typeValue === null) {
      problems.report(TRANSFORM_RULES.typeMissing, [...input.path, `transforms.${alias}.type`], `Transform "${alias}" is listed in \`transforms\` but has no \`transforms.${alias}.type\``, 'Set the transform class, e.g. org.apache.kafka.connect.transforms.ValueToKey, or remove the alias.');
      continue;
    }
    const type = asText(typeValue);
    const predicateValue = props.get('predicate');
    const predicate = predicateValue === undefined || predicateValue === null ? undefined : asText(predicateValue);
    if (predicate !== undefined && !predicates.some((p) => p.alias === predicate)) {
      problems.report(TRANSFORM_RULES.predicateUnknown, [...input.path, `transforms.${alias}.predicate`], `Transform "${alias}" refers to predicate "${predicate}", which is not listed in \`predicates\` with a type`, `Add "${predicate}" to "predicates" and set predicates.${predicate}.type.`);
    }
    const negateValue = props.get('negate');
    const predicateType = predicates.find((p) => p.alias === predicate)?.type;
    const predicateRuns = predicate === undefined || (predicateType !== undefined && SUPPORTED_PREDICATES.includes(predicateType));
    const supported = SUPPORTED_TRANSFORMS.includes(type) && predicateRuns;
    if (!supported) {
      problems.report(
        TRANSFORM_RULES.notApplied,
        [...input.path, `transforms.${alias}.type`],
        SUPPORTED_TRANSFORMS.includes(type)
          ? `Transform "${alias}" uses the predicate "${predicate ?? ''}" (${predicateType ?? 'no type'}), which Ferry does not evaluate, so the transform is kept but not applied`
          : `Transform "${alias}" (${type}) is kept in the config but Ferry does not apply it`,
        `Ferry applies ${SUPPORTED_TRANSFORMS.map((t) => t.replace('org.apache.kafka.connect.transforms.', '')).join(', ')}. Records pass through this step unchanged.`,
      );
    }
    if (type === 'io.debezium.transforms.ExtractNewRecordState') {
      // add.fields / add.headers: each entry `op`, `ts_ms`, a source field (`table`, `lsn`), `source.x`, `transaction.x`,
      // optionally `:newName` (Debezium's FieldReference); Ferry applies them where it unwraps.
      for (const option of ['add.fields', 'add.headers']) {
        const given = props.get(option);
        if (given === undefined || given === null) continue;
        for (const entry of asText(given).split(',').map((part) => part.trim()).filter((part) => part !== '')) {
          if (/^([A-Za-z_][\w]*\.)?[A-Za-z_][\w]*(:[A-Za-z_][\w]*)?$/.test(entry)) continue;
          problems.report(TRANSFORM_RULES.optionInvalid, [...input.path, `transforms.${alias}.${option}`], `\`transforms.${alias}.${option}\` entry "${entry}" is not an envelope field`, 'Write envelope fields as op, ts_ms, a source field (table, db, lsn, file, pos), source.ts_ms or transaction.id, each optionally followed by :newName, separated by commas.');
        }
      }
    }
    transforms.push({
      alias,
      type,
      supported,
      config: configOf(props, ['type', 'predicate', 'negate']),
      predicate,
      negate: negateValue !== undefined && negateValue !== null && asText(negateValue).toLowerCase() === 'true',
    });
  }
  return { transforms, predicates, unmatched };
}

function configOf(props: ReadonlyMap<string, JsonValue>, skip: readonly string[]): Record<string, string> {
  const config: Record<string, string> = {};
  for (const [key, value] of props) if (!skip.includes(key) && value !== null) config[key] = asText(value);
  return config;
}
