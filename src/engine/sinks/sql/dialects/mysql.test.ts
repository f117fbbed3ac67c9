import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../../shared/errors';
import type { FieldSchema, FieldType, Row, TableId } from '../../../model';
import type { WriteBatch } from './dialect';
import { MySqlDialect } from './mysql';

function failure(run: () => unknown): EngineError {
  try {
    run();
  } catch (error) {
    if (error instanceof EngineError) return error;
    throw error;
  }
  throw new Error('expected an EngineError');
}

const f = (name: string, type: FieldType, optional = false, defaultValue?: FieldSchema['defaultValue']): FieldSchema =>
  defaultValue === undefined ? { name, type, optional } : { name, type, optional, defaultValue };
const id = f('id', { kind: 'int64' });
const region = f('region', { kind: 'string' });
const name = f('name', { kind: 'string' }, true);
const amount = f('amount', { kind: 'decimal', precision: 10, scale: 2 }, true);

const dialect = new MySqlDialect();
const orders = { table: 'orders' };
const batch = (rows: Row[], keyFields: FieldSchema[] = [id], valueFields: FieldSchema[] = [name, amount], table: TableId = orders): WriteBatch => ({
  table,
  keyFields,
  valueFields,
  rows,
});
const one: Row[] = [{ id: 1n, region: 'eu', name: 'ada', amount: '12.50' }];
const two: Row[] = [...one, { id: 2n, region: 'us', name: null, amount: null }];

describe('MySqlDialect names', () => {
  it('quotes with backticks and doubles a backtick inside', () => {
    expect(dialect.quoteIdentifier('order')).toBe('`order`');
    expect(dialect.quoteIdentifier('we`ird')).toBe('`we``ird`');
    expect(dialect.quoteIdentifier('with space.and dot')).toBe('`with space.and dot`');
  });

  it('writes identifiers bare with quote.sql.identifiers=NEVER', () => {
    const never = new MySqlDialect({ quoteIdentifiers: 'NEVER' });
    expect(never.quoteIdentifier('orders')).toBe('orders');
    expect(never.tableName({ catalog: 'shop', table: 'orders' })).toBe('shop.orders');
    expect(never.buildDelete(batch(one)).map((s) => s.sql)).toEqual(['DELETE FROM orders WHERE id = ?']);
  });

  it('refuses empty, NUL-holding and over-long identifiers', () => {
    expect(failure(() => dialect.quoteIdentifier('')).code).toBe('SINK_SQL_BAD_IDENTIFIER');
    expect(failure(() => dialect.quoteIdentifier('a\u0000b')).code).toBe('SINK_SQL_BAD_IDENTIFIER');
    expect(dialect.quoteIdentifier('x'.repeat(64))).toHaveLength(66);
    expect(failure(() => dialect.quoteIdentifier('x'.repeat(65))).code).toBe('SINK_SQL_BAD_IDENTIFIER');
    expect(failure(() => new MySqlDialect({ quoteIdentifiers: 'sometimes' as 'always' })).code).toBe('SINK_SQL_BAD_IDENTIFIER');
  });

  it('parses table, database.table and quoted parts; a third part is an error', () => {
    expect(dialect.parseTableName('orders')).toEqual({ table: 'orders' });
    expect(dialect.parseTableName('shop.orders')).toEqual({ catalog: 'shop', table: 'orders' });
    expect(dialect.parseTableName('`my.shop`.`or``ders`')).toEqual({ catalog: 'my.shop', table: 'or`ders' });
    expect(new MySqlDialect({ defaultCatalog: 'ferry' }).parseTableName('orders')).toEqual({ catalog: 'ferry', table: 'orders' });
    const error = failure(() => dialect.parseTableName('srv.shop.orders'));
    expect(error.code).toBe('SINK_SQL_BAD_TABLE_NAME');
    expect(error.message).toContain('table.name.format');
    for (const bad of ['', 'shop.', '.orders', 'shop..orders', '`shop.orders', '`shop`x.orders']) {
      expect(failure(() => dialect.parseTableName(bad)).code).toBe('SINK_SQL_BAD_TABLE_NAME');
    }
  });

  it('substitutes ${topic} in table.name.format, every occurrence, then parses', () => {
    expect(dialect.resolveTableId('${topic}', 'shop.orders')).toEqual({ catalog: 'shop', table: 'orders' });
    expect(dialect.resolveTableId('kafka_${topic}', 'orders')).toEqual({ table: 'kafka_orders' });
    expect(dialect.resolveTableId('${topic}_${topic}', 'a')).toEqual({ table: 'a_a' });
    expect(dialect.tableName(dialect.resolveTableId('archive.${topic}', 'orders'))).toBe('`archive`.`orders`');
  });
});

