import { describe, expect, it } from 'vitest';
import { isJdbcSink, isPollingSource, parsePipelineFile } from '../config';
import { managedSource, parse, rules } from '../config/testing';
import { changelogRecord } from '../connectors/pollingSource';
import type { ChangeRecord } from '../model';
import { demoPipelineText } from './demo';
import { CHANGELOG_DDL } from './orderSchema';

const address = { host: '127.0.0.1', port: 5432, user: 'postgres', password: '', database: 'postgres' };

function changeRecord(after: Record<string, string | bigint | null>, withKey = true): ChangeRecord {
  return {
    table: { schema: 'ferry_changes', table: 'sales_orders' },
    op: 'c',
    keySchema: withKey ? { name: 'sales_ordersKey', fields: [{ name: 'id', type: { kind: 'int64' }, optional: false }] } : null,
    key: withKey ? { id: after.id ?? null } : null,
    valueSchema: {
      name: 'sales_orders',
      fields: [
        { name: 'id', type: { kind: 'int64' }, optional: false },
        { name: 'status', type: { kind: 'string' }, optional: false },
        { name: 'op', type: { kind: 'string' }, optional: false },
      ],
    },
    after,
    position: {},
  } as unknown as ChangeRecord;
}

describe('the demo captures a trigger-written change log (PGlite has no logical replication)', () => {
  it('its pipeline validates without problems: keyed change-log source, sink that applies deletes', () => {
    const result = parsePipelineFile(demoPipelineText('demo', '127.0.0.1:19092', 'http://127.0.0.1:8081', address, address), 'demo.json');
    expect(result.problems).toEqual([]);
    const [source, sink] = result.config?.connectors ?? [];
    if (!source || !isPollingSource(source) || !sink || !isJdbcSink(sink)) throw new Error('demo pipeline did not resolve');
    expect(source.changelogOpColumn).toBe('op');
    expect(source.schemaPattern).toBe('ferry_changes');
    expect(sink.deleteEnabled).toBe(true);
    expect(sink.pkMode).toBe('record_key');
  });

  it('a "d" row becomes a tombstone keyed by the primary key; other rows lose the op column and keep the key', () => {
    const deleted = changelogRecord(changeRecord({ id: 7n, status: 'NEW', op: 'd' }), 'op');
    expect(deleted.value).toBeNull();
    expect(deleted.key?.row).toEqual({ id: 7n });

    const updated = changelogRecord(changeRecord({ id: 8n, status: 'PAID', op: 'u' }), 'op');
    expect(updated.key?.row).toEqual({ id: 8n });
    expect(updated.value).toMatchObject({ kind: 'row', row: { id: 8n, status: 'PAID' } });
    if (updated.value?.kind !== 'row') throw new Error('not a row');
    expect(Object.keys(updated.value.row)).toEqual(['id', 'status']);
    expect(updated.value.schema.fields.map((field) => field.name)).toEqual(['id', 'status']);
  });

  it('a change log without a primary key or without the op column is refused with what to do', () => {
    expect(() => changelogRecord(changeRecord({ id: 1n, status: 'NEW', op: 'c' }, false), 'op')).toThrow(/no primary key.*Give the table a primary key/);
    expect(() => changelogRecord(changeRecord({ id: 1n, status: 'NEW', op: 'c' }), 'change_op')).toThrow(/no column "change_op".*Its columns: id, status, op/);
  });

  it('the op column needs a timestamp mode (an id-only or bulk read would miss updates and deletes)', () => {
    expect(rules(parse([managedSource({ 'ferry.changelog.op.column': 'op', mode: 'bulk', 'timestamp.column.name': undefined, 'incrementing.column.name': undefined })]))).toContain('source.changelog-mode');
    expect(rules(parse([managedSource({ 'ferry.changelog.op.column': 'op' })]))).not.toContain('source.changelog-mode');
  });

  it('triggers on every demo table write the change log, deletes included', () => {
    for (const table of ['customers', 'products', 'sales_orders', 'sales_order_details']) {
      expect(CHANGELOG_DDL).toContain(`CREATE TRIGGER ${table}_capture AFTER INSERT OR UPDATE OR DELETE ON public.${table}`);
    }
  });
});
