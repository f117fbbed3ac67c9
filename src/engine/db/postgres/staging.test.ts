import { describe, expect, it } from 'vitest';
import { StagingTables } from './staging';

const TABLE = 'pg_temp.ferry_stage_x';

describe('what a PostgreSQL session knows of its staging tables', () => {
  it('counts a table made in a transaction only once it commits; a rollback forgets it', () => {
    const staging = new StagingTables();
    staging.begun();
    staging.created(TABLE);
    expect(staging.exists(TABLE)).toBe(true);
    staging.rolledBack();
    expect(staging.exists(TABLE)).toBe(false);
    staging.begun();
    staging.created(TABLE);
    staging.committedTransaction();
    expect(staging.exists(TABLE)).toBe(true);
    // Committed tables survive a later rollback (they are not the transaction's).
    staging.begun();
    staging.rolledBack();
    expect(staging.exists(TABLE)).toBe(true);
  });

  it('forgets a table made in the open transaction after a ROLLBACK TO SAVEPOINT or a failed statement, and stays in the transaction', () => {
    const staging = new StagingTables();
    staging.begun();
    staging.created(TABLE);
    staging.observe('ROLLBACK TO SAVEPOINT ferry_isolate');
    expect(staging.exists(TABLE)).toBe(false);
    expect(staging.inTransaction).toBe(true);
    staging.created(TABLE);
    staging.observe('  rollback work to ferry_isolate');
    expect(staging.exists(TABLE)).toBe(false);
    staging.created(TABLE);
    staging.uncertain();
    expect(staging.exists(TABLE)).toBe(false);
    expect(staging.inTransaction).toBe(true);
  });

  it('marks a table filled in a transaction until the transaction ends or it is emptied', () => {
    const staging = new StagingTables();
    staging.begun();
    staging.filled(TABLE);
    expect(staging.isFilled(TABLE)).toBe(true);
    // A savepoint rollback may or may not have removed the rows: still emptied before the next COPY.
    staging.observe('ROLLBACK TO SAVEPOINT ferry_isolate');
    expect(staging.isFilled(TABLE)).toBe(true);
    staging.emptied(TABLE);
    expect(staging.isFilled(TABLE)).toBe(false);
    staging.filled(TABLE);
    staging.committedTransaction();
    expect(staging.isFilled(TABLE)).toBe(false);
  });

  it('follows transaction control sent as statements', () => {
    const staging = new StagingTables();
    staging.observe('BEGIN READ ONLY');
    expect(staging.inTransaction).toBe(true);
    staging.observe('ROLLBACK');
    expect(staging.inTransaction).toBe(false);
    staging.observe('START TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    expect(staging.inTransaction).toBe(true);
    staging.observe('COMMIT');
    expect(staging.inTransaction).toBe(false);
    staging.observe('SAVEPOINT ferry_isolate');
    staging.observe('RELEASE SAVEPOINT ferry_isolate');
    staging.observe('SELECT 1');
    expect(staging.inTransaction).toBe(false);
  });
});
