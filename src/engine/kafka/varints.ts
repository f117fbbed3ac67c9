/**
 * Kafka's zigzag varints (record batch v2): 32-bit ones with integer arithmetic, and longs within ±2^52 (timestamp
 * deltas, offsets in a batch) through doubles, taking the 32-bit path when the value fits it.
 */

/** Bytes of a zigzag varint of a 32-bit integer. */
export function varintSize(value: number): number {
  let raw = ((value << 1) ^ (value >> 31)) >>> 0;
  let size = 1;
  while (raw > 0x7f) {
    raw >>>= 7;
    size++;
  }
  return size;
}

export function writeVarint(out: Buffer, at: number, value: number): number {
  let raw = ((value << 1) ^ (value >> 31)) >>> 0;
  while (raw > 0x7f) {
    out[at++] = (raw & 0x7f) | 0x80;
    raw >>>= 7;
  }
  out[at++] = raw;
  return at;
}

/** Bytes of a zigzag varlong of an integer within ±2^52 (timestamp deltas). */
export function varlongSize(value: number): number {
  if (value >= -0x40000000 && value < 0x40000000) return varintSize(value);
  let raw = value >= 0 ? value * 2 : -value * 2 - 1;
  let size = 1;
  while (raw >= 0x80) {
    raw = Math.floor(raw / 128);
    size++;
  }
  return size;
}

export function writeVarlong(out: Buffer, at: number, value: number): number {
  if (value >= -0x40000000 && value < 0x40000000) return writeVarint(out, at, value);
  let raw = value >= 0 ? value * 2 : -value * 2 - 1;
  while (raw >= 0x80) {
    out[at++] = (raw % 128) | 0x80;
    raw = Math.floor(raw / 128);
  }
  out[at++] = raw;
  return at;
}
