import avro from 'avsc';
import type { Type } from 'avsc';
import type { Row } from '../model';
import { BIGINT_LONG, FerryLogicalType } from './avscTypes';

/**
 * A straight-line Avro reader for the records the sink decodes per message (the mirror of avroWriter), compiled once
 * per avsc type: no per-value dispatch through avsc's Tap, logical-type wrappers and union objects, no resolver for the
 * skipped envelope fields, and rows built as object literals with Ferry's row keys (no renamed copy). What it returns
 * is what avsc returns for the same bytes: every primitive is read with avsc's own algorithm, and every Ferry logical
 * type's value comes from that type's own `fromWire` (decimals of up to 6 bytes excepted: their text is built here,
 * from the bytes in place, the same text avscTypes builds). Anything it does not handle exactly as avsc would (bytes
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
  return (input.buf as unknown as Utf8Buffer).utf8Slice(pos, pos + len);
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
  const digits = String(negative ? -unscaled : unscaled);
  if (scale === 0) return negative ? `-${digits}` : digits;
  const padded = digits.length > scale ? digits : digits.padStart(scale + 1, '0');
  const text = `${padded.slice(0, padded.length - scale)}.${padded.slice(padded.length - scale)}`;
  return negative ? `-${text}` : text;
}

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

function nullableReader(type: Type, options: CompileOptions): ValueReader | undefined {
  const branches = (type as unknown as { types: Type[] }).types;
  if (branches.length !== 2) return undefined;
  const nullIndex = branches.findIndex((branch) => branch instanceof avro.types.NullType);
  const other = branches[1 - nullIndex];
  if (nullIndex < 0 || other === undefined || other instanceof avro.types.NullType) return undefined;
  const read = valueReader(other, options);
  if (read === undefined) return undefined;
  const otherIndex = 1 - nullIndex;
  return (input) => {
    const index = readLong(input);
    if (index === nullIndex) return null;
    if (index !== otherIndex) throw READ_WITH_AVSC;
    return read(input);
  };
}

interface CompileOptions {
  /** Record types met as values (the image inside an envelope's union) and the keys their rows take. */
  recordKeys: Map<Type, readonly string[]>;
  /** Compiled record readers, so a record type used twice (before and after) is compiled once. */
  records: Map<Type, ValueReader | undefined>;
}

