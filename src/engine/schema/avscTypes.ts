import avro from 'avsc';
import type { Type } from 'avsc';
import type { JsonObject } from './avroJson';
import { bigintToFixedTwosComplement, bigintToTwosComplement, decimalToUnscaled, rescaleDecimal, smallDecimalToTwosComplement, twosComplementToBigint, unscaledToDecimal } from './decimal';

/**
 * The avsc types behind Ferry's codec: int64 as bigint, and one logical type per column kind that needs a JS
 * value different from Avro's wire value. The codec marks the Avro nodes it wants converted with a private
 * `ferry-*` logicalType (on its own copy of the schema), so the decision of what a node means is made once, in
 * avroMapping, and avsc's built-in handling of standard logicalType names never gets a say.
 */

type SchemaArg = ConstructorParameters<typeof avro.types.LogicalType>[0];
type Converter = (value: unknown) => unknown;

export const FERRY_LOGICAL_PREFIX = 'ferry-';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
// avsc packs the 8 bytes straight into its output, so one scratch buffer serves every write.
const LONG_SCRATCH = Buffer.alloc(8);

const LONG_FAST_LIMIT = 2 ** 52;
const LONG_FAST_LIMIT_BIG = 2n ** 52n;

interface LongTap {
  writeLong(n: number): void;
  packLongBytes(bytes: Buffer): void;
}

const longMethods = {
  fromBuffer: (buf: Buffer): bigint => buf.readBigInt64LE(0),
  toBuffer: (value: bigint | number): Buffer => {
    LONG_SCRATCH.writeBigInt64LE(typeof value === 'bigint' ? value : BigInt(value), 0);
    return LONG_SCRATCH;
  },
  fromJSON: (value: number | string | bigint): bigint => BigInt(value),
  toJSON: (value: bigint): number => Number(value),
  isValid: (value: unknown): boolean =>
    typeof value === 'bigint' ? value >= INT64_MIN && value <= INT64_MAX : typeof value === 'number' && Number.isSafeInteger(value),
  compare: (a: bigint, b: bigint): number => (a === b ? 0 : a < b ? -1 : 1),
};

/**
 * int64 as bigint (ids beyond 2^53 survive); safe-integer numbers are accepted on write for convenience.
 *
 * Built as avsc's `LongType.__with` builds a custom long (which freezes it), plus fast paths: avsc's hooks go through
 * an 8-byte buffer per value (packLongBytes / unpackLongBytes and a BigInt conversion), 5–8 % of a snapshot's CPU
 * with ~10 longs per change event. An integer below 2^52 in magnitude (number or bigint) is written as avsc writes a
 * plain long (0.47 → 0.20 µs a value); larger ones take the byte path. Reads keep the byte path (a number-first read
 * measured no faster).
 */
export const BIGINT_LONG: Type = (() => {
  const AbstractLong = (avro.types.LongType.__with(longMethods) as unknown as { constructor: new (noUnpack: boolean) => Record<string, unknown> }).constructor;
  const type = new AbstractLong(false);
  Object.assign(type, {
    _toBuffer: longMethods.toBuffer,
    _fromBuffer: longMethods.fromBuffer,
    _fromJSON: longMethods.fromJSON,
    _toJSON: longMethods.toJSON,
    _isValid: longMethods.isValid,
    compare: longMethods.compare,
    _write: (tap: LongTap, value: unknown): void => {
      if (typeof value === 'number' && Number.isInteger(value) && value > -LONG_FAST_LIMIT && value < LONG_FAST_LIMIT) tap.writeLong(value);
      else if (typeof value === 'bigint' && value > -LONG_FAST_LIMIT_BIG && value < LONG_FAST_LIMIT_BIG) tap.writeLong(Number(value));
      else if (longMethods.isValid(value)) tap.packLongBytes(longMethods.toBuffer(value as bigint | number));
      else throw new Error(`invalid "long": ${String(value)}`);
    },
  });
  return Object.freeze(type) as unknown as Type;
})();

