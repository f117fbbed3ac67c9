/**
 * Kafka's topic-name rules (Topic.java): only ASCII letters, digits, '.', '_' and '-', at most 249 characters,
 * and not "." or "..". JDBC's `topic.prefix` validator enforces the same set, but nothing checks the table part
 * of a source topic, so a table called `order lines` only fails when the first record is produced.
 */
export const TOPIC_MAX_LENGTH = 249;
const LEGAL = /^[A-Za-z0-9._-]*$/;

export function illegalTopicCharacters(name: string): string[] {
  const bad = new Set<string>();
  for (const ch of name) if (!LEGAL.test(ch)) bad.add(ch);
  return [...bad];
}

/** Why `name` cannot be a topic, or undefined when it can. */
export function topicNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'it is empty';
  if (name === '.' || name === '..') return `"${name}" is reserved`;
  const bad = illegalTopicCharacters(name);
  if (bad.length > 0) return `it contains ${bad.map(describeChar).join(', ')}, and Kafka allows only letters, digits, '.', '_' and '-'`;
  if (name.length > TOPIC_MAX_LENGTH) return `it is ${name.length} characters long, and Kafka allows at most ${TOPIC_MAX_LENGTH}`;
  return undefined;
}

/** A suggestion with every illegal character replaced by '-', which every Kafka flavor accepts. */
export function sanitizeTopicName(name: string): string {
  return [...name].map((ch) => (LEGAL.test(ch) ? ch : '-')).join('');
}

function describeChar(ch: string): string {
  if (ch === ' ') return 'a space';
  const code = ch.codePointAt(0) ?? 0;
  return code < 32 || code === 127 ? `U+${code.toString(16).toUpperCase().padStart(4, '0')}` : `'${ch}'`;
}
