/**
 * Reads a configuration file as UTF-8 text, strictly. Node's `readFile(path, 'utf8')` turns every byte that is not
 * UTF-8 into U+FFFD without a word, so a file saved as Latin-1 or Windows-1252 (`é` as 0xE9) validated and then
 * carried a table name, a password or a topic prefix that no longer matched anything. Here such a file is an error
 * naming the first bad byte: its offset, line and column, and its value.
 */
import { readFile } from 'node:fs/promises';
import { configError } from './errors';

/** Where the first byte that cannot start or continue a UTF-8 sequence is, or undefined when `bytes` is UTF-8. */
export function firstInvalidUtf8Byte(bytes: Uint8Array): number | undefined {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return undefined;
  } catch {
    // Found below, byte by byte (only on the failure path).
  }
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i] as number;
    let length: number;
    let min: number;
    if (lead < 0x80) {
      i += 1;
      continue;
    } else if (lead >= 0xc2 && lead <= 0xdf) [length, min] = [2, 0x80];
    else if (lead >= 0xe0 && lead <= 0xef) [length, min] = [3, 0x800];
    else if (lead >= 0xf0 && lead <= 0xf4) [length, min] = [4, 0x10000];
    else return i;
    if (i + length > bytes.length) return i;
    let code = lead & (0xff >> (length + 1));
    for (let k = 1; k < length; k += 1) {
      const next = bytes[i + k] as number;
      if ((next & 0xc0) !== 0x80) return i;
      code = (code << 6) | (next & 0x3f);
    }
    // Overlong forms, UTF-16 surrogates and values past U+10FFFF are not UTF-8 either.
    if (code < min || (code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff) return i;
    i += length;
  }
  return bytes.length;
}

/** 1-based line and column (in characters of the valid text before it) of byte `offset`. */
function positionOf(bytes: Uint8Array, offset: number): { line: number; column: number } {
  const before = new TextDecoder('utf-8').decode(bytes.subarray(0, offset));
  const lines = before.split('\n');
  return { line: lines.length, column: [...(lines[lines.length - 1] ?? '')].length + 1 };
}

/** The text of `bytes`, or a CONFIG_FILE_NOT_UTF8 error naming the first invalid byte. A UTF-8 BOM is dropped. */
export function decodeUtf8File(bytes: Uint8Array, path: string): string {
  const offset = firstInvalidUtf8Byte(bytes);
  if (offset === undefined) return new TextDecoder('utf-8').decode(bytes);
  const { line, column } = positionOf(bytes, offset);
  const value = bytes[offset];
  const byte = value === undefined ? 'a truncated character at the end' : `0x${value.toString(16).toUpperCase().padStart(2, '0')}`;
  const legacy = value !== undefined && value >= 0xa0 ? ` (${byte} is "${String.fromCharCode(value)}" in Latin-1 / Windows-1252: the file was probably saved in that encoding)` : '';
  return failNotUtf8(path, offset, line, column, byte, legacy);
}

function failNotUtf8(path: string, offset: number, line: number, column: number, byte: string, legacy: string): never {
  throw configError('CONFIG_FILE_NOT_UTF8', `${path} is not UTF-8 text: byte offset ${offset} (line ${line}, column ${column}) is ${byte}, which is not valid UTF-8${legacy}. Save the file as UTF-8 and run again.`, {
    detail: { path, offset, line, column },
  });
}

/** Reads `path` as strict UTF-8; `what` names the file in the unreadable-file error ("pipeline file"). */
export async function readUtf8File(path: string, what: string): Promise<string> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
    const why = code === 'ENOENT' ? 'it does not exist' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : code || 'read failed';
    throw configError('CONFIG_FILE_UNREADABLE', `Cannot read ${what} ${path}: ${why}. Check the path (relative paths start from the current directory).`, { cause: error, detail: { path } });
  }
  return decodeUtf8File(bytes, path);
}