/** avsc typeHook: every plain `long` (including ones whose logicalType Ferry ignores, e.g. timestamp-micros). */
export function bigintLongHook(schema: unknown): Type | undefined {
  if (schema === 'long') return BIGINT_LONG;
  if (typeof schema === 'object' && schema !== null && !Array.isArray(schema)) {
    const node = schema as JsonObject;
    if (node.type === 'long' && !(typeof node.logicalType === 'string' && node.logicalType.startsWith(FERRY_LOGICAL_PREFIX))) return BIGINT_LONG;
  }
  return undefined;
}

const NOTHING = Symbol('nothing');
const MS_PER_DAY = 86_400_000;

/**
 * Base of Ferry's logical types. `toWire` returns undefined for a value that does not fit (avsc then rejects it,
 * and the codec asks `explain` for the reason): throwing would build an Error for every null that a nullable
 * union probes its branches with. A one-entry memo spares the second conversion (e.g. parsing a decimal string)
 * when a union first checks a value and then writes it.
 */
export abstract class FerryLogicalType extends avro.types.LogicalType {
  readonly field: string;
  private memoIn: unknown = NOTHING;
  private memoOut: unknown;

  constructor(attrs: SchemaArg, opts: unknown) {
    super(attrs, opts);
    const node = attrs as unknown as JsonObject;
    this.field = typeof node['ferry.field'] === 'string' ? node['ferry.field'] : '';
  }

  /** Wire value for a row value, or undefined if it does not fit. */
  abstract toWire(value: unknown): unknown;
  /** Row value for a wire value. */
  abstract fromWire(value: unknown): unknown;
  /** Why `value` does not fit, for an error message that names the column. */
  abstract explain(value: unknown): string;
  /** Avro type names (typeName) whose plain values `fromWire` can take, for resolution from unannotated writers. */
  protected abstract readonly wireTypeNames: readonly string[];
  /** Conversion from another Ferry type's row values when it is a compatible writer; undefined if not. */
  protected abstract fromSameKind(writer: FerryLogicalType): Converter | undefined;

  protected override _toValue(value: unknown): unknown {
    // Only immutable inputs are memoised: a Date reused and mutated by the caller must not hit a stale entry.
    const primitive = typeof value !== 'object';
    if (primitive && value === this.memoIn) return this.memoOut;
    const wire = this.toWire(value);
    if (primitive && wire !== undefined) {
      this.memoIn = value;
      this.memoOut = wire;
    }
    return wire;
  }

  protected override _fromValue(value: unknown): unknown {
    return this.fromWire(value);
  }

  protected override _resolve(writer: Type): Converter | undefined {
    if (writer instanceof FerryLogicalType) return this.fromSameKind(writer);
    if (this.wireTypeNames.includes(writer.typeName)) return (value) => this.fromWire(value);
    return undefined;
  }
}

const identity: Converter = (value) => value;

class DecimalType extends FerryLogicalType {
  readonly scale: number;
  private readonly fixedSize: number | undefined;
  protected readonly wireTypeNames = ['bytes', 'fixed'];

  constructor(attrs: SchemaArg, opts: unknown) {
    super(attrs, opts);
    const node = attrs as unknown as JsonObject;
    this.scale = typeof node['ferry.scale'] === 'number' ? node['ferry.scale'] : 0;
    this.fixedSize = node.type === 'fixed' && typeof node.size === 'number' ? node.size : undefined;
  }

