/**
 * Validates one flat JSON object (a connector config, the kafka block, the pipeline's top level) against a
 * list of key definitions. Unknown keys are kept and reported as warnings: a config may carry keys for a newer
 * connector version or for Kafka Connect itself, and dropping them would make Ferry's copy lossy.
 */
import { type JsonObject, emptyJsonObject } from './jsonText';
import { type AnyKeyDef, defaultFor, type Flavor, indexKeys, type KeyIssue, type KeyValues } from './keys';
import type { JsonPath, ProblemList } from './problems';
import { Secret } from './secret';

export interface KeyValidationOptions {
  /** Path of the object being validated. */
  path: JsonPath;
  /** Who the keys belong to, for messages: "MySqlSource", "the kafka block". */
  owner: string;
  /** Set for connector classes so keys of the other flavor get a portability warning. */
  flavor?: Flavor;
  /** Keys another module owns (e.g. `transforms.*`): collected in `dynamic` instead of `unknown`. */
  isDynamic?: (key: string) => boolean;
  /** Where the accepted keys are documented, for the unknown-key hint. */
  docs?: string;
}

export interface KeyValidation<V> {
  values: V;
  /** Canonical names the input set (with a non-null value), whatever alias was used. */
  given: ReadonlySet<string>;
  /** Path of a key as the user spelled it; the canonical spelling when the key is absent. */
  pathOf(name: string): JsonPath;
  unknown: JsonObject;
  dynamic: JsonObject;
}

const indexCache = new WeakMap<readonly AnyKeyDef[], ReadonlyMap<string, AnyKeyDef>>();

function indexFor(defs: readonly AnyKeyDef[]): ReadonlyMap<string, AnyKeyDef> {
  let index = indexCache.get(defs);
  if (!index) {
    index = indexKeys(defs);
    indexCache.set(defs, index);
  }
  return index;
}

export function validateKeys<const Defs extends readonly AnyKeyDef[]>(
  defs: Defs,
  raw: JsonObject,
  problems: ProblemList,
  options: KeyValidationOptions,
): KeyValidation<KeyValues<Defs>> {
  const index = indexFor(defs);
  const values: Record<string, unknown> = {};
  const spelled = new Map<string, string>();
  const unknown = emptyJsonObject();
  const dynamic = emptyJsonObject();
  const at = (key: string): JsonPath => [...options.path, key];
  const report = (key: string, rule: string, issue: KeyIssue): void => problems.add(issue.severity, at(key), rule, issue.message, issue.hint);

  for (const [key, value] of Object.entries(raw)) {
    const def = index.get(key);
    if (!def) {
      if (options.isDynamic?.(key)) {
        dynamic[key] = value;
        continue;
      }
      unknown[key] = value;
      report(key, 'key.unknown', unknownKeyIssue(key, index, options));
      continue;
    }
    if (value === null) continue; // Connect treats null as "use the default"
    const parsed = def.parse(value);
    const previous = spelled.get(def.name);
    if (previous !== undefined) {
      // Compared after parsing, so 5 and "5" agree; values are not quoted, either spelling may be a secret.
      const same = parsed.ok && sameValue(values[def.name], parsed.value);
      problems.add(
        same ? 'warning' : 'error',
        at(key),
        'key.alias-conflict',
        `\`${key}\` and \`${previous}\` are the same setting${same ? ', given twice' : ' with different values'}`,
        `Keep only one of them${def.aliases.length > 0 ? ` (\`${def.name}\` is the canonical name)` : ''}.`,
      );
      if (same) continue;
    }
    spelled.set(def.name, key);
    if (!parsed.ok) {
      problems.error(at(key), 'key.invalid', parsed.message, parsed.hint);
      continue;
    }
    values[def.name] = parsed.value;
    if (parsed.issue) report(key, 'key.case', parsed.issue);
    const checked = def.check?.(parsed.value);
    if (checked) report(key, 'key.invalid', checked);
    if (def.deprecated) problems.warning(at(key), 'key.deprecated', `\`${key}\` is deprecated: ${def.deprecated}`, def.deprecated);
    const flavorIssue = options.flavor ? flavorMismatch(def, key, options.flavor, options.owner) : undefined;
    if (flavorIssue) report(key, 'key.flavor', flavorIssue);
  }

  for (const def of defs) {
    if (!(def.name in values)) {
      const fallback = defaultFor(def, options.flavor);
      if (fallback !== undefined) values[def.name] = fallback;
    }
  }

  return {
    // The record was filled from `defs`, whose declarations define KeyValues<Defs>.
    values: values as KeyValues<Defs>,
    given: new Set(spelled.keys()),
    pathOf: (name) => at(spelled.get(name) ?? name),
    unknown,
    dynamic,
  };
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Secret && b instanceof Secret) return a.reveal() === b.reveal();
  return JSON.stringify(a) === JSON.stringify(b);
}

function flavorMismatch(def: AnyKeyDef, key: string, flavor: Flavor, owner: string): KeyIssue | undefined {
  if (flavor === 'self-managed' && def.managedOnly) {
    return {
      severity: 'warning',
      message: `\`${key}\` is a Confluent Cloud (managed connector) key; Kafka Connect's ${owner} ignores it, Ferry applies it`,
      hint: def.otherFlavorHint ?? 'Fine for Ferry; remove it if the config must also run on Kafka Connect.',
    };
  }
  if (flavor === 'managed' && def.selfManagedOnly) {
    return {
      severity: 'warning',
      message: `\`${key}\` is not a key of Confluent Cloud's ${owner}; Ferry applies it, Confluent Cloud would reject or ignore it`,
      hint: def.otherFlavorHint ?? 'Fine for Ferry; remove it if the config must also run in Confluent Cloud.',
    };
  }
  return undefined;
}

function unknownKeyIssue(key: string, index: ReadonlyMap<string, AnyKeyDef>, options: KeyValidationOptions): KeyIssue {
  const docs = options.docs ? ` The accepted keys are listed in ${options.docs}.` : '';
  if (key.trim() === '') {
    return {
      severity: 'warning',
      message: `An empty key name in ${options.owner} (a field blanked out when the config was copied?)`,
      hint: 'Fill in the key name or remove the pair.',
    };
  }
  const suggestion = closest(key, [...index.keys()]);
  return {
    severity: 'warning',
    message: `Unknown key \`${key}\` for ${options.owner}: kept in the config but not used by Ferry`,
    hint: suggestion ? `Did you mean \`${suggestion}\`?` : `Check the spelling, or remove the key if it belongs to another connector.${docs}`,
  };
}

/** The nearest known key by edit distance, when it is near enough to be a likely typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 5)) + 1;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
