import { describe, expect, it } from 'vitest';
import type { ColumnInfo, ColumnRender, ValueKind } from '../model';
import { normaliseOffset, toBigInt, UTC_OFFSET } from './dialect';
import { mySqlVerifyDialect as mysql } from './mysql';
import { postgresVerifyDialect as postgres } from './postgres';
import { sqlServerVerifyDialect as sqlserver } from './sqlserver';

const column = (kind: ValueKind, extra: Partial<ColumnInfo> = {}): ColumnInfo => ({ name: 'c', declared: kind, kind, scale: undefined, fraction: undefined, nullable: true, ...extra });
const render = (extra: Partial<ColumnRender> = {}): ColumnRender => ({ fraction: 6, lowercase: false, zone: 'UTC', lengthPrefix: false, sameScale: false, ...extra });

describe('canonical text SQL per engine', () => {
  it('decimals: at the shared scale when both sides declare it, else trailing zeros dropped', () => {
    expect(mysql.canonical('`c`', column('decimal', { scale: 2 }), render({ sameScale: true }))).toBe('CAST(`c` AS CHAR)');
    expect(mysql.canonical('`c`', column('decimal', { scale: 2 }), render())).toBe("TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM CAST(`c` AS CHAR)))");
    expect(postgres.canonical('"c"', column('decimal'), render())).toBe('trim_scale("c")::text');
    expect(sqlserver.canonical('[c]', column('decimal', { scale: 4 }), render())).toBe("RTRIM(RTRIM(CAST([c] AS VARCHAR(60)), '0'), '.')");
    expect(sqlserver.canonical('[c]', column('decimal', { declared: 'money', scale: 4 }), render({ sameScale: true }))).toBe('CAST(CAST([c] AS DECIMAL(19,4)) AS VARCHAR(60))');
  });

  it('floats: the shortest round-trip text, rounded as a decimal to 15 significant digits (MySQL and PostgreSQL alike)', () => {
    // Both engines: a shortest text of at most 14 characters without an exponent is already the answer; so is a
    // double below 1e8 nearest to a number of at most 4 decimals, found without printing it first.
    expect(postgres.canonical('"c"', column('float', { declared: 'double precision' }), render())).toBe(
      `CASE WHEN "c" = 0 THEN '0' WHEN ABS("c") < 1e8 AND "c" = ROUND("c" * 10000) / 10000 THEN "c"::text ` +
        `WHEN length("c"::text) <= 14 AND strpos("c"::text, 'e') = 0 THEN "c"::text ` +
        `ELSE trim_scale(round(("c"::text)::numeric, (14 - floor(log(abs("c"))))::int))::text END`,
    );
    expect(postgres.canonical('"c"', column('float', { declared: 'real' }), render())).toContain(`length("c"::float8::text) <= 14`);
    // MySQL: others are rounded through DECIMAL(65,30), from the same text held in a session variable.
    expect(mysql.canonical('`c`', column('float', { declared: 'double' }), render())).toBe(
      "IF(`c` = 0, '0', IF(ABS(`c`) < 1e8 AND `c` = ROUND(`c` * 10000) / 10000, CONCAT(`c`), " +
        "IF(LENGTH(@ferry_verify_float := CONCAT(`c`)) <= 14 AND LOCATE('e', @ferry_verify_float) = 0, @ferry_verify_float, " +
        "TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM CAST(ROUND(CAST(@ferry_verify_float AS DECIMAL(65,30)), 14 - FLOOR(LOG10(ABS(`c`)))) AS CHAR))))))",
    );
    // DOUBLE(M,D) compares doubles within a tolerance in MySQL/MariaDB: no arithmetic test there.
    expect(mysql.canonical('`c`', column('float', { declared: 'double(10,4)' }), render())).toMatch(/^IF\(`c` = 0, '0', IF\(LENGTH\(@ferry_verify_float/);
    // FLOAT is widened to DOUBLE first, as PostgreSQL's float4::float8.
    expect(mysql.canonical('`c`', column('float', { declared: 'float' }), render())).toContain('@ferry_verify_float := CONCAT(CAST(`c` AS DOUBLE))');
    expect(sqlserver.canonical('[c]', column('float'), render())).toContain('ROUND([c], 14 - FLOOR(LOG10(ABS([c]))))');
  });

  it('booleans as 1/0, NULL kept NULL', () => {
    expect(postgres.canonical('"c"', column('boolean'), render())).toBe(`CASE WHEN "c" IS NULL THEN NULL WHEN "c" THEN '1' ELSE '0' END`);
    expect(mysql.canonical('`c`', column('boolean', { declared: 'bit(1)' }), render())).toBe('CAST(CAST(`c` AS UNSIGNED) AS CHAR)');
    expect(sqlserver.canonical('[c]', column('boolean'), render())).toBe('CAST([c] AS VARCHAR(1))');
  });

  it('timestamps in UTC at the common precision, zone-less ones converted from the side zone', () => {
    expect(mysql.canonical('`c`', column('timestamp', { fraction: 6 }), render({ fraction: 3 }))).toBe('LEFT(CAST(`c` AS CHAR), 23)');
    expect(mysql.canonical('`c`', column('timestamp', { fraction: 3 }), render({ fraction: 3, zone: '+2' }))).toBe("CAST(CONVERT_TZ(`c`, '+02:00', '+00:00') AS CHAR)");
    expect(postgres.canonical('"c"', column('timestamptz', { fraction: 6 }), render({ fraction: 0 }))).toBe(`left(("c" AT TIME ZONE 'UTC')::text, 19)`);
    expect(postgres.canonical('"c"', column('timestamp', { fraction: 0 }), render({ fraction: 0 }))).toBe(`("c")::text`);
    // PostgreSQL drops trailing fractional zeros: padded back, asking the value (not a second ::text) whether it has a fraction.
    expect(postgres.canonical('"c"', column('timestamp', { fraction: 6 }), render({ fraction: 3 }))).toBe(
      `CASE WHEN "c"::timestamp(0) = "c" THEN ("c")::text || '.000' ELSE left(("c")::text || '00000', 23) END`,
    );
    expect(postgres.canonical('"c"', column('timestamptz', { fraction: 6 }), render({ fraction: 6 }))).toContain(`"c"::timestamptz(0) = "c"`);
    // An offset goes in as an interval: as text PostgreSQL would read +02:00 as two hours west.
    expect(postgres.canonical('"c"', column('timestamp'), render({ fraction: 6, zone: '+02:00' }))).toContain(`("c" AT TIME ZONE INTERVAL '+02:00') AT TIME ZONE 'UTC'`);
    expect(postgres.canonical('"c"', column('timestamp'), render({ fraction: 6, zone: 'Europe/Paris' }))).toContain(`AT TIME ZONE 'Europe/Paris'`);
    expect(sqlserver.canonical('[c]', column('timestamptz'), render({ fraction: 3 }))).toBe(`LEFT(CONVERT(VARCHAR(27), CAST(SWITCHOFFSET([c], '+00:00') AS DATETIME2(7)), 121), 23)`);
    expect(sqlserver.canonical('[c]', column('timestamp'), render({ fraction: 0, zone: '-05:30' }))).toBe(
      `LEFT(CONVERT(VARCHAR(27), CAST(SWITCHOFFSET(TODATETIMEOFFSET([c], '-05:30'), '+00:00') AS DATETIME2(7)), 121), 19)`,
    );
    expect(sqlserver.canonical('[c]', column('timestamp'), render({ fraction: 6, zone: 'W. Europe Standard Time' }))).toContain(
      `([c] AT TIME ZONE N'W. Europe Standard Time') AT TIME ZONE 'UTC'`,
    );
  });

  it('text as UTF-8, uuids lower-case, CHAR padding dropped on SQL Server, binary as lower-case hex', () => {
    expect(mysql.canonical('`c`', column('string', { charset: 'utf8mb4' }), render())).toBe('`c`');
    expect(mysql.canonical('`c`', column('string', { charset: 'latin1' }), render({ lowercase: true }))).toBe('LOWER(CONVERT(`c` USING utf8mb4))');
    expect(sqlserver.canonical('[c]', column('fixedString'), render())).toBe('RTRIM(CAST([c] AS NVARCHAR(MAX)))');
    expect(sqlserver.canonical('[c]', column('uuid'), render())).toBe('LOWER(CAST([c] AS CHAR(36)))');
    expect(mysql.canonical('`c`', column('binary'), render())).toBe('LOWER(HEX(`c`))');
    expect(postgres.canonical('"c"', column('binary'), render())).toBe(`encode("c", 'hex')`);
    expect(sqlserver.canonical('[c]', column('binary'), render())).toBe('LOWER(CONVERT(VARCHAR(MAX), CAST([c] AS VARBINARY(MAX)), 2))');
  });
});

describe('hashing SQL', () => {
  it('takes hex digits 2–16 of md5 of the UTF-8 text on every engine', () => {
    expect(mysql.hash60('x')).toBe('CAST(CONV(SUBSTRING(MD5(x), 2, 15), 16, 10) AS UNSIGNED)');
    expect(postgres.hash60('x')).toBe(`('x' || substr(md5(x), 2, 15))::bit(60)::bigint`);
    expect(sqlserver.hash60('x')).toBe(
      "(CAST(SUBSTRING(HASHBYTES('MD5', CAST(CAST(x AS NVARCHAR(MAX)) COLLATE Latin1_General_100_BIN2_UTF8 AS VARCHAR(MAX))), 1, 8) AS BIGINT) & CAST(0x0FFFFFFFFFFFFFFF AS BIGINT))",
    );
  });

  it("leaves to the row text's own conversion what it prints as the canonical text (no cast per value)", () => {
    const notNull = (kind: ValueKind, extra: Partial<ColumnInfo> = {}): ColumnInfo => column(kind, { nullable: false, ...extra });
    expect(mysql.rowPart?.('`c`', column('integer', { declared: 'bigint' }), render())).toBe('`c`');
    expect(mysql.rowPart?.('`c`', column('integer', { declared: 'bit(4)' }), render())).toBe('CAST(`c` AS UNSIGNED)');
    expect(mysql.rowPart?.('`c`', column('decimal', { scale: 2 }), render({ sameScale: true }))).toBe('`c`');
    expect(mysql.rowPart?.('`c`', column('decimal', { scale: 2 }), render())).toContain('TRIM(TRAILING');
    expect(mysql.rowPart?.('`c`', column('timestamptz', { fraction: 0 }), render({ fraction: 0 }))).toBe('`c`');
    // PostgreSQL: only NOT NULL columns, since COALESCE(…, '~N') needs text.
    expect(postgres.rowPart?.('"c"', notNull('integer'), render())).toBe('"c"');
    expect(postgres.rowPart?.('"c"', column('integer'), render())).toBe('"c"::text');
    expect(postgres.rowPart?.('"c"', notNull('boolean'), render())).toBe('"c"::int');
    expect(postgres.rowPart?.('"c"', notNull('decimal', { scale: 2 }), render())).toBe('trim_scale("c")::text');
    // SQL Server prints every value as its canonical text, but floats and timestamps (below).
    expect(sqlserver.rowPart?.('[c]', column('integer'), render())).toBe('CAST([c] AS VARCHAR(40))');
    expect(sqlserver.rowPart?.('[c]', column('timestamp', { fraction: 0 }), render({ fraction: 0 }))).toBe(sqlserver.canonical('[c]', column('timestamp', { fraction: 0 }), render({ fraction: 0 })));
  });

  it('hashes a double nearest to a number of at most 4 decimals as the integer ROUND(x * 10000), any other as ~ and its canonical text, alike on every engine', () => {
    const render = (extra: Partial<ColumnRender> = {}): ColumnRender => ({ fraction: 6, lowercase: false, zone: 'UTC', lengthPrefix: false, sameScale: false, floatUnits: true, ...extra });
    const double = column('float', { declared: 'double' });
    expect(mysql.rowPart?.('`c`', double, render())).toBe(
      "IF(ABS(`c`) < 1e8 AND `c` = ROUND(`c` * 10000) / 10000, CAST(ROUND(`c` * 10000) AS SIGNED), CONCAT('~', " +
        "IF(LENGTH(@ferry_verify_float := CONCAT(`c`)) <= 14 AND LOCATE('e', @ferry_verify_float) = 0, @ferry_verify_float, " +
        "TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM CAST(ROUND(CAST(@ferry_verify_float AS DECIMAL(65,30)), 14 - FLOOR(LOG10(ABS(`c`)))) AS CHAR))))))",
    );
    expect(postgres.rowPart?.('"c"', column('float', { declared: 'double precision' }), render())).toBe(
      `CASE WHEN ABS("c") < 1e8 AND "c" = ROUND("c" * 10000) / 10000 THEN round("c" * 10000)::bigint::text ` +
        `ELSE '~' || CASE WHEN length("c"::text) <= 14 AND strpos("c"::text, 'e') = 0 THEN "c"::text ` +
        `ELSE trim_scale(round(("c"::text)::numeric, (14 - floor(log(abs("c"))))::int))::text END END`,
    );
    // The same form NOT NULL (no output function of concat_ws's choosing).
    expect(postgres.rowPart?.('"c"', column('float', { declared: 'double precision', nullable: false }), render())).toBe(postgres.rowPart?.('"c"', column('float', { declared: 'double precision' }), render()));
    expect(sqlserver.rowPart?.('[c]', column('float', { declared: 'float' }), render())).toBe(
      "CASE WHEN ABS([c]) < 1e8 AND [c] = ROUND([c] * 10000, 0) / 10000 THEN CAST(CAST(ROUND([c] * 10000, 0) AS BIGINT) AS VARCHAR(20)) " +
        `ELSE '~' + ${sqlserver.canonical('[c]', column('float', { declared: 'float' }), render())} END`,
    );
    // Single precision is widened to double first on every engine.
    expect(mysql.rowPart?.('`c`', column('float', { declared: 'float' }), render())).toContain('CAST(ROUND(CAST(`c` AS DOUBLE) * 10000) AS SIGNED)');
    expect(postgres.rowPart?.('"c"', column('float', { declared: 'real' }), render())).toContain('round("c"::float8 * 10000)::bigint::text');
    expect(sqlserver.rowPart?.('[c]', column('float', { declared: 'real' }), render())).toContain('CAST(ROUND(CAST([c] AS FLOAT) * 10000, 0) AS BIGINT)');
    // MySQL's DOUBLE(M,D) compares within a tolerance: always the general form.
    expect(mysql.rowPart?.('`c`', column('float', { declared: 'double(10,4)' }), render())).toBe(`CONCAT('~', ${mysql.canonical('`c`', column('float', { declared: 'double(10,4)' }), render())})`);
    // A float compared with a decimal or an integer (no floatUnits) keeps the canonical text the other side prints.
    const canonicalOnly = render({ floatUnits: false });
    expect(mysql.rowPart?.('`c`', double, canonicalOnly)).toBe(mysql.canonical('`c`', double, canonicalOnly));
    expect(postgres.rowPart?.('"c"', column('float', { declared: 'double precision', nullable: false }), canonicalOnly)).toBe(postgres.canonical('"c"', column('float', { declared: 'double precision' }), canonicalOnly));
    expect(sqlserver.rowPart?.('[c]', column('float', { declared: 'float' }), canonicalOnly)).toBe(sqlserver.canonical('[c]', column('float', { declared: 'float' }), canonicalOnly));
  });

  it('hashes timestamps as their canonical text, padded to the common precision, on every engine', () => {
    // Trimming the fraction's zeros, as PostgreSQL prints it, cost MariaDB more than it saved PostgreSQL (issue 13).
    expect(mysql.rowPart?.('`c`', column('timestamp', { fraction: 3 }), render({ fraction: 3 }))).toBe('`c`');
    expect(mysql.rowPart?.('`c`', column('timestamp', { fraction: 6 }), render({ fraction: 3 }))).toBe('LEFT(CAST(`c` AS CHAR), 23)');
    expect(mysql.rowPart?.('`c`', column('timestamp', { fraction: 3 }), render({ fraction: 3, zone: '+02:00' }))).toContain('CONVERT_TZ');
    const timestamp = column('timestamp', { fraction: 6 });
    expect(postgres.rowPart?.('"c"', timestamp, render({ fraction: 6 }))).toBe(postgres.canonical('"c"', timestamp, render({ fraction: 6 })));
    expect(sqlserver.rowPart?.('[c]', timestamp, render({ fraction: 3 }))).toBe(sqlserver.canonical('[c]', timestamp, render({ fraction: 3 })));
  });

  it('sums exactly, in DECIMAL/NUMERIC, as text', () => {
    expect(mysql.sumAsText('r')).toBe('CAST(SUM(r) AS CHAR)');
    expect(postgres.sumAsText('r')).toBe('sum(r)::text');
    expect(sqlserver.sumAsText('r')).toBe('CAST(SUM(CAST(r AS DECIMAL(38,0))) AS VARCHAR(40))');
  });

  it('gives free text its UTF-8 byte length, as a number or (for COALESCE with the NULL mark) as text', () => {
    expect(mysql.byteLength('v', false)).toBe('LENGTH(v)');
    expect(postgres.byteLength('v', false)).toBe('octet_length(v)');
    expect(postgres.byteLength('v', true)).toBe('octet_length(v)::text');
    expect(sqlserver.byteLength('v', false)).toBe('DATALENGTH(CAST(CAST(v AS NVARCHAR(MAX)) COLLATE Latin1_General_100_BIN2_UTF8 AS VARCHAR(MAX)))');
    expect(sqlserver.byteLength('v', true)).toBe(
      'CAST(DATALENGTH(CAST(CAST(v AS NVARCHAR(MAX)) COLLATE Latin1_General_100_BIN2_UTF8 AS VARCHAR(MAX))) AS VARCHAR(20))',
    );
  });

  it('positions integer keys without overflow', () => {
    expect(postgres.keyPosition('"id"', -5n)).toBe('("id"::bigint - -5::bigint)');
    expect(sqlserver.keyPosition('[id]', 1n)).toBe('(CAST([id] AS BIGINT) - CAST(1 AS BIGINT))');
    expect(sqlserver.divide('h', 512n)).toBe('(h / CAST(512 AS BIGINT))');
    expect(mysql.divide('h', 512n)).toBe('(h DIV 512)');
  });
});

describe('identifiers, literals and catalog queries', () => {
  it('quotes identifiers so that no name can break out', () => {
    expect(mysql.quote('a`b')).toBe('`a``b`');
    expect(postgres.quote('a"b')).toBe('"a""b"');
    expect(sqlserver.quote('a]b')).toBe('[a]]b]');
    expect(sqlserver.qualified({ schema: 'dbo', name: 'orders' })).toBe('[dbo].[orders]');
  });

  it('writes fix-script literals typed for the target column', () => {
    expect(mysql.valueLiteral("it's \\", column('string'))).toBe("'it''s \\\\'");
    expect(postgres.valueLiteral('00ff', column('binary'))).toBe("decode('00ff', 'hex')");
    expect(sqlserver.valueLiteral('00ff', column('binary'))).toBe('0x00ff');
    expect(postgres.valueLiteral('2024-01-01 10:00:00.123', column('timestamptz'))).toBe("'2024-01-01 10:00:00.123+00'");
    expect(sqlserver.valueLiteral(null, column('integer'))).toBe('NULL');
    expect(sqlserver.equalsLiteral('[k]', column('string'), "N'a'")).toBe("[k] = N'a' COLLATE Latin1_General_100_BIN2");
    expect(mysql.equalsLiteral('`k`', column('string'), "'a'")).toBe("CAST(`k` AS BINARY) = CAST('a' AS BINARY)");
  });

  it('reads the catalog with bound parameters in each driver style', () => {
    const table = { schema: 's', name: 't' };
    expect(mysql.describeColumns(table).params).toEqual(['s', 't']);
    expect(postgres.primaryKey(table).sql).toContain('$1');
    expect(sqlserver.describeColumns(table).sql).toContain('TABLE_SCHEMA = @p1 AND TABLE_NAME = @p2');
    expect(sqlserver.estimateRows(table).params).toEqual(['[s].[t]']);
  });

  it('classifies declared types into value kinds', () => {
    const row = (dataType: string, columnType = dataType) => ({ name: 'c', dataType, columnType, scale: undefined, fraction: undefined, nullable: true });
    expect(mysql.classify(row('tinyint', 'tinyint(1)')).kind).toBe('integer');
    expect(mysql.classify(row('bit', 'bit(1)')).kind).toBe('boolean');
    expect(mysql.classify(row('timestamp')).kind).toBe('timestamptz');
    expect(mysql.classify(row('datetime')).fraction).toBe(0);
    expect(postgres.classify(row('timestamp')).fraction).toBe(6);
    expect(postgres.classify(row('citext', 'user-defined')).declared).toBe('citext');
    expect(postgres.classify(row('jsonb')).kind).toBe('text');
    expect(sqlserver.classify(row('datetime2')).fraction).toBe(6);
    expect(sqlserver.classify(row('uniqueidentifier')).kind).toBe('uuid');
    expect(sqlserver.classify(row('nchar')).kind).toBe('fixedString');
  });
});

describe('helpers', () => {
  it('tells offsets from zone names and normalises them', () => {
    expect(['+02:00', '-0530', '+2'].every((zone) => UTC_OFFSET.test(zone))).toBe(true);
    expect(UTC_OFFSET.test('Europe/Paris')).toBe(false);
    expect(normaliseOffset('-0530')).toBe('-05:30');
    expect(normaliseOffset('+2')).toBe('+02:00');
  });

  it('reads integers from any driver shape', () => {
    expect(toBigInt('123456789012345678901234')).toBe(123456789012345678901234n);
    expect(toBigInt(42)).toBe(42n);
    expect(toBigInt('7.000')).toBe(7n);
    expect(toBigInt(null)).toBe(0n);
  });
});
