/**
 * The declarative key toolkit. A key is declared once (name, aliases, type, default, documentation, flags) and
 * that one declaration drives parsing and validation (this file), the JSON Schema for the editor
 * (jsonSchema.ts) and the reference pages (docs.ts). Value parsing follows Kafka Connect's ConfigDef, because
 * users paste configs that Connect accepted: booleans may be the strings "true"/"false", ints may be numeric
 * strings, lists may be a comma-separated string or (as the Confluent Cloud UI sends them) a JSON array.
 *
 * The TypeScript type of a validated config is derived from the declarations, so `values['batch.max.rows']`
 * is a `number` only because the key was declared with a default.
 */
import type { JsonValue } from './jsonText';
import type { Severity } from './problems';
import { Secret } from './secret';

export type KeyKind = 'string' | 'int' | 'boolean' | 'enum' | 'list' | 'password';

/** Confluent Cloud's fully managed connectors vs. the connector classes one installs into Kafka Connect. */
export type Flavor = 'managed' | 'self-managed';

export interface KeyIssue {
  severity: Severity;
  message: string;
  hint: string;
}

export type Parsed<T> = { ok: true; value: T; issue?: KeyIssue } | { ok: false; message: string; hint: string };

/**
 * How strict Kafka Connect is about an enum's letter case. Ferry accepts any case, but warns when Connect
 * would reject the spelling, so a config that works here keeps working when deployed to Connect.
 */
export type ConnectCase = 'any' | 'exact' | 'lower-or-upper';

export interface KeyDef<T = unknown, D extends boolean = boolean, N extends string = string> {
  readonly name: N;
  readonly kind: KeyKind;
  /** Other spellings accepted for the same key (e.g. Confluent Cloud's `batch.sizes` for `batch.size`). */
  readonly aliases: readonly string[];
  /** One or two sentences: what the key does and when to set it. Markdown allowed (backticks). */
  readonly doc: string;
  readonly group: string;
  /** Connector version that introduced the key, when users on older Connect versions need to know. */
  readonly since: string | undefined;
  readonly managedOnly: boolean;
  readonly selfManagedOnly: boolean;
  /** Why the key is deprecated and what to use instead. */
  readonly deprecated: string | undefined;
  readonly default: T | undefined;
  /** A different default for Confluent Cloud's managed classes (e.g. `errors.tolerance=all`). */
  readonly managedDefault: T | undefined;
  /** Phantom: whether `default` is set, so the value type can drop `undefined`. */
  readonly hasDefault: D;
  /** Words for the docs when the default needs explaining (e.g. "1000 (100 before 10.8)"). */
  readonly defaultDoc: string | undefined;
  readonly secret: boolean;
  readonly min: number | undefined;
  readonly max: number | undefined;
  /** Enum values, or the allowed items of a list. */
  readonly values: readonly string[] | undefined;
  readonly valueDocs: Readonly<Record<string, string>> | undefined;
  readonly example: string | number | boolean | readonly string[] | undefined;
  /** Hint for the warning when the key is used with the other flavor. */
  readonly otherFlavorHint: string | undefined;
  parse(raw: JsonValue): Parsed<T>;
  /** Extra per-key validation after parsing (never echo secrets). */
  check?(value: T): KeyIssue | undefined;
}

/** Any key definition, whatever its value type. */
export type AnyKeyDef = KeyDef<unknown, boolean, string>;

export type KeyValue<K> = K extends KeyDef<infer T, infer D, string> ? (D extends true ? T : T | undefined) : never;

/** The typed values of a list of key definitions, keyed by canonical name. */
export type KeyValues<Defs extends readonly AnyKeyDef[]> = { readonly [K in Defs[number] as K['name']]: KeyValue<K> };

interface BaseOptions<T> {
  aliases?: readonly string[];
  doc: string;
  group: string;
  since?: string;
  managedOnly?: boolean;
  selfManagedOnly?: boolean;
  deprecated?: string;
  defaultDoc?: string;
  managedDefault?: T;
  otherFlavorHint?: string;
  example?: string | number | boolean | readonly string[];
  check?: (value: T) => KeyIssue | undefined;
}

type HasDefault<O> = O extends { default: unknown } ? true : false;

function makeKey<T, O extends BaseOptions<T> & { default?: T }, N extends string>(
  name: N,
  kind: KeyKind,
  options: O,
  parse: (raw: JsonValue) => Parsed<T>,
  extra: { secret?: boolean; min?: number; max?: number; values?: readonly string[]; valueDocs?: Readonly<Record<string, string>> } = {},
): KeyDef<T, HasDefault<O>, N> {
  const def: KeyDef<T, boolean, N> = {
    name,
    kind,
    aliases: options.aliases ?? [],
    doc: options.doc,
    group: options.group,
    since: options.since,
    managedOnly: options.managedOnly ?? false,
    selfManagedOnly: options.selfManagedOnly ?? false,
    deprecated: options.deprecated,
    default: options.default,
    managedDefault: options.managedDefault,
    hasDefault: 'default' in options,
    defaultDoc: options.defaultDoc,
    secret: extra.secret ?? false,
    min: extra.min,
    max: extra.max,
    values: extra.values,
    valueDocs: extra.valueDocs,
    example: options.example,
    otherFlavorHint: options.otherFlavorHint,
    parse,
    ...(options.check ? { check: options.check } : {}),
  };
  // `hasDefault` is computed from the same options the type is computed from, so the cast only restates it.
  return def as KeyDef<T, HasDefault<O>, N>;
}

