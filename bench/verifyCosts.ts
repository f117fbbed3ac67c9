/**
 * Verify's per-row SQL costs on one engine (issue 13): times named aggregate queries over a table the verify bench
 * kept (`npm run bench:verify -- --keep`), round-robin so every variant sees the same machine load, and prints each
 * one's median seconds and its ratio to the first. A/B ratios from one run stay meaningful on a loaded machine.
 *
 *   npx tsx bench/verifyCosts.ts --table bench_verify_xxx [--engine mariadb|postgres] [--rounds 3] [--only name,…]
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { createLab } from '../src/engine/lab/index';
import { verifyDialect } from '../src/engine/verify/index';
import { hashParts, rowTextSql } from '../src/engine/verify/queries';
import type { ColumnInfo, ColumnRender, SideColumn } from '../src/engine/verify/model';

const { values } = parseArgs({
  options: {
    table: { type: 'string' },
    engine: { type: 'string', default: 'mariadb' },
    rounds: { type: 'string', default: '3' },
    only: { type: 'string' },
  },
});
if (!values.table || !/^\w+$/.test(values.table)) throw new Error('--table must name a table the verify bench kept (npm run bench:verify -- --keep).');
const table = values.table;
const engine = values.engine === 'postgres' ? 'postgres' : 'mariadb';
const dialect = verifyDialect(engine === 'postgres' ? 'postgres' : 'mysql');

/** The verify bench's columns, as planComparison renders them against the other engine. */
const render = (extra: Partial<ColumnRender> = {}): ColumnRender => ({ fraction: 6, lowercase: false, zone: 'UTC', lengthPrefix: false, sameScale: false, ...extra });
const col = (name: string, kind: ColumnInfo['kind'], declared: string, extra: Partial<ColumnInfo> = {}, r: Partial<ColumnRender> = {}): SideColumn => ({
  column: { name, kind, declared, scale: undefined, fraction: undefined, nullable: false, charset: 'utf8mb4', ...extra },
  render: render(r),
});
const pgFlag = engine === 'postgres';
const columns: SideColumn[] = [
  col('id', 'integer', 'bigint'),
  col('customer', 'string', 'varchar(40)', {}, { lengthPrefix: true }),
  col('email', 'string', 'varchar(80)', {}, { lengthPrefix: true }),
  col('amount', 'decimal', 'decimal(12,2)', { scale: 2 }, { sameScale: true }),
  col('price', 'decimal', 'decimal(10,4)', { scale: 4 }, { sameScale: true }),
  col('qty', 'integer', 'int'),
  col('status', 'string', 'varchar(12)', {}, { lengthPrefix: true }),
  col('created_at', 'timestamp', 'datetime(6)', { fraction: 6 }, { fraction: 6 }),
  col('updated_at', 'timestamp', 'datetime(3)', { fraction: 3 }, { fraction: 3 }),
  pgFlag ? col('flag', 'boolean', 'boolean') : col('flag', 'integer', 'tinyint(1)'),
  col('score', 'float', 'double', {}, { floatUnits: true }),
  col('note', 'string', 'text', { nullable: true }, { lengthPrefix: true }),
  col('code', 'fixedString', 'char(8)', {}, { lengthPrefix: true }),
  col('region', 'string', 'varchar(8)', {}, { lengthPrefix: true }),
  pgFlag ? col('ref', 'uuid', 'uuid', {}, { lowercase: true, lengthPrefix: true }) : col('ref', 'fixedString', 'char(36)', {}, { lowercase: true, lengthPrefix: true }),
];
/** One column's fields of the hashed row text, as `|`-joined text (the per-column probes measure this). */
const part = (side: SideColumn): string => dialect.join(hashParts(dialect, side));
const rowText = rowTextSql(dialect, columns);
if (process.env.VERIFY_COSTS_ROWTEXT) {
  process.stdout.write(`${rowText}\n`);
  process.exit(0);
}
const raw = engine === 'postgres' ? `concat_ws('|', ${columns.map((c) => `"${c.column.name}"`).join(', ')})` : `CONCAT_WS('|', ${columns.map((c) => `\`${c.column.name}\``).join(', ')})`;
const len = engine === 'postgres' ? 'length' : 'LENGTH';

const queries = new Map<string, string>();
const add = (name: string, select: string, tail = ''): void => void queries.set(name, `SELECT ${select} FROM ${table}${tail}`);
add('count', 'COUNT(*)');
add('checksum_now', `COUNT(*), ${dialect.sumAsText(dialect.hash60(rowText))}`);
add('checksum_now_grouped_2048', `${dialect.divide('(id - 1)', 512n)} AS b, COUNT(*), ${dialect.sumAsText(dialect.hash60(rowText))}`, ` GROUP BY 1`);
add('row_text_only', `SUM(${len}(${rowText}))`);
add('raw_md5_sum', `COUNT(*), ${dialect.sumAsText(dialect.hash60(raw))}`);
add('raw_text_only', `SUM(${len}(${raw}))`);
if (engine === 'mariadb') {
  add('md5_only_raw', `SUM(${len}(MD5(${raw})))`);
  add('hash_conv_bitxor_raw', `BIT_XOR(CAST(CONV(SUBSTRING(MD5(${raw}), 2, 15), 16, 10) AS UNSIGNED))`);
  add('hash_conv_sum_nocast_raw', `SUM(CONV(SUBSTRING(MD5(${raw}), 2, 15), 16, 10))`);
}
for (const side of columns) {
  add(`col_${side.column.name}_raw`, `SUM(${len}(${dialect.quote(side.column.name)}${engine === 'postgres' ? '::text' : ''}))`);
  add(`col_${side.column.name}_part`, `SUM(${len}(${part(side)}))`);
}
// A variant may end in ` ||| <tail>` (e.g. ` ||| GROUP BY 1`), appended after the FROM.
for (const [name, sql] of Object.entries(JSON.parse(process.env.VERIFY_COSTS_EXTRA ?? '{}') as Record<string, string>)) {
  const [select = '', tail = ''] = sql.replaceAll('$ROWTEXT', rowText).split(' ||| ');
  add(name, select, tail ? ` ${tail}` : '');
}
const only = values.only?.split(',');
const chosen = [...queries].filter(([name]) => !only || only.includes(name));

const lab = createLab();
const { endpoints } = await lab.up({ services: ['mariadb', 'postgres'] });
lab.dispose();
const mariadb = engine === 'mariadb' ? await mysql.createConnection({ ...endpoints.mariadb, supportBigNumbers: true, bigNumberStrings: true }) : undefined;
const postgres = engine === 'postgres' ? new pg.Client(endpoints.postgres) : undefined;
await postgres?.connect();
for (const sql of [...dialect.sessionSetup(), ...(process.env.VERIFY_COSTS_SETUP ? [process.env.VERIFY_COSTS_SETUP] : [])]) await (mariadb ? mariadb.query(sql) : postgres?.query(sql));
// MariaDB's profiler measures the query thread's own CPU time (getrusage), which a loaded machine inflates far less
// than wall-clock time.
if (mariadb) await mariadb.query('SET profiling = 1');
// PostgreSQL runs each connection in its own backend process on this machine: its CPU time is in /proc.
const backendPid = postgres ? Number(((await postgres.query('SELECT pg_backend_pid() AS pid')).rows[0] as { pid: unknown }).pid) : 0;
const backendCpu = (): number => {
  const fields = readFileSync(`/proc/${backendPid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
};
let backendCpuBefore = postgres ? backendCpu() : 0;
const cpuOfLastQuery = async (): Promise<number> => {
  if (postgres) {
    const now = backendCpu();
    const used = now - backendCpuBefore;
    backendCpuBefore = now;
    return used;
  }
  if (!mariadb) return 0;
  const [rows] = await mariadb.query(
    'SELECT SUM(CPU_USER + CPU_SYSTEM) AS cpu FROM information_schema.PROFILING WHERE QUERY_ID = (SELECT MAX(QUERY_ID) FROM information_schema.PROFILING)',
  );
  return Number((rows as { cpu: unknown }[])[0]?.cpu ?? 0);
};
const run = async (sql: string): Promise<[number, number]> => {
  if (postgres) backendCpuBefore = backendCpu();
  const start = performance.now();
  if (mariadb) await mariadb.query(sql);
  else await postgres?.query(sql);
  const wall = (performance.now() - start) / 1000;
  return [wall, await cpuOfLastQuery()];
};
const times = new Map<string, number[]>(chosen.map(([name]) => [name, []]));
const cpuTimes = new Map<string, number[]>(chosen.map(([name]) => [name, []]));
const loadBefore = loadavg()[0] ?? 0;
for (let round = 0; round < Number(values.rounds); round += 1) {
  for (const [name, sql] of chosen) {
    const [wall, cpu] = await run(sql);
    times.get(name)?.push(wall);
    cpuTimes.get(name)?.push(cpu);
  }
}
const median = (list: number[]): number => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] ?? 0;
const first = median(times.get(chosen[0]?.[0] ?? '') ?? []);
const result = {
  engine,
  table,
  rounds: Number(values.rounds),
  load_1m: { before: Math.round(loadBefore * 100) / 100, after: Math.round((loadavg()[0] ?? 0) * 100) / 100 },
  seconds: Object.fromEntries(chosen.map(([name]) => [name, Math.round(median(times.get(name) ?? []) * 1000) / 1000])),
  ratio_to_first: Object.fromEntries(chosen.map(([name]) => [name, Math.round((median(times.get(name) ?? []) / first) * 100) / 100])),
  cpu_seconds: Object.fromEntries(chosen.map(([name]) => [name, Math.round(median(cpuTimes.get(name) ?? []) * 1000) / 1000])),
  cpu_ratio_to_first: Object.fromEntries(chosen.map(([name]) => [name, Math.round((median(cpuTimes.get(name) ?? []) / median(cpuTimes.get(chosen[0]?.[0] ?? '') ?? [])) * 100) / 100])),
  sql: process.env.VERIFY_COSTS_SQL ? Object.fromEntries(chosen) : undefined,
};
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
await mariadb?.end();
await postgres?.end();
