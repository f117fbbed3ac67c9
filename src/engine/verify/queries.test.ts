import { describe, expect, it } from 'vitest';
import { sqlServerVerifyDialect } from './dialects/sqlserver';
import { postgresVerifyDialect } from './dialects/postgres';
import type { ColumnInfo, SideColumn, SidePlan } from './model';
import { mySqlVerifyDialect } from './dialects/mysql';
import { checksumQuery, fetchQuery, keyListCondition, keyRangeFilter, minAgeCondition, rowTextSql, segmentIndexFilter } from './queries';

const info = (name: string, kind: ColumnInfo['kind'], nullable = true): ColumnInfo => ({ name, declared: kind, kind, scale: undefined, fraction: undefined, nullable });
const render = { fraction: 3, lowercase: false, zone: 'UTC', lengthPrefix: false, sameScale: false };

function plan(position: SidePlan['position']): SidePlan {
  return {
    dialect: 'sqlserver',
    table: { schema: 'dbo', name: 'orders' },
    keys: [{ column: info('id', 'integer', false), render }],
    columns: [
      { column: info('note', 'string'), render: { ...render, lengthPrefix: true } },
      { column: info('at', 'timestamp'), render },
    ],
    conditions: ["region = N'EU'"],
    position,
  };
}

describe('checksum and fetch queries (SQL Server, checked as text: it cannot run here)', () => {
  it('hashes the row text, free text after its byte length, per segment of the key hash, in one flat query', () => {
    const sql = checksumQuery(sqlServerVerifyDialect, plan({ mode: 'hash' }), [{ start: 0n, width: 1n << 60n }], 1n << 50n).sql;
    const keyHash = "(CAST(SUBSTRING(HASHBYTES('MD5', CAST(CAST(CONCAT_WS(N'|', CAST([id] AS VARCHAR(40))) AS NVARCHAR(MAX)) COLLATE Latin1_General_100_BIN2_UTF8 AS VARCHAR(MAX))), 1, 8) AS BIGINT) & CAST(0x0FFFFFFFFFFFFFFF AS BIGINT))";
    expect(sql.startsWith(`SELECT (${keyHash} / CAST(1125899906842624 AS BIGINT)) AS b, COUNT(*) AS n, CAST(SUM(CAST((CAST(SUBSTRING(HASHBYTES('MD5', `)).toBe(true);
    // Free text enters as its byte length and then the text, two fields; a NULL as the length field's '~N' alone.
    expect(sql).toContain("CONCAT_WS(N'|', CAST([id] AS VARCHAR(40)), COALESCE(CAST(DATALENGTH(");
    expect(sql).toContain("AS VARCHAR(20)), '~N'), CAST([note] AS NVARCHAR(MAX)), COALESCE(LEFT(");
    expect(sql).toContain("COALESCE(LEFT(CONVERT(VARCHAR(27), CAST([at] AS DATETIME2(7)), 121), 23), '~N')");
    // SQL Server cannot GROUP BY an alias: the expression is repeated.
    expect(sql.endsWith(`AS s FROM [dbo].[orders] WHERE (region = N'EU') GROUP BY (${keyHash} / CAST(1125899906842624 AS BIGINT))`)).toBe(true);
    expect(sql).not.toContain('IN (');
  });

  it('limits deeper levels to the differing segments; MySQL and PostgreSQL group by position', () => {
    const sql = checksumQuery(sqlServerVerifyDialect, plan({ mode: 'hash' }), [{ start: 1024n, width: 512n }, { start: 4096n, width: 512n }], 16n).sql;
    expect(sql).toMatch(/WHERE \(region = N'EU'\) AND \(\(\(CAST\(SUBSTRING\(HASHBYTES.* \/ CAST\(512 AS BIGINT\)\) IN \(2, 8\)\) GROUP BY /);
    const postgres = checksumQuery(postgresVerifyDialect, { ...plan({ mode: 'integerKey', offset: 0n }), dialect: 'postgres' }, [{ start: 0n, width: 1024n }], 32n).sql;
    expect(postgres).toMatch(/^SELECT \(\("id"::bigint - 0::bigint\) \/ 32::bigint\) AS b, COUNT\(\*\) AS n, sum\(/);
    expect(postgres).toContain(`FROM "dbo"."orders" WHERE (region = N'EU') AND (("id" >= 0 AND "id" < 1024)) GROUP BY 1`);
  });

  it('turns integer-key segments into key ranges the index can serve', () => {
    const sql = fetchQuery(sqlServerVerifyDialect, plan({ mode: 'integerKey', offset: 100n }), [{ start: 0n, width: 10n }, { start: 10n, width: 10n }, { start: 50n, width: 10n }], false).sql;
    expect(sql).toContain("FROM [dbo].[orders] WHERE (region = N'EU') AND ((([id] >= 100 AND [id] < 120) OR ([id] >= 150 AND [id] < 160)))) x");
    expect(sql).toMatch(/^SELECT k0, c0, c1 FROM \(SELECT CAST\(\[id\] AS VARCHAR\(40\)\) AS k0, CAST\(\[note\] AS NVARCHAR\(MAX\)\) AS c0, /);
  });

  it('fetches keys only for segments present on one side', () => {
    expect(fetchQuery(postgresVerifyDialect, { ...plan({ mode: 'hash' }), dialect: 'postgres' }, [{ start: 0n, width: 8n }], true).sql).toMatch(/^SELECT k0 FROM \(SELECT "id"::text AS k0, /);
  });

  it('falls back to segment indexes when ranges would be too many', () => {
    const many = Array.from({ length: 300 }, (_, index) => ({ start: BigInt(index * 2), width: 1n }));
    expect(keyRangeFilter('[id]', 0n, many)).toBeUndefined();
    expect(segmentIndexFilter(sqlServerVerifyDialect, 'h', [{ start: 4n, width: 2n }, { start: 64n, width: 32n }])).toBe(
      '((h / CAST(2 AS BIGINT)) IN (2) OR (h / CAST(32 AS BIGINT)) IN (2))',
    );
  });

  it('joins free text as its byte length and the text, a NULL as ~N alone, a uuid with the constant length 36', () => {
    const columns = [
      { column: info('note', 'string'), render: { ...render, lengthPrefix: true } },
      { column: info('name', 'string', false), render: { ...render, lengthPrefix: true } },
      { column: info('ref', 'uuid', false), render: { ...render, lowercase: true, lengthPrefix: true } },
      { column: info('alt', 'uuid'), render: { ...render, lowercase: true, lengthPrefix: true } },
    ];
    expect(rowTextSql(postgresVerifyDialect, columns)).toBe(
      `concat_ws('|', COALESCE(octet_length("note"::text)::text, '~N'), "note"::text, octet_length("name"::text), "name"::text, ` +
        `'36', "ref"::text, CASE WHEN "alt" IS NULL THEN '~N' ELSE '36' END, "alt"::text)`,
    );
    // The same fields on MySQL/MariaDB, whose CHAR(36) paired with a uuid is free text: lower-cased, and of the
    // uuid's constant length 36 too (a text of at most 36 characters cannot imitate a uuid's fields with another).
    const mysqlRef = (declared: string, nullable = false): SideColumn => ({
      column: { ...info('ref', 'fixedString', nullable), declared, charset: 'utf8mb4' },
      render: { ...render, lowercase: true, lengthPrefix: true },
    });
    expect(rowTextSql(mySqlVerifyDialect, [mysqlRef('char(36)')])).toBe("CONCAT_WS('|', '36', LOWER(`ref`))");
    expect(rowTextSql(mySqlVerifyDialect, [mysqlRef('varchar(32)', true)])).toBe("CONCAT_WS('|', CASE WHEN `ref` IS NULL THEN '~N' ELSE '36' END, LOWER(`ref`))");
    // Longer text could hold a uuid's text and more fields of its own: measured.
    expect(rowTextSql(mySqlVerifyDialect, [mysqlRef('varchar(37)')])).toBe("CONCAT_WS('|', LENGTH(LOWER(`ref`)), LOWER(`ref`))");
    expect(rowTextSql(mySqlVerifyDialect, [mysqlRef('text')])).toBe("CONCAT_WS('|', LENGTH(LOWER(`ref`)), LOWER(`ref`))");
    // Without a uuid on either side, text is always measured.
    expect(rowTextSql(mySqlVerifyDialect, [{ ...mysqlRef('char(36)'), render: { ...render, lengthPrefix: true } }])).toBe("CONCAT_WS('|', LENGTH(`ref`), `ref`)");
  });

  it('writes the min-age cut-off against the canonical UTC text', () => {
    expect(minAgeCondition(postgresVerifyDialect, { column: info('updated_at', 'timestamptz'), render }, '2024-01-01 00:00:00.000000')).toBe(
      `CASE WHEN "updated_at"::timestamptz(0) = "updated_at" THEN ("updated_at" AT TIME ZONE 'UTC')::text || '.000000' ELSE left(("updated_at" AT TIME ZONE 'UTC')::text || '00000', 26) END IS NULL OR ` +
        `CASE WHEN "updated_at"::timestamptz(0) = "updated_at" THEN ("updated_at" AT TIME ZONE 'UTC')::text || '.000000' ELSE left(("updated_at" AT TIME ZONE 'UTC')::text || '00000', 26) END < '2024-01-01 00:00:00.000000'`,
    );
  });
});

describe('key list (re-checking listed keys)', () => {
  it('matches a single integer key with IN on the column, so the primary-key index serves it', () => {
    expect(keyListCondition(postgresVerifyDialect, { ...plan({ mode: 'hash' }), dialect: 'postgres' }, [['3'], ['-7']])).toBe('"id" IN (3, -7)');
  });

  it('matches other keys by their canonical text, byte for byte, with NULL as IS NULL', () => {
    const composite: SidePlan = {
      ...plan({ mode: 'hash' }),
      keys: [
        { column: info('region', 'string'), render },
        { column: info('code', 'integer'), render },
      ],
    };
    const sql = keyListCondition(sqlServerVerifyDialect, composite, [
      ["it's", '1'],
      [null, '2'],
    ]);
    expect(sql).toContain("= N'it''s' COLLATE Latin1_General_100_BIN2");
    expect(sql).toContain('IS NULL AND');
    expect(sql.split(' OR ')).toHaveLength(2);
  });

  it('selects nothing for an empty list', () => {
    expect(keyListCondition(postgresVerifyDialect, plan({ mode: 'hash' }), [])).toBe('1 = 0');
  });
});

describe('checksum query settings', () => {
  it('PostgreSQL aggregates without sorting, in its own transaction only; MySQL and SQL Server need no settings', () => {
    const postgresPlan = { ...plan({ mode: 'integerKey', offset: 0n }), dialect: 'postgres' as const };
    const statement = checksumQuery(postgresVerifyDialect, postgresPlan, [{ start: 0n, width: 1n << 24n }], 512n);
    // SET LOCAL: undone with the read-only transaction, so the session's catalog and fetch queries still sort.
    expect(statement.localSettings).toEqual(['SET LOCAL enable_sort = off', "SET LOCAL work_mem = '64MB'"]);
    expect(fetchQuery(postgresVerifyDialect, postgresPlan, undefined, false)).not.toHaveProperty('localSettings');
    expect(checksumQuery(mySqlVerifyDialect, { ...postgresPlan, dialect: 'mysql' }, [{ start: 0n, width: 1024n }], 32n)).not.toHaveProperty('localSettings');
    expect(checksumQuery(sqlServerVerifyDialect, plan({ mode: 'hash' }), [{ start: 0n, width: 1n << 60n }], 1n << 50n)).not.toHaveProperty('localSettings');
  });
});