function valueReader(type: Type, options: CompileOptions): ValueReader | undefined {
  if (type === BIGINT_LONG) return readBigintLong;
  if (type instanceof FerryLogicalType) {
    if (type.typeName === 'logical:ferry-decimal') return decimalReader(type);
    if (type.typeName === 'logical:ferry-bytes') {
      const base = (type as unknown as { underlyingType: Type }).underlyingType;
      if (base.typeName === 'bytes') return (input) => readFixedCopy(input, readLength(input));
      if (base.typeName === 'fixed') {
        const size = (base as unknown as { size: number }).size;
        return (input) => readFixedCopy(input, size);
      }
      return undefined;
    }
    const underlying = valueReader((type as unknown as { underlyingType: Type }).underlyingType, options);
    if (underlying === undefined) return undefined;
    return (input) => type.fromWire(underlying(input));
  }
  if (type instanceof avro.types.UnwrappedUnionType) return nullableReader(type, options);
  if (type instanceof avro.types.RecordType) {
    if (options.records.has(type)) return options.records.get(type);
    const keys = options.recordKeys.get(type);
    const reader = keys === undefined ? undefined : recordReader(type, keys, options);
    options.records.set(type, reader);
    return reader;
  }
  if (type instanceof avro.types.EnumType) {
    const symbols = type.symbols;
    return (input) => {
      const symbol = symbols[readLong(input)];
      if (symbol === undefined) throw READ_WITH_AVSC;
      return symbol;
    };
  }
  switch (type.typeName) {
    case 'null':
      return () => null;
    case 'boolean':
      return (input) => {
        if (input.pos >= input.buf.length) throw READ_WITH_AVSC;
        return !!input.buf[input.pos++];
      };
    case 'int':
      return readLong;
    case 'long':
      return readSafeLong;
    case 'float':
      return readFloat;
    case 'double':
      return readDouble;
    case 'string':
      return readString;
    case 'bytes':
      return (input) => readFixedCopy(input, readLength(input));
    case 'fixed': {
      const size = (type as unknown as { size: number }).size;
      return (input) => readFixedCopy(input, size);
    }
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
 * A function building `{ key0: r0(input), key1: r1(input), … }` as one object literal, so every row of a schema has one
 * hidden class from its creation (keyed stores in a loop would go through a generic store per field). The keys are
 * JSON string literals, so no key can change the generated code; `__proto__` would set the prototype in a literal, so
 * a schema with such a field is not compiled.
 */
function literalBuilder(keys: readonly string[], readers: readonly ValueReader[]): ValueReader | undefined {
  if (keys.includes('__proto__') || keys.length !== readers.length) return undefined;
  const args = readers.map((_, index) => `r${index}`);
  const body = `return function read(input) { return { ${keys.map((key, index) => `${JSON.stringify(key)}: r${index}(input)`).join(', ')} }; };`;
  // Generated from the schema's keys as JSON literals (see above), as avsc builds its own record readers.
  const make = new Function(...args, body) as (...readers: ValueReader[]) => ValueReader;
  return make(...readers);
}

function recordReader(type: Type, keys: readonly string[], options: CompileOptions): ValueReader | undefined {
  if (!(type instanceof avro.types.RecordType) || type.fields.length !== keys.length) return undefined;
  const readers: ValueReader[] = [];
  for (const field of type.fields) {
    const reader = valueReader(field.type, options);
    if (reader === undefined) return undefined;
    readers.push(reader);
  }
  return literalBuilder(keys, readers);
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

/** Reads one envelope body; undefined when avsc must read it. */
export type EnvelopeRowsReader = (buf: Buffer, offset: number) => EnvelopeRows | undefined;

/**
 * The compiled rows-only reader of a Debezium envelope type (the writer's envelope, its `Value` record annotated as the
 * value codec reads it): `op`, `before` and `after` are read, every other field (source block, transaction, ts_*)
 * skipped. `imageKeys` are the row keys of the `Value` record's fields. Undefined when the envelope holds something
 * this reader does not compile.
 */
export function compileEnvelopeRowsReader(envelopeType: Type, imageKeys: readonly string[]): EnvelopeRowsReader | undefined {
  if (!(envelopeType instanceof avro.types.RecordType)) return undefined;
  const before = envelopeType.fields.find((field) => field.name === 'before');
  const valueType = before ? (before.type as unknown as { types?: Type[] }).types?.find((branch) => branch instanceof avro.types.RecordType) : undefined;
  if (valueType === undefined) return undefined;
  const options: CompileOptions = { recordKeys: new Map([[valueType, imageKeys]]), records: new Map() };
  const steps: ((input: AvroIn, event: EnvelopeRows) => void)[] = [];
  for (const field of envelopeType.fields) {
    if (field.name === 'op') {
      if (field.type.typeName !== 'string') return undefined;
      steps.push((input, event) => {
        event.op = readString(input);
      });
    } else if (field.name === 'before' || field.name === 'after') {
      const read = valueReader(field.type, options);
      if (read === undefined) return undefined;
      const name = field.name;
      steps.push((input, event) => {
        event[name] = read(input) as Row | null;
      });
    } else {
      const skip = valueSkipper(field.type);
      if (skip === undefined) return undefined;
      steps.push(skip);
    }
  }
  const read: ValueReader = (input) => {
    const event: EnvelopeRows = { op: '', before: null, after: null };
    for (const step of steps) step(input, event);
    return event;
  };
  return (buf, offset) => readAll<EnvelopeRows>(read, buf, offset);
}
