import avro from 'avsc';
import type { Type } from 'avsc';
import type { Row } from '../model';
import { BIGINT_LONG, FerryLogicalType } from './avscTypes';

/**
 * A straight-line Avro reader for the records the sink decodes per message (the mirror of avroWriter), generated once
 * per avsc type as one function per record (every field's read written out, calling module functions only, so each
 * call site stays monomorphic): no per-value dispatch through avsc's Tap, logical-type wrappers and union objects, no
 * resolver for the skipped envelope fields, and rows built as object literals with Ferry's row keys (no renamed copy).
 * What it returns is what avsc returns for the same bytes: every primitive is read with avsc's own algorithm, and every
 * Ferry logical type's value is its `fromWire` (written out for timestamps, dates, times and small ints with the same
 * arithmetic; decimals of up to 6 bytes get their text from the bytes in place, the same text avscTypes builds). Anything it does not handle exactly as avsc would (bytes
 * cut short or followed by more, a union index out of range, a long beyond avsc's safe range, a schema with a type it
 * does not compile) makes the read return undefined, and the caller reads the record with avsc, errors included.
 */

/** The input: the message's buffer and a position in it. */
export class AvroIn {
  constructor(
    public buf: Buffer,
    public pos: number,
  ) {}
}

type ValueReader = (input: AvroIn) => unknown;
type ValueSkipper = (input: AvroIn) => void;

/** Thrown inside a read for anything avsc must handle; caught at the top and turned into `undefined`. */
class ReadWithAvsc extends Error {}
const READ_WITH_AVSC = new ReadWithAvsc('read with avsc');

interface Utf8Buffer {
  utf8Slice(start: number, end: number): string;
}

/** avsc's Tap.readLong: integer arithmetic for the first 4 bytes, floating beyond. */
function readLong(input: AvroIn): number {
  const buf = input.buf;
  let n = 0;
  let k = 0;
  let b: number;
  let h: number;
  do {
    b = buf[input.pos++] as number;
    h = b & 0x80;
    n |= (b & 0x7f) << k;
    k += 7;
  } while (h && k < 28);
  if (h) {
    let f = n;
    let fk = 268435456;
    do {
      b = buf[input.pos++] as number;
      f += (b & 0x7f) * fk;
      fk *= 128;
    } while (b & 0x80);
    return (f % 2 ? -(f + 1) : f) / 2;
  }
  return (n >> 1) ^ -(n & 1);
}

function skipLong(input: AvroIn): void {
  const buf = input.buf;
  while ((buf[input.pos++] as number) & 0x80) {
    /* continuation byte */
  }
}

/** The length in front of bytes/string, checked against the buffer (avsc reads nothing past the end either). */
function readLength(input: AvroIn): number {
  const len = readLong(input);
  if (len < 0 || input.pos + len > input.buf.length) throw READ_WITH_AVSC;
  return len;
}

/** Skips a length and that many bytes (`input.pos += readLength(input)` would add to the position before the length). */
function skipLengthAndBytes(input: AvroIn): void {
  const len = readLength(input);
  input.pos += len;
}

/** avsc's plain long: a number, refused beyond ±(2^53 - 2) ("potential precision loss"). */
function readSafeLong(input: AvroIn): number {
  const n = readLong(input);
  if (n < -9007199254740990 || n > 9007199254740990) throw READ_WITH_AVSC;
  return n;
}

const TWO_POW_53 = 2 ** 53;

/**
 * BIGINT_LONG's read: avsc unpacks the varint into 8 bytes and reads them as a signed 64-bit integer. Below 2^53 the
 * floating read is exact; beyond it the varint is read again as a BigInt and wrapped to 64 bits as those 8 bytes are.
 */
function readBigintLong(input: AvroIn): bigint {
  const start = input.pos;
  const n = readLong(input);
  if (n > -TWO_POW_53 && n < TWO_POW_53) return BigInt(n);
  const buf = input.buf;
  let zigzag = 0n;
  let shift = 0n;
  let pos = start;
  let b: number;
  do {
    b = buf[pos++] as number;
    zigzag |= BigInt(b & 0x7f) << shift;
    shift += 7n;
  } while (b & 0x80 && shift < 70n);
  if (b & 0x80) throw READ_WITH_AVSC;
  input.pos = pos;
  return BigInt.asIntN(64, (zigzag >> 1n) ^ -(zigzag & 1n));
}

