import type { ResolvedTransform } from '../config';
import type { FieldType, FieldValue, Row } from '../model';
import { findField, listConfig, onPart, partOf, type RecordTransform, requiredConfig, transformError } from './connectRecord';
import { DateFormatError, formatDate, parseDate, validateDatePattern } from './simpleDateFormat';

/**
 * Connect's topic, timestamp and header transforms: RegexRouter, TimestampRouter, TimestampConverter,
 * InsertHeader, DropHeaders and HeaderFrom, with Connect's semantics.
 */

export function regexRouter(transform: ResolvedTransform): RecordTransform {
  const regex = requiredConfig(transform, 'regex');
  const replacement = transform.config.replacement ?? '';
  // Java's Matcher.matches(): the whole topic must match; $1 style groups work the same in JavaScript.
  let pattern: RegExp;
  try {
    pattern = new RegExp(`^(?:${regex})$`);
  } catch (error) {
    throw transformError(transform, `regex "${regex}" is not a valid regular expression (${(error as Error).message}).`);
  }
  return (record) => (pattern.test(record.topic) ? { ...record, topic: record.topic.replace(pattern, replacement) } : record);
}

/** TimestampRouter: `topic.format` (default `${topic}-${timestamp}`) with the record timestamp in `timestamp.format`. */
export function timestampRouter(transform: ResolvedTransform): RecordTransform {
  const topicFormat = transform.config['topic.format'] ?? '${topic}-${timestamp}';
  const timestampFormat = transform.config['timestamp.format'] ?? 'yyyyMMdd';
  checkPattern(transform, timestampFormat);
  return (record) => {
    if (record.timestampMs === null || record.timestampMs === undefined) {
      throw transformError(transform, `record of ${record.topic} has no timestamp to route by.`);
    }
    const stamp = formatDate(record.timestampMs, timestampFormat);
    return { ...record, topic: topicFormat.replaceAll('${topic}', record.topic).replaceAll('${timestamp}', stamp) };
  };
}

type TimestampTarget = 'string' | 'unix' | 'Date' | 'Time' | 'Timestamp';
const TARGETS: readonly TimestampTarget[] = ['string', 'unix', 'Date', 'Time', 'Timestamp'];
const UNIX_PRECISIONS: Record<string, number> = { seconds: 1000, milliseconds: 1, microseconds: 0.001, nanoseconds: 0.000001 };

/**
 * TimestampConverter: `field` (the whole record when empty: not possible for Ferry's structs, so required),
 * `target.type`, `format` (SimpleDateFormat, needed for string in or out), `unix.precision`.
 */
export function timestampConverter(transform: ResolvedTransform): RecordTransform {
  const field = transform.config.field?.trim();
  if (!field) throw transformError(transform, 'field is required: Ferry records are structs, so the transform converts one of their fields.');
  const targetText = requiredConfig(transform, 'target.type');
  const target = TARGETS.find((candidate) => candidate.toLowerCase() === targetText.trim().toLowerCase());
  if (!target) throw transformError(transform, `target.type "${targetText}" must be one of ${TARGETS.join(', ')}.`);
  const format = transform.config.format;
  if (format !== undefined) checkPattern(transform, format);
  if (target === 'string' && !format) throw transformError(transform, 'target.type string needs format (a SimpleDateFormat pattern such as yyyy-MM-dd HH:mm:ss).');
  const precisionName = transform.config['unix.precision'] ?? 'milliseconds';
  const unitMs = UNIX_PRECISIONS[precisionName];
  if (unitMs === undefined) throw transformError(transform, `unix.precision "${precisionName}" must be one of ${Object.keys(UNIX_PRECISIONS).join(', ')}.`);
  const targetType: FieldType =
    target === 'string' ? { kind: 'string' } : target === 'unix' ? { kind: 'int64' } : target === 'Date' ? { kind: 'date' } : target === 'Time' ? { kind: 'time' } : { kind: 'timestamp' };

  const toMillis = (value: FieldValue, type: FieldType): number => {
    if (value instanceof Date) return value.getTime();
    if (type.kind === 'time' && typeof value === 'number') return value;
    if (typeof value === 'number' || typeof value === 'bigint') return Number(value) * unitMs;
    if (typeof value === 'string') {
      if (!format) throw transformError(transform, `field "${field}" is a string: set format to the pattern it is written in.`);
      try {
        return parseDate(value, format);
      } catch (error) {
        if (error instanceof DateFormatError) throw transformError(transform, `${error.message} (field "${field}").`);
        throw error;
      }
    }
    throw transformError(transform, `field "${field}" holds ${typeof value}, which is not a timestamp.`);
  };
  const fromMillis = (ms: number): FieldValue => {
    switch (target) {
      case 'string':
        return formatDate(ms, format ?? '');
      case 'unix':
        return BigInt(Math.trunc(ms / unitMs));
      case 'Date':
        return new Date(Math.floor(ms / 86_400_000) * 86_400_000);
      case 'Time':
        return ((ms % 86_400_000) + 86_400_000) % 86_400_000;
      case 'Timestamp':
        return new Date(ms);
    }
  };
  return onPart(
    partOf(transform.type),
    (schema) => {
      if (!findField(schema, field)) throw transformError(transform, `field "${field}" is not in ${schema.name}.`);
      return { name: schema.name, fields: schema.fields.map((candidate) => (candidate.name === field ? { name: field, type: targetType, optional: candidate.optional } : candidate)) };
    },
    (row, _schema, record) => {
      const value = row[field];
      if (value === null || value === undefined) return row;
      const sourceType = findField((partOf(transform.type) === 'key' ? record.keySchema : record.valueSchema) ?? { name: '', fields: [] }, field)?.type ?? { kind: 'timestamp' };
      const out: Row = { ...row };
      out[field] = fromMillis(toMillis(value, sourceType));
      return out;
    },
  );
}

