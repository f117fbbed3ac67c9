import avro, { type Type } from 'avsc';
import { bigintLongHook } from '../schema/avscTypes';
import { bigintToTwosComplement, decimalToUnscaled, twosComplementToBigint, unscaledToDecimal } from '../schema/decimal';

type SchemaArg = ConstructorParameters<typeof avro.types.LogicalType>[0];

/**
 * Avro `decimal` (bytes) shown and typed as a decimal string ("12.50"), the way people read money columns, instead of
 * the two's-complement bytes on the wire.
 */
class DecimalStringType extends avro.types.LogicalType {
  private readonly scale: number;

  constructor(attrs: SchemaArg, opts: unknown) {
    super(attrs, opts as never);
    this.scale = Number((attrs as unknown as { scale?: unknown }).scale ?? 0);
  }

  override _fromValue(value: unknown): string {
    return unscaledToDecimal(twosComplementToBigint(value as Uint8Array), this.scale);
  }

  override _toValue(value: unknown): Buffer | undefined {
    if (typeof value !== 'string' && typeof value !== 'number') return undefined;
    const unscaled = decimalToUnscaled(String(value), this.scale);
    return typeof unscaled === 'bigint' ? bigintToTwosComplement(unscaled) : undefined;
  }

  override _resolve(type: Type): ((value: unknown) => unknown) | undefined {
    return type.typeName === this.typeName || type.typeName === 'bytes' ? (value: unknown) => value : undefined;
  }
}

/** A number of days, milliseconds or microseconds as the ISO text a reader expects. */
function isoOf(kind: 'date' | 'timestamp-millis' | 'timestamp-micros' | 'time-millis' | 'time-micros', raw: unknown): string | undefined {
  const count = typeof raw === 'bigint' ? raw : typeof raw === 'number' ? BigInt(Math.trunc(raw)) : undefined;
  if (count === undefined) return undefined;
  const micros = kind === 'date' ? count * 86_400_000_000n : kind.endsWith('millis') ? count * 1000n : count;
  const millis = Number(micros / 1000n);
  if (!Number.isFinite(millis) || Math.abs(millis) > 8.64e15) return undefined;
  const iso = new Date(millis).toISOString();
  const extra = micros % 1000n === 0n ? '' : String((micros % 1000n + 1000n) % 1000n).padStart(3, '0');
  if (kind === 'date') return iso.slice(0, 10);
  if (kind.startsWith('time-')) return `${iso.slice(11, 23)}${extra}`;
  return extra === '' ? iso : `${iso.slice(0, 23)}${extra}Z`;
}

/**
 * Avro's date, time and timestamp logical types shown as ISO text (`2026-12-05`, `2026-12-05T19:23:46.123Z`,
 * `19:23:46.123456`) instead of the day, millisecond or microsecond counts on the wire. Display only: produce keeps
 * its own types.
 */
function temporalType(kind: 'date' | 'timestamp-millis' | 'timestamp-micros' | 'time-millis' | 'time-micros'): typeof avro.types.LogicalType {
  return class extends avro.types.LogicalType {
    override _fromValue(value: unknown): unknown {
      return isoOf(kind, value) ?? value;
    }

    override _toValue(value: unknown): unknown {
      return value;
    }

    override _resolve(type: Type): ((value: unknown) => unknown) | undefined {
      return type.typeName === this.typeName || type.typeName === (this.underlyingType as Type).typeName ? (value: unknown) => value : undefined;
    }
  };
}

const DISPLAY_LOGICAL_TYPES = {
  decimal: DecimalStringType,
  date: temporalType('date'),
  'timestamp-millis': temporalType('timestamp-millis'),
  'timestamp-micros': temporalType('timestamp-micros'),
  'time-millis': temporalType('time-millis'),
  'time-micros': temporalType('time-micros'),
};

function isDisplayedLogicalType(schema: unknown): boolean {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return false;
  const logicalType = (schema as { logicalType?: unknown }).logicalType;
  return typeof logicalType === 'string' && logicalType in DISPLAY_LOGICAL_TYPES;
}

/** Avro schema text → an avsc type for showing records: int64 as bigint (exact), decimals and times as text. */
export function displayTypeFor(schemaText: string): Type {
  return avro.Type.forSchema(JSON.parse(schemaText) as Parameters<typeof avro.Type.forSchema>[0], {
    logicalTypes: DISPLAY_LOGICAL_TYPES,
    // A long carrying a logical type shown as text keeps avsc's own long under it, or the hook would replace the whole
    // node and the logical type with it.
    typeHook: (schema: unknown) => (isDisplayedLogicalType(schema) ? undefined : bigintLongHook(schema)),
    omitRecordMethods: true,
  } as Parameters<typeof avro.Type.forSchema>[1]);
}

/** Avro schema text → an avsc type for encoding a record typed as JSON: longs as numbers, decimals as strings. */
export function inputTypeFor(schemaText: string): Type {
  return avro.Type.forSchema(JSON.parse(schemaText) as Parameters<typeof avro.Type.forSchema>[0], {
    logicalTypes: { decimal: DecimalStringType },
  } as Parameters<typeof avro.Type.forSchema>[1]);
}

/** A decoded Avro value as plain JSON: exact int64 beyond 2^53 as strings, bytes as hex strings. */
export function toJsonValue(value: unknown): unknown {
  if (typeof value === 'bigint') return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
  if (value instanceof Uint8Array) return `0x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (value instanceof Map) return Object.fromEntries([...value.entries()].map(([k, v]) => [String(k), toJsonValue(v)]));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[key] = toJsonValue(inner);
    return out;
  }
  return value;
}
