import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../../shared/errors';
import { copyInOf } from '../../../db/session';
import type { FieldSchema, Row, TableId } from '../../../model';
import type { DriverValue, TableDescription, WriteBatch } from './dialect';
import { PostgresDialect, postgresArrayElement } from './postgres';
import { copyField, STAGED_MIN_ROWS } from './postgresStaging';

const dialect = new PostgresDialect();
const orders: TableId = { schema: 'public', table: 'orders' };
const field = (name: string, kind: 'int64' | 'string' | 'decimal', optional = true): FieldSchema =>
  kind === 'decimal' ? { name, type: { kind, precision: 10, scale: 2 }, optional } : { name, type: { kind }, optional };
const id = field('id', 'int64', false);
const name = field('name', 'string');
const amount = field('amount', 'decimal');
const column = (columnName: string, type: string, baseType: string, isKey = false) => ({ name: columnName, type, baseType, nullable: !isKey, isKey });
const described: TableDescription = {
  table: orders,
  kind: 'TABLE',
  columns: [column('id', 'bigint', 'bigint', true), column('name', 'character varying(20)', 'character varying'), column('amount', 'numeric(10,2)', 'numeric')],
};
const rows = (count: number, first = 1): Row[] => Array.from({ length: count }, (_, index) => ({ id: BigInt(first + index), name: `n${first + index}`, amount: '1.50' }));
const batch = (batchRows: Row[], existing: TableDescription | null = described, table: TableId = orders, fields: FieldSchema[] = [name, amount]): WriteBatch => ({
  table,
  keyFields: [id],
  valueFields: fields,
  rows: batchRows,
  ...(existing ? { existing } : {}),
});

/** What PostgreSQL's COPY text reader makes of a field (the format's escapes, NULL as null). */
function readCopyField(text: string): string | null {
  if (text === '\\N') return null;
  return text.replace(/\\(.)/g, (_, escaped: string) => ({ t: '\t', n: '\n', r: '\r' })[escaped] ?? escaped);
}

/** What PostgreSQL's array reader makes of one element as postgresArrayElement writes it. */
function readArrayElement(text: string): string | null {
  if (text === 'NULL') return null;
  const body = text.startsWith('"') ? text.slice(1, -1) : text;
  return body.replace(/\\(.)/g, '$1');
}

describe('COPY text of one value', () => {
  it('escapes backslash, tab, newline and carriage return; NULL is \\N and an empty string stays empty', () => {
    expect(copyField(null)).toBe('\\N');
    expect(copyField('')).toBe('');
    expect(copyField('\\N')).toBe('\\\\N');
    expect(copyField('a\tb\nc\rd\\e')).toBe('a\\tb\\nc\\rd\\\\e');
    expect(copyField('\\.')).toBe('\\\\.');
    expect(copyField('"quoted", \'single\' {braces} ünïcödé ✓ 日本')).toBe('"quoted", \'single\' {braces} ünïcödé ✓ 日本');
    expect(copyField(Buffer.from([0, 0x5c, 0xff]))).toBe('\\\\x005cff');
    expect(copyField(Number.NaN)).toBe('NaN');
    expect(copyField(Number.NEGATIVE_INFINITY)).toBe('-Infinity');
    expect(copyField(-0)).toBe('0');
    expect(copyField(9_007_199_254_740_993n)).toBe('9007199254740993');
    expect(copyField(true)).toBe('true');
  });

  it('gives every column input function the same text as the unnest form’s array element', () => {
    const values: DriverValue[] = [
      null,
      '',
      'NULL',
      '\\N',
      'tab\there',
      'line\nbreak\r\n',
      'back\\slash \\"both\\"',
      'a "quoted" word, {braces}',
      'ünïcödé ✓ 日本',
      0,
      -12,
      1.5,
      1e21,
      5e-324,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      9_223_372_036_854_775_807n,
      true,
      false,
      Buffer.from([0, 1, 0xfe, 0xff]),
      Buffer.alloc(0),
    ];
    for (const value of values) expect(readCopyField(copyField(value)), String(value)).toBe(readArrayElement(postgresArrayElement(value)));
  });
});

