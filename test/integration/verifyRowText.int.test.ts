import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runVerify } from '../../src/engine/verify';
import { uniqueName } from '../helpers/names';
import { checksumsMatched, databaseUrl, openVerifyTestDb, useMariadbPostgresTable, type VerifyTestDb } from '../helpers/verifyDb';

// The hashed row text takes cheaper paths than the canonical text it stands for (issue 13): MariaDB lets CONCAT_WS
// print integers, decimals, dates and timestamps itself, PostgreSQL prints NOT NULL numbers through concat_ws, pads
// timestamps after asking the value whether it has a fraction, and takes short doubles as printed. Edge values on
// both engines, NOT NULL and nullable, must still hash the same (every segment checksum equal, not merely no row
// listed), and a change to an edge value must still be found.

const endpoints = inject('labEndpoints');

const MARIADB = `id BIGINT PRIMARY KEY, i INT NOT NULL, n INT NULL, d DECIMAL(20,6) NOT NULL, dn DECIMAL(20,6) NULL,
  dx DECIMAL(30,10) NULL, f DOUBLE NOT NULL, fn DOUBLE NULL, b TINYINT(1) NOT NULL, bn BIT(1) NULL, dt DATE NOT NULL,
  ts6 DATETIME(6) NOT NULL, ts3 DATETIME(3) NULL, ts0 DATETIME NULL, tz TIMESTAMP(6) NULL, tcut DATETIME(6) NULL,
  s VARCHAR(50) CHARACTER SET utf8mb4 NULL`;
const POSTGRES = `id BIGINT PRIMARY KEY, i INTEGER NOT NULL, n INTEGER NULL, d NUMERIC(20,6) NOT NULL, dn NUMERIC(20,6) NULL,
  dx NUMERIC(30,12) NULL, f DOUBLE PRECISION NOT NULL, fn DOUBLE PRECISION NULL, b BOOLEAN NOT NULL, bn BOOLEAN NULL, dt DATE NOT NULL,
  ts6 TIMESTAMP(6) NOT NULL, ts3 TIMESTAMP(3) NULL, ts0 TIMESTAMP(0) NULL, tz TIMESTAMPTZ(6) NULL, tcut TIMESTAMP(3) NULL,
  s VARCHAR(50) NULL`;

// id, i, n, d, dn, dx, f, fn, b, bn, dt, ts6, ts3, ts0, tz, tcut, s — one literal list for both engines (booleans as
// 0/1, cast on PostgreSQL; tcut has at most 3 digits, since PostgreSQL's timestamp(3) rounds where verify cuts).
const ROWS = [
  `1, -2147483648, NULL, 0, NULL, NULL, -0e0, NULL, 0, NULL, '1000-01-01', '1000-01-01 00:00:00', NULL, NULL, NULL, NULL, ''`,
  `2, 2147483647, 0, 99999999999999.999999, -0.000001, -0.0000000001, 0.1, 123456789012345678, 1, 1, '9999-12-31', '2024-02-29 23:59:59.999999', '2024-01-01 00:00:00.100', '2038-01-19 03:14:07', '2024-06-30 12:00:00.000001', '2024-01-01 00:00:00.120', '中😀é|~N:\\\\'`,
  `3, 7, -7, -99999999999999.999999, 1.5, 123456789012345678.1234567890, -1234.5, 2.5e-7, 0, 0, '2024-01-01', '2024-01-01 00:00:01.500000', '2024-01-01 00:00:01', '1970-01-01 00:00:00', '1970-01-01 00:00:01', '2024-01-01 00:00:00', '~N'`,
  `4, 0, 42, 1.100000, 0, 0, 99999999999999, -1e-12, 1, NULL, '2000-02-29', '2024-01-01 00:00:01', '2024-01-01 00:00:01.999', NULL, '2037-12-31 23:59:59.999999', '1999-12-31 23:59:59.999', ' '`,
];