  private unscaled(value: unknown): bigint | undefined {
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'bigint') return undefined;
    if (typeof value === 'number' && !Number.isFinite(value)) return undefined;
    const unscaled = decimalToUnscaled(typeof value === 'string' ? value : String(value), this.scale);
    return typeof unscaled === 'bigint' ? unscaled : undefined;
  }

  toWire(value: unknown): Buffer | undefined {
    if (typeof value === 'string') {
      const small = smallDecimalToTwosComplement(value, this.scale, this.fixedSize);
      if (small !== null) return small;
    }
    const unscaled = this.unscaled(value);
    if (unscaled === undefined) return undefined;
    return this.fixedSize === undefined ? bigintToTwosComplement(unscaled) : bigintToFixedTwosComplement(unscaled, this.fixedSize);
  }

  fromWire(value: unknown): string {
    const bytes = value as Buffer;
    // Up to 6 bytes (every money amount) the unscaled value is an exact double: no BigInt per value.
    if (bytes.length <= 6 && bytes.length > 0 && this.scale >= 0) return smallUnscaledToDecimal(bytes, this.scale);
    return unscaledToDecimal(twosComplementToBigint(bytes), this.scale);
  }

  explain(value: unknown): string {
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'bigint') {
      return 'a decimal column takes a decimal string such as "-12.50" (or a number/bigint)';
    }
    const result = decimalToUnscaled(String(value), this.scale);
    if (typeof result === 'bigint') return `it does not fit the ${this.fixedSize} bytes of the Avro fixed type`;
    if (result.problem === 'syntax') return 'it is not a decimal number';
    return (
      `it has ${result.digits} fractional digits but the column's scale is ${this.scale}; ` +
      'Ferry does not round silently: round it in the source query or widen the column scale'
    );
  }

  protected fromSameKind(writer: FerryLogicalType): Converter | undefined {
    if (!(writer instanceof DecimalType)) return undefined;
    if (writer.scale === this.scale) return identity;
    return (value) => {
      const rescaled = rescaleDecimal(value as string, this.scale);
      if (rescaled === undefined) {
        throw new Error(`decimal ${String(value)} of column '${this.field}' has more digits than the reader's scale ${this.scale}`);
      }
      return rescaled;
    };
  }
}

/** unscaledToDecimal(twosComplementToBigint(bytes), scale) for 1..6 bytes and scale ≥ 0, the same text, from a double. */
function smallUnscaledToDecimal(bytes: Buffer, scale: number): string {
  let unscaled = 0;
  for (let index = 0; index < bytes.length; index++) unscaled = unscaled * 256 + (bytes[index] as number);
  if ((bytes[0] as number) & 0x80) unscaled -= 2 ** (8 * bytes.length);
  const negative = unscaled < 0;
  const digits = String(negative ? -unscaled : unscaled);
  if (scale === 0) return negative ? `-${digits}` : digits;
  const padded = digits.length > scale ? digits : digits.padStart(scale + 1, '0');
  const text = `${padded.slice(0, padded.length - scale)}.${padded.slice(padded.length - scale)}`;
  return negative ? `-${text}` : text;
}

class DateType extends FerryLogicalType {
  protected readonly wireTypeNames = ['int'];

  toWire(value: unknown): number | undefined {
    if (!(value instanceof Date)) return undefined;
    const ms = value.getTime();
    // Connect's Date.fromLogical rejects a time part rather than truncating it, and so do we.
    return ms % MS_PER_DAY === 0 ? ms / MS_PER_DAY : undefined;
  }

  fromWire(value: unknown): Date {
    return new Date((value as number) * MS_PER_DAY);
  }

  explain(value: unknown): string {
    if (!(value instanceof Date)) return 'a date column takes a JS Date at 00:00 UTC';
    if (Number.isNaN(value.getTime())) return 'it is an invalid Date';
    return 'it has a time of day; a date column takes a Date at exactly 00:00 UTC (as Connect requires)';
  }

  protected fromSameKind(writer: FerryLogicalType): Converter | undefined {
    return writer instanceof DateType ? identity : undefined;
  }
}

function unitOf(attrs: SchemaArg): 'ms' | 'us' {
  return (attrs as unknown as JsonObject)['ferry.unit'] === 'us' ? 'us' : 'ms';
}

class TimeType extends FerryLogicalType {
  private readonly micros: boolean;
  protected readonly wireTypeNames: readonly string[];

  constructor(attrs: SchemaArg, opts: unknown) {
    super(attrs, opts);
    this.micros = unitOf(attrs) === 'us';
    this.wireTypeNames = this.micros ? ['long', 'abstract:long'] : ['int'];
  }

  toWire(value: unknown): number | undefined {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= MS_PER_DAY) return undefined;
    return this.micros ? value * 1000 : value;
  }

  fromWire(value: unknown): number {
    return this.micros ? Math.floor(Number(value) / 1000) : (value as number);
  }

  explain(): string {
    return 'a time column takes whole milliseconds since midnight, 0 to 86399999';
  }

  protected fromSameKind(writer: FerryLogicalType): Converter | undefined {
    return writer instanceof TimeType ? identity : undefined;
  }
}

