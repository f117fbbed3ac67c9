import { describe, expect, it } from 'vitest';
import { runVerify } from '../../src/engine/verify';
import { uniqueName } from '../helpers/names';
import { checksumsMatched, useMariadbPostgresTable } from '../helpers/verifyDb';

// Issue 13: doubles enter the hashed row text as the integer ROUND(x * 10000) when nearest to a number of at most 4
// decimals (else `~` and the canonical text), and a CHAR(36) beside a uuid with the uuid's constant length; timestamps
// keep their padded text. MariaDB and PostgreSQL must give the same hash for every
// value, NOT NULL and nullable, on both sides of the four-decimal test and at the ends of each type's range; and a
// change of one value of each column type must still be found.

const MARIADB = `id INT PRIMARY KEY, f DOUBLE NOT NULL, fn DOUBLE NULL, f4 FLOAT NULL, ts6 DATETIME(6) NOT NULL, ts3 DATETIME(3) NULL,
  tcut DATETIME(6) NULL, tz TIMESTAMP(6) NULL, ref CHAR(36) NULL, i BIGINT NOT NULL, d DECIMAL(20,6) NULL, dt DATE NULL,
  s VARCHAR(20) CHARACTER SET utf8mb4 NULL, b TINYINT(1) NOT NULL`;
const POSTGRES = `id INT PRIMARY KEY, f DOUBLE PRECISION NOT NULL, fn DOUBLE PRECISION NULL, f4 REAL NULL, ts6 TIMESTAMP(6) NOT NULL,
  ts3 TIMESTAMP(3) NULL, tcut TIMESTAMP(3) NULL, tz TIMESTAMPTZ(6) NULL, ref UUID NULL, i BIGINT NOT NULL, d NUMERIC(20,6) NULL,
  dt DATE NULL, s VARCHAR(20) NULL, b BOOLEAN NOT NULL`;

const UUID = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11';

// id, f, fn, f4, ts6, ts3, tcut, tz, ref, i, d, dt, s, b (0/1, booleans on PostgreSQL). Doubles: -0, 0.1 and its
// next double up (same canonical text, not nearest to 4 decimals), 0.1 + 0.2, the 1e8 edge, 99999999.9999, values
// with exponents; timestamps whose fraction ends in zeros, is zero, or is one microsecond; tcut has at most 3 digits
// (PostgreSQL's timestamp(3) rounds where verify cuts); the MariaDB uuid text upper-case in one row.
const ROWS: string[][] = [
  ['1', '0', 'NULL', 'NULL', "'1000-01-01 00:00:00'", 'NULL', 'NULL', 'NULL', 'NULL', '-9223372036854775808', '-99999999999999.999999', "'1000-01-01'", "''", '0'],
  ['2', '-0e0', '0.1', '0.1', "'2024-01-01 00:00:00.100000'", "'2024-01-01 00:00:00.100'", "'2024-01-01 00:00:00.120'", "'2024-06-30 12:00:00.000001'", `'${UUID.toUpperCase()}'`, '9223372036854775807', '99999999999999.999999', "'9999-12-31'", "'中😀é|~N:'", '1'],
  ['3', '0.1e0 + 0.2e0', '99999999.9999', '16777216', "'9999-12-31 23:59:59.999999'", "'2024-01-01 00:00:01'", "'2024-01-01 00:00:00'", "'1970-01-01 00:00:01'", `'${UUID}'`, '0', '0', "'2000-02-29'", "'~N'", '0'],
  ['4', '100000000', '-1234.5678', '-0.5', "'2024-01-01 00:00:00.000010'", "'1999-12-31 23:59:59.990'", "'1999-12-31 23:59:59.999'", "'2038-01-19 03:14:07.500000'", 'NULL', '-1', '0.000001', "'1970-01-01'", 'NULL', '1'],
  ['5', '0.1e0 + 1.3877787807814457e-17', '123456789012345678', '1e-5', "'2024-02-29 23:59:59.500000'", "'2024-01-01 00:00:00.001'", 'NULL', 'NULL', `'${UUID.replace('a11', 'a12')}'`, '42', '-0.000001', 'NULL', "' '", '0'],
  ['6', '-99999999.9999', '2.5e-7', 'NULL', "'2024-01-01 00:00:00'", 'NULL', "'2024-01-01 00:00:00.100'", "'2024-01-01 00:00:00'", 'NULL', '7', 'NULL', "'2024-01-01'", "'x'", '1'],
];

function postgresRow(values: string[]): string {
  return values
    .map((value, index) => {
      if (index === 13) return value === '1' ? 'true' : 'false';
      if (value.includes('e0 + ')) return value.replaceAll('e0', '::float8').replace('1.3877787807814457e-17', '1.3877787807814457e-17::float8');
      return value === '-0e0' ? "'-0'::float8" : value;
    })
    .join(', ');
}

