import type { QueryValue } from '../../shared/api/query';
import type { TraceRecord } from '../../shared/api/trace';
import type { Row } from '../model';
import type { DecodedChangeEvent } from '../schema';
import { plainValue } from '../query/values';

/** A decoded record value as API values (Dates ISO, int64 beyond 2^53 and decimals as text, bytes as hex). */
export function rowToValues(row: Row): Record<string, QueryValue> {
  const out: Record<string, QueryValue> = {};
  for (const [name, value] of Object.entries(row)) out[name] = plainValue(value);
  return out;
}

/**
 * The text two renderings of one key value share: a source column read by SQL and the same field decoded from Kafka
 * (`42` and `"42"`, `10.50` and `10.5`, `2024-01-02T03:04:05` and `2024-01-02T03:04:05.000Z`).
 */
export function keyText(value: QueryValue): string | null {
  if (value === null) return null;
  if (typeof value === 'boolean') return value ? '1' : '0';
  const text = String(value).trim();
  if (/^-?\d+(\.\d+)?$/.test(text)) {
    const [whole = '0', fraction = ''] = text.split('.');
    const trimmed = fraction.replace(/0+$/, '');
    const integer = whole.replace(/^(-?)0+(?=\d)/, '$1');
    return trimmed ? `${integer}.${trimmed}` : integer === '-0' ? '0' : integer;
  }
  const stamp = /^(\d{4,}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]00(:?00)?)?$/i.exec(text);
  if (stamp) {
    const fraction = (stamp[3] ?? '').replace(/0+$/, '');
    return `${stamp[1]} ${stamp[2]}${fraction === '.' ? '' : fraction}`;
  }
  return text;
}

/** The value of `column` in a row, matching names case-insensitively (PostgreSQL folds, MySQL does not care). */
export function valueOf(values: Readonly<Record<string, QueryValue>>, column: string): QueryValue | undefined {
  if (column in values) return values[column];
  const lower = column.toLowerCase();
  for (const [name, value] of Object.entries(values)) if (name.toLowerCase() === lower) return value;
  return undefined;
}

/** Whether a decoded value carries this key (every key column present and equal). */
export function matchesKey(values: Readonly<Record<string, QueryValue>>, key: Readonly<Record<string, QueryValue>>): boolean {
  for (const [column, wanted] of Object.entries(key)) {
    const found = valueOf(values, column);
    if (found === undefined || keyText(found) !== keyText(wanted)) return false;
  }
  return true;
}

/** A Debezium change event's parts that a trace shows: the row it carries, what happened and where in the log. */
export interface ChangeEventParts {
  /** The row after the change (before it, for a delete). */
  values: Record<string, QueryValue>;
  op: TraceRecord['op'];
  snapshot: boolean;
  /** `file:pos[ row N]` of a binlog, or `LSN X/Y`; undefined when the source block has neither. */
  position?: string;
}

/** A PostgreSQL LSN (a 64-bit number in Debezium's source block) as PostgreSQL prints it: `16/B374D848`. */
export function lsnText(lsn: number | string): string {
  const value = BigInt(lsn);
  return `${(value >> 32n).toString(16).toUpperCase()}/${(value & 0xffffffffn).toString(16).toUpperCase()}`;
}

/**
 * What a trace shows of a Debezium change event: its row (after the change; before it, for a delete), its
 * operation, whether the snapshot read it, and where it is in the database's log (from the `source` block).
 */
export function changeEventParts(event: DecodedChangeEvent): ChangeEventParts | undefined {
  if (!/^[cudr]$/.test(event.op)) return undefined;
  const image = event.op === 'd' ? event.before : event.after;
  if (!image) return undefined;
  const source = event.source ?? {};
  const file = source.file;
  const pos = source.pos;
  const rowInEvent = Number(source.row ?? 0);
  const lsn = source.lsn;
  const position =
    typeof file === 'string' && file !== '' && (typeof pos === 'number' || typeof pos === 'string')
      ? `${file}:${pos}${rowInEvent > 0 ? ` row ${rowInEvent}` : ''}`
      : typeof lsn === 'number' || (typeof lsn === 'string' && /^\d+$/.test(lsn))
        ? `LSN ${lsnText(lsn)}`
        : undefined;
  // Debezium marks snapshot reads with op r.
  return { values: rowToValues(image), op: event.op === 'r' ? 'c' : (event.op as TraceRecord['op']), snapshot: event.op === 'r', ...(position ? { position } : {}) };
}

/**
 * c/u/d for the records of one row, oldest first. A Debezium-style envelope (`op`) or an `__op`/`__deleted` field
 * says it outright; JDBC sources send whole rows, so the first record of a scan that began at the start of the
 * topic is the insert and later ones are updates (a scan that began later cannot know, and calls them updates).
 */
export function inferOps(values: readonly (Record<string, QueryValue> | null)[], scanFromBeginning: boolean): { op: TraceRecord['op']; inferred: boolean }[] {
  return values.map((value, index) => {
    if (value === null) return { op: 'd', inferred: false };
    const explicit = valueOf(value, '__op') ?? (valueOf(value, 'after') !== undefined ? valueOf(value, 'op') : undefined);
    if (typeof explicit === 'string' && /^[cudr]$/.test(explicit)) return { op: explicit === 'r' ? 'c' : (explicit as TraceRecord['op']), inferred: false };
    const deleted = valueOf(value, '__deleted');
    if (deleted === true || deleted === 'true') return { op: 'd', inferred: false };
    return { op: index === 0 && scanFromBeginning ? 'c' : 'u', inferred: true };
  });
}

/** Control characters (other than tab, newline, carriage return) or replacement characters mean binary. */
function isBinaryText(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if ((code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0xfffd) return true;
  }
  return false;
}

/** Header values as text (binary ones as hex), first value of a repeated header. */
export function headersText(headers: Readonly<Record<string, unknown>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers ?? {})) {
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value === undefined || value === null) continue;
    if (typeof value === 'string') out[name] = value;
    else if (Buffer.isBuffer(value)) {
      const text = value.toString('utf8');
      out[name] = isBinaryText(text) ? `0x${value.toString('hex')}` : text;
    } else out[name] = String(value);
  }
  return out;
}

/**
 * When a polling source's record says its row changed: the first non-null of the source's timestamp columns in the
 * record's own value (what `mode=timestamp` compares), as epoch ms. The runner stamps `ferry.source.ts` on one sampled
 * record per batch only, so this is how every other record of a timestamp-mode source gets its source → Kafka hop.
 * A timestamp without a zone is UTC (the polling source writes UTC).
 */
export function recordChangeTimeMs(values: Record<string, QueryValue> | null, timestampColumns: readonly string[]): number | undefined {
  if (!values) return undefined;
  for (const column of timestampColumns) {
    const value = values[column];
    if (value === null || value === undefined || typeof value === 'boolean') continue;
    if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
    const text = value.trim().replace(' ', 'T');
    const ms = Date.parse(/(Z|[+-]\d{2}:?\d{2})$/i.test(text) ? text : `${text}Z`);
    return Number.isFinite(ms) ? ms : undefined;
  }
  return undefined;
}
