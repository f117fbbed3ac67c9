import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/engine/demo/embeddedPostgres';
import { runVerify } from '../../src/engine/verify';
import type { VerifyKey, VerifyReport, VerifyRequest } from '../../src/shared/api';
import { uniqueName } from '../helpers/names';
import { type ColumnSpec, databaseUrl, openVerifyTestDb, type TestValue, type VerifyTestDb } from '../helpers/verifyDb';

// One suite for every pair of engines (architecture §8): each case builds a source and a target table, runs verify,
// and asserts the exact keys reported. MariaDB and PostgreSQL from the lab always, one PGlite side, and SQL Server
// pairs when FERRY_MSSQL_URL points at a server (e.g. mssql://sa:secret@host:1433/ferry).

const endpoints = inject('labEndpoints');

interface Expected {
  onlyInSource?: VerifyKey[];
  onlyInTarget?: VerifyKey[];
  different?: { key: VerifyKey; columns: string[] }[];
  notes?: RegExp[];
  /** The whole rows (`rows: true`) of the one-sided keys, as canonical texts. */
  rows?: { onlyInSource?: (string | null)[][]; onlyInTarget?: (string | null)[][] };
}

interface Case {
  name: string;
  columns: ColumnSpec[];
  /** The target's columns when they differ (same names, other types). */
  targetColumns?: ColumnSpec[];
  key: string[];
  source: TestValue[][];
  target: TestValue[][];
  request?: Partial<VerifyRequest>;
  expected: Expected;
  /** Apply the fix script to the target and verify again: it must then be equal. */
  applyFix?: boolean;
  /** Verify again with only the listed keys (`keys`, as a re-check does): the same listing must come back. */
  recheck?: boolean;
}

const uuid = (n: number): string => `${n.toString(16).padStart(8, '0')}-aaaa-4bbb-8ccc-${n.toString(16).padStart(12, '0')}`;

const ALL_TYPES: ColumnSpec[] = [
  { name: 'id', type: 'int' },
  { name: 'i', type: 'bigint' },
  { name: 'd', type: 'decimal(12,3)' },
  { name: 'f', type: 'double' },
  { name: 'b', type: 'bool' },
  { name: 's', type: 'varchar' },
  { name: 'c', type: 'char4' },
  { name: 't', type: 'text' },
  { name: 'bin', type: 'binary' },
  { name: 'dt', type: 'date' },
  { name: 'tm', type: 'time3' },
  { name: 'ts', type: 'ts6' },
  { name: 'tz', type: 'tstz6' },
  { name: 'u', type: 'uuid' },
];

function typedRow(id: number): TestValue[] {
  return [String(id), String(9007199254740993n + BigInt(id)), '12.345', '0.1', true, 'héllo|~ wörld', 'ab', 'long text ✓', 'deadbeef', '2024-02-29', '13:45:06.789', '2024-03-01 12:34:56.123456', '2024-03-01 12:34:56.654321', uuid(id)];
}
const NULL_ROW: TestValue[] = ['2', ...ALL_TYPES.slice(1).map(() => null)];

/** The value each non-key column of ALL_TYPES is changed to, in order. */
const CHANGED: TestValue[] = ['9007199254741999', '12.346', '0.2', false, 'héllo|~ wörlD', 'ac', 'long text ✗', 'deadbeee', '2024-03-01', '13:45:06.788', '2024-03-01 12:34:56.123457', '2024-03-01 12:34:56.654320', uuid(9999)];

const everyChange: Case = (() => {
  const source = [1, 3, ...CHANGED.map((_, index) => 10 + index)].map(typedRow);
  const target = source
    .filter((row) => row[0] !== '3')
    .map((row) => {
      const index = Number(row[0]) - 10;
      if (index < 0) return row;
      const changed = [...row];
      changed[index + 1] = CHANGED[index] ?? null;
      return changed;
    });
  target.push(typedRow(99));
  return {
    name: 'a missing row, an extra row and a changed value in every column type',
    columns: ALL_TYPES,
    key: ['id'],
    source,
    target,
    expected: {
      onlyInSource: [{ id: 3 }],
      onlyInTarget: [{ id: 99 }],
      different: CHANGED.map((_, index) => ({ key: { id: 10 + index }, columns: [ALL_TYPES[index + 1]?.name ?? ''] })),
    },
    applyFix: true,
    recheck: true,
  };
})();