describe('hashed forms of doubles and uuid text, beside timestamps and other types: MariaDB and PostgreSQL agree', () => {
  const table = uniqueName('vhf');
  const db = useMariadbPostgresTable(table, { columns: MARIADB, rows: ROWS.map((row) => row.join(', ')) }, { columns: POSTGRES, rows: ROWS.map(postgresRow) });

  it('stores the doubles the cases are about on both sides', async () => {
    const [row] = await db.postgres.exec(`SELECT f::text AS f FROM "${table}" WHERE id = 5`);
    expect(row).toEqual({ f: '0.10000000000000002' });
    const [other] = await db.mariadb.exec(`SELECT CONCAT(f) AS f FROM \`${table}\` WHERE id = 5`);
    expect(other).toEqual({ f: '0.10000000000000002' });
  });

  it('hashes every row the same on both engines, by integer key and by key hash (a double, a timestamp), both directions', async () => {
    for (const [source, target] of db.bothWays) {
      for (const key of [undefined, ['ts6'], ['f', 'id']]) {
        const report = await runVerify({ source: { url: source.url, table }, target: { url: target.url, table }, ...(key ? { key } : {}) });
        expect({ key, matched: checksumsMatched(report), notes: report.notes.filter((note) => /checksums/.test(note)) }).toEqual({ key, matched: true, notes: [] });
        expect(report.sourceRows).toBe(ROWS.length);
      }
    }
  });

  it('finds one changed value of each column type', async () => {
    const changes: [number, string][] = [
      [1, "i = i + 1, s = NULL, f = 0.0001"],
      [2, "ts3 = '2024-01-01 00:00:00.101', tz = tz + INTERVAL '1 microsecond', ref = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a13', f4 = 0.25"],
      [3, "fn = 99999999.9998, tcut = '2024-01-01 00:00:00.001', d = 0.000001, b = true"],
      [4, "ts6 = '2024-01-01 00:00:00.000011', dt = '1970-01-02', f = 100000001"],
    ];
    for (const [id, set] of changes) await db.postgres.exec(`UPDATE "${table}" SET ${set} WHERE id = ${id}`);
    const report = await runVerify({ source: { url: db.mariadb.url, table }, target: { url: db.postgres.url, table }, bisectionThreshold: 2 });
    const found = report.different.map((row) => `${String(row.key.id)}:${row.columns.map((column) => column.name).sort().join(',')}`);
    expect(found).toEqual(['1:f,i,s', '2:f4,ref,ts3,tz', '3:b,d,fn,tcut', '4:dt,f,ts6']);
    expect(report.onlyInSource).toEqual([]);
    expect(report.onlyInTarget).toEqual([]);
  });
});

describe('a double compared with a decimal or an integer keeps its canonical text (MariaDB and PostgreSQL)', () => {
  const table = uniqueName('vhfm');
  // fd: DOUBLE against NUMERIC(12,4); fi: DOUBLE against INTEGER; df: DECIMAL against DOUBLE PRECISION.
  const rows = ['1, 0.25, 3, 0.25', '2, -1234.5678, -7, -1234.5678', '3, 0, 0, 0', '4, NULL, 2147483647, NULL', '5, 99999999.9999, -2147483648, 0.0001'];
  const db = useMariadbPostgresTable(
    table,
    { columns: 'id INT PRIMARY KEY, fd DOUBLE NULL, fi DOUBLE NOT NULL, df DECIMAL(12,4) NULL', rows },
    { columns: 'id INT PRIMARY KEY, fd NUMERIC(12,4) NULL, fi INTEGER NOT NULL, df DOUBLE PRECISION NULL', rows },
  );

  it('hashes them the same as the other side and finds a changed value', async () => {
    for (const [source, target] of db.bothWays) {
      const report = await runVerify({ source: { url: source.url, table }, target: { url: target.url, table } });
      expect({ matched: checksumsMatched(report), notes: report.notes.filter((note) => /checksums/.test(note)) }).toEqual({ matched: true, notes: [] });
    }
    await db.postgres.exec(`UPDATE "${table}" SET fd = 0.2501, fi = 4, df = 0.2502 WHERE id = 1`);
    const report = await runVerify({ source: { url: db.mariadb.url, table }, target: { url: db.postgres.url, table } });
    expect(report.different.map((row) => [row.key.id, row.columns.map((column) => [column.name, column.source, column.target])])).toEqual([
      [1, [['fd', '0.25', '0.2501'], ['fi', '3', '4'], ['df', '0.25', '0.2502']]],
    ]);
  });
});