function describe(raw: JsonValue): string {
  if (raw === null) return 'null';
  if (Array.isArray(raw)) return 'an array';
  if (typeof raw === 'object') return 'an object';
  if (typeof raw === 'string') return `"${raw.length > 60 ? `${raw.slice(0, 57)}...` : raw}"`;
  return String(raw);
}

// ---------------------------------------------------------------------------------------------------------
// Builders

export type StringOptions = BaseOptions<string> & { default?: string };

export function stringKey<const N extends string, const O extends StringOptions>(name: N, options: O): KeyDef<string, HasDefault<O>, N> {
  return makeKey<string, O, N>(name, 'string', options, (raw) => {
    if (typeof raw === 'string') return { ok: true, value: raw };
    // Connect configs are string maps; a number or boolean pasted without quotes means the same thing.
    if (typeof raw === 'number' || typeof raw === 'boolean') return { ok: true, value: String(raw) };
    return { ok: false, message: `\`${name}\` must be a string, got ${describe(raw)}`, hint: 'Write the value as a JSON string in double quotes.' };
  });
}

/** No example or managed default: a secret's value must never appear in a schema or the docs. */
export type PasswordOptions = Omit<BaseOptions<Secret>, 'example' | 'managedDefault'>;

/** A secret. Its value is never echoed: not in messages, not in schemas, not in docs. */
export function passwordKey<const N extends string, const O extends PasswordOptions>(name: N, options: O): KeyDef<Secret, false, N> {
  return makeKey<Secret, O, N>(
    name,
    'password',
    options,
    (raw) => {
      if (typeof raw === 'string') return { ok: true, value: new Secret(raw) };
      if (typeof raw === 'number') return { ok: true, value: new Secret(String(raw)) };
      return { ok: false, message: `\`${name}\` must be a string (the secret itself is not shown)`, hint: 'Write the secret as a JSON string in double quotes.' };
    },
    { secret: true },
  ) as KeyDef<Secret, false, N>;
}

export type IntOptions = BaseOptions<number> & { default?: number; min?: number; max?: number };

/** An int or long. Accepts JSON numbers and numeric strings ("1000"), as Connect's parser does. */
export function intKey<const N extends string, const O extends IntOptions>(name: N, options: O): KeyDef<number, HasDefault<O>, N> {
  const { min, max } = options;
  const range =
    min !== undefined && max !== undefined ? `from ${min} to ${max}` : min !== undefined ? `at least ${min}` : max !== undefined ? `at most ${max}` : '';
  return makeKey<number, O, N>(
    name,
    'int',
    options,
    (raw) => {
      let value: number;
      if (typeof raw === 'number') value = raw;
      else if (typeof raw === 'string' && /^\s*[+-]?\d+\s*$/.test(raw)) value = Number(raw.trim());
      else return { ok: false, message: `\`${name}\` must be a whole number, got ${describe(raw)}`, hint: `Write a whole number${range ? ` ${range}` : ''}, e.g. ${options.default ?? min ?? 1}.` };
      if (!Number.isSafeInteger(value)) return { ok: false, message: `\`${name}\` must be a whole number, got ${describe(raw)}`, hint: 'Remove the fraction or exponent.' };
      if ((min !== undefined && value < min) || (max !== undefined && value > max)) {
        return { ok: false, message: `\`${name}\` must be ${range}, got ${value}`, hint: `Use a value ${range}${options.default !== undefined ? ` (default ${options.default})` : ''}.` };
      }
      return { ok: true, value };
    },
    { min, max },
  );
}

export type BooleanOptions = BaseOptions<boolean> & { default?: boolean };

/** JSON booleans, or the strings "true"/"false" in any case (Connect compares ignoring case). */
export function booleanKey<const N extends string, const O extends BooleanOptions>(name: N, options: O): KeyDef<boolean, HasDefault<O>, N> {
  return makeKey<boolean, O, N>(name, 'boolean', options, (raw) => {
    if (typeof raw === 'boolean') return { ok: true, value: raw };
    if (typeof raw === 'string') {
      const lower = raw.trim().toLowerCase();
      if (lower === 'true') return { ok: true, value: true };
      if (lower === 'false') return { ok: true, value: false };
    }
    return { ok: false, message: `\`${name}\` must be true or false, got ${describe(raw)}`, hint: 'Write true or false (quoted or not).' };
  });
}

export type EnumOptions<V extends string> = BaseOptions<V> & {
  default?: V;
  /** Other accepted spellings mapped to a value, e.g. a Java class name to its short name. */
  valueAliases?: Readonly<Record<string, V>>;
  valueDocs?: Readonly<Partial<Record<V, string>>>;
  connectCase?: ConnectCase;
};