function readString(input: AvroIn): string {
  const len = readLength(input);
  const pos = input.pos;
  input.pos = pos + len;
  if (len <= SHORT_TEXT_MAX_BYTES) return shortText(input.buf, pos, len);
  return (input.buf as unknown as Utf8Buffer).utf8Slice(pos, pos + len);
}

/**
 * Short ASCII texts read before, by a hash of their bytes: a column of codes, states or SKUs repeats a few values,
 * and each read made a new string (a native call, and ~32 bytes a sink holds until its chunk is applied). A slot
 * answers only when its text has exactly these bytes, so the string is the one utf8Slice would make; anything
 * else (a byte beyond ASCII) is sliced as before.
 */
const SHORT_TEXT_MAX_BYTES = 16;
const SHORT_TEXT_SLOTS_MASK = 1023;
const SHORT_TEXTS: string[] = new Array<string>(SHORT_TEXT_SLOTS_MASK + 1).fill('');

function shortText(buf: Buffer, pos: number, len: number): string {
  const end = pos + len;
  let hash = len;
  for (let at = pos; at < end; at++) {
    const byte = buf[at] as number;
    if (byte >= 0x80) return (buf as unknown as Utf8Buffer).utf8Slice(pos, end);
    hash = Math.imul(hash ^ byte, 16777619);
  }
  const slot = (hash ^ (hash >>> 15)) & SHORT_TEXT_SLOTS_MASK;
  const known = SHORT_TEXTS[slot] as string;
  if (known.length === len) {
    let at = 0;
    while (at < len && known.charCodeAt(at) === buf[pos + at]) at++;
    if (at === len) return known;
  }
  const text = (buf as unknown as Utf8Buffer).utf8Slice(pos, end);
  SHORT_TEXTS[slot] = text;
  return text;
}

/** A copy, as avsc's readFixed: the row must not keep the fetched message's buffer alive. */
function readFixedCopy(input: AvroIn, len: number): Buffer {
  const pos = input.pos;
  if (pos + len > input.buf.length) throw READ_WITH_AVSC;
  input.pos = pos + len;
  return Buffer.from(input.buf.subarray(pos, pos + len));
}

function readFloat(input: AvroIn): number {
  const pos = input.pos;
  input.pos = pos + 4;
  if (input.pos > input.buf.length) throw READ_WITH_AVSC;
  return input.buf.readFloatLE(pos);
}

function readDouble(input: AvroIn): number {
  const pos = input.pos;
  input.pos = pos + 8;
  if (input.pos > input.buf.length) throw READ_WITH_AVSC;
  return input.buf.readDoubleLE(pos);
}

/** The decimal text of 1..6 two's-complement bytes at `pos`: avscTypes' smallUnscaledToDecimal, read in place. */
function smallDecimalTextAt(buf: Buffer, pos: number, len: number, scale: number): string {
  let unscaled = 0;
  for (let index = 0; index < len; index++) unscaled = unscaled * 256 + (buf[pos + index] as number);
  if ((buf[pos] as number) & 0x80) unscaled -= 2 ** (8 * len);
  const negative = unscaled < 0;
  const magnitude = negative ? -unscaled : unscaled;
  if (scale > 0 && scale < FRACTION_TEXTS.length) {
    // Whole part and fraction apart (exact: below 2^48), the fraction's padded text looked up: one string built
    // instead of the digits, their padding, two slices and the joined text.
    const unit = FRACTION_UNITS[scale] as number;
    let whole = Math.floor(magnitude / unit);
    let fraction = magnitude - whole * unit;
    if (fraction < 0) {
      whole--;
      fraction += unit;
    } else if (fraction >= unit) {
      whole++;
      fraction -= unit;
    }
    const text = `${whole}.${(FRACTION_TEXTS[scale] as string[])[fraction] as string}`;
    return negative ? `-${text}` : text;
  }
  const digits = String(magnitude);
  if (scale === 0) return negative ? `-${digits}` : digits;
  const padded = digits.length > scale ? digits : digits.padStart(scale + 1, '0');
  const text = `${padded.slice(0, padded.length - scale)}.${padded.slice(padded.length - scale)}`;
  return negative ? `-${text}` : text;
}

