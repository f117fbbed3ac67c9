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

/** Avro schema text → an avsc type for showing records: int64 as bigint (exact), decimals as strings. */
export function displayTypeFor(schemaText: string): Type {
  return avro.Type.forSchema(JSON.parse(schemaText) as Parameters<typeof avro.Type.forSchema>[0], {
    logicalTypes: { decimal: DecimalStringType },
    typeHook: bigintLongHook,
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
