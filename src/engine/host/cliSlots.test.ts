import { describe, expect, it } from 'vitest';
import { dropLine, slotLine } from './cliSlots';

describe('ferry slots lines', () => {
  it('says where each slot is, whether a reader holds it, the WAL it keeps and what to do when it is invalidated', () => {
    const base = { connector: 'orders-cdc', database: 'postgres://ferry@127.0.0.1:15432/ferry', slot: 'orders', publication: 'orders_pub', publicationExists: true, dropsPublication: true };
    expect(slotLine({ ...base, exists: true, active: false, retainedWalBytes: 70_200, walStatus: 'reserved' })).toBe(
      'orders-cdc: slot orders on postgres://ferry@127.0.0.1:15432/ferry, inactive, keeps 70.2 kB of WAL (reserved); publication orders_pub',
    );
    expect(slotLine({ ...base, exists: true, active: true, walStatus: 'lost', dropsPublication: false })).toContain('lost: invalidated; snapshot.mode=when_needed makes it again with a new snapshot');
    expect(slotLine({ ...base, exists: true, active: true, dropsPublication: false })).toContain('publication orders_pub (made by hand: kept by drop)');
    expect(slotLine({ ...base, exists: false })).toBe('orders-cdc: no slot orders on postgres://ferry@127.0.0.1:15432/ferry (the next run creates it)');
  });

  it('says what a drop did', () => {
    expect(dropLine({ connector: 'c', slot: 's', slotDropped: true, publication: 'p', publicationDropped: true, checkpointCleared: true })).toBe(
      'c: dropped the slot s, dropped the publication p; cleared its checkpoint, so the next run takes a new snapshot.',
    );
    expect(dropLine({ connector: 'c', slot: 's', slotDropped: false, publication: 'p', publicationDropped: false, checkpointCleared: false, note: 'the slot s was not there' })).toBe('c: no slot s to drop (the slot s was not there).');
  });
});