/** 10^scale, and the texts of 0..10^scale - 1 padded to `scale` digits, for scales 1..3 (the fraction of a decimal's text). */
const FRACTION_UNITS = [1, 10, 100, 1000];
const FRACTION_TEXTS: readonly (readonly string[])[] = FRACTION_UNITS.map((unit, scale) => Array.from({ length: scale === 0 ? 0 : unit }, (_, value) => String(value).padStart(scale, '0')));

function decimalReader(type: FerryLogicalType): ValueReader | undefined {
  const scale = (type as unknown as { scale: number }).scale;
  const base = (type as unknown as { underlyingType: Type }).underlyingType;
  const fixedSize = base.typeName === 'fixed' ? (base as unknown as { size: number }).size : undefined;
  if (base.typeName !== 'bytes' && fixedSize === undefined) return undefined;
  const small = Number.isInteger(scale) && scale >= 0;
  return (input) => {
    const len = fixedSize ?? readLength(input);
    const pos = input.pos;
    if (pos + len > input.buf.length) throw READ_WITH_AVSC;
    input.pos = pos + len;
    if (small && len > 0 && len <= 6) return smallDecimalTextAt(input.buf, pos, len, scale);
    return type.fromWire(input.buf.subarray(pos, pos + len));
  };
}

interface CompileOptions {
  /** Record types met as values (the image inside an envelope's union) and the keys their rows take. */
  recordKeys: Map<Type, readonly string[]>;
  /** Compiled record readers, so a record type used twice (before and after) is compiled once. */
  records: Map<Type, ValueReader | undefined>;
  /**
   * Row keys of those records whose timestamps are read as epoch milliseconds (the number TimestampType's Date would
   * hold) instead of a Date; the keys that were read so are added to `epochMsRead`.
   */
  epochMsKeys?: ReadonlySet<string>;
  epochMsRead?: Set<string>;
}

function fail(): never {
  throw READ_WITH_AVSC;
}

/** The largest epoch milliseconds a Date holds (±8.64e15); beyond, TimestampType's Date is invalid and avsc reads it. */
const MAX_DATE_MS = 8.64e15;

/** An epoch-milliseconds timestamp as the valid Date TimestampType.fromWire would make holds it (never -0). */
function epochMs(ms: number): number {
  if (ms < -MAX_DATE_MS || ms > MAX_DATE_MS) throw READ_WITH_AVSC;
  return ms + 0;
}

function readBoolean(input: AvroIn): boolean {
  if (input.pos >= input.buf.length) throw READ_WITH_AVSC;
  return !!input.buf[input.pos++];
}

/** The functions generated code calls by name: module functions, so every call site in it is monomorphic. */
const PRIMITIVES = { readLong, readSafeLong, readBigintLong, readString, readFloat, readDouble, readFixedCopy, readLength, readBoolean, epochMs, fail } as const;
const PRIMITIVE_NAMES = Object.keys(PRIMITIVES);
const PRIMITIVE_VALUES = Object.values(PRIMITIVES);

/**
 * The source of one generated reader function: values it needs beyond the primitives (decimal readers, logical types,
 * nested record readers, enum symbols) are passed in as `h0`, `h1`, … rather than written into the text, so nothing
 * from a schema but field names (as JSON string literals) ever becomes code.
 */
class ReaderSource {
  readonly helpers: unknown[] = [];

  helper(value: unknown): string {
    this.helpers.push(value);
    return `h${this.helpers.length - 1}`;
  }

  /** Compiles `body` (which reads from `input` and may use a scratch `u` for union indexes) into a function. */
  build<T>(body: string): (input: AvroIn) => T {
    const names = [...PRIMITIVE_NAMES, ...this.helpers.map((_, index) => `h${index}`)];
    // Generated from the schema's shape; see the class comment for why no schema text can change it.
    const make = new Function(...names, `return function read(input) { let u; ${body} };`) as (...values: unknown[]) => (input: AvroIn) => T;
    return make(...PRIMITIVE_VALUES, ...this.helpers);
  }
}

function underlyingOf(type: Type): Type {
  return (type as unknown as { underlyingType: Type }).underlyingType;
}

