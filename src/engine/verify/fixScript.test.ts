import { describe, expect, it } from 'vitest';
import { mySqlVerifyDialect } from './dialects/mysql';
import { buildFixScript } from './fixScript';
import type { ColumnInfo, SidePlan } from './model';

const info = (name: string, kind: ColumnInfo['kind']): ColumnInfo => ({ name, declared: kind, kind, scale: undefined, fraction: undefined, nullable: true });
const render = { fraction: 6, lowercase: false, zone: 'UTC', lengthPrefix: false, sameScale: false };

describe('buildFixScript', () => {
  it('deletes, inserts and updates with literals typed for the target, byte-exact string keys', () => {
    const target: SidePlan = {
      dialect: 'mysql',
      table: { schema: 'shop', name: 'orders' },
      keys: [{ column: info('code', 'string'), render }],
      columns: [
        { column: info('qty', 'integer'), render },
        { column: info('blob', 'binary'), render },
        { column: info('at', 'timestamptz'), render },
      ],
      conditions: [],
      position: { mode: 'hash' },
    };
    const script = buildFixScript({
      dialect: mySqlVerifyDialect,
      target,
      remove: [['B']],
      insert: [['a', '1', 'ff', '2024-01-01 00:00:00.000000']],
      update: [{ source: ['c', '2', null, '2024-01-01 00:00:00.000000'], columns: [0, 1] }],
    });
    expect(script).toEqual([
      "SET time_zone = '+00:00';",
      "DELETE FROM `shop`.`orders` WHERE CAST(`code` AS BINARY) = CAST('B' AS BINARY);",
      "INSERT INTO `shop`.`orders` (`code`, `qty`, `blob`, `at`) VALUES ('a', 1, X'ff', '2024-01-01 00:00:00.000000');",
      "UPDATE `shop`.`orders` SET `qty` = 2, `blob` = NULL WHERE CAST(`code` AS BINARY) = CAST('c' AS BINARY);",
    ]);
  });
});