const CASES: Case[] = [
  {
    name: 'identical tables with every column type and NULLs',
    columns: ALL_TYPES,
    key: ['id'],
    source: [typedRow(1), NULL_ROW, typedRow(3), typedRow(4)],
    target: [typedRow(4), typedRow(3), NULL_ROW, typedRow(1)],
    expected: { notes: [/"f": floating point/] },
  },
  everyChange,
  {
    name: 'composite string keys (separator characters, 1|11 vs 11|1, accents and case)',
    columns: [
      { name: 'region', type: 'varchar_bin' },
      { name: 'code', type: 'varchar_bin' },
      { name: 'payload', type: 'int' },
    ],
    key: ['region', 'code'],
    source: [['1', '11', '1'], ['11', '1', '2'], ['a|b', 'c', '3'], ['a', 'b|c', '4'], ['é', 'x', '5'], ['e', 'x', '6'], ['E', 'x', '7'], ['', '', '8']],
    target: [['1', '11', '1'], ['a|b', 'c', '3'], ['a', 'b|c', '40'], ['é', 'x', '5'], ['e', 'x', '6'], ['E', 'x', '7'], ['', '', '8'], ['Z', 'z', '9']],
    expected: {
      onlyInSource: [{ region: '11', code: '1' }],
      onlyInTarget: [{ region: 'Z', code: 'z' }],
      different: [{ key: { region: 'a', code: 'b|c' }, columns: ['payload'] }],
      rows: { onlyInSource: [['11', '1', '2']], onlyInTarget: [['Z', 'z', '9']] },
    },
    applyFix: true,
    recheck: true,
  },
  {
    name: 'NULL is not the empty string',
    columns: [
      { name: 'id', type: 'int' },
      { name: 's', type: 'varchar' },
    ],
    key: ['id'],
    source: [['1', ''], ['2', null], ['3', ''], ['4', null], ['5', 'x']],
    target: [['1', ''], ['2', null], ['3', null], ['4', ''], ['5', 'x']],
    expected: { different: [{ key: { id: 3 }, columns: ['s'] }, { key: { id: 4 }, columns: ['s'] }] },
  },
  {
    name: 'decimals with different declared scales compare as exact values',
    columns: [
      { name: 'id', type: 'int' },
      { name: 'd', type: 'decimal(10,2)' },
    ],
    targetColumns: [
      { name: 'id', type: 'int' },
      { name: 'd', type: 'decimal(12,4)' },
    ],
    key: ['id'],
    source: [['1', '1.50'], ['2', '2'], ['3', '-0.01'], ['4', '3.10'], ['5', '0']],
    target: [['1', '1.5000'], ['2', '2.0000'], ['3', '-0.0100'], ['4', '3.1001'], ['5', '0.0000']],
    expected: { different: [{ key: { id: 4 }, columns: ['d'] }], notes: [/scale 2 in the source, 4 in the target/] },
  },
  {
    name: 'timestamps with microseconds against milliseconds compare at milliseconds, with a note',
    columns: [
      { name: 'id', type: 'int' },
      { name: 'ts', type: 'ts6' },
    ],
    targetColumns: [
      { name: 'id', type: 'int' },
      { name: 'ts', type: 'ts3' },
    ],
    key: ['id'],
    source: [['1', '2024-01-01 10:00:00.123456'], ['2', '2024-01-01 10:00:00.999999'], ['3', '2024-01-01 10:00:00.5'], ['4', '2024-01-01 10:00:00']],
    target: [['1', '2024-01-01 10:00:00.123'], ['2', '2024-01-01 10:00:00.999'], ['3', '2024-01-01 10:00:00.501'], ['4', '2024-01-01 10:00:00']],
    expected: { different: [{ key: { id: 3 }, columns: ['ts'] }], notes: [/source keeps 6 fractional second digits, the target 3/] },
  },
  {
    name: 'case- and accent-different values under a case- and accent-insensitive collation',
    columns: [
      { name: 'id', type: 'int' },
      { name: 's', type: 'varchar_ci' },
    ],
    targetColumns: [
      { name: 'id', type: 'int' },
      { name: 's', type: 'varchar_bin' },
    ],
    key: ['id'],
    source: [['1', 'Café'], ['2', 'cafe'], ['3', 'STRASSE'], ['4', 'x']],
    target: [['1', 'cafe'], ['2', 'cafe'], ['3', 'strasse'], ['4', 'x']],
    expected: { different: [{ key: { id: 1 }, columns: ['s'] }, { key: { id: 3 }, columns: ['s'] }] },
  },
  {
    name: 'string keys that differ only in case, insensitive collation on one side',
    columns: [
      { name: 'k', type: 'varchar_ci' },
      { name: 'v', type: 'int' },
    ],
    targetColumns: [
      { name: 'k', type: 'varchar_bin' },
      { name: 'v', type: 'int' },
    ],
    key: ['k'],
    source: [['a', '1'], ['b', '2'], ['ö', '3'], ['M', '4']],
    target: [['a', '1'], ['B', '2'], ['ö', '3'], ['M', '4']],
    expected: { onlyInSource: [{ k: 'b' }], onlyInTarget: [{ k: 'B' }], rows: { onlyInSource: [['b', '2']], onlyInTarget: [['B', '2']] } },
    recheck: true,
  },
  {
    name: 'an empty target',
    columns: [
      { name: 'id', type: 'int' },
      { name: 's', type: 'varchar' },
    ],
    key: ['id'],
    source: [['1', 'a'], ['2', 'b'], ['3', null]],
    target: [],
    expected: { onlyInSource: [{ id: 1 }, { id: 2 }, { id: 3 }], rows: { onlyInSource: [['1', 'a'], ['2', 'b'], ['3', null]], onlyInTarget: [] } },
    applyFix: true,
  },
  {
    name: 'an empty source and an empty target are equal',
    columns: [
      { name: 'id', type: 'int' },
      { name: 's', type: 'varchar' },
    ],
    key: ['id'],
    source: [],
    target: [],
    expected: {},
  },
  {
    name: 'integer keys with large gaps (key ranges)',
    columns: [
      { name: 'id', type: 'bigint' },
      { name: 'v', type: 'varchar' },
    ],
    key: ['id'],
    source: [['-5', 'a'], ['1', 'b'], ['2', 'c'], ['1000000000000', 'd'], ['9007199254740993', 'e'], ['1000000000000003', 'f']],
    target: [['1', 'b'], ['2', 'c'], ['1000000000000', 'd'], ['9007199254740993', 'E'], ['1000000000000003', 'f'], ['1000000000000004', 'g']],
    expected: {
      onlyInSource: [{ id: -5 }],
      onlyInTarget: [{ id: 1000000000000004 }],
      different: [{ key: { id: '9007199254740993' }, columns: ['v'] }],
    },
    request: { segments: 32, bisectionThreshold: 1 },
  },
  {
    name: 'integer keys spread wider than 2^60 (key hashes)',
    columns: [
      { name: 'id', type: 'bigint' },
      { name: 'v', type: 'varchar' },
    ],
    key: ['id'],
    source: [['-9223372036854775807', 'a'], ['0', 'b'], ['9223372036854775807', 'c']],
    target: [['0', 'b'], ['9223372036854775807', 'C']],
    expected: { onlyInSource: [{ id: '-9223372036854775807' }], different: [{ key: { id: '9223372036854775807' }, columns: ['v'] }] },
  },
  {
    name: 'uuid keys',
    columns: [
      { name: 'u', type: 'uuid' },
      { name: 'v', type: 'int' },
    ],
    key: ['u'],
    source: [[uuid(1), '1'], [uuid(2), '2'], [uuid(3), '3']],
    target: [[uuid(1), '1'], [uuid(3), '30'], [uuid(4), '4']],
    expected: { onlyInSource: [{ u: uuid(2) }], onlyInTarget: [{ u: uuid(4) }], different: [{ key: { u: uuid(3) }, columns: ['v'] }] },
  },
  {
    name: 'timestamp keys',
    columns: [
      { name: 'at', type: 'ts6' },
      { name: 'v', type: 'int' },
    ],
    key: ['at'],
    source: [['2024-01-01 00:00:00.000001', '1'], ['2024-01-01 00:00:00.000002', '2'], ['1999-12-31 23:59:59', '3']],
    target: [['2024-01-01 00:00:00.000001', '1'], ['1999-12-31 23:59:59', '33']],
    expected: {
      onlyInSource: [{ at: '2024-01-01 00:00:00.000002' }],
      different: [{ key: { at: '1999-12-31 23:59:59.000000' }, columns: ['v'] }],
    },
    recheck: true,
  },
  {
    name: 'a where filter and a chosen column list',
    columns: [
      { name: 'id', type: 'int' },
      { name: 'a', type: 'varchar' },
      { name: 'b', type: 'varchar' },
    ],
    key: ['id'],
    source: [['1', 'x', 'x'], ['2', 'x', 'x'], ['3', 'x', 'x'], ['4', 'x', 'x']],
    target: [['2', 'x', 'x'], ['3', 'x', 'DIFFERENT'], ['4', 'y', 'x']],
    request: { columns: ['a'], source: { url: '', table: '', where: 'id > 1' }, target: { url: '', table: '', where: 'id > 1' } },
    expected: { different: [{ key: { id: 4 }, columns: ['a'] }] },
  },
];