describe('PostgreSQL staged inserts and upserts', () => {
  it('loads a big batch by COPY into a staging table of the target’s column types and applies it with one INSERT … SELECT', () => {
    const statements = dialect.buildUpsert(batch(rows(STAGED_MIN_ROWS)));
    expect(statements).toHaveLength(1);
    const [statement] = statements;
    const copyIn = statement && copyInOf(statement);
    if (!statement || !copyIn) throw new Error('expected a staged statement');
    expect(copyIn.table).toMatch(/^pg_temp\.ferry_stage_[0-9a-f]{24}$/);
    const staging = copyIn.table.slice('pg_temp.'.length);
    expect(statement.sql).toBe(
      `INSERT INTO "public"."orders" ("id", "name", "amount") SELECT "id", "name", "amount" FROM ${copyIn.table} ` +
        'ON CONFLICT ("id") DO UPDATE SET "name" = EXCLUDED."name", "amount" = EXCLUDED."amount"',
    );
    expect(statement.params).toEqual([]);
    expect(statement.reusable).toBe(true);
    expect(copyIn.create).toBe(`CREATE TEMP TABLE IF NOT EXISTS ${staging} ("id" bigint, "name" character varying(20), "amount" numeric(10,2)) ON COMMIT DELETE ROWS`);
    expect(copyIn.copy).toBe(`COPY ${copyIn.table} FROM STDIN`);
    const lines = copyIn.data.toString('utf8').split('\n');
    expect(lines).toHaveLength(STAGED_MIN_ROWS + 1);
    expect(lines[0]).toBe('1\tn1\t1.50');
    expect(dialect.buildInsert(batch([...rows(STAGED_MIN_ROWS - 1), { id: 7000n, name: 'a\tb\\', amount: null }])).map((statement) => copyInOf(statement)?.data.toString('utf8').split('\n').at(-2))).toEqual([
      '7000\ta\\tb\\\\\t\\N',
    ]);
    expect(lines.at(-1)).toBe('');
  });

  it('inserts without ON CONFLICT', () => {
    const [statement] = dialect.buildInsert(batch(rows(STAGED_MIN_ROWS)));
    expect(statement?.sql).toMatch(/^INSERT INTO "public"\."orders" \("id", "name", "amount"\) SELECT "id", "name", "amount" FROM pg_temp\.ferry_stage_[0-9a-f]{24}$/);
  });

  it('keeps the unnest form for small batches and the VALUES form where unnest does not apply', () => {
    const small = dialect.buildUpsert(batch(rows(STAGED_MIN_ROWS - 1)))[0];
    expect(small?.sql).toContain('unnest(');
    expect(small && copyInOf(small)).toBeUndefined();
    const unknown = dialect.buildUpsert(batch(rows(STAGED_MIN_ROWS), null))[0];
    expect(unknown?.sql).toContain('VALUES');
    const arrays: TableDescription = { ...described, columns: [...described.columns.slice(0, 2), column('amount', 'numeric[]', 'numeric[]')] };
    expect(dialect.buildUpsert(batch(rows(STAGED_MIN_ROWS), arrays))[0]?.sql).toContain('VALUES');
    expect(dialect.buildUpdate(batch(rows(STAGED_MIN_ROWS)))[0]?.sql).toMatch(/^UPDATE/);
  });

  it('splits beyond 10,000 rows, the short last chunk in its own form', () => {
    const statements = dialect.buildInsert(batch(rows(10_001)));
    expect(statements).toHaveLength(2);
    expect(statements[0] && copyInOf(statements[0])?.data.toString('utf8').split('\n')).toHaveLength(10_001);
    expect(statements[1]?.sql).toContain('VALUES ($1, $2, $3)');
  });

  it('collapses duplicate keys first: the last record of a key wins', () => {
    const batchRows = [...rows(STAGED_MIN_ROWS), { id: 1n, name: 'last', amount: null }];
    const [statement] = dialect.buildUpsert(batch(batchRows));
    const lines = (statement && copyInOf(statement))?.data.toString('utf8').split('\n') ?? [];
    expect(lines).toHaveLength(STAGED_MIN_ROWS + 1);
    expect(lines.filter((line) => line.startsWith('1\t'))).toEqual(['1\tlast\t\\N']);
  });

  it('refuses a null key and a bad value as every other form does, naming the field', () => {
    const nullKey = (() => {
      try {
        dialect.buildUpsert(batch([...rows(STAGED_MIN_ROWS), { id: null, name: 'x', amount: null }]));
      } catch (error) {
        return error;
      }
    })();
    expect(nullKey).toBeInstanceOf(EngineError);
    expect((nullKey as EngineError).message).toContain('Key field "id" is null');
    const nul = (() => {
      try {
        dialect.buildInsert(batch([...rows(STAGED_MIN_ROWS), { id: 9999n, name: 'nul\u0000', amount: null }]));
      } catch (error) {
        return error;
      }
    })();
    expect((nul as EngineError).code).toBe('SINK_SQL_BAD_VALUE');
    // A refused build leaves nothing behind for the next one.
    expect(copyInOf(dialect.buildInsert(batch(rows(STAGED_MIN_ROWS)))[0] as never)?.data.toString('utf8').split('\n')).toHaveLength(STAGED_MIN_ROWS + 1);
  });

  it('names one staging table per target, column set and column types, whatever the names hold', () => {
    const stagingOf = (value: WriteBatch) => {
      const [statement] = dialect.buildUpsert(value);
      return statement && copyInOf(statement);
    };
    const base = stagingOf(batch(rows(STAGED_MIN_ROWS)))?.table;
    expect(stagingOf(batch(rows(STAGED_MIN_ROWS, 500)))?.table).toBe(base);
    expect(stagingOf(batch(rows(STAGED_MIN_ROWS), described, { schema: 'other', table: 'orders' }))?.table).not.toBe(base);
    const wider: TableDescription = { ...described, columns: [...described.columns.slice(0, 2), column('amount', 'numeric(12,2)', 'numeric')] };
    expect(stagingOf(batch(rows(STAGED_MIN_ROWS), wider))?.table).not.toBe(base);
    const added: TableDescription = { ...described, columns: [...described.columns, column('note', 'text', 'text')] };
    const note: FieldSchema = { name: 'note', type: { kind: 'string' }, optional: true };
    expect(stagingOf(batch(rows(STAGED_MIN_ROWS), added, orders, [name, amount, note]))?.table).not.toBe(base);

    const odd: TableId = { schema: 'My "Schema"', table: 'Or.ders "x"' };
    const mixed: FieldSchema = { name: 'Mixed "Case"', type: { kind: 'string' }, optional: true };
    const oddTable: TableDescription = { table: odd, kind: 'TABLE', columns: [column('id', 'bigint', 'bigint', true), column('Mixed "Case"', '"My Enum"', '"My Enum"')] };
    const [statement] = dialect.buildUpsert({ table: odd, keyFields: [id], valueFields: [mixed], rows: Array.from({ length: STAGED_MIN_ROWS }, (_, index) => ({ id: BigInt(index), 'Mixed "Case"': 'a' })), existing: oddTable });
    const copyIn = statement && copyInOf(statement);
    expect(statement?.sql).toContain('INSERT INTO "My ""Schema"""."Or.ders ""x""" ("id", "Mixed ""Case""") SELECT "id", "Mixed ""Case""" FROM pg_temp.ferry_stage_');
    expect(copyIn?.create).toMatch(/^CREATE TEMP TABLE IF NOT EXISTS ferry_stage_[0-9a-f]{24} \("id" bigint, "Mixed ""Case""" "My Enum"\) ON COMMIT DELETE ROWS$/);
  });

  it('sends, for every column kind and edge value, the bytes of the text the rows’ fields joined by tabs and newlines make', () => {
    const kinds: FieldSchema[] = [
      { name: 'i8', type: { kind: 'int8' }, optional: true },
      { name: 'i16', type: { kind: 'int16' }, optional: true },
      { name: 'i32', type: { kind: 'int32' }, optional: true },
      { name: 'f32', type: { kind: 'float32' }, optional: true },
      { name: 'f64', type: { kind: 'float64' }, optional: true },
      { name: 'flag', type: { kind: 'boolean' }, optional: true },
      { name: 'txt', type: { kind: 'string' }, optional: true },
      { name: 'blob', type: { kind: 'bytes' }, optional: true },
      { name: 'dec', type: { kind: 'decimal', precision: 30, scale: 4 }, optional: true },
      { name: 'day', type: { kind: 'date' }, optional: true },
      { name: 'clock', type: { kind: 'time' }, optional: true },
      { name: 'at', type: { kind: 'timestamp' }, optional: true },
    ];
    const columnTypes = ['smallint', 'smallint', 'integer', 'real', 'double precision', 'boolean', 'text', 'bytea', 'numeric(30,4)', 'date', 'time(3) without time zone', 'timestamp(3) without time zone'];
    const table: TableDescription = { table: orders, kind: 'TABLE', columns: [column('id', 'bigint', 'bigint', true), ...kinds.map((kind, index) => column(kind.name, columnTypes[index] as string, (columnTypes[index] as string).replace(/\(.*\)/, '')))] };
    const texts = ['', 'NULL', '\\N', '\\.', 'tab\there', 'line\nbreak\r\n', 'back\\slash', 'ünïcödé ✓ 日本', '😀 pair', 'x'.repeat(70_000), '日'.repeat(30_000)];
    const edge = (index: number): Row => ({
      id: BigInt(index) * (index % 2 === 0 ? 1n : -1n) + (index === 3 ? 9_223_372_036_854_775_000n : 0n),
      i8: [null, 0, -128, 127][index % 4] ?? null,
      i16: [-32768, 32767, null, 1][index % 4] ?? null,
      i32: [-2147483648, 2147483647, 0, null][index % 4] ?? null,
      f32: [1.5, Number.NaN, null, -0][index % 4] ?? null,
      f64: [5e-324, 1e21, Number.NEGATIVE_INFINITY, null][index % 4] ?? null,
      flag: [true, false, null][index % 3] ?? null,
      txt: index % 13 === 12 ? null : (texts[index % 13] ?? `plain ${index}`),
      blob: [Buffer.from([0, 0x5c, 0xff]), Buffer.alloc(0), null][index % 3] ?? null,
      dec: ['-12.5000', '0', '12345678901234567890.1234', 7n, 2.25, null][index % 6] ?? null,
      day: [new Date('0001-01-02T00:00:00Z'), new Date(Date.UTC(9999, 11, 31)), null][index % 3] ?? null,
      clock: [0, 86_399_999, null, 45_296_789][index % 4] ?? null,
      at: [new Date(Date.UTC(2026, 1, 28, 23, 59, 59, 999)), new Date(Date.UTC(1970, 0, 1)), new Date('0001-01-02T00:00:00.001Z'), null][index % 4] ?? null,
    });
    const batchRows = Array.from({ length: STAGED_MIN_ROWS + 300 }, (_, index) => edge(index));
    for (const values of [undefined, { timezone: 'Europe/Paris' }, { timezone: 'America/New_York', dateTimezone: 'UTC' as const }]) {
      const [statement] = dialect.buildInsert({ table: orders, keyFields: [id], valueFields: kinds, rows: batchRows, existing: table }, values);
      const copyIn = statement && copyInOf(statement);
      if (!copyIn) throw new Error('expected a staged statement');
      // The text as the staged path wrote it before it wrote bytes: every field converted and escaped, joined whole.
      const fieldText = (row: Row, field: FieldSchema) => {
        const raw = row[field.name];
        return raw === null || raw === undefined ? '\\N' : copyField(dialect.toDriverValue(raw, field.type, values));
      };
      const text = batchRows.map((row) => [id, ...kinds].map((field) => fieldText(row, field)).join('\t')).join('\n') + '\n';
      expect(copyIn.data.equals(Buffer.from(text, 'utf8'))).toBe(true);
    }
  });

  it('writes integers at every digit-count boundary, every millisecond width and control characters as the joined text does', () => {
    const kinds: FieldSchema[] = [
      { name: 'i32', type: { kind: 'int32' }, optional: true },
      { name: 'txt', type: { kind: 'string' }, optional: true },
      { name: 'at', type: { kind: 'timestamp' }, optional: true },
      { name: 'dec', type: { kind: 'decimal', precision: 20, scale: 3 }, optional: true },
    ];
    const table: TableDescription = {
      table: orders,
      kind: 'TABLE',
      columns: [column('id', 'bigint', 'bigint', true), column('i32', 'integer', 'integer'), column('txt', 'text', 'text'), column('at', 'timestamp(3) without time zone', 'timestamp without time zone'), column('dec', 'numeric(20,3)', 'numeric')],
    };
    const boundaries = [0, 1, 9, 10, 99, 100, 999, 1000, 99_999, 100_000, 999_999_999, 1_000_000_000, 2 ** 31 - 1, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1];
    const ids = [...boundaries.flatMap((value) => [BigInt(value), -BigInt(value) - 1n]), 2n ** 53n, -(2n ** 53n), 2n ** 63n - 1n, -(2n ** 63n)];
    const texts = ['\u0001\u001f\u007f', '\u0080', 'ascii then é', 'é then ascii', '\\', 'a\\b\tc', '\ud83d', 'x\ude00y', ' ', '\u000b\u000c'];
    const batchRows = ids.map((value, index): Row => ({
      id: value,
      i32: index % 7 === 6 ? null : ([...boundaries.slice(0, 13), -2_147_483_648, -1, -10, -100][index % 17] ?? null),
      txt: texts[index % texts.length] ?? null,
      at: new Date(Date.UTC(2026, 0, 1) + [0, 9, 10, 99, 100, 990, 999, 59_001, 3_599_999][index % 9]! + index * 86_400_000 * 37),
      dec: ['0.000', '-1.005', '12345678901234567.891', 3n, -7][index % 5] ?? null,
    }));
    const padded = [...batchRows, ...Array.from({ length: STAGED_MIN_ROWS }, (_, index): Row => ({ id: BigInt(10_000 + index), i32: null, txt: null, at: null, dec: null }))];
    for (const values of [undefined, { timezone: 'Europe/Paris' }, { timezone: 'America/New_York' }]) {
      const [statement] = dialect.buildInsert({ table: orders, keyFields: [id], valueFields: kinds, rows: padded, existing: table }, values);
      const copyIn = statement && copyInOf(statement);
      if (!copyIn) throw new Error('expected a staged statement');
      const fieldText = (row: Row, field: FieldSchema) => {
        const raw = row[field.name];
        return raw === null || raw === undefined ? '\\N' : copyField(dialect.toDriverValue(raw, field.type, values));
      };
      const text = padded.map((row) => [id, ...kinds].map((field) => fieldText(row, field)).join('\t')).join('\n') + '\n';
      expect(copyIn.data.equals(Buffer.from(text, 'utf8'))).toBe(true);
    }
  });

  it('writes timestamps given as epoch milliseconds (a field marked epochMs) as the bytes of the same instants given as Dates, staged and not', () => {
    const instants = [
      Date.UTC(2026, 1, 28, 23, 59, 59, 999),
      0,
      -1,
      Date.UTC(1969, 11, 31, 12, 0, 0, 1),
      new Date('0001-01-01T00:00:00.000Z').getTime() + 86_400_000,
      Date.UTC(9999, 11, 30, 23, 59, 59, 999),
      // Daylight-saving changes in Paris and New York, and the hours around them.
      Date.UTC(2026, 2, 29, 0, 59, 59, 999),
      Date.UTC(2026, 2, 29, 1, 0, 0, 0),
      Date.UTC(2026, 9, 25, 0, 30, 0, 0),
      Date.UTC(2026, 2, 8, 6, 59, 59, 999),
      Date.UTC(2026, 10, 1, 5, 30, 0, 0),
      Date.UTC(1995, 5, 15, 10, 11, 12, 13),
    ];
    const at: FieldSchema = { name: 'at', type: { kind: 'timestamp' }, optional: true };
    const atEpoch: FieldSchema = { name: 'at', type: { kind: 'timestamp', epochMs: true }, optional: true };
    const table: TableDescription = { table: orders, kind: 'TABLE', columns: [column('id', 'bigint', 'bigint', true), column('at', 'timestamp(3) without time zone', 'timestamp without time zone')] };
    const epochRows = Array.from({ length: STAGED_MIN_ROWS + 50 }, (_, index): Row => ({ id: BigInt(index), at: index % 17 === 16 ? null : (instants[index % instants.length] as number) }));
    const dateRows = epochRows.map((row): Row => ({ id: row.id ?? null, at: typeof row.at === 'number' ? new Date(row.at) : null }));
    // A field marked epochMs still takes Dates (a schema's default, say).
    const mixedRows = epochRows.map((row, index): Row => (index % 2 === 0 ? row : (dateRows[index] as Row)));
    for (const values of [undefined, { timezone: 'Europe/Paris' }, { timezone: 'America/New_York' }]) {
      for (const build of [(b: WriteBatch) => dialect.buildInsert(b, values), (b: WriteBatch) => dialect.buildUpsert(b, values)]) {
        const [fromDates] = build({ table: orders, keyFields: [id], valueFields: [at], rows: dateRows, existing: table });
        const expected = fromDates && copyInOf(fromDates)?.data;
        if (!expected) throw new Error('expected a staged statement');
        for (const rowsOf of [epochRows, mixedRows]) {
          const [fromEpoch] = build({ table: orders, keyFields: [id], valueFields: [atEpoch], rows: rowsOf, existing: table });
          expect(fromEpoch && copyInOf(fromEpoch)?.data.equals(expected)).toBe(true);
        }
        // The unnest and VALUES forms convert each value alike.
        for (const count of [1, 3]) {
          const unstaged = build({ table: orders, keyFields: [id], valueFields: [at], rows: dateRows.slice(0, count), existing: table });
          expect(build({ table: orders, keyFields: [id], valueFields: [atEpoch], rows: epochRows.slice(0, count), existing: table })).toEqual(unstaged);
        }
      }
      for (const [index, instant] of instants.entries()) {
        expect(dialect.toDriverValue(instant, atEpoch.type, values), `instant ${index}`).toBe(dialect.toDriverValue(new Date(instant), at.type, values));
      }
    }
  });

  it('refuses every value the other forms refuse, with the same error', () => {
    const bad: [FieldSchema['type'], unknown][] = [
      [{ kind: 'int8' }, 128],
      [{ kind: 'int16' }, 'x'],
      [{ kind: 'int32' }, 2 ** 31],
      [{ kind: 'int32' }, 1.5],
      [{ kind: 'int64' }, 2n ** 63n],
      [{ kind: 'int64' }, 1.5],
      [{ kind: 'float64' }, 'x'],
      [{ kind: 'boolean' }, 'true'],
      [{ kind: 'string' }, 5],
      [{ kind: 'string' }, 'a\u0000b'],
      [{ kind: 'bytes' }, 'x'],
      [{ kind: 'decimal', precision: 10, scale: 2 }, '1e5'],
      [{ kind: 'decimal', precision: 10, scale: 2 }, Number.NaN],
      [{ kind: 'date' }, new Date(Number.NaN)],
      [{ kind: 'date' }, '2026-01-01'],
      [{ kind: 'time' }, 86_400_000],
      [{ kind: 'timestamp' }, new Date(Number.NaN)],
      [{ kind: 'timestamp' }, 1_700_000_000_000],
      [{ kind: 'timestamp' }, new Date('0000-06-01T00:00:00Z')],
      // A field whose values may be epoch milliseconds (the sink decoder's): what no valid Date holds, and years outside 1..9999.
      [{ kind: 'timestamp', epochMs: true }, 1.5],
      [{ kind: 'timestamp', epochMs: true }, Number.NaN],
      [{ kind: 'timestamp', epochMs: true }, 8.64e15 + 1],
      [{ kind: 'timestamp', epochMs: true }, new Date('0000-06-01T00:00:00Z').getTime()],
      [{ kind: 'timestamp', epochMs: true }, Date.UTC(10_000, 0, 1)],
      [{ kind: 'timestamp', epochMs: true }, '2026-01-01 00:00:00'],
      [{ kind: 'timestamp', epochMs: true }, new Date(Number.NaN)],
    ];
    const failure = (build: () => unknown) => {
      try {
        build();
      } catch (error) {
        return error instanceof EngineError ? { code: error.code, message: error.message } : error;
      }
      return 'no error';
    };
    for (const [type, value] of bad) {
      const odd: FieldSchema = { name: 'odd', type, optional: true };
      const table: TableDescription = { ...described, columns: [described.columns[0] as TableDescription['columns'][number], column('odd', 'text', 'text')] };
      const badRow = { id: 0n, odd: value } as Row;
      const staged = failure(() => dialect.buildUpsert({ table: orders, keyFields: [id], valueFields: [odd], rows: [...rows(STAGED_MIN_ROWS).map((row): Row => ({ id: row.id ?? null, odd: null })), badRow], existing: table }));
      const single = failure(() => dialect.buildUpsert({ table: orders, keyFields: [id], valueFields: [odd], rows: [badRow], existing: table }));
      expect(staged, `${type.kind} ${String(value)}`).toEqual(single);
      expect(single).not.toBe('no error');
    }
  });
});