describe('MySqlDialect types', () => {
  it.each<[FieldType, boolean, string]>([
    [{ kind: 'int8' }, false, 'TINYINT'],
    [{ kind: 'int16' }, false, 'SMALLINT'],
    [{ kind: 'int32' }, false, 'INT'],
    [{ kind: 'int64' }, false, 'BIGINT'],
    [{ kind: 'float32' }, false, 'FLOAT'],
    [{ kind: 'float64' }, false, 'DOUBLE'],
    [{ kind: 'boolean' }, false, 'TINYINT(1)'],
    [{ kind: 'string' }, false, 'LONGTEXT'],
    [{ kind: 'string' }, true, 'VARCHAR(256)'],
    [{ kind: 'bytes' }, false, 'LONGBLOB'],
    [{ kind: 'bytes' }, true, 'VARBINARY(1024)'],
    [{ kind: 'decimal', precision: 10, scale: 2 }, false, 'DECIMAL(10,2)'],
    [{ kind: 'decimal', precision: 80, scale: 4 }, false, 'DECIMAL(65,4)'],
    [{ kind: 'decimal', precision: 0, scale: 3 }, false, 'DECIMAL(65,3)'],
    [{ kind: 'decimal', precision: 2, scale: 5 }, false, 'DECIMAL(5,5)'],
    [{ kind: 'date' }, false, 'DATE'],
    [{ kind: 'time' }, false, 'TIME(3)'],
    [{ kind: 'timestamp' }, false, 'DATETIME(3)'],
  ])('%j (key: %s) → %s', (type, isKey, expected) => {
    expect(dialect.columnType(type, isKey)).toBe(expected);
  });

  it('refuses a decimal scale beyond 30 instead of rounding', () => {
    expect(failure(() => dialect.columnType({ kind: 'decimal', precision: 40, scale: 31 }, false)).code).toBe('SINK_SQL_UNSUPPORTED_TYPE');
  });
});

