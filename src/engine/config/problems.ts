/**
 * What validation reports. A problem names the place in the file as a JSON path a user can read
 * (`$.connectors[0]['insert.mode']`), says what is wrong and how to fix it. Line and column are added when the
 * problem comes from a file, so editors can underline the key.
 */
export type Severity = 'error' | 'warning';

export interface Problem {
  severity: Severity;
  /** JSONPath of the key (as the user spelled it) or object the problem is about. */
  path: string;
  message: string;
  /** What to change; empty only when there is nothing more to say than the message. */
  hint: string;
  /** Stable id of the check (e.g. `sink.delete-needs-record-key`), for tests, docs and quick fixes. */
  rule: string;
  /** 1-based position of the key in the file, when known. */
  line?: number;
  column?: number;
}

/** A named check. Declared once, reported by code and listed in the generated docs. */
export interface Rule {
  readonly id: string;
  readonly severity: Severity;
  readonly summary: string;
}

export function defineRule(id: string, severity: Severity, summary: string): Rule {
  return { id, severity, summary };
}

export type PathSegment = string | number;
export type JsonPath = readonly PathSegment[];

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `['connectors', 0, 'insert.mode']` → `$.connectors[0]['insert.mode']` (bracket notation whenever a dot would mislead). */
export function formatPath(path: JsonPath): string {
  let out = '$';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += `.${segment}`;
    else out += `['${segment.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`;
  }
  return out;
}

/** Collects problems in the order checks find them. */
export class ProblemList {
  readonly items: Problem[] = [];
  /** The path of each item as segments, so positions can fall back to the nearest ancestor in the file. */
  readonly segments: JsonPath[] = [];

  add(severity: Severity, path: JsonPath, rule: string, message: string, hint = ''): void {
    this.items.push({ severity, path: formatPath(path), message, hint, rule });
    this.segments.push(path);
  }

  error(path: JsonPath, rule: string, message: string, hint = ''): void {
    this.add('error', path, rule, message, hint);
  }

  warning(path: JsonPath, rule: string, message: string, hint = ''): void {
    this.add('warning', path, rule, message, hint);
  }

  report(rule: Rule, path: JsonPath, message: string, hint = ''): void {
    this.add(rule.severity, path, rule.id, message, hint);
  }

  get hasErrors(): boolean {
    return this.items.some((p) => p.severity === 'error');
  }
}

export function countBySeverity(problems: readonly Problem[]): { errors: number; warnings: number } {
  let errors = 0;
  for (const p of problems) if (p.severity === 'error') errors += 1;
  return { errors, warnings: problems.length - errors };
}
