import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { prepareReplication } from './replicationSetup';

/**
 * A server that answers prepareReplication's catalog queries from a slot's state (wal_status lost cannot be made on
 * the shared lab: it takes max_slot_wal_keep_size and more WAL than the lab writes), and records what it is asked to do.
 */
function server(slot: { plugin: string; active: boolean; wal_status: string } | undefined): { client: pg.Client; statements: string[] } {
  const statements: string[] = [];
  let current = slot;
  const query = async (text: string, params?: unknown[]): Promise<{ rows: unknown[]; rowCount: number }> => {
    statements.push(params ? `${text} ${JSON.stringify(params)}` : text);
    if (text === 'SHOW wal_level') return { rows: [{ wal_level: 'logical' }], rowCount: 1 };
    if (text.includes('FROM pg_roles')) return { rows: [{ rolname: 'ferry', can: true }], rowCount: 1 };
    if (text.includes('FROM pg_replication_slots')) {
      return current ? { rows: [{ ...current, confirmed_flush_lsn: '0/16B3748', retained: '4096' }], rowCount: 1 } : { rows: [], rowCount: 0 };
    }
    if (text.includes('pg_drop_replication_slot')) current = undefined;
    if (text.includes('pg_create_logical_replication_slot')) current = { plugin: 'pgoutput', active: false, wal_status: 'reserved' };
    if (text.includes('FROM pg_publication')) return { rows: [{}], rowCount: 1 };
    return { rows: [], rowCount: 0 };
  };
  return { client: { query } as unknown as pg.Client, statements };
}

const options = { slotName: 'orders', publicationName: 'orders_pub', autocreate: 'filtered' as const, tables: [{ schema: 'public', table: 'orders' }] };

describe('an invalidated replication slot (wal_status lost)', () => {
  it('stops a source with a checkpoint, naming the slot, what was lost and the ways back', async () => {
    const { client } = server({ plugin: 'pgoutput', active: false, wal_status: 'lost' });
    const error = (await prepareReplication(client, { ...options, resuming: true }, '127.0.0.1:5432').catch((caught: unknown) => caught)) as Error & { code?: string };
    expect(error.code).toBe('SOURCE_BAD_POSITION');
    expect(error.message).toContain('"orders" on 127.0.0.1:5432 was invalidated (wal_status lost');
    expect(error.message).toContain('snapshot.mode=when_needed');
    expect(error.message).toContain("SELECT pg_drop_replication_slot('orders')");
    expect(error.message).toContain('max_slot_wal_keep_size');
  });

  it('is made again when there is no checkpoint to resume (a first start, or when_needed starting over with a snapshot)', async () => {
    const { client, statements } = server({ plugin: 'pgoutput', active: false, wal_status: 'lost' });
    const slot = await prepareReplication(client, { ...options, resuming: false }, '127.0.0.1:5432');
    expect(slot).toMatchObject({ exists: true, walStatus: 'reserved' });
    expect(statements.filter((statement) => /pg_(drop|create_logical)_replication_slot/.test(statement))).toEqual([
      'SELECT pg_drop_replication_slot($1) ["orders"]',
      "SELECT pg_create_logical_replication_slot($1, 'pgoutput') [\"orders\"]",
    ]);
  });

  it('a dropped slot with a checkpoint names the way back too', async () => {
    const { client } = server(undefined);
    await expect(prepareReplication(client, { ...options, resuming: true }, 'db:5432')).rejects.toThrow(/"orders" no longer exists on db:5432.*snapshot\.mode=when_needed/);
  });
});

describe('redoing an interrupted snapshot (interruptedSnapshotLsn): the slot must still hold the log from where it began', () => {
  const slotChanges = (statements: string[]): string[] => statements.filter((statement) => /pg_(drop|create_logical)_replication_slot/.test(statement));

  // What this means for the target and the way out, LogSource.begin adds for every database (the end-to-end message is
  // checked in logCaptureSlotGone.int and logCapture.int); here, that the capture names what is gone, and only once.
  it('an invalidated slot refuses instead of being made again, naming the slot, the LSN and what invalidated it', async () => {
    const { client, statements } = server({ plugin: 'pgoutput', active: false, wal_status: 'lost' });
    const error = (await prepareReplication(client, { ...options, resuming: false, interruptedSnapshotLsn: '0/16B3748' }, 'db:5432').catch((caught: unknown) => caught)) as Error & { code?: string };
    expect(error.code).toBe('SOURCE_BAD_POSITION');
    expect(error.message).toContain('"orders" on db:5432, which held the log from where the interrupted snapshot began (0/16B3748), was invalidated (wal_status lost');
    expect(error.message).toContain('raise max_slot_wal_keep_size');
    expect(error.message).not.toMatch(/may remain in the target/);
    expect(slotChanges(statements)).toEqual([]);
  });

  it('a dropped slot refuses instead of being created at a later position', async () => {
    const { client, statements } = server(undefined);
    const error = (await prepareReplication(client, { ...options, resuming: false, interruptedSnapshotLsn: '0/16B3748' }, 'db:5432').catch((caught: unknown) => caught)) as Error & { code?: string };
    expect(error.code).toBe('SOURCE_BAD_POSITION');
    expect(error.message).toBe('The replication slot "orders" on db:5432, which held the log from where the interrupted snapshot began (0/16B3748), no longer exists.');
    expect(slotChanges(statements)).toEqual([]);
  });

  it('a slot confirmed past where the snapshot began refuses: streaming from it would skip the log in between', async () => {
    const { client } = server({ plugin: 'pgoutput', active: false, wal_status: 'reserved' });
    const error = (await prepareReplication(client, { ...options, resuming: false, interruptedSnapshotLsn: '0/16B0000' }, 'db:5432').catch((caught: unknown) => caught)) as Error & { code?: string };
    expect(error.code).toBe('SOURCE_BAD_POSITION');
    expect(error.message).toMatch(/"orders" on db:5432 is confirmed up to 0\/16B3748, past where the interrupted snapshot began \(0\/16B0000\).*another reader using the same slot\.name.*Give each pipeline its own slot\.name\.$/);
  });

  it('a slot confirmed where the snapshot began is used as it is', async () => {
    const { client, statements } = server({ plugin: 'pgoutput', active: false, wal_status: 'reserved' });
    const slot = await prepareReplication(client, { ...options, resuming: false, interruptedSnapshotLsn: '0/16B3748' }, 'db:5432');
    expect(slot).toMatchObject({ exists: true, confirmedFlushLsn: '0/16B3748' });
    expect(slotChanges(statements)).toEqual([]);
  });
});
