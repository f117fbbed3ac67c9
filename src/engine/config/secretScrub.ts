/**
 * The safety net behind "secrets never appear in messages". Messages are written not to quote secret values,
 * but a value can end up in a message by other routes (a password pasted into a non-secret key, a URL with
 * credentials quoted in a warning), so every problem is scrubbed against every secret found in the document.
 */
import { emptyJsonObject, isJsonObject, type JsonObject, type JsonValue } from './jsonText';
import type { AnyKeyDef } from './keys';
import type { Problem } from './problems';
import { Secret, SECRET_MASK } from './secret';

/**
 * Key names that hold secrets even when Ferry does not know the key (e.g. `database.password`), misspelt ones included
 * (`connection.pasword`, `passwd`, `pwd`, any last word starting with `pass`): a key Ferry does not know is kept in the file, so guessing wrong the safe way
 * only costs a re-typed value. `*.key` holds a PEM private key (`ssl.keystore.key`); `kafka.api.key` is the key's id
 * (its secret is `kafka.api.secret`), and `key.converter` or `pk.fields` do not end in `.key`.
 */
export const SECRETISH =
  /((^|[._-])(pass\w*|pwd)|pas+w\w*|secret|token|credentials?|jaas|jaas\.config|user\.info|private\.key|(?<!api)\.key)$/i;
/** Shorter strings would mask ordinary words in messages; messages never quote values anyway. */
const MIN_LENGTH = 3;

export function secretKeyNames(defs: readonly AnyKeyDef[]): Set<string> {
  const names = new Set<string>();
  for (const def of defs) if (def.secret) for (const n of [def.name, ...def.aliases]) names.add(n);
  return names;
}

/** Every secret value in a document: values of secret keys, and credentials embedded in URLs and JAAS lines. */
export function collectSecrets(document: JsonValue, secretKeys: ReadonlySet<string>): string[] {
  const found: string[] = [];
  const visit = (value: JsonValue, key: string | undefined): void => {
    if (typeof value === 'string') {
      if (key !== undefined && (secretKeys.has(key) || SECRETISH.test(key))) found.push(value);
      for (const match of value.matchAll(/[?&;]password=\{?([^&;}]+)/gi)) if (match[1]) found.push(match[1], safeDecode(match[1]));
      for (const match of value.matchAll(/\/\/[^/@\s:]*:([^@/\s]+)@/g)) if (match[1]) found.push(match[1], safeDecode(match[1]));
      for (const match of value.matchAll(/password\s*=\s*"((?:[^"\\]|\\.)*)"/g)) if (match[1]) found.push(match[1]);
      return;
    }
    if (typeof value === 'number' && key !== undefined && secretKeys.has(key)) found.push(String(value));
    if (Array.isArray(value)) for (const item of value) visit(item, key);
    else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) visit(v, k);
  };
  visit(document, undefined);
  return found;
}

export function scrubProblems(problems: readonly Problem[], secrets: readonly string[]): Problem[] {
  const list = [...new Set(secrets)].filter((s) => s.length >= MIN_LENGTH).sort((a, b) => b.length - a.length);
  if (list.length === 0) return [...problems];
  const scrub = (text: string): string => list.reduce((acc, secret) => acc.split(secret).join(SECRET_MASK), text);
  return problems.map((p) => ({ ...p, message: scrub(p.message), hint: scrub(p.hint), path: scrub(p.path) }));
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * A copy of a connector object with every value that is, or contains, a secret replaced by the mask, and the
 * replaced values wrapped as Secrets, so that `original` can be logged and the deploy path can restore it.
 */
export function maskSecrets(object: JsonObject, secretKeys: ReadonlySet<string>, secrets: ReadonlySet<string>): { masked: JsonObject; stash: Record<string, Secret> } {
  const masked = emptyJsonObject();
  const stash: Record<string, Secret> = {};
  const long = [...secrets].filter((s) => s.length >= MIN_LENGTH);
  for (const [key, value] of Object.entries(object)) {
    if (isJsonObject(value)) {
      // A Kafka Connect REST body nests the config one level down.
      const inner = maskSecrets(value, secretKeys, secrets);
      masked[key] = inner.masked;
      Object.assign(stash, inner.stash);
      continue;
    }
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    if (value !== null && (secretKeys.has(key) || SECRETISH.test(key) || long.some((s) => text.includes(s)))) {
      masked[key] = SECRET_MASK;
      stash[key] = new Secret(text);
    } else masked[key] = value;
  }
  return { masked, stash };
}

/** Unknown keys are kept, but a value that is (or contains) a secret is masked like in `original`. */
export function maskUnknown(unknown: Record<string, JsonValue>, secrets: ReadonlySet<string>): Record<string, JsonValue> {
  const long = [...secrets].filter((s) => s.length >= MIN_LENGTH);
  const out: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(unknown)) {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    out[key] = value !== null && (SECRETISH.test(key) || long.some((s) => text.includes(s))) ? SECRET_MASK : value;
  }
  return out;
}