interface Pair {
  name: string;
  open(): Promise<[VerifyTestDb, VerifyTestDb]>;
}

const mariadbUrl = databaseUrl('mysql', endpoints.mariadb);
const postgresUrl = databaseUrl('postgres', endpoints.postgres);
let pglite: EmbeddedPostgres | undefined;
const pgliteUrl = async (): Promise<string> => {
  pglite ??= await startEmbeddedPostgres();
  return `postgres://${pglite.user}@${pglite.host}:${pglite.port}/${pglite.database}`;
};
const pair = (name: string, source: () => Promise<string> | string, target: () => Promise<string> | string): Pair => ({
  name,
  open: async () => Promise.all([openVerifyTestDb('source', await source()), openVerifyTestDb('target', await target())]),
});
const PAIRS: Pair[] = [
  pair('MariaDB → MariaDB', () => mariadbUrl, () => mariadbUrl),
  pair('PostgreSQL → PostgreSQL', () => postgresUrl, () => postgresUrl),
  pair('MariaDB → PostgreSQL', () => mariadbUrl, () => postgresUrl),
  pair('PostgreSQL → MariaDB', () => postgresUrl, () => mariadbUrl),
  pair('MariaDB → PGlite', () => mariadbUrl, pgliteUrl),
];
const mssqlUrl = process.env.FERRY_MSSQL_URL;
if (mssqlUrl) {
  PAIRS.push(pair('SQL Server → SQL Server', () => mssqlUrl, () => mssqlUrl));
  PAIRS.push(pair('SQL Server → PostgreSQL', () => mssqlUrl, () => postgresUrl));
  PAIRS.push(pair('MariaDB → SQL Server', () => mariadbUrl, () => mssqlUrl));
}

