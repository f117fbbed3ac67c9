import type { SchemaDiffLine } from '../../shared/api/schemas';

/** Above this many cells the line table is not built; the common head and tail are kept and the middle replaced. */
const MAX_CELLS = 4_000_000;

/** A schema as the diff shows it: JSON pretty-printed with 2 spaces, or the text as given when it is not JSON. */
export function prettySchema(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text) as unknown, null, 2);
  } catch {
    return text;
  }
}

/** Line diff (longest common subsequence) of two texts, in reading order, removals before additions. */
export function diffLines(fromText: string, toText: string): SchemaDiffLine[] {
  const a = fromText.split('\n');
  const b = toText.split('\n');
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const out: SchemaDiffLine[] = [];
  for (let i = 0; i < head; i++) out.push({ kind: 'same', text: a[i] as string, fromLine: i + 1, toLine: i + 1 });
  const midA = a.slice(head, a.length - tail);
  const midB = b.slice(head, b.length - tail);
  const n = midA.length;
  const m = midB.length;
  if ((n + 1) * (m + 1) > MAX_CELLS) {
    midA.forEach((text, i) => out.push({ kind: 'removed', text, fromLine: head + i + 1 }));
    midB.forEach((text, j) => out.push({ kind: 'added', text, toLine: head + j + 1 }));
  } else {
    // lcs[i][j]: length of the common subsequence of midA[i..] and midB[j..].
    const width = m + 1;
    const lcs = new Uint32Array((n + 1) * width);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * width + j] = midA[i] === midB[j] ? (lcs[(i + 1) * width + j + 1] as number) + 1 : Math.max(lcs[(i + 1) * width + j] as number, lcs[i * width + j + 1] as number);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && midA[i] === midB[j]) {
        out.push({ kind: 'same', text: midA[i] as string, fromLine: head + i + 1, toLine: head + j + 1 });
        i++;
        j++;
      } else if (j >= m || (i < n && (lcs[(i + 1) * width + j] as number) >= (lcs[i * width + j + 1] as number))) {
        out.push({ kind: 'removed', text: midA[i] as string, fromLine: head + i + 1 });
        i++;
      } else {
        out.push({ kind: 'added', text: midB[j] as string, toLine: head + j + 1 });
        j++;
      }
    }
  }
  for (let k = 0; k < tail; k++) {
    out.push({ kind: 'same', text: a[a.length - tail + k] as string, fromLine: a.length - tail + k + 1, toLine: b.length - tail + k + 1 });
  }
  return out;
}

interface AvroFieldJson {
  name: string;
  type: unknown;
  default?: unknown;
}

function recordFields(text: string): { name: string; fields: Map<string, AvroFieldJson> } | undefined {
  try {
    const parsed = JSON.parse(text) as { type?: unknown; name?: unknown; fields?: unknown };
    if (parsed?.type !== 'record' || !Array.isArray(parsed.fields)) return undefined;
    const fields = new Map<string, AvroFieldJson>();
    for (const field of parsed.fields as AvroFieldJson[]) if (typeof field?.name === 'string') fields.set(field.name, field);
    return { name: String(parsed.name), fields };
  } catch {
    return undefined;
  }
}

const shown = (value: unknown): string => JSON.stringify(value);

/**
 * What changed between two Avro record schemas, field by field (top level), in words: the part of a diff a reviewer
 * reads first. Empty when either schema is not an Avro record.
 */
export function avroFieldChanges(fromText: string, toText: string): string[] {
  const from = recordFields(fromText);
  const to = recordFields(toText);
  if (!from || !to) return [];
  const changes: string[] = [];
  if (from.name !== to.name) changes.push(`record renamed from ${from.name} to ${to.name}`);
  for (const [name, field] of from.fields) {
    const next = to.fields.get(name);
    if (!next) {
      changes.push(`removed field ${name} (${shown(field.type)})`);
      continue;
    }
    if (shown(field.type) !== shown(next.type)) changes.push(`field ${name} changed type from ${shown(field.type)} to ${shown(next.type)}`);
    if ('default' in field !== 'default' in next || shown(field.default) !== shown(next.default)) {
      changes.push(`field ${name} default ${'default' in next ? `is now ${shown(next.default)}` : 'removed'}${'default' in field ? ` (was ${shown(field.default)})` : ''}`);
    }
  }
  for (const [name, field] of to.fields) {
    if (!from.fields.has(name)) changes.push(`added field ${name} (${shown(field.type)}${'default' in field ? `, default ${shown(field.default)}` : ', no default'})`);
  }
  return changes;
}