/**
 * A Ferry logical type's read as an expression: each type's fromWire written out where it is a plain conversion (the
 * same arithmetic as avscTypes), the type's own fromWire otherwise.
 */
function logicalExpression(type: FerryLogicalType, source: ReaderSource, options: CompileOptions): string | undefined {
  const base = underlyingOf(type);
  const micros = (type as unknown as { micros?: unknown }).micros === true;
  switch (type.typeName) {
    case 'logical:ferry-decimal': {
      const reader = decimalReader(type);
      return reader === undefined ? undefined : `${source.helper(reader)}(input)`;
    }
    case 'logical:ferry-bytes':
      if (base.typeName === 'bytes') return 'readFixedCopy(input, readLength(input))';
      if (base.typeName === 'fixed') return `readFixedCopy(input, ${(base as unknown as { size: number }).size})`;
      return undefined;
    case 'logical:ferry-timestamp':
      // TimestampType.fromWire: new Date(micros ? Math.floor(wire / 1000) : wire).
      if (base.typeName === 'long') return micros ? 'new Date(Math.floor(readSafeLong(input) / 1000))' : 'new Date(readSafeLong(input))';
      break;
    case 'logical:ferry-date':
      // DateType.fromWire: new Date(days * 86,400,000).
      if (base.typeName === 'int') return 'new Date(readLong(input) * 86400000)';
      break;
    case 'logical:ferry-time':
      // TimeType.fromWire: micros ? Math.floor(wire / 1000) : wire.
      if (micros && base.typeName === 'long') return 'Math.floor(readSafeLong(input) / 1000)';
      if (!micros && base.typeName === 'int') return 'readLong(input)';
      break;
    case 'logical:ferry-smallint':
      // SmallIntType.fromWire is the value itself.
      if (base.typeName === 'int') return 'readLong(input)';
      break;
  }
  const inner = valueExpression(base, source, options);
  return inner === undefined ? undefined : `${source.helper(type)}.fromWire(${inner})`;
}

/** The read of one value of `type` as a JS expression over `input`; undefined when it is not compiled. */
function valueExpression(type: Type, source: ReaderSource, options: CompileOptions): string | undefined {
  if (type === BIGINT_LONG) return 'readBigintLong(input)';
  if (type instanceof FerryLogicalType) return logicalExpression(type, source, options);
  if (type instanceof avro.types.UnwrappedUnionType) {
    // ['null', T] or [T, 'null'] only.
    const branches = type.types;
    if (branches.length !== 2) return undefined;
    const nullIndex = branches.findIndex((branch) => branch instanceof avro.types.NullType);
    const other = branches[1 - nullIndex];
    if (nullIndex < 0 || other === undefined || other instanceof avro.types.NullType) return undefined;
    const inner = valueExpression(other, source, options);
    if (inner === undefined) return undefined;
    return `((u = readLong(input)) === ${nullIndex} ? null : u === ${1 - nullIndex} ? ${inner} : fail())`;
  }
  if (type instanceof avro.types.RecordType) {
    let reader = options.records.get(type);
    if (!options.records.has(type)) {
      const keys = options.recordKeys.get(type);
      reader = keys === undefined ? undefined : recordReader(type, keys, options);
      options.records.set(type, reader);
    }
    return reader === undefined ? undefined : `${source.helper(reader)}(input)`;
  }
  if (type instanceof avro.types.EnumType) return `(${source.helper(type.symbols)}[readLong(input)] ?? fail())`;
  switch (type.typeName) {
    case 'null':
      return 'null';
    case 'boolean':
      return 'readBoolean(input)';
    case 'int':
      return 'readLong(input)';
    case 'long':
      return 'readSafeLong(input)';
    case 'float':
      return 'readFloat(input)';
    case 'double':
      return 'readDouble(input)';
    case 'string':
      return 'readString(input)';
    case 'bytes':
      return 'readFixedCopy(input, readLength(input))';
    case 'fixed':
      return `readFixedCopy(input, ${(type as unknown as { size: number }).size})`;
    default:
      return undefined;
  }
}