describe('MySqlDialect DDL', () => {
  it('creates a table with NOT NULL keys, a primary key and defaults', () => {
    const fields = [
      f('order', { kind: 'string' }, true, "it's \\ here"),
      f('qty', { kind: 'int32' }, false, 1),
      f('paid', { kind: 'boolean' }, true, false),
      f('blob', { kind: 'bytes' }, true, new Uint8Array([0xca, 0xfe])),
      f('at', { kind: 'timestamp' }, true, new Date('2024-01-02T03:04:05.006Z')),
      f('price', { kind: 'decimal', precision: 9, scale: 3 }, true, '1.500'),
    ];
    expect(dialect.createTable({ catalog: 'shop', table: 'orders' }, [id, region], fields, { timezone: 'Europe/Paris' })).toBe(
      [
        'CREATE TABLE `shop`.`orders` (',
        '  `id` BIGINT NOT NULL,',
        '  `region` VARCHAR(256) NOT NULL,',
        "  `order` LONGTEXT NULL DEFAULT ('it''s \\\\ here'),",
        '  `qty` INT NOT NULL DEFAULT 1,',
        '  `paid` TINYINT(1) NULL DEFAULT 0,',
        "  `blob` LONGBLOB NULL DEFAULT (X'cafe'),",
        "  `at` DATETIME(3) NULL DEFAULT '2024-01-02 04:04:05.006',",
        '  `price` DECIMAL(9,3) NULL DEFAULT 1.500,',
        '  PRIMARY KEY (`id`, `region`)',
        ')',
      ].join('\n'),
    );
  });

  it('creates a table without a primary key when there are no key fields (pk.mode=none)', () => {
    expect(dialect.createTable(orders, [], [name])).toBe('CREATE TABLE `orders` (\n  `name` LONGTEXT NULL\n)');
  });

  it('makes an optional key field NOT NULL anyway', () => {
    expect(dialect.createTable(orders, [f('k', { kind: 'string' }, true)], [])).toContain('`k` VARCHAR(256) NOT NULL');
  });

  it('refuses tables without columns and fields given twice', () => {
    expect(failure(() => dialect.createTable(orders, [], [])).code).toBe('SINK_SQL_NO_COLUMNS');
    expect(failure(() => dialect.createTable(orders, [id], [id])).code).toBe('SINK_SQL_DUPLICATE_COLUMN');
  });

  it('adds columns in one ALTER TABLE, each with its own ADD', () => {
    expect(dialect.addColumns(orders, [name, f('status', { kind: 'string' }, false, 'new')])).toBe(
      "ALTER TABLE `orders` ADD `name` LONGTEXT NULL, ADD `status` LONGTEXT NOT NULL DEFAULT ('new')",
    );
  });

  it('refuses to add a required column without a default, and an empty list', () => {
    const error = failure(() => dialect.addColumns(orders, [name, f('qty', { kind: 'int32' })]));
    expect(error.code).toBe('SINK_SQL_REQUIRED_COLUMN_WITHOUT_DEFAULT');
    expect(error.message).toContain('"qty"');
    expect(failure(() => dialect.addColumns(orders, [])).code).toBe('SINK_SQL_NO_COLUMNS');
  });
});

