import { describe, expect, it } from 'vitest';
import { binlogPrerequisitesError, binlogProblems, type BinlogServerFacts, isPurgedBinlogError, purgedPositionError } from './binlogPreflight';

const ready: BinlogServerFacts = {
  version: '10.11.19-MariaDB',
  logBin: true,
  binlogFormat: 'ROW',
  binlogRowImage: 'FULL',
  serverId: 1001,
  grants: ["GRANT RELOAD, REPLICATION SLAVE, BINLOG MONITOR ON *.* TO `ferry`@`%`"],
  binlogFiles: ['mariadb-bin.000007', 'mariadb-bin.000008'],
  current: { file: 'mariadb-bin.000008', pos: 1234, row: 0 },
};

describe('binlog prerequisites', () => {
  it('finds nothing to fix on a server ready for log capture (MariaDB BINLOG MONITOR stands for REPLICATION CLIENT)', () => {
    expect(binlogProblems(ready, "'ferry'", 184_054)).toEqual([]);
  });

  it('names every unmet prerequisite in one message, each with the statement that fixes it', () => {
    const facts: BinlogServerFacts = { ...ready, logBin: false, binlogFormat: 'MIXED', binlogRowImage: 'MINIMAL', grants: ['GRANT SELECT ON `shop`.* TO `app`@`%`'] };
    const problems = binlogProblems(facts, "'app'", 1001);
    expect(problems.map((problem) => problem.what)).toEqual([
      'the binary log is off (log_bin=OFF)',
      'binlog_format is MIXED, not ROW',
      'binlog_row_image is MINIMAL, not FULL (updates would lack the before image)',
      "the user 'app' lacks REPLICATION SLAVE and REPLICATION CLIENT",
      'database.server.id 1001 is the server\'s own server_id',
    ]);
    const error = binlogPrerequisitesError(problems, '127.0.0.1:3306') as Error & { code?: string };
    expect(error.code).toBe('SOURCE_BAD_OPTIONS');
    expect(error.message).toContain('1. the binary log is off (log_bin=OFF): start the server with --log-bin');
    expect(error.message).toContain("SET GLOBAL binlog_format = 'ROW'");
    expect(error.message).toContain("SET GLOBAL binlog_row_image = 'FULL'");
    expect(error.message).toContain("GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'app'");
    expect(error.message).toContain('give database.server.id a number no server or replica of this topology uses');
  });

  it('names only the privilege that is missing', () => {
    const problems = binlogProblems({ ...ready, grants: ['GRANT REPLICATION CLIENT ON *.* TO `ferry`@`%`'] }, "'ferry'", 7);
    expect(problems).toEqual([{ what: "the user 'ferry' lacks REPLICATION SLAVE", fix: "GRANT REPLICATION SLAVE ON *.* TO 'ferry'" }]);
    expect(binlogProblems({ ...ready, grants: ['GRANT ALL PRIVILEGES ON *.* TO `root`@`%`'] }, "'root'", 7)).toEqual([]);
  });
});

describe('a purged binlog position', () => {
  it('names the position, the oldest binlog left and snapshot.mode=when_needed', () => {
    const error = purgedPositionError({ file: 'mariadb-bin.000003', pos: 4_711, row: 2 }, ready, '127.0.0.1:3306') as Error & { code?: string };
    expect(error.code).toBe('SOURCE_BAD_POSITION');
    expect(error.message).toContain('mariadb-bin.000003:4711');
    expect(error.message).toContain('its oldest binary log is mariadb-bin.000007');
    expect(error.message).toContain('snapshot.mode=when_needed');
    expect(error.message).toContain('binlog_expire_logs_seconds');
    expect(purgedPositionError({ file: 'mariadb-bin.000008', pos: 4, row: 0 }, ready, 'x')).toBeUndefined();
    // A GTID position finds its own file; the server says when those GTIDs are gone.
    expect(purgedPositionError({ file: 'mariadb-bin.000003', pos: 4, row: 0, gtids: '0-1001-50' }, ready, 'x')).toBeUndefined();
  });

  it("recognises the server's answer to a dump from a purged file or GTID (error 1236)", () => {
    expect(isPurgedBinlogError({ errno: 1236, message: 'Could not find first log file name in binary log index file' })).toBe(true);
    expect(isPurgedBinlogError({ code: 'ER_MASTER_FATAL_ERROR_READING_BINLOG' })).toBe(true);
    expect(isPurgedBinlogError({ message: "Cannot replicate because the master purged required binary logs" })).toBe(true);
    expect(isPurgedBinlogError({ errno: 1045, message: 'Access denied' })).toBe(false);
  });
});
