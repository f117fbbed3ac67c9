import { describe, expect, it } from 'vitest';
import { capturedTable, capturedValue } from '../../capturedTable';
import { SqlServerTypeMap } from '../sqlServerTypeMap';
import {
  bracket,
  CAPTURE_INSTANCES_SQL,
  CDC_DATABASE_STATE_SQL,
  changeBetweenSql,
  changesSql,
  columnsSql,
  columnText,
  compareLsn,
  enableCdcStatements,
  incrementLsn,
  lsnFromString,
  lsnLiteral,
  lsnToString,
  MAX_LSN_SQL,
  minLsnSql,
  resumeCheckSql,
  snapshotPageSql,
  TABLES_SQL,
} from './cdcStatements';
import { cdcValue } from './sqlServerLogCapture';

// No SQL Server runs here: every statement the CDC capture sends is pinned below, and the integration suite
// (test/integration/logCapture.int.test.ts) runs them against a real server when FERRY_MSSQL_URL is set.

describe('SQL Server CDC statements', () => {
  it('quotes identifiers and strings as T-SQL does', () => {
    expect(bracket('we]ird')).toBe('[we]]ird]');
    expect(minLsnSql("dbo_o'rders")).toBe("SELECT sys.fn_cdc_get_min_lsn(N'dbo_o''rders') AS lsn");
  });

  it('reads the CDC state, the tracked tables, their capture instances and the max LSN from the catalog', () => {
    expect(CDC_DATABASE_STATE_SQL).toBe('SELECT CAST(is_cdc_enabled AS int) AS enabled, DB_NAME() AS db FROM sys.databases WHERE name = DB_NAME()');
    expect(TABLES_SQL).toContain('CAST(t.is_tracked_by_cdc AS int) AS tracked FROM sys.tables t');
    expect(TABLES_SQL).toContain("s.name <> 'cdc'");
    expect(CAPTURE_INSTANCES_SQL).toBe(
      'SELECT s.name AS schema_name, t.name AS table_name, ct.capture_instance, ct.create_date FROM cdc.change_tables ct ' +
        'JOIN sys.tables t ON t.object_id = ct.source_object_id JOIN sys.schemas s ON s.schema_id = t.schema_id ORDER BY ct.create_date DESC',
    );
    expect(MAX_LSN_SQL).toBe('SELECT sys.fn_cdc_get_max_lsn() AS lsn');
    expect(columnsSql({ schema: 'sales', table: 'order lines' })).toContain("WHERE c.object_id = OBJECT_ID(N'[sales].[order lines]') ORDER BY c.column_id");
  });

  it('reads all changes of a capture instance between two LSNs, updates with their old image, in commit order', () => {
    expect(changesSql('dbo_orders', [{ name: 'id', baseType: 'int' }, { name: 'placed_at', baseType: 'datetime2' }, { name: 'blob', baseType: 'varbinary' }])).toBe(
      'SELECT __$start_lsn AS start_lsn, __$seqval AS seqval, __$operation AS operation, sys.fn_cdc_map_lsn_to_time(__$start_lsn) AS commit_time, ' +
        'CONVERT(nvarchar(max), [id]) AS [id], CONVERT(varchar(40), [placed_at], 126) AS [placed_at], [blob] AS [blob] ' +
        "FROM cdc.[fn_cdc_get_all_changes_dbo_orders](@from, @to, N'all update old') ORDER BY __$start_lsn, __$seqval, __$operation",
    );
    expect(columnText('[x]', 'datetimeoffset')).toBe('CONVERT(varchar(40), [x], 127)');
    expect(columnText('[x]', 'decimal')).toBe('CONVERT(nvarchar(max), [x])');
  });

  it('reads what a resume needs of a capture instance: its low endpoint, when it was created and when the LSN committed', () => {
    const lsn = Buffer.from('0000002700000758000a', 'hex');
    expect(lsnLiteral(lsn)).toBe('0x0000002700000758000a');
    expect(resumeCheckSql("dbo_o'rders", lsn)).toBe(
      "SELECT sys.fn_cdc_get_min_lsn(N'dbo_o''rders') AS min_lsn, ct.create_date, sys.fn_cdc_map_lsn_to_time(0x0000002700000758000a) AS lsn_time " +
        "FROM cdc.change_tables ct WHERE ct.capture_instance = N'dbo_o''rders'",
    );
    expect(changeBetweenSql('dbo_orders', lsn, Buffer.from('00000027000009000001', 'hex'))).toBe(
      'SELECT TOP (1) __$start_lsn AS lsn FROM cdc.[dbo_orders_CT] WHERE __$start_lsn > 0x0000002700000758000a AND __$start_lsn < 0x00000027000009000001 ORDER BY __$start_lsn',
    );
  });

  it('pages a snapshot by primary key with the comparison spelled out for composite keys', () => {
    const columns = [
      { name: 'a', baseType: 'int' },
      { name: 'b', baseType: 'nvarchar' },
    ];
    expect(snapshotPageSql({ schema: 'dbo', table: 't' }, columns, ['a', 'b'], 100, false)).toBe(
      'SELECT TOP (100) CONVERT(nvarchar(max), [a]) AS [a], CONVERT(nvarchar(max), [b]) AS [b] FROM [dbo].[t] ORDER BY [a], [b]',
    );
    expect(snapshotPageSql({ schema: 'dbo', table: 't' }, columns, ['a', 'b'], 100, true)).toBe(
      'SELECT TOP (100) CONVERT(nvarchar(max), [a]) AS [a], CONVERT(nvarchar(max), [b]) AS [b] FROM [dbo].[t] WHERE ([a] > @k0) OR ([a] = @k0 AND [b] > @k1) ORDER BY [a], [b]',
    );
    expect(snapshotPageSql({ schema: 'dbo', table: 'heap' }, columns, [], 100, false)).toBe('SELECT CONVERT(nvarchar(max), [a]) AS [a], CONVERT(nvarchar(max), [b]) AS [b] FROM [dbo].[heap]');
  });

  it('shows the statements that turn CDC on, for the database only when it is off', () => {
    expect(enableCdcStatements('shop', [{ schema: 'dbo', table: 'orders' }], false)).toEqual([
      'USE [shop]; EXEC sys.sp_cdc_enable_db;',
      "EXEC sys.sp_cdc_enable_table @source_schema = N'dbo', @source_name = N'orders', @role_name = NULL, @supports_net_changes = 0;",
    ]);
    expect(enableCdcStatements('shop', [{ schema: 'sales', table: "o'neil" }], true)).toEqual([
      "EXEC sys.sp_cdc_enable_table @source_schema = N'sales', @source_name = N'o''neil', @role_name = NULL, @supports_net_changes = 0;",
    ]);
  });

  it("prints LSNs as Debezium does and orders and increments them as SQL Server's binary(10)", () => {
    const lsn = Buffer.from('0000002700000758ffff', 'hex');
    expect(lsnToString(lsn)).toBe('00000027:00000758:ffff');
    expect(lsnFromString('00000027:00000758:ffff')).toEqual(lsn);
    expect(lsnFromString('not an lsn')).toBeUndefined();
    expect(lsnToString(incrementLsn(lsn))).toBe('00000027:00000759:0000');
    expect(compareLsn(lsn, incrementLsn(lsn))).toBeLessThan(0);
  });
});