/** Skips a value of any Avro type, as avsc's _skip (what a resolver does with the writer's fields the reader lacks). */
function valueSkipper(type: Type): ValueSkipper | undefined {
  if (type === BIGINT_LONG) return skipLong;
  if (type instanceof avro.types.LogicalType) return valueSkipper((type as unknown as { underlyingType: Type }).underlyingType);
  if (type instanceof avro.types.UnwrappedUnionType || type instanceof avro.types.WrappedUnionType) {
    const skippers = (type as unknown as { types: Type[] }).types.map(valueSkipper);
    if (skippers.some((skip) => skip === undefined)) return undefined;
    return (input) => {
      const skip = skippers[readLong(input)];
      if (skip === undefined) throw READ_WITH_AVSC;
      skip(input);
    };
  }
  if (type instanceof avro.types.RecordType) {
    const skippers = type.fields.map((field) => valueSkipper(field.type));
    if (skippers.some((skip) => skip === undefined)) return undefined;
    const all = skippers as ValueSkipper[];
    return (input) => {
      for (const skip of all) skip(input);
    };
  }
  if (type instanceof avro.types.ArrayType || type instanceof avro.types.MapType) {
    const items = valueSkipper(type instanceof avro.types.ArrayType ? type.itemsType : type.valuesType);
    if (items === undefined) return undefined;
    const map = type instanceof avro.types.MapType;
    return (input) => {
      for (let count = readLong(input); count !== 0; count = readLong(input)) {
        if (count < 0) {
          // A block with its size in bytes: skipped whole.
          skipLengthAndBytes(input);
          continue;
        }
        for (; count > 0; count--) {
          if (map) skipLengthAndBytes(input);
          items(input);
        }
      }
    };
  }
  if (type instanceof avro.types.EnumType) return skipLong;
  switch (type.typeName) {
    case 'null':
      return () => undefined;
    case 'boolean':
      return (input) => {
        input.pos++;
      };
    case 'int':
    case 'long':
      return skipLong;
    case 'float':
      return (input) => {
        input.pos += 4;
      };
    case 'double':
      return (input) => {
        input.pos += 8;
      };
    case 'string':
    case 'bytes':
      return skipLengthAndBytes;
    case 'fixed': {
      const size = (type as unknown as { size: number }).size;
      return (input) => {
        input.pos += size;
      };
    }
    default:
      return undefined;
  }
}

/**
 * The generated reader of a record: `{ "key0": <read>, "key1": <read>, … }` as one object literal, so every row of a
 * schema has one hidden class from its creation (keyed stores in a loop would go through a generic store per field).
 * The keys are JSON string literals; `__proto__` would set the prototype in a literal, so a schema with such a field is
 * not compiled.
 */
function recordReader(type: Type, keys: readonly string[], options: CompileOptions): ValueReader | undefined {
  if (!(type instanceof avro.types.RecordType) || type.fields.length !== keys.length || keys.includes('__proto__')) return undefined;
  const source = new ReaderSource();
  const entries: string[] = [];
  for (const [index, field] of type.fields.entries()) {
    const key = keys[index] as string;
    const epoch = options.epochMsKeys?.has(key) ? epochMsExpression(field.type) : undefined;
    if (epoch !== undefined) options.epochMsRead?.add(key);
    const expression = epoch ?? valueExpression(field.type, source, options);
    if (expression === undefined) return undefined;
    entries.push(`${JSON.stringify(key)}: ${expression}`);
  }
  return source.build(`return { ${entries.join(', ')} };`);
}

/**
 * The read of a TimestampType over long (or of a nullable one) as the epoch milliseconds its Date would hold, without
 * the Date: `Math.floor(wire / 1000)` for micros as fromWire computes it, and avsc's read (so the Date's own refusal)
 * beyond a Date's range. Undefined for any other type, whose value is read as usual.
 */
function epochMsExpression(type: Type): string | undefined {
  const timestamp = (candidate: Type): string | undefined => {
    if (!(candidate instanceof FerryLogicalType) || candidate.typeName !== 'logical:ferry-timestamp' || underlyingOf(candidate).typeName !== 'long') return undefined;
    return (candidate as unknown as { micros?: unknown }).micros === true ? 'epochMs(Math.floor(readSafeLong(input) / 1000))' : 'epochMs(readSafeLong(input))';
  };
  if (!(type instanceof avro.types.UnwrappedUnionType)) return timestamp(type);
  const branches = type.types;
  if (branches.length !== 2) return undefined;
  const nullIndex = branches.findIndex((branch) => branch instanceof avro.types.NullType);
  const other = branches[1 - nullIndex];
  const inner = nullIndex < 0 || other === undefined ? undefined : timestamp(other);
  return inner === undefined ? undefined : `((u = readLong(input)) === ${nullIndex} ? null : u === ${1 - nullIndex} ? ${inner} : fail())`;
}