describe('MySqlDialect statements', () => {
  it('insert: one row and many rows', () => {
    expect(dialect.buildInsert(batch(one))).toEqual([
      { sql: 'INSERT INTO `orders` (`id`, `name`, `amount`) VALUES (?, ?, ?)', params: [1n, 'ada', '12.50'] },
    ]);
    expect(dialect.buildInsert(batch(two))).toEqual([
      { sql: 'INSERT INTO `orders` (`id`, `name`, `amount`) VALUES (?, ?, ?), (?, ?, ?)', params: [1n, 'ada', '12.50', 2n, null, null] },
    ]);
  });

  it('insert keeps duplicate keys (the database must refuse them, as Connect does)', () => {
    expect(dialect.buildInsert(batch([...one, ...one]))[0]?.params).toHaveLength(6);
  });

  it('upsert: ON DUPLICATE KEY UPDATE with VALUES()', () => {
    expect(dialect.buildUpsert(batch(two))).toEqual([
      {
        sql: 'INSERT INTO `orders` (`id`, `name`, `amount`) VALUES (?, ?, ?), (?, ?, ?) ON DUPLICATE KEY UPDATE `name` = VALUES(`name`), `amount` = VALUES(`amount`)',
        params: [1n, 'ada', '12.50', 2n, null, null],
      },
    ]);
  });

  it('upsert with only key columns sets the keys to themselves', () => {
    expect(dialect.buildUpsert(batch(two, [id, region], [])).map((s) => s.sql)).toEqual([
      'INSERT INTO `orders` (`id`, `region`) VALUES (?, ?), (?, ?) ON DUPLICATE KEY UPDATE `id` = VALUES(`id`), `region` = VALUES(`region`)',
    ]);
  });

  it('upsert collapses duplicate keys, last one wins', () => {
    const rows: Row[] = [
      { id: 1n, name: 'old', amount: '1.00' },
      { id: 2n, name: 'b', amount: null },
      { id: 1n, name: 'new', amount: '2.00' },
    ];
    expect(dialect.buildUpsert(batch(rows))[0]?.params).toEqual([2n, 'b', null, 1n, 'new', '2.00']);
  });

  it('update: single row by key, many rows through a derived table', () => {
    expect(dialect.buildUpdate(batch(one))).toEqual([{ sql: 'UPDATE `orders` SET `name` = ?, `amount` = ? WHERE `id` = ?', params: ['ada', '12.50', 1n] }]);
    expect(dialect.buildUpdate(batch(two, [id, region], [name]))).toEqual([
      {
        sql:
          'UPDATE `orders` AS target INNER JOIN (SELECT ? AS `id`, ? AS `region`, ? AS `name` UNION ALL SELECT ?, ?, ?) AS incoming ' +
          'ON target.`id` = incoming.`id` AND target.`region` = incoming.`region` SET target.`name` = incoming.`name`',
        params: [1n, 'eu', 'ada', 2n, 'us', null],
      },
    ]);
  });

  it('update with no non-key columns has nothing to do', () => {
    expect(dialect.buildUpdate(batch(two, [id], []))).toEqual([]);
  });

  it('delete: one row, a one-column key with IN, a composite key with OR', () => {
    expect(dialect.buildDelete(batch(one))).toEqual([{ sql: 'DELETE FROM `orders` WHERE `id` = ?', params: [1n] }]);
    expect(dialect.buildDelete(batch(two))).toEqual([{ sql: 'DELETE FROM `orders` WHERE `id` IN (?, ?)', params: [1n, 2n] }]);
    expect(dialect.buildDelete(batch(one, [id, region]))).toEqual([{ sql: 'DELETE FROM `orders` WHERE `id` = ? AND `region` = ?', params: [1n, 'eu'] }]);
    expect(dialect.buildDelete(batch(two, [id, region]))).toEqual([
      { sql: 'DELETE FROM `orders` WHERE (`id` = ? AND `region` = ?) OR (`id` = ? AND `region` = ?)', params: [1n, 'eu', 2n, 'us'] },
    ]);
  });

  it('delete reads only key fields and collapses repeated keys', () => {
    expect(dialect.buildDelete(batch([{ id: 1n }, { id: 1n }, { id: 3n }]))).toEqual([{ sql: 'DELETE FROM `orders` WHERE `id` IN (?, ?)', params: [1n, 3n] }]);
  });

  it('casts decimal keys so MySQL compares them as decimals, not doubles', () => {
    const price = f('price', { kind: 'decimal', precision: 20, scale: 2 });
    const rows: Row[] = [
      { price: '12345678901234567.12', name: 'a' },
      { price: '1.00', name: 'b' },
    ];
    expect(dialect.buildDelete(batch(rows, [price], [])).map((s) => s.sql)).toEqual([
      'DELETE FROM `orders` WHERE `price` IN (CAST(? AS DECIMAL(20,2)), CAST(? AS DECIMAL(20,2)))',
    ]);
    expect(dialect.buildUpdate(batch(rows.slice(0, 1), [price], [name])).map((s) => s.sql)).toEqual([
      'UPDATE `orders` SET `name` = ? WHERE `price` = CAST(? AS DECIMAL(20,2))',
    ]);
    expect(dialect.buildUpdate(batch(rows, [price], [name]))[0]?.sql).toContain('SELECT CAST(? AS DECIMAL(20,2)) AS `price`, ? AS `name` UNION ALL SELECT CAST(? AS DECIMAL(20,2)), ?');
  });

  it('escapes awkward identifiers everywhere and qualifies with the database', () => {
    const order = f('order', { kind: 'string' });
    const weird = f('we`ird', { kind: 'int32' }, true);
    const rows: Row[] = [
      { order: 'a', 'we`ird': 1 },
      { order: 'b', 'we`ird': 2 },
    ];
    expect(dialect.buildUpsert(batch(rows, [order], [weird], { catalog: 'my`db', table: 'select' })).map((s) => s.sql)).toEqual([
      'INSERT INTO `my``db`.`select` (`order`, `we``ird`) VALUES (?, ?), (?, ?) ON DUPLICATE KEY UPDATE `we``ird` = VALUES(`we``ird`)',
    ]);
  });

  it('needs key fields for upsert, update and delete, and non-null key values', () => {
    for (const build of [dialect.buildUpsert, dialect.buildUpdate, dialect.buildDelete]) {
      const error = failure(() => build.call(dialect, batch(one, [])));
      expect(error.code).toBe('SINK_SQL_NO_KEY_FIELDS');
      expect(error.message).toContain('pk.mode');
    }
    expect(dialect.buildInsert(batch(one, [], [name]))).toHaveLength(1);
    const nullKey = failure(() => dialect.buildUpsert(batch([{ id: null, name: 'x' }])));
    expect(nullKey.code).toBe('SINK_SQL_BAD_VALUE');
    expect(nullKey.message).toContain('"id"');
    expect(failure(() => dialect.buildDelete(batch([{ name: 'x' }]))).message).toContain('missing');
  });

  it('writes a missing optional value field as NULL and names the field of a bad value', () => {
    expect(dialect.buildInsert(batch([{ id: 1n }]))[0]?.params).toEqual([1n, null, null]);
    const error = failure(() => dialect.buildInsert(batch([{ id: 1n, name: 42, amount: null }])));
    expect(error.code).toBe('SINK_SQL_BAD_VALUE');
    expect(error.message).toContain('"name"');
  });

  it('returns no statements for an empty batch', () => {
    expect(dialect.buildUpsert(batch([]))).toEqual([]);
  });
});

