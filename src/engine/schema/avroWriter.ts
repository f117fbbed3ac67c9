import avro from 'avsc';
import type { Type } from 'avsc';
import { BIGINT_LONG, FerryLogicalType } from './avscTypes';
import { smallDecimalUnscaled, twosComplementSize, writeTwosComplement } from './decimal';

/**
 * A straight-line Avro writer for the records Ferry writes per row, compiled once per avsc type: no per-value
 * dispatch through avsc's union bucketing, logical-type wrappers and generated record closures, and no renamed copy
 * of the row. The bytes are avsc's by construction: every primitive is written with avsc's own algorithm (zig-zag
 * varints, UTF-8 as avsc's Tap writes it, little-endian floats), and a value the compiled writer does not handle
 * exactly as avsc would (a missing field with a default, a long beyond 2^52, a value avsc rejects, an unsupported
 * type) makes the write return false so the caller writes that record with avsc instead, errors included.
 */

/** The output: a scratch buffer and a position, as avsc's Tap (writes past the end are dropped, then detected). */
export class AvroOut {
  constructor(
    public buf: Buffer,
    public pos: number,
  ) {}

  /** avsc's Tap.writeLong, byte for byte (integer arithmetic below 2^30, floating above). */
  writeLong(n: number): void {
    const buf = this.buf;
    if (n >= -1073741824 && n < 1073741824) {
      let m = n >= 0 ? n << 1 : (~n << 1) | 1;
      for (;;) {
        const byte = m & 0x7f;
        m >>= 7;
        if (m === 0) {
          buf[this.pos++] = byte;
          return;
        }
        buf[this.pos++] = byte | 0x80;
      }
    }
    let f = n >= 0 ? n * 2 : -n * 2 - 1;
    for (;;) {
      const byte = f & 0x7f;
      f /= 128;
      if (f < 1) {
        buf[this.pos++] = byte;
        return;
      }
      buf[this.pos++] = byte | 0x80;
    }
  }

  /** avsc's Tap.writeString: UTF-8 length then bytes; a lone surrogate is written as avsc writes it (see writeUtf8). */
  writeString(s: string): void {
    const length = s.length;
    if (length < 64 && this.pos + length < this.buf.length) {
      // A short ASCII string (most of a row's): its length (< 64, so one zig-zag byte: 2 × length) and its characters
      // in one pass, without asking Buffer.byteLength first; at the first other character, the general path below.
      const buf = this.buf;
      const start = this.pos;
      let at = start + 1;
      let index = 0;
      for (; index < length; index += 1) {
        const code = s.charCodeAt(index);
        if (code >= 0x80) break;
        buf[at++] = code;
      }
      if (index === length) {
        buf[start] = length << 1;
        this.pos = at;
        return;
      }
    }
    const len = Buffer.byteLength(s);
    this.writeLong(len);
    const pos = this.pos;
    this.pos += len;
    if (this.pos > this.buf.length) return;
    if (len > 64) this.buf.write(s, pos, len, 'utf8');
    else writeUtf8(this.buf, s, pos);
  }

  writeBytes(bytes: Buffer): void {
    this.writeLong(bytes.length);
    this.writeFixed(bytes, bytes.length);
  }

  writeFixed(bytes: Buffer, len: number): void {
    const pos = this.pos;
    this.pos += len;
    if (this.pos > this.buf.length) return;
    bytes.copy(this.buf, pos, 0, len);
  }

  writeFloat(f: number): void {
    const pos = this.pos;
    this.pos += 4;
    if (this.pos > this.buf.length) return;
    this.buf.writeFloatLE(f, pos);
  }

  writeDouble(d: number): void {
    const pos = this.pos;
    this.pos += 8;
    if (this.pos > this.buf.length) return;
    this.buf.writeDoubleLE(d, pos);
  }
}

/**
 * Where compiled writers put the records Ferry sends (keys, values, change events), each record's bytes a slice of a
 * shared 64 KiB chunk, as Buffer.allocUnsafe slices its pool: no write into a scratch buffer and copy out, whose
 * Buffer#copy of a part made a Uint8Array view per record beside the output's own (issue 13). A chunk lives while any
 * of its records does.
 */
const CHUNK_BYTES = 64 * 1024;
let chunk = Buffer.allocUnsafe(CHUNK_BYTES);
let chunkUsed = 0;
/** The cursor writeToChunk lends its writers, reused (writing is synchronous and never nested). */
const chunkOut = new AvroOut(chunk, 0);

/**
 * One record written by `write` after `offset` bytes left for the caller (Confluent's 5-byte header), as its own
 * slice of the shared chunk; undefined when `write` declines the value (the caller writes it with avsc then). A
 * record that does not fit in the chunk's rest is written again into a fresh chunk (room for twice it at least).
 */
