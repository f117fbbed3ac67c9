import type { FieldSchema, FieldValue, RecordSchema, Row } from '../model';
import { pipelineError } from './errors';

/**
 * Schemaless JSON, like Connect's JsonConverter with schemas.enable=false: int64 beyond 2^53 and decimals are written
 * as strings so no digit is lost, timestamps and dates as epoch milliseconds (Connect's representation), bytes as
 * base64. Reading infers a schema from the values, which is all a schemaless record can offer a sink.
 */
function toJsonValue(value: FieldValue): unknown {
  if (value === null) return null;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Date) return value.getTime();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return value;
}

export function rowToJson(row: Row | null): Buffer | null {
  if (row === null) return null;
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(row)) out[name] = toJsonValue(value);
  return Buffer.from(JSON.stringify(out), 'utf8');
}

function inferField(name: string, value: unknown): FieldSchema {
  if (typeof value === 'boolean') return { name, type: { kind: 'boolean' }, optional: true };
  if (typeof value === 'number') return { name, type: { kind: Number.isInteger(value) ? 'int64' : 'float64' }, optional: true };
  return { name, type: { kind: 'string' }, optional: true };
}

export function jsonToRow(bytes: Uint8Array | null, where: string): { schema: RecordSchema; row: Row } | null {
  if (bytes === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw pipelineError('PIPELINE_CONVERTER', `${where} is not JSON (${(error as Error).message}); check input.data.format.`, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw pipelineError('PIPELINE_CONVERTER', `${where} is JSON but not an object; a sink needs one field per column.`);
  }
  const fields: FieldSchema[] = [];
  const row: Row = {};
  for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
    const field = inferField(name, value);
    fields.push(field);
    if (value === null || value === undefined) row[name] = null;
    else if (field.type.kind === 'int64') row[name] = BigInt(value as number);
    else if (typeof value === 'object') row[name] = JSON.stringify(value);
    else row[name] = value as FieldValue;
  }
  return { schema: { name: 'json', fields }, row };
}
