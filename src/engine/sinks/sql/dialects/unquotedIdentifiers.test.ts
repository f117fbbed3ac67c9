import { describe, expect, it } from 'vitest';
import { createDialect } from './registry';

// Issue 11, item 7: with quote.sql.identifiers=never, field names of schemaless JSON went into DDL and DML verbatim.
describe.each(['mysql', 'postgres', 'sqlserver'] as const)('%s with quote.sql.identifiers=never', (name) => {
  const dialect = createDialect(name, { quoteIdentifiers: 'never' });

  it('refuses a name that would change the statement, naming it and the fix', () => {
    for (const evil of ['a"; DROP TABLE x; --', 'a`; DROP TABLE x; --', 'a]; DROP TABLE x; --', 'id INT); DROP TABLE x; --', 'a b', 'a-b', '1a', '$a', 'a;', "a'", 'a/*', '']) {
      let thrown: unknown;
      try {
        dialect.quoteIdentifier(evil);
      } catch (error) {
        thrown = error;
      }
      expect(thrown, JSON.stringify(evil)).toMatchObject({ code: 'SINK_SQL_BAD_IDENTIFIER' });
      if (evil !== '') {
        expect((thrown as Error).message).toContain(JSON.stringify(evil));
        expect((thrown as Error).message).toContain('quote.sql.identifiers');
      }
    }
    expect(() => dialect.tableName({ schema: 'public', table: 'x; DROP TABLE y' })).toThrow(/cannot be written with quote.sql.identifiers=never/);
  });

  it('writes plain identifiers bare, as before', () => {
    for (const plain of ['orders', 'Orders', '_tmp', 'a1', 'a$b', 'café', 'zähler']) expect(dialect.quoteIdentifier(plain)).toBe(plain);
  });

  it('still quotes whatever the name with the default (always)', () => {
    expect(createDialect(name).quoteIdentifier('a"; DROP TABLE x; --')).not.toBe('a"; DROP TABLE x; --');
  });
});
