import { describe, expect, it } from 'vitest';
import { compareLsn, formatLsn, logicalPositionFromCheckpoint, logicalPositionToCheckpoint, parseLsn } from './postgresLogicalPosition';

describe('logical decoding positions', () => {
  it('reads and prints LSNs as PostgreSQL does, whatever the padding', () => {
    expect(parseLsn('16/B374D848')).toBe((0x16n << 32n) | 0xb374d848n);
    expect(formatLsn(parseLsn('00000000/05770AB8') ?? 0n)).toBe('0/5770AB8');
    expect(parseLsn('nope')).toBeUndefined();
    expect(compareLsn('0/FFFFFFFF', '1/0')).toBeLessThan(0);
    expect(compareLsn('1/10', '1/F')).toBeGreaterThan(0);
  });

  it('round-trips a checkpoint with Debezium’s offset keys and refuses one without an LSN', () => {
    const position = { lsn: '0/16B3748', lsnCommit: '0/16B3800', row: 2, txId: 771 };
    expect(logicalPositionToCheckpoint(position)).toEqual({ lsn: '0/16B3748', lsn_commit: '0/16B3800', row: 2, txId: 771 });
    expect(logicalPositionFromCheckpoint(logicalPositionToCheckpoint(position))).toEqual(position);
    expect(() => logicalPositionFromCheckpoint({ file: 'mariadb-bin.000001', pos: 4 })).toThrow(/no usable "lsn".*Delete the pipeline's checkpoint/);
  });
});