describe('SQL Server CDC values and Debezium types', () => {
  const typeMap = new SqlServerTypeMap({ numericMapping: 'none', numericMappingForDecimal: false });
  const column = (typeName: string, extra: { precision?: number; scale?: number } = {}) => typeMap.column({ name: 'c', typeName, nullable: true, identity: false, ...extra });
  const value = (typeName: string, raw: unknown, extra: { precision?: number; scale?: number } = {}): { type: unknown; value: unknown } => {
    const info = column(typeName, extra);
    const table = capturedTable({ catalog: 'shop', schema: 'dbo', table: 't' }, 'p.shop.dbo.t', [info], { dialect: 'sqlserver', timePrecisionMode: 'adaptive', decimalHandlingMode: 'precise' });
    return { type: table.valueSchema.fields[0]?.type, value: capturedValue(cdcValue, raw, info, table) };
  };

  it('reads the text of the change query exactly and writes Debezium types', () => {
    expect(value('bit', '1')).toEqual({ type: { kind: 'boolean' }, value: true });
    expect(value('decimal', '12345678901234.5678', { precision: 18, scale: 4 })).toEqual({ type: { kind: 'decimal', precision: 18, scale: 4 }, value: '12345678901234.5678' });
    expect(value('bigint', '9223372036854775807')).toEqual({ type: { kind: 'int64' }, value: 9223372036854775807n });
    expect(value('date', '2026-01-31').value).toBe(20484);
    expect(value('datetime', '2026-12-05T10:00:00.123')).toEqual({ type: { kind: 'int64', semantic: { name: 'io.debezium.time.Timestamp', version: 1 } }, value: 1796464800123n });
    expect(value('datetime2', '2026-12-05T10:00:00.1234567')).toEqual({ type: { kind: 'int64', semantic: { name: 'io.debezium.time.NanoTimestamp', version: 1 } }, value: 1796464800123456700n });
    expect(value('datetime2', '2026-12-05T10:00:00.123456', { scale: 6 }).value).toBe(1796464800123456n);
    expect(value('datetimeoffset', '2026-12-05T11:00:00.5+01:00')).toEqual({ type: { kind: 'string', semantic: { name: 'io.debezium.time.ZonedTimestamp', version: 1 } }, value: '2026-12-05T10:00:00.5000000Z' });
  });
});