export function writeToChunk<T>(offset: number, write: (out: AvroOut, value: T) => boolean, value: T): Buffer | undefined {
  const out = chunkOut;
  let start = chunkUsed;
  out.buf = chunk;
  out.pos = start + offset;
  let written = write(out, value);
  while (written && out.pos > chunk.length) {
    chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, 2 * (out.pos - start)));
    start = 0;
    chunkUsed = 0;
    out.buf = chunk;
    out.pos = offset;
    written = write(out, value);
  }
  if (!written) return undefined;
  const record = chunk.subarray(start, out.pos);
  // The next record starts 8-aligned, as Buffer's pool aligns its slices.
  chunkUsed = (out.pos + 7) & ~7;
  return record;
}

/** avsc's manual UTF-8 loop for strings of up to 64 bytes (a lone surrogate becomes its 3-byte form, as there). */
function writeUtf8(buf: Buffer, s: string, start: number): void {
  let pos = start;
  for (let i = 0, l = s.length; i < l; i++) {
    let c1 = s.charCodeAt(i);
    let c2: number;
    if (c1 < 0x80) {
      buf[pos++] = c1;
    } else if (c1 < 0x800) {
      buf[pos++] = (c1 >> 6) | 0xc0;
      buf[pos++] = (c1 & 0x3f) | 0x80;
    } else if ((c1 & 0xfc00) === 0xd800 && ((c2 = s.charCodeAt(i + 1)) & 0xfc00) === 0xdc00) {
      c1 = 0x10000 + ((c1 & 0x03ff) << 10) + (c2 & 0x03ff);
      i++;
      buf[pos++] = (c1 >> 18) | 0xf0;
      buf[pos++] = ((c1 >> 12) & 0x3f) | 0x80;
      buf[pos++] = ((c1 >> 6) & 0x3f) | 0x80;
      buf[pos++] = (c1 & 0x3f) | 0x80;
    } else {
      buf[pos++] = (c1 >> 12) | 0xe0;
      buf[pos++] = ((c1 >> 6) & 0x3f) | 0x80;
      buf[pos++] = (c1 & 0x3f) | 0x80;
    }
  }
}

/** Writes one value; false when it must be written by avsc instead (nothing of it may be kept then). */
export type ValueWriter = (out: AvroOut, value: unknown) => boolean;

const LONG_FAST_LIMIT = 2 ** 52;
const LONG_FAST_LIMIT_BIG = 2n ** 52n;

interface LogicalInternals {
  _toValue(value: unknown): unknown;
}

/**
 * The compiled writer of a record type, reading the row's values under `rowKeys` (in field order: Ferry's row keys,
 * which may differ from the Avro names); undefined when the type holds something this writer does not compile.
 */
export function compileRecordWriter(type: Type, rowKeys: readonly string[]): ValueWriter | undefined {
  if (!(type instanceof avro.types.RecordType) || type.fields.length !== rowKeys.length) return undefined;
  const writers: ValueWriter[] = [];
  for (const field of type.fields) {
    const writer = compileValueWriter(field.type);
    if (writer === undefined) return undefined;
    writers.push(writer);
  }
  return straightLineRecordWriter(writers, rowKeys);
}

/**
 * The record's writer as one generated function, a statement per field: `v = row["sku"]; if (v === undefined ||
 * !w3(out, v)) return false;` and so on. Each field's value is then read by a constant name (an inline-cached load,
 * monomorphic while the rows share a shape, as rows built by one literal do) and each field writer is called from a
 * site of its own, which V8 can inline; a loop over the fields read every value by a varying key (a megamorphic
 * lookup) and called every writer from one site (issue 13: the record writer was the Avro write's largest self time).
 * Only the row keys become code, as JSON string literals; the writers are passed in as arguments.
 */
function straightLineRecordWriter(writers: readonly ValueWriter[], rowKeys: readonly string[]): ValueWriter {
  const names = writers.map((_writer, index) => `w${index}`);
  const body = rowKeys.map((key, index) => `v = row[${JSON.stringify(key)}]; if (v === undefined || !w${index}(out, v)) return false;`);
  const source = `return function writeRecord(out, row) {
    // A missing field takes its default (or fails) in avsc.
    if (typeof row !== 'object' || row === null || Array.isArray(row) || isBuffer(row)) return false;
    let v;
    ${body.join('\n    ')}
    return true;
  };`;
  const make = new Function('isBuffer', ...names, source) as (isBuffer: (value: unknown) => boolean, ...writers: ValueWriter[]) => ValueWriter;
  return make((value) => Buffer.isBuffer(value), ...writers);
}

/**
 * A decimal column: a plain decimal text of up to 15 digits goes straight into the output as its two's-complement
 * bytes (the Buffer toWire would allocate for it is the same bytes); any other value through toWire as before.
 */
