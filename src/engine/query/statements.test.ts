import { describe, expect, it } from 'vitest';
import { classifyStatement, isCursorable, maskSql, postgresReadOnlyForm, requireOneStatement, splitStatements } from './statements';

describe('query statements', () => {
  it('masks comments and quoted text before looking at keywords', () => {
    expect(maskSql("SELECT 'DELETE; x' -- drop\nFROM t /* update */")).toBe("SELECT ''  \nFROM t  ");
    expect(maskSql('SELECT $$ DELETE $$, $tag$ ; $tag$')).toBe("SELECT '', ''");
    expect(maskSql('SELECT a # comment\n', 'mysql')).toBe('SELECT a  \n');
    expect(maskSql("SELECT data #> '{a}' FROM t")).toBe("SELECT data #> '' FROM t");
  });

  it("follows each database's lexer: backslashes, nested comments, MySQL's `-- ` with its space", () => {
    // PostgreSQL: a standard string keeps its backslash, an E'' string escapes with it.
    expect(splitStatements("SELECT '\\'; COMMIT; DELETE FROM t; SELECT '\\'")).toHaveLength(4);
    expect(splitStatements("SELECT E'\\'; x'")).toHaveLength(1);
    expect(classifyStatement('/* /* */ SHOW x */ COPY t TO PROGRAM \'x\'')).toEqual({ kind: 'write', reason: 'it starts with COPY' });
    // MySQL/MariaDB: `--` needs a space after it, backslashes escape in both quote kinds, block comments do not nest.
    expect(classifyStatement("SELECT 1--1 INTO OUTFILE '/tmp/x'", 'mysql').kind).toBe('write');
    expect(classifyStatement("SELECT 1 -- INTO OUTFILE '/tmp/x'", 'mysql').kind).toBe('read');
    expect(classifyStatement('SELECT 1 /* /* */ INTO @x', 'mysql').kind).toBe('write');
    expect(splitStatements("SELECT 'it\\'s; fine'", 'mysql')).toHaveLength(1);
  });

  it('splits top-level statements and refuses two', () => {
    expect(splitStatements("SELECT ';'; SELECT 2;")).toHaveLength(2);
    expect(requireOneStatement('SELECT 1;  ')).toBe('SELECT 1');
    expect(() => requireOneStatement('SELECT 1; DROP TABLE t')).toThrow(/2 statements/);
    expect(() => requireOneStatement(' -- nothing\n')).toThrow(/no SQL statement/);
  });

  it('tells reads from writes, with the reason', () => {
    for (const read of ['SELECT * FROM orders', 'with x as (select 1) select * from x', 'SHOW TABLES', 'EXPLAIN DELETE FROM t', "SELECT replace(name, 'a', 'b') FROM t", 'SELECT last_update FROM t', '(SELECT 1)']) {
      expect(classifyStatement(read).kind, read).toBe('read');
    }
    expect(classifyStatement('DELETE FROM t')).toEqual({ kind: 'write', reason: 'it starts with DELETE' });
    expect(classifyStatement('WITH gone AS (DELETE FROM t RETURNING *) SELECT * FROM gone')).toMatchObject({ kind: 'write', reason: 'it contains DELETE' });
    expect(classifyStatement('SELECT * INTO backup FROM t').kind).toBe('write');
    expect(classifyStatement('SELECT * FROM t FOR UPDATE').reason).toBe('it contains FOR UPDATE');
    expect(classifyStatement("SELECT nextval('s')").kind).toBe('write');
    expect(classifyStatement('EXPLAIN ANALYZE DELETE FROM t').kind).toBe('write');
    expect(classifyStatement('EXPLAIN (ANALYZE, BUFFERS) SELECT 1').kind).toBe('read');
  });

  it('reads plain queries through a cursor only', () => {
    expect(isCursorable('  select 1')).toBe(true);
    expect(isCursorable('SHOW TABLES')).toBe(false);
    expect(isCursorable('/* c */ VALUES (1)')).toBe(true);
  });

  it('in read-only mode PostgreSQL runs a query through a cursor, SHOW and EXPLAIN only when written first', () => {
    expect(postgresReadOnlyForm('SELECT 1')).toBe('cursor');
    expect(postgresReadOnlyForm(' SHOW search_path')).toBe('direct');
    expect(postgresReadOnlyForm('EXPLAIN(ANALYZE) SELECT 1')).toBe('direct');
    // The server may read comments differently: whatever follows one is not trusted to be SHOW.
    expect(postgresReadOnlyForm('/* c */ SHOW x')).toBeUndefined();
    expect(postgresReadOnlyForm('COPY t TO STDOUT')).toBeUndefined();
  });
});
