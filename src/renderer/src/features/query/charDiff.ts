/** A run of characters of one side of a changed value: `changed` ones are not in the other side's value. */
export interface DiffSpan {
  text: string;
  changed: boolean;
}

export interface CharDiff {
  source: DiffSpan[];
  target: DiffSpan[];
}

/** Above this many cells (middle lengths multiplied) the middle is shown as one change instead of an LCS. */
const MAX_LCS_CELLS = 250_000;

function spans(chars: readonly string[], changed: readonly boolean[]): DiffSpan[] {
  const out: DiffSpan[] = [];
  chars.forEach((char, index) => {
    const flag = changed[index] ?? true;
    const last = out.at(-1);
    if (last && last.changed === flag) last.text += char;
    else out.push({ text: char, changed: flag });
  });
  return out;
}

/** Matches this short between two changes are noise to a reader (`c[o]m` against `[o]rg`): shown as changed. */
const SHORT_MATCH = 2;

function absorbShortMatches(changed: boolean[]): void {
  let index = 0;
  while (index < changed.length) {
    if (changed[index]) {
      index++;
      continue;
    }
    let end = index;
    while (end < changed.length && !changed[end]) end++;
    if (index > 0 && end < changed.length && end - index <= SHORT_MATCH) changed.fill(true, index, end);
    index = end;
  }
}

/**
 * Which characters of two values differ, as a data-compare tool marks them: the common prefix and suffix are
 * unchanged, and between them the longest common subsequence stays unmarked (per code point, so an emoji or an
 * accented letter is never split), except matches of one or two characters between changes. `.com` against `.org` marks `com` and `org`, not the whole address.
 */
export function charDiff(source: string, target: string): CharDiff {
  const a = Array.from(source);
  const b = Array.from(target);
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (suffix < a.length - prefix && suffix < b.length - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) suffix++;
  const middleA = a.slice(prefix, a.length - suffix);
  const middleB = b.slice(prefix, b.length - suffix);
  const changedA = middleA.map(() => true);
  const changedB = middleB.map(() => true);
  if (middleA.length > 0 && middleB.length > 0 && middleA.length * middleB.length <= MAX_LCS_CELLS) {
    // LCS lengths of the suffixes, then one walk marks the characters both middles keep.
    const width = middleB.length + 1;
    const lengths = new Uint32Array((middleA.length + 1) * width);
    for (let i = middleA.length - 1; i >= 0; i--) {
      for (let j = middleB.length - 1; j >= 0; j--) {
        lengths[i * width + j] = middleA[i] === middleB[j] ? (lengths[(i + 1) * width + j + 1] ?? 0) + 1 : Math.max(lengths[(i + 1) * width + j] ?? 0, lengths[i * width + j + 1] ?? 0);
      }
    }
    let i = 0;
    let j = 0;
    while (i < middleA.length && j < middleB.length) {
      if (middleA[i] === middleB[j]) {
        changedA[i++] = false;
        changedB[j++] = false;
      } else if ((lengths[(i + 1) * width + j] ?? 0) >= (lengths[i * width + j + 1] ?? 0)) i++;
      else j++;
    }
  }
  // A middle that shares under half its characters reads as a replacement, not as scattered edits.
  const kept = changedA.filter((flag) => !flag).length;
  if (kept * 2 < Math.max(middleA.length, middleB.length)) {
    changedA.fill(true);
    changedB.fill(true);
  }
  absorbShortMatches(changedA);
  absorbShortMatches(changedB);
  const flags = (length: number, middle: boolean[]): boolean[] => [...new Array<boolean>(prefix).fill(false), ...middle, ...new Array<boolean>(length - prefix - middle.length).fill(false)];
  return { source: spans(a, flags(a.length, changedA)), target: spans(b, flags(b.length, changedB)) };
}

/**
 * Shortens unchanged runs longer than `context * 2` characters to their ends around `…`, so a change at the end of a
 * long value is in view in a narrow cell (the full value stays in the row details).
 */
export function elideUnchanged(input: readonly DiffSpan[], context = 16): DiffSpan[] {
  return input.map((span, index) => {
    if (span.changed) return span;
    const chars = Array.from(span.text);
    if (chars.length <= context * 2 + 1) return span;
    const first = index === 0;
    const last = index === input.length - 1;
    if (first && last) return span;
    if (first) return { text: `…${chars.slice(-context).join('')}`, changed: false };
    if (last) return { text: `${chars.slice(0, context).join('')}…`, changed: false };
    return { text: `${chars.slice(0, context).join('')}…${chars.slice(-context).join('')}`, changed: false };
  });
}