function checkPattern(transform: ResolvedTransform, pattern: string): void {
  try {
    validateDatePattern(pattern);
  } catch (error) {
    throw transformError(transform, (error as Error).message);
  }
}

/** InsertHeader: `header` and `value.literal`. */
export function insertHeader(transform: ResolvedTransform): RecordTransform {
  const header = requiredConfig(transform, 'header');
  const value = transform.config['value.literal'];
  if (value === undefined) throw transformError(transform, 'value.literal is required.');
  return (record) => ({ ...record, headers: { ...record.headers, [header]: value } });
}

/** DropHeaders: `headers`, a list of header names. */
export function dropHeaders(transform: ResolvedTransform): RecordTransform {
  const names = listConfig(transform, 'headers');
  if (names.length === 0) throw transformError(transform, 'headers is required.');
  return (record) => {
    const headers = { ...record.headers };
    for (const name of names) delete headers[name];
    return { ...record, headers };
  };
}

/** HeaderFrom$Key/$Value: `fields` → `headers` (same length), `operation` copy or move. */
export function headerFrom(transform: ResolvedTransform): RecordTransform {
  const fields = listConfig(transform, 'fields');
  const headers = listConfig(transform, 'headers');
  const operation = (transform.config.operation ?? '').trim().toLowerCase();
  if (fields.length === 0 || fields.length !== headers.length) throw transformError(transform, 'fields and headers must list the same number of names.');
  if (operation !== 'copy' && operation !== 'move') throw transformError(transform, 'operation must be copy or move.');
  const part = partOf(transform.type);
  const copy: RecordTransform = (record) => {
    const row = part === 'key' ? record.key : record.value;
    if (!row) return record;
    const added: Record<string, string | Uint8Array> = {};
    fields.forEach((name, index) => {
      const value = row[name];
      const header = headers[index];
      if (header === undefined || value === undefined) return;
      added[header] = headerText(value);
    });
    return { ...record, headers: { ...record.headers, ...added } };
  };
  if (operation === 'copy') return copy;
  const drop = onPart(
    part,
    (schema) => ({ name: schema.name, fields: schema.fields.filter((field) => !fields.includes(field.name)) }),
    (row, schema) => Object.fromEntries(schema.fields.map((field) => [field.name, row[field.name] ?? null])),
  );
  return (record) => {
    const copied = copy(record);
    return copied === null ? null : drop(copied);
  };
}

/** A field value as Connect's SimpleHeaderConverter writes it: its text. */
function headerText(value: FieldValue): string | Uint8Array {
  if (value === null) return '';
  if (value instanceof Uint8Array) return value;
  if (value instanceof Date) return value.toISOString();
  return String(value);
}