/** One of a fixed set of values, matched ignoring case; the resolved value is the canonical spelling. */
export function enumKey<const N extends string, const V extends readonly string[], const O extends EnumOptions<V[number]>>(
  name: N,
  values: V,
  options: O,
): KeyDef<V[number], HasDefault<O>, N> {
  type Value = V[number];
  const byLower = new Map<string, Value>();
  for (const v of values) byLower.set(v.toLowerCase(), v);
  for (const [alias, v] of Object.entries(options.valueAliases ?? {})) byLower.set(alias.toLowerCase(), v as Value);
  const connectCase = options.connectCase ?? 'any';
  return makeKey<Value, O, N>(
    name,
    'enum',
    options,
    (raw) => {
      const text = typeof raw === 'string' ? raw.trim() : typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : undefined;
      const value = text === undefined ? undefined : byLower.get(text.toLowerCase());
      if (text === undefined || value === undefined) {
        return { ok: false, message: `\`${name}\` must be one of ${values.join(', ')}; got ${describe(raw)}`, hint: `Use one of: ${values.join(', ')}.` };
      }
      const issue = caseIssue(name, text, value, connectCase);
      return issue ? { ok: true, value, issue } : { ok: true, value };
    },
    { values, valueDocs: options.valueDocs as Readonly<Record<string, string>> | undefined },
  );
}

function caseIssue(name: string, text: string, value: string, rule: ConnectCase): KeyIssue | undefined {
  if (rule === 'any' || text === value) return undefined;
  if (rule === 'lower-or-upper' && (text === value.toLowerCase() || text === value.toUpperCase())) return undefined;
  const accepted = rule === 'exact' ? `"${value}"` : `"${value.toLowerCase()}" or "${value.toUpperCase()}"`;
  return {
    severity: 'warning',
    message: `\`${name}\` = "${text}" works in Ferry, but Kafka Connect accepts only ${accepted}`,
    hint: `Write ${accepted} so the config also deploys to Kafka Connect.`,
  };
}

export type ListOptions = BaseOptions<readonly string[]> & {
  default?: readonly string[];
  /** Allowed items (matched ignoring case, resolved to the canonical spelling). */
  items?: readonly string[];
};

/** A list: a comma-separated string (Connect's LIST type) or a JSON array (what the Confluent Cloud UI sends). */
export function listKey<const N extends string, const O extends ListOptions>(name: N, options: O): KeyDef<readonly string[], HasDefault<O>, N> {
  const allowed = options.items;
  const byLower = new Map((allowed ?? []).map((v) => [v.toLowerCase(), v] as const));
  return makeKey<readonly string[], O, N>(
    name,
    'list',
    options,
    (raw) => {
      let items: string[];
      if (typeof raw === 'string') items = raw.split(',');
      else if (typeof raw === 'number') items = [String(raw)];
      else if (Array.isArray(raw)) {
        items = [];
        for (const item of raw) {
          if (typeof item === 'string' || typeof item === 'number') items.push(String(item));
          else return { ok: false, message: `\`${name}\` must list strings, but an item is ${describe(item)}`, hint: 'Write ["a", "b"] or "a,b".' };
        }
      } else return { ok: false, message: `\`${name}\` must be a list, got ${describe(raw)}`, hint: 'Write a comma-separated string "a,b" or a JSON array ["a", "b"].' };
      const trimmed = items.map((s) => s.trim()).filter((s) => s.length > 0);
      if (!allowed) return { ok: true, value: trimmed };
      const out: string[] = [];
      for (const item of trimmed) {
        const canonical = byLower.get(item.toLowerCase());
        if (canonical === undefined) {
          return { ok: false, message: `\`${name}\` may contain only ${allowed.join(', ')}; got "${item}"`, hint: `Use items from: ${allowed.join(', ')}.` };
        }
        out.push(canonical);
      }
      return { ok: true, value: out };
    },
    { values: allowed },
  );
}

/** Turns declarations into a name → definition map and fails fast on a duplicated name or alias (a bug). */
export function indexKeys(defs: readonly AnyKeyDef[]): ReadonlyMap<string, AnyKeyDef> {
  const byName = new Map<string, AnyKeyDef>();
  for (const def of defs) {
    for (const spelling of [def.name, ...def.aliases]) {
      if (byName.has(spelling)) throw new Error(`Key "${spelling}" is declared twice`);
      byName.set(spelling, def);
    }
  }
  return byName;
}

/** The keys a class shows in its docs and schema: those of its flavor. */
export function keysForFlavor(defs: readonly AnyKeyDef[], flavor: Flavor): AnyKeyDef[] {
  return defs.filter((d) => (flavor === 'managed' ? !d.selfManagedOnly : !d.managedOnly));
}

export function defaultFor(def: AnyKeyDef, flavor: Flavor | undefined): unknown {
  return flavor === 'managed' && def.managedDefault !== undefined ? def.managedDefault : def.default;
}