class TimestampType extends FerryLogicalType {
  private readonly micros: boolean;
  protected readonly wireTypeNames = ['long', 'abstract:long'];

  constructor(attrs: SchemaArg, opts: unknown) {
    super(attrs, opts);
    this.micros = unitOf(attrs) === 'us';
  }

  toWire(value: unknown): number | undefined {
    if (!(value instanceof Date)) return undefined;
    const ms = value.getTime();
    if (Number.isNaN(ms)) return undefined;
    return this.micros ? ms * 1000 : ms;
  }

  fromWire(value: unknown): Date {
    const wire = Number(value);
    return new Date(this.micros ? Math.floor(wire / 1000) : wire);
  }

  explain(value: unknown): string {
    return value instanceof Date ? 'it is an invalid Date' : 'a timestamp column takes a JS Date';
  }

  protected fromSameKind(writer: FerryLogicalType): Converter | undefined {
    return writer instanceof TimestampType ? identity : undefined;
  }
}

/** Debezium's io.debezium.time.ZonedTimestamp: an instant as ISO-8601 text with its offset, read as a Date. */
class ZonedTimestampType extends FerryLogicalType {
  protected readonly wireTypeNames = ['string'];

  toWire(value: unknown): string | undefined {
    if (!(value instanceof Date) || Number.isNaN(value.getTime())) return undefined;
    return value.toISOString();
  }

  fromWire(value: unknown): Date {
    const date = new Date(String(value));
    if (Number.isNaN(date.getTime())) throw new Error(`"${String(value)}" of column '${this.field}' is not an ISO-8601 timestamp`);
    return date;
  }

  explain(value: unknown): string {
    return value instanceof Date ? 'it is an invalid Date' : 'a zoned timestamp column takes a JS Date';
  }

  protected fromSameKind(writer: FerryLogicalType): Converter | undefined {
    return writer instanceof ZonedTimestampType ? identity : undefined;
  }
}

/** avsc writes only Node Buffers; rows may hold any Uint8Array, which is wrapped without copying. */
class BytesType extends FerryLogicalType {
  protected readonly wireTypeNames = ['bytes', 'fixed'];

  toWire(value: unknown): Buffer | undefined {
    if (Buffer.isBuffer(value)) return value;
    if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    return undefined;
  }

  fromWire(value: unknown): Buffer {
    return value as Buffer;
  }

  explain(value: unknown): string {
    return value instanceof Uint8Array ? 'its length does not match the Avro fixed size' : 'a bytes column takes a Buffer or Uint8Array';
  }

  protected fromSameKind(writer: FerryLogicalType): Converter | undefined {
    return writer instanceof BytesType ? identity : undefined;
  }
}

/** Connect INT8/INT16 travel as Avro int; the range check is what Connect's Byte/Short would enforce. */
class SmallIntType extends FerryLogicalType {
  private readonly min: number;
  private readonly max: number;
  protected readonly wireTypeNames = ['int'];

  constructor(attrs: SchemaArg, opts: unknown) {
    super(attrs, opts);
    const bits = (attrs as unknown as JsonObject)['ferry.bits'] === 8 ? 8 : 16;
    this.min = -(2 ** (bits - 1));
    this.max = 2 ** (bits - 1) - 1;
  }

  toWire(value: unknown): number | undefined {
    return typeof value === 'number' && Number.isInteger(value) && value >= this.min && value <= this.max ? value : undefined;
  }

  fromWire(value: unknown): number {
    return value as number;
  }

  explain(): string {
    return `this column takes whole numbers from ${this.min} to ${this.max}`;
  }

  protected fromSameKind(writer: FerryLogicalType): Converter | undefined {
    return writer instanceof SmallIntType ? identity : undefined;
  }
}

export const FERRY_LOGICAL_TYPES = {
  'ferry-decimal': DecimalType,
  'ferry-date': DateType,
  'ferry-time': TimeType,
  'ferry-timestamp': TimestampType,
  'ferry-zoned-timestamp': ZonedTimestampType,
  'ferry-bytes': BytesType,
  'ferry-smallint': SmallIntType,
};
