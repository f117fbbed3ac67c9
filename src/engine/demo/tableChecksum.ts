import { createHash } from 'node:crypto';
import { pg } from '../db/drivers';
import type { DatabaseAddress } from './orderSimulator';

export interface TableDigest {
  rows: number;
  /** sha256 over the rows in key order, each value in one canonical text. */
  checksum: string;
}

function canonical(value: unknown): string {
  if (value === null || value === undefined) return '\u2400';
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return value.toString('hex');
  return String(value);
}

/**
 * Count and checksum of a table, computed over the columns both sides share, in id order. Values are compared in
 * one canonical text (timestamps as UTC ISO instants, numerics as the database prints them at their scale).
 */
export async function tableDigest(address: DatabaseAddress, table: string, columns: readonly string[]): Promise<TableDigest> {
  const client = new pg.Client(address);
  await client.connect();
  try {
    const list = columns.map((column) => `"${column.replaceAll('"', '""')}"`).join(', ');
    const result = await client.query({ text: `SELECT ${list} FROM "${table.replaceAll('"', '""')}" ORDER BY "id"`, rowMode: 'array' });
    const hash = createHash('sha256');
    for (const row of result.rows as unknown[][]) hash.update(`${row.map(canonical).join('\u0001')}\n`);
    return { rows: result.rows.length, checksum: hash.digest('hex') };
  } finally {
    await client.end();
  }
}

export async function tableColumns(address: DatabaseAddress, table: string): Promise<string[]> {
  const client = new pg.Client(address);
  await client.connect();
  try {
    const result = await client.query<{ column_name: string }>(
      "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position",
      [table],
    );
    return result.rows.map((row) => row.column_name);
  } finally {
    await client.end();
  }
}