describe('MySqlDialect limits', () => {
  it('fits as many rows as 65535 placeholders allow, at most 1000', () => {
    expect(dialect.maxRowsPerStatement(1)).toBe(1000);
    expect(dialect.maxRowsPerStatement(100)).toBe(655);
    expect(dialect.maxRowsPerStatement(65_535)).toBe(1);
    expect(failure(() => dialect.maxRowsPerStatement(65_536)).code).toBe('SINK_SQL_TOO_MANY_COLUMNS');
    expect(failure(() => dialect.maxRowsPerStatement(0)).code).toBe('SINK_SQL_NO_COLUMNS');
  });

  it('splits a batch into statements under the limit, in order', () => {
    const fields = Array.from({ length: 100 }, (_, index) => f(`c${index}`, { kind: 'int32' }, true));
    const rows: Row[] = Array.from({ length: 1400 }, (_, index) => Object.fromEntries([['id', BigInt(index)], ...fields.map((field) => [field.name, index])]));
    const statements = dialect.buildUpsert(batch(rows, [id], fields));
    expect(statements.map((s) => s.params.length)).toEqual([648 * 101, 648 * 101, 104 * 101]);
    expect(statements.map((s) => s.params[0])).toEqual([0n, 648n, 1296n]);
    for (const statement of statements) expect((statement.sql.match(/\?/g) ?? []).length).toBe(statement.params.length);
  });
});