function postgresRow(values: string): string {
  // Columns 9 and 10 (b, bn) are 0/1 in the list: PostgreSQL wants booleans; MariaDB's backslash escape doubled.
  const parts = values.split(/, (?=(?:[^']*'[^']*')*[^']*$)/);
  return parts.map((part, index) => (index === 8 || index === 9 ? (part === 'NULL' ? 'NULL' : part === '1' ? 'true' : 'false') : part.replace("\\\\'", "\\'"))).join(', ');
}

describe('hashed row text: MariaDB and PostgreSQL agree on edge values', () => {
  const table = uniqueName('vrt');
  const db = useMariadbPostgresTable(table, { columns: MARIADB, rows: ROWS }, { columns: POSTGRES, rows: ROWS.map(postgresRow) });

  it('hashes every row the same on both engines, by integer key and by key hash, both directions', async () => {
    const [row] = await db.postgres.exec(`SELECT count(*)::int AS n, max(s) FILTER (WHERE id = 2) AS s FROM "${table}"`);
    expect(row).toEqual({ n: 4, s: '中😀é|~N:\\' });
    for (const [source, target] of db.bothWays) {
      for (const key of [undefined, ['ts6'], ['s', 'id']]) {
        const report = await runVerify({ source: { url: source.url, table }, target: { url: target.url, table }, ...(key ? { key } : {}) });
        expect({ key, matched: checksumsMatched(report), notes: report.notes.filter((note) => /checksums/.test(note)) }).toEqual({ key, matched: true, notes: [] });
        expect(report.sourceRows).toBe(4);
      }
    }
  });

  it('still finds a change to an edge value: NULL for an empty string, one microsecond, a decimal digit, -0 to a half', async () => {
    await db.postgres.exec(`UPDATE "${table}" SET s = NULL WHERE id = 1`);
    await db.postgres.exec(`UPDATE "${table}" SET ts6 = ts6 + INTERVAL '1 microsecond', dx = dx + 0.0000000001 WHERE id = 3`);
    await db.postgres.exec(`UPDATE "${table}" SET f = 0.5 WHERE id = 1`);
    await db.postgres.exec(`UPDATE "${table}" SET i = i - 1, d = 99999999999999.999998 WHERE id = 2`);
    const report = await runVerify({ source: { url: db.mariadb.url, table }, target: { url: db.postgres.url, table }, bisectionThreshold: 2 });
    const found = report.different.map((row) => `${String(row.key.id)}:${row.columns.map((column) => column.name).join(',')}`);
    expect(found).toEqual(['1:f,s', '2:i,d', '3:dx,ts6']);
    expect(report.different[0]?.columns.find((column) => column.name === 's')).toEqual({ name: 's', source: '', target: null });
  });
});

describe('hashed row text: PostgreSQL doubles MariaDB cannot store (NaN, ±Infinity, -0)', () => {
  let left: VerifyTestDb;
  let right: VerifyTestDb;
  const table = uniqueName('vrtf');
  const other = `${table}_b`;

  beforeAll(async () => {
    left = await openVerifyTestDb('source', databaseUrl('postgres', endpoints.postgres));
    right = await openVerifyTestDb('target', databaseUrl('postgres', endpoints.postgres));
    for (const name of [table, other]) {
      await left.exec(`CREATE TABLE "${name}" (id int PRIMARY KEY, f float8 NOT NULL, r real NULL)`);
      await left.exec(`INSERT INTO "${name}" VALUES (1, 'NaN', 'NaN'), (2, 'Infinity', '-Infinity'), (3, '-0', '-0'), (4, 0.1, 0.1), (5, 1e300, NULL)`);
    }
  });

  afterAll(async () => {
    for (const name of [table, other]) await left?.dropTable(name).catch(() => undefined);
    await left?.close();
    await right?.close();
  });

  it('hashes them equally and tells NaN from zero', async () => {
    const request = { source: { url: left.url, table }, target: { url: right.url, table: other } };
    expect(checksumsMatched(await runVerify(request))).toBe(true);
    await right.exec(`UPDATE "${other}" SET f = 0 WHERE id = 1`);
    const report = await runVerify(request);
    expect(report.different.map((row) => [row.key.id, row.columns.map((column) => [column.source, column.target])])).toEqual([[1, [['NaN', '0']]]]);
  });
});

describe('hashed row text: doubles on and around the four-decimal path (MariaDB and PostgreSQL)', () => {
  const table = uniqueName('vrt4');
  // A double nearest to a number of at most 4 decimals below 1e8 is taken as printed without measuring its text;
  // its neighbours (more decimals, 1e8, a sum that is not the nearest double to 0.3, 1e-5) take the general path.
  // f4 is FLOAT / real, fx a nullable double.
  const ROWS = [
    [1, '0.0001', '0.5', '0.1234'],
    [2, '-0.0001', '-1234.5', '0.1234000001'],
    [3, '0.00015', '0.1', '12345678.1234'],
    [4, '99999999.9999', '0', '-0.5'],
    [5, '-99999999.9999', '3.25', '99999999.99995'],
    [6, '100000000', '16777216', '1e-5'],
    [7, '99999999.99995', '-0.75', 'NULL'],
    [8, '0.1e0 + 0.2e0', '1e-5', '2.5'],
    [9, '12345678.5', '100000000', '7'],
    [10, '1e-5', '0.0001', '0.0001'],
    [11, '1234.5678', '-3', '1234.5678'],
    [12, '123456.78901', '1.5', '0.3'],
  ];

  const postgresValue = (value: string | number): string => String(value).replace('0.1e0 + 0.2e0', '0.1::float8 + 0.2::float8');
  const db = useMariadbPostgresTable(
    table,
    { columns: 'id INT PRIMARY KEY, f DOUBLE NOT NULL, f4 FLOAT NULL, fx DOUBLE NULL', rows: ROWS.map((row) => row.join(', ')) },
    { columns: 'id INT PRIMARY KEY, f DOUBLE PRECISION NOT NULL, f4 REAL NULL, fx DOUBLE PRECISION NULL', rows: ROWS.map((row) => row.map(postgresValue).join(', ')) },
  );

  it('hashes them the same on both engines and finds a change in the fourth decimal', async () => {
    for (const [source, target] of db.bothWays) {
      expect(checksumsMatched(await runVerify({ source: { url: source.url, table }, target: { url: target.url, table } }))).toBe(true);
    }
    await db.postgres.exec(`UPDATE "${table}" SET f = 99999999.9998 WHERE id = 4`);
    await db.postgres.exec(`UPDATE "${table}" SET fx = 0.1234000002 WHERE id = 2`);
    const report = await runVerify({ source: { url: db.mariadb.url, table }, target: { url: db.postgres.url, table } });
    expect(report.different.map((row) => [row.key.id, row.columns.map((column) => [column.name, column.source, column.target])])).toEqual([
      [2, [['fx', '0.1234000001', '0.1234000002']]],
      [4, [['f', '99999999.9999', '99999999.9998']]],
    ]);
  });
});
