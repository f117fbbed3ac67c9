/**
 * A secret that is not one: the mask Ferry writes in place of a password when it saves a file ("****"), a
 * template's `"<lab password: …>"`, or a Kafka Connect config-provider reference (`${file:…}`) that only a
 * Connect worker resolves. Each passes every type check and then fails at login, far from the key that caused
 * it, so validation reports it as an error on the key itself. Values are never quoted: the scrubber would mask
 * them anyway, and a message that says "****" is "****" explains nothing.
 */
import { isJsonObject, type JsonValue } from './jsonText';
import { defineRule, type JsonPath, type ProblemList } from './problems';
import { SECRETISH } from './secretScrub';

export const SECRET_PLACEHOLDER_RULE = defineRule('secret.placeholder', 'error', 'A password or secret must be the real value, not the saved-file mask "****" or a template placeholder "<…>".');

type PlaceholderKind = 'mask' | 'template' | 'config-provider';

/** Secret keys Ferry ignores (a stand-in there changes nothing, so it is no error). */
const IGNORED_SECRET_KEYS: ReadonlySet<string> = new Set(['confluent.license']);

/** What kind of stand-in `text` is, or undefined when it may be a real secret. */
export function placeholderKind(text: string): PlaceholderKind | undefined {
  const value = text.trim();
  if (/^\*{3,}$/.test(value)) return 'mask';
  if (/^<[^<>]*>$/.test(value)) return 'template';
  if (/^\$\{[^}]*\}$/.test(value)) return 'config-provider';
  return undefined;
}

/** The secret parts inside a non-secret-looking value: a JDBC URL's password, a JAAS line's, a user.info's. */
function embeddedSecrets(key: string, value: string, isSecretKey: boolean): { where: string; secret: string }[] {
  const found: { where: string; secret: string }[] = [];
  for (const match of value.matchAll(/[?&;]password=\{?([^&;}]+)/gi)) if (match[1]) found.push({ where: `the password inside \`${key}\``, secret: match[1] });
  for (const match of value.matchAll(/\/\/[^/@\s:]*:([^@/\s]+)@/g)) if (match[1]) found.push({ where: `the password inside \`${key}\``, secret: match[1] });
  for (const match of value.matchAll(/password\s*=\s*"((?:[^"\\]|\\.)*)"/g)) if (match[1] !== undefined) found.push({ where: `the password in \`${key}\``, secret: match[1] });
  // `<key>:<secret>` (basic.auth.user.info): only the part after the first colon is secret.
  if (isSecretKey && /user\.info$/i.test(key)) {
    const colon = value.indexOf(':');
    if (colon > 0) found.push({ where: `the secret in \`${key}\``, secret: value.slice(colon + 1) });
  }
  return found;
}

function describeKind(kind: PlaceholderKind, where: string): { message: string; hint: string } {
  switch (kind) {
    case 'mask':
      return {
        message: `${capitalise(where)} is "****", the mask Ferry writes in place of a secret when it saves a file, not the secret itself`,
        hint: 'Type the real value again (saved files never hold secrets in clear); for the lab, `ferry lab status --json` prints the passwords.',
      };
    case 'template':
      return {
        message: `${capitalise(where)} is still a template placeholder (<…>), not the secret itself`,
        hint: 'Replace the whole "<…>" with the real value; for the lab, `ferry lab status --json` prints the passwords.',
      };
    case 'config-provider':
      return {
        message: `${capitalise(where)} is a Kafka Connect config-provider reference (\${…}), which only a Connect worker resolves; Ferry would log in with the reference text`,
        hint: 'Write the value itself here (Ferry keeps it encrypted and never prints it).',
      };
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Reports every secret in `document` that is a placeholder. `secretKeys` are the keys Ferry declares as secrets;
 * keys it does not know are judged by name (`database.password`), like the scrubber does.
 */
export function reportSecretPlaceholders(document: JsonValue, secretKeys: ReadonlySet<string>, problems: ProblemList): void {
  const visit = (value: JsonValue, path: JsonPath): void => {
    if (Array.isArray(value)) {
      value.forEach((item, i) => visit(item, [...path, i]));
      return;
    }
    if (!isJsonObject(value)) return;
    for (const [key, inner] of Object.entries(value)) {
      const at = [...path, key];
      if (typeof inner !== 'string') {
        visit(inner, at);
        continue;
      }
      if (IGNORED_SECRET_KEYS.has(key)) continue;
      const isSecretKey = secretKeys.has(key) || SECRETISH.test(key);
      const wholeKind = isSecretKey ? placeholderKind(inner) : undefined;
      if (wholeKind) {
        const { message, hint } = describeKind(wholeKind, `\`${key}\``);
        problems.report(SECRET_PLACEHOLDER_RULE, at, message, hint);
        continue;
      }
      for (const { where, secret } of embeddedSecrets(key, inner, isSecretKey)) {
        const kind = placeholderKind(safeDecode(secret));
        if (!kind) continue;
        const { message, hint } = describeKind(kind, where);
        problems.report(SECRET_PLACEHOLDER_RULE, at, message, hint);
        break;
      }
    }
  };
  visit(document, []);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