describe('MySqlDialect values', () => {
  const at = new Date('2024-03-31T01:30:00.123Z');
  it.each<[string, FieldType, Row[string], unknown]>([
    ['int8', { kind: 'int8' }, -128, -128],
    ['int32 from bigint', { kind: 'int32' }, 7n, 7],
    ['int64 as bigint (exact literal in the text protocol)', { kind: 'int64' }, 9223372036854775807n, 9223372036854775807n],
    ['float64', { kind: 'float64' }, 0.1, 0.1],
    ['boolean', { kind: 'boolean' }, true, true],
    ['string', { kind: 'string' }, 'ünï\u0000', 'ünï\u0000'],
    ['bytes → Buffer', { kind: 'bytes' }, new Uint8Array([0, 255]), Buffer.from([0, 255])],
    ['decimal text', { kind: 'decimal', precision: 40, scale: 10 }, '-123456789012345678901234567890.0123456789', '-123456789012345678901234567890.0123456789'],
    ['date', { kind: 'date' }, new Date('2024-02-29T00:00:00Z'), '2024-02-29'],
    ['time', { kind: 'time' }, 3_723_004, '01:02:03.004'],
    ['timestamp in UTC', { kind: 'timestamp' }, at, '2024-03-31 01:30:00.123'],
    ['null', { kind: 'string' }, null, null],
  ])('%s', (_, type, value, expected) => {
    expect(dialect.toDriverValue(value, type)).toEqual(expected);
  });

  it('writes timestamps, times and dates in db.timezone', () => {
    expect(dialect.toDriverValue(at, { kind: 'timestamp' }, { timezone: 'Europe/Paris' })).toBe('2024-03-31 03:30:00.123');
    expect(dialect.toDriverValue(3_600_000, { kind: 'time' }, { timezone: 'Europe/Paris' })).toBe('02:00:00.000');
    expect(dialect.toDriverValue(new Date('2024-02-29T00:00:00Z'), { kind: 'date' }, { timezone: 'America/Sao_Paulo' })).toBe('2024-02-28');
    expect(dialect.toDriverValue(new Date('2024-02-29T00:00:00Z'), { kind: 'date' }, { timezone: 'America/Sao_Paulo', dateTimezone: 'UTC' })).toBe('2024-02-29');
  });

  it('refuses values MySQL cannot hold or that do not match the type', () => {
    expect(failure(() => dialect.toDriverValue(Number.NaN, { kind: 'float64' })).code).toBe('SINK_SQL_BAD_VALUE');
    expect(failure(() => dialect.toDriverValue(128, { kind: 'int8' })).code).toBe('SINK_SQL_BAD_VALUE');
    expect(failure(() => dialect.toDriverValue('yes', { kind: 'boolean' })).code).toBe('SINK_SQL_BAD_VALUE');
    expect(failure(() => dialect.toDriverValue('x', { kind: 'bytes' })).code).toBe('SINK_SQL_BAD_VALUE');
    expect(failure(() => dialect.toDriverValue(new Date(Number.NaN), { kind: 'timestamp' })).code).toBe('SINK_SQL_BAD_VALUE');
  });
});

describe('MySqlDialect metadata', () => {
  it('reads columns of the named or the current database', () => {
    const query = dialect.describeTableQuery({ catalog: 'shop', table: 'orders' });
    expect(query.params).toEqual(['shop', 'orders']);
    expect(query.sql).toContain('information_schema.COLUMNS');
    expect(query.sql).toContain("k.CONSTRAINT_NAME = 'PRIMARY'");
    expect(dialect.describeTableQuery(orders).params).toEqual([null, 'orders']);
  });

  it('maps rows as mysql2 returns them', () => {
    const rows = [
      { column_name: 'id', data_type: 'bigint(20)', base_type: 'bigint', is_nullable: 'NO', is_key: 1, table_type: 'BASE TABLE' },
      { column_name: 'name', data_type: 'longtext', base_type: 'longtext', is_nullable: 'YES', is_key: 0, table_type: 'BASE TABLE' },
    ];
    expect(dialect.describeTable(orders, rows)).toEqual({
      table: orders,
      kind: 'TABLE',
      columns: [
        { name: 'id', type: 'bigint(20)', baseType: 'bigint', nullable: false, isKey: true },
        { name: 'name', type: 'longtext', baseType: 'longtext', nullable: true, isKey: false },
      ],
    });
    expect(dialect.describeTable(orders, [{ ...rows[0], table_type: 'VIEW' }])?.kind).toBe('VIEW');
    expect(dialect.describeTable(orders, [{ ...rows[0], table_type: 'SYSTEM VERSIONED' }])?.kind).toBe('TABLE');
    expect(dialect.describeTable(orders, [])).toBeUndefined();
  });
});