/** Runs a compiled read over the whole of `buf` from `offset`; undefined when avsc must read it instead. */
function readAll<T>(read: ValueReader, buf: Buffer, offset: number): T | undefined {
  const input = new AvroIn(buf, offset);
  let value: unknown;
  try {
    value = read(input);
  } catch {
    return undefined;
  }
  // Cut short or followed by more bytes: avsc reports it.
  return input.pos === buf.length ? (value as T) : undefined;
}

/** Reads one record body; undefined when avsc must read it (see the module comment). */
export type RecordBodyReader = (buf: Buffer, offset: number) => Row | undefined;

/**
 * The compiled reader of a record type whose rows take `rowKeys` (in field order: Ferry's row keys, which may differ
 * from the Avro names); undefined when the type holds something this reader does not compile.
 */
export function compileRecordReader(type: Type, rowKeys: readonly string[]): RecordBodyReader | undefined {
  const read = recordReader(type, rowKeys, { recordKeys: new Map(), records: new Map() });
  if (read === undefined) return undefined;
  return (buf, offset) => readAll<Row>(read, buf, offset);
}

/** `op`, `before` and `after` of a Debezium change event, the images with their row keys. */
export interface EnvelopeRows {
  op: string;
  before: Row | null;
  after: Row | null;
}

/**
 * Timestamps of an image read as epoch milliseconds (numbers) rather than Dates: `keys` are the row keys that may be
 * (the image's timestamp fields), `read` receives those that are (TimestampType over long, nullable or not).
 */
export interface EpochMsTimestamps {
  keys: ReadonlySet<string>;
  read: Set<string>;
}

/** Reads one envelope body; undefined when avsc must read it. */
export type EnvelopeRowsReader = (buf: Buffer, offset: number) => EnvelopeRows | undefined;

/**
 * The compiled rows-only reader of a Debezium envelope type (the writer's envelope, its `Value` record annotated as the
 * value codec reads it): `op`, `before` and `after` are read, every other field (source block, transaction, ts_*)
 * skipped. `imageKeys` are the row keys of the `Value` record's fields; with `epochMsTimestamps`, those timestamps are
 * read as numbers (see EpochMsTimestamps). Undefined when the envelope holds something this reader does not compile.
 */
export function compileEnvelopeRowsReader(envelopeType: Type, imageKeys: readonly string[], epochMsTimestamps?: EpochMsTimestamps): EnvelopeRowsReader | undefined {
  if (!(envelopeType instanceof avro.types.RecordType)) return undefined;
  const before = envelopeType.fields.find((field) => field.name === 'before');
  const valueType = before ? (before.type as unknown as { types?: Type[] }).types?.find((branch) => branch instanceof avro.types.RecordType) : undefined;
  if (valueType === undefined) return undefined;
  const options: CompileOptions = {
    recordKeys: new Map([[valueType, imageKeys]]),
    records: new Map(),
    ...(epochMsTimestamps ? { epochMsKeys: epochMsTimestamps.keys, epochMsRead: epochMsTimestamps.read } : {}),
  };
  const source = new ReaderSource();
  const statements: string[] = [];
  for (const field of envelopeType.fields) {
    if (field.name === 'op') {
      if (field.type.typeName !== 'string') return undefined;
      statements.push('op = readString(input);');
    } else if (field.name === 'before' || field.name === 'after') {
      const expression = valueExpression(field.type, source, options);
      if (expression === undefined) return undefined;
      statements.push(`${field.name} = ${expression};`);
    } else {
      const skip = valueSkipper(field.type);
      if (skip === undefined) return undefined;
      statements.push(`${source.helper(skip)}(input);`);
    }
  }
  const read = source.build<EnvelopeRows>(`let op = '', before = null, after = null; ${statements.join(' ')} return { op, before, after };`);
  return (buf, offset) => readAll<EnvelopeRows>(read, buf, offset);
}
