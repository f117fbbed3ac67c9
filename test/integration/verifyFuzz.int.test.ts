import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runVerify } from '../../src/engine/verify';
import { uniqueName } from '../helpers/names';
import { type ColumnSpec, databaseUrl, openVerifyTestDb, type TestValue, type VerifyTestDb } from '../helpers/verifyDb';

// Random data of every kind written identically to MariaDB and PostgreSQL must verify as equal (no false
// differences from normalisation), and random single-cell changes must be found exactly (no missed ones).
// A fixed seed keeps the run reproducible; FERRY_VERIFY_FUZZ_SEED picks another.

const endpoints = inject('labEndpoints');
const SEED = Number(process.env.FERRY_VERIFY_FUZZ_SEED ?? 20260522);
const ROWS = 1500;

/** mulberry32: small, fast and good enough to pick test values. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const COLUMNS: ColumnSpec[] = [
  { name: 'id', type: 'bigint' },
  { name: 's', type: 'varchar' },
  { name: 't', type: 'text' },
  { name: 'd', type: 'decimal(12,4)' },
  { name: 'f', type: 'double' },
  { name: 'b', type: 'bool' },
  { name: 'bin', type: 'binary' },
  { name: 'dt', type: 'date' },
  { name: 'ts', type: 'ts6' },
  { name: 'tz', type: 'tstz6' },
  { name: 'u', type: 'uuid' },
];

const ALPHABET = ['a', 'Z', '0', ' ', '|', '~', ':', '\\', "'", '"', '%', 'é', 'É', 'ß', 'ñ', '中', '😀', 'e\u0301', '~N', '\t'];

function values(next: () => number): ((id: number) => TestValue)[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const int = (below: number): number => Math.floor(next() * below);
  const pad = (value: number, width: number): string => String(value).padStart(width, '0');
  const maybeNull = (value: () => TestValue): TestValue => (next() < 0.08 ? null : value());
  const text = (max: number): string => Array.from({ length: int(max) }, () => pick(ALPHABET)).join('');
  const stamp = (years = 120): string => `${1971 + int(years)}-${pad(1 + int(12), 2)}-${pad(1 + int(28), 2)} ${pad(int(24), 2)}:${pad(int(60), 2)}:${pad(int(60), 2)}.${pad(int(1_000_000), 6)}`;
  return [
    (id) => String(id),
    () => maybeNull(() => text(12)),
    () => maybeNull(() => text(40)),
    () => maybeNull(() => `${next() < 0.5 ? '-' : ''}${int(100_000_000)}.${pad(int(10_000), 4)}`),
    // Doubles across the documented range, 1e-15 to 1e30 in magnitude; half of them short (up to 15 significant
    // digits, 0.25 or 99999999999999), which MySQL prints in at most 14 characters and takes without rounding.
    () =>
      maybeNull(() =>
        next() < 0.5
          ? String((next() < 0.5 ? -1 : 1) * (1 + next() * 9) * 10 ** (int(45) - 15))
          : String(Number(`${next() < 0.5 ? '-' : ''}${int(10 ** (1 + int(15)))}e${int(31) - 15}`)),
      ),
    () => maybeNull(() => next() < 0.5),
    () => maybeNull(() => Array.from({ length: int(16) }, () => pad(int(256), 3)).map((n) => Number(n).toString(16).padStart(2, '0')).join('')),
    () => maybeNull(() => stamp().slice(0, 10)),
    () => maybeNull(() => stamp()),
    // MySQL's TIMESTAMP ends in 2038.
    () => maybeNull(() => stamp(66)),
    // Version 4, RFC variant: MariaDB's UUID type refuses other variants.
    () => maybeNull(() => {
      const hex = (length: number): string => Array.from({ length }, () => int(16).toString(16)).join('');
      return `${hex(8)}-${hex(4)}-4${hex(3)}-${pick(['8', '9', 'a', 'b'])}${hex(3)}-${hex(12)}`;
    }),
  ];
}

describe.each([
  ['MariaDB → PostgreSQL', 'mysql', 'postgres'],
  ['PostgreSQL → MariaDB', 'postgres', 'mysql'],
] as const)('random data, %s', (_label, from, to) => {
  let source: VerifyTestDb;
  let target: VerifyTestDb;
  const table = uniqueName('vf');

  beforeAll(async () => {
    source = await openVerifyTestDb('source', databaseUrl(from, from === 'mysql' ? endpoints.mariadb : endpoints.postgres));
    target = await openVerifyTestDb('target', databaseUrl(to, to === 'mysql' ? endpoints.mariadb : endpoints.postgres));
    const next = random(SEED);
    const generators = values(next);
    const rows = Array.from({ length: ROWS }, (_, index) => generators.map((generate) => generate(index * 7919 - 3_000_000)));
    for (const db of [source, target]) {
      await db.createTable(table, COLUMNS, ['id']);
      for (let start = 0; start < rows.length; start += 500) await db.insert(table, COLUMNS, rows.slice(start, start + 500));
    }
  });

  afterAll(async () => {
    await source?.dropTable(table).catch(() => undefined);
    await target?.dropTable(table).catch(() => undefined);
    await source?.close();
    await target?.close();
  });

  it('finds identical random rows equal, then exactly the cells changed at random', async () => {
    const request = { source: { url: source.url, table }, target: { url: target.url, table }, bisectionThreshold: 64 };
    const equal = await runVerify(request);
    expect(equal.different).toEqual([]);
    expect(equal.equal).toBe(true);
    expect(equal.sourceRows).toBe(ROWS);

    // Change one cell in 12 random rows of the target, each to a value that certainly differs.
    const next = random(SEED + 1);
    const changed = new Map<number, string>();
    const q = (name: string): string => (target.engine === 'mysql' ? `\`${name}\`` : `"${name}"`);
    while (changed.size < 12) {
      const id = Math.floor(next() * ROWS) * 7919 - 3_000_000;
      if (changed.has(id)) continue;
      const column = COLUMNS[1 + Math.floor(next() * (COLUMNS.length - 1))]?.name ?? 's';
      const set: Record<string, string> = {
        s: `${q('s')} = 'changed'`,
        t: `${q('t')} = CONCAT(COALESCE(${q('t')}, ''), '|')`,
        d: `${q('d')} = COALESCE(${q('d')}, 0) + 0.0001`,
        f: `${q('f')} = COALESCE(${q('f')}, 1) * 2`,
        b: target.engine === 'mysql' ? `${q('b')} = 1 - COALESCE(${q('b')}, 1)` : `${q('b')} = NOT COALESCE(${q('b')}, true)`,
        bin: target.engine === 'mysql' ? `${q('bin')} = CONCAT(COALESCE(${q('bin')}, X''), X'00')` : `${q('bin')} = COALESCE(${q('bin')}, ''::bytea) || '\\x00'::bytea`,
        dt: target.engine === 'mysql' ? `${q('dt')} = COALESCE(${q('dt')}, DATE '2000-01-01') + INTERVAL 1 DAY` : `${q('dt')} = COALESCE(${q('dt')}, DATE '2000-01-01') + 1`,
        ts: target.engine === 'mysql' ? `${q('ts')} = COALESCE(${q('ts')}, TIMESTAMP '2000-01-01 00:00:00') + INTERVAL 1 MICROSECOND` : `${q('ts')} = COALESCE(${q('ts')}, TIMESTAMP '2000-01-01 00:00:00') + INTERVAL '1 microsecond'`,
        tz: target.engine === 'mysql' ? `${q('tz')} = COALESCE(${q('tz')}, TIMESTAMP '2000-01-01 00:00:00') + INTERVAL 1 SECOND` : `${q('tz')} = COALESCE(${q('tz')}, TIMESTAMPTZ '2000-01-01 00:00:00+00') + INTERVAL '1 second'`,
        u: `${q('u')} = '00000000-0000-4000-8000-000000000000'`,
      };
      await target.exec(`UPDATE ${q(table)} SET ${set[column]} WHERE ${q('id')} = ${id}`);
      changed.set(id, column);
    }
    const report = await runVerify(request);
    const found = report.different.map((row) => `${String(row.key.id)}:${row.columns.map((column) => column.name).join(',')}`).sort();
    expect(found).toEqual([...changed].map(([id, column]) => `${id}:${column}`).sort());
    expect(report.onlyInSource).toEqual([]);
    expect(report.onlyInTarget).toEqual([]);
  });
});
