import { describe, expect, it } from 'vitest';
import { mysqlReadOnlyHazard } from './readOnly';

describe('MySQL text a read-only transaction would not stop', () => {
  it('finds executable comments and file writes anywhere in the raw text', () => {
    expect(mysqlReadOnlyHazard("SELECT 1 /*! INTO OUTFILE '/tmp/x' */")).toMatch(/versioned comment \(\/\*!/);
    expect(mysqlReadOnlyHazard("SELECT 1 /*M!100000 INTO OUTFILE '/tmp/x' */")).toMatch(/versioned comment \(\/\*M!/);
    expect(mysqlReadOnlyHazard('SELECT /*+ NO_ICP(t) */ 1')).toMatch(/optimizer-hint/);
    expect(mysqlReadOnlyHazard("SELECT 1 INTO/**/DUMPFILE '/tmp/x'")).toMatch(/DUMPFILE/);
    expect(mysqlReadOnlyHazard("SELECT 'into outfile'")).toMatch(/OUTFILE/);
  });

  it('lets ordinary text through', () => {
    expect(mysqlReadOnlyHazard('SELECT a /* note */, b FROM t WHERE c = 2 -- done')).toBeUndefined();
    expect(mysqlReadOnlyHazard('SELECT outfile_name, my_outfile FROM t')).toBeUndefined();
  });
});