function decimalWriter(type: Type, logical: LogicalInternals, underlying: ValueWriter): ValueWriter {
  const scale = (type as unknown as { scale: number }).scale;
  const base = (type as unknown as { underlyingType: Type }).underlyingType;
  const fixedSize = base.typeName === 'fixed' ? (base as unknown as { size: number }).size : undefined;
  return (out, value) => {
    const unscaled = typeof value === 'string' ? smallDecimalUnscaled(value, scale) : null;
    if (unscaled === null) {
      const wire = logical._toValue(value);
      return wire !== undefined && underlying(out, wire);
    }
    const size = fixedSize ?? twosComplementSize(unscaled);
    if (fixedSize === undefined) out.writeLong(size);
    const at = out.pos;
    out.pos += size;
    // Past the end nothing is written; the caller sees the overflow and writes again into a larger buffer.
    return out.pos > out.buf.length || writeTwosComplement(unscaled, size, out.buf, at);
  };
}

function compileValueWriter(type: Type): ValueWriter | undefined {
  if (type === BIGINT_LONG) {
    return (out, value) => {
      if (typeof value === 'number') {
        if (!Number.isInteger(value) || value <= -LONG_FAST_LIMIT || value >= LONG_FAST_LIMIT) return false;
        out.writeLong(value);
        return true;
      }
      if (typeof value === 'bigint' && value > -LONG_FAST_LIMIT_BIG && value < LONG_FAST_LIMIT_BIG) {
        out.writeLong(Number(value));
        return true;
      }
      return false;
    };
  }
  if (type instanceof FerryLogicalType) {
    const underlying = compileValueWriter(type.underlyingType);
    if (underlying === undefined) return undefined;
    const logical = type as unknown as LogicalInternals;
    if (type.typeName === 'logical:ferry-decimal') return decimalWriter(type, logical, underlying);
    return (out, value) => {
      const wire = logical._toValue(value);
      return wire !== undefined && underlying(out, wire);
    };
  }
  if (type instanceof avro.types.UnwrappedUnionType) {
    // ['null', T] or [T, 'null'] only: the union's choice is then null or not, as avsc's bucketing makes it.
    const branches = type.types;
    if (branches.length !== 2) return undefined;
    const nullIndex = branches.findIndex((branch) => branch instanceof avro.types.NullType);
    const other = branches[1 - nullIndex];
    if (nullIndex < 0 || other === undefined || other instanceof avro.types.NullType) return undefined;
    const writer = compileValueWriter(other);
    if (writer === undefined) return undefined;
    const otherIndex = 1 - nullIndex;
    const needsObject = other instanceof avro.types.RecordType;
    return (out, value) => {
      if (value === null) {
        out.writeLong(nullIndex);
        return true;
      }
      // A record branch takes only what avsc buckets as an object (not an array or a Buffer).
      if (needsObject && (typeof value !== 'object' || Array.isArray(value) || Buffer.isBuffer(value))) return false;
      out.writeLong(otherIndex);
      return writer(out, value);
    };
  }
  if (type instanceof avro.types.RecordType) {
    return compileRecordWriter(
      type,
      type.fields.map((field) => field.name),
    );
  }
  if (type instanceof avro.types.EnumType) {
    const indices = new Map(type.symbols.map((symbol, index) => [symbol, index]));
    return (out, value) => {
      const index = typeof value === 'string' ? indices.get(value) : undefined;
      if (index === undefined) return false;
      out.writeLong(index);
      return true;
    };
  }
  switch (type.typeName) {
    case 'null':
      return (_out, value) => value === null;
    case 'boolean':
      return (out, value) => {
        if (typeof value !== 'boolean') return false;
        out.buf[out.pos++] = value ? 1 : 0;
        return true;
      };
    case 'int':
      return (out, value) => {
        if (value !== ((value as number) | 0)) return false;
        out.writeLong(value as number);
        return true;
      };
    case 'long':
      // avsc's own long (under a Ferry logical type: timestamps, micro times): numbers of up to ±(2^53 - 2).
      return (out, value) => {
        if (typeof value !== 'number' || value % 1 !== 0 || value < -9007199254740990 || value > 9007199254740990) return false;
        out.writeLong(value);
        return true;
      };
    case 'float':
      return (out, value) => {
        if (typeof value !== 'number') return false;
        out.writeFloat(value);
        return true;
      };
    case 'double':
      return (out, value) => {
        if (typeof value !== 'number') return false;
        out.writeDouble(value);
        return true;
      };
    case 'string':
      return (out, value) => {
        if (typeof value !== 'string') return false;
        out.writeString(value);
        return true;
      };
    case 'bytes':
      return (out, value) => {
        if (!Buffer.isBuffer(value)) return false;
        out.writeBytes(value);
        return true;
      };
    case 'fixed': {
      const size = (type as unknown as { size: number }).size;
      return (out, value) => {
        if (!Buffer.isBuffer(value) || value.length !== size) return false;
        out.writeFixed(value, size);
        return true;
      };
    }
    default:
      return undefined;
  }
}