function sortedKeys(keys: readonly VerifyKey[]): string[] {
  return keys.map((key) => JSON.stringify(key)).sort();
}

function expectReport(report: VerifyReport, expected: Expected): void {
  expect(sortedKeys(report.onlyInSource)).toEqual(sortedKeys(expected.onlyInSource ?? []));
  expect(sortedKeys(report.onlyInTarget)).toEqual(sortedKeys(expected.onlyInTarget ?? []));
  const different = report.different.map((row) => JSON.stringify({ key: row.key, columns: row.columns.map((column) => column.name).sort() })).sort();
  expect(different).toEqual((expected.different ?? []).map((row) => JSON.stringify({ key: row.key, columns: [...row.columns].sort() })).sort());
  const nothing = (expected.onlyInSource ?? []).length + (expected.onlyInTarget ?? []).length + (expected.different ?? []).length === 0;
  expect(report.equal).toBe(nothing);
  for (const note of expected.notes ?? []) expect(report.notes.join('\n')).toMatch(note);
  if (expected.rows) {
    expect(report.rows?.onlyInSource).toEqual(expected.rows.onlyInSource ?? []);
    expect(report.rows?.onlyInTarget).toEqual(expected.rows.onlyInTarget ?? []);
  }
  // Whole rows come in the listing's order, each with the key and every compared column.
  const width = report.key.length + report.columns.length;
  for (const [keys, rows] of [[report.onlyInSource, report.rows?.onlyInSource ?? []], [report.onlyInTarget, report.rows?.onlyInTarget ?? []]] as const) {
    expect(rows).toHaveLength(keys.length);
    rows.forEach((row, index) => {
      expect(row).toHaveLength(width);
      expect(row.slice(0, report.key.length)).toEqual(report.key.map((name) => (keys[index]?.[name] === null ? null : String(keys[index]?.[name]))));
    });
  }
}

afterAll(async () => {
  await pglite?.close();
});

describe.each(PAIRS)('verify $name', (pairSpec) => {
  let source: VerifyTestDb;
  let target: VerifyTestDb;
  const tables: string[] = [];

  beforeAll(async () => {
    [source, target] = await pairSpec.open();
  });

  afterAll(async () => {
    for (const table of tables) {
      await source?.dropTable(table).catch(() => undefined);
      await target?.dropTable(table).catch(() => undefined);
    }
    await source?.close();
    await target?.close();
  });

  it.each(CASES)('$name', async (testCase) => {
    const sourceTable = uniqueName('vs');
    const targetTable = source.url === target.url ? uniqueName('vt') : sourceTable;
    tables.push(sourceTable, targetTable);
    await source.createTable(sourceTable, testCase.columns, testCase.key);
    await target.createTable(targetTable, testCase.targetColumns ?? testCase.columns, testCase.key);
    await source.insert(sourceTable, testCase.columns, testCase.source);
    await target.insert(targetTable, testCase.targetColumns ?? testCase.columns, testCase.target);
    const extra = testCase.request ?? {};
    const request: VerifyRequest = {
      ...extra,
      source: { ...extra.source, url: source.url, table: sourceTable },
      target: { ...extra.target, url: target.url, table: targetTable },
      key: testCase.key,
      fixSql: testCase.applyFix === true,
      rows: true,
    };
    const report = await runVerify(request);
    expectReport(report, testCase.expected);
    if (testCase.recheck) {
      // A re-check of the listed keys finds exactly them again (key lists in every key kind and collation).
      const keys = [...report.onlyInSource, ...report.onlyInTarget, ...report.different.map((row) => row.key)];
      const again = await runVerify({ ...request, fixSql: false, keys });
      expectReport(again, testCase.expected);
      expect(again.sourceRows).toBeLessThanOrEqual(keys.length);
      expect(again.notes.join('\n')).toMatch(/Only the \d+ listed key/);
    }
    if (testCase.applyFix) {
      for (const statement of report.fixSql ?? []) await target.exec(statement.replace(/;$/, ''));
      const again = await runVerify({ ...request, fixSql: false });
      expect(again.equal).toBe(true);
      expect(again.onlyInSource.length + again.onlyInTarget.length + again.different.length).toBe(0);
    }
  });
});
