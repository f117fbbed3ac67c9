/**
 * What MySQL and MariaDB would run that a read-only transaction does not stop, found in the raw text (inside
 * strings and comments too) so that no difference between a lexer here and the server's can hide it:
 * - executable comments: `/*! … *\/` and MariaDB's `/*M! … *\/` are SQL to the server (`/*! INTO OUTFILE … *\/`
 *   wrote a file from a "read"), and `/*+ … *\/` optimizer hints are parsed as part of the statement;
 * - `OUTFILE` / `DUMPFILE`: `SELECT … INTO OUTFILE` writes a file on the database host, which a read-only
 *   transaction allows. A keyword cannot be spelled without its letters, so looking for the bare word is exact;
 *   a string or identifier that merely contains it is refused too, and the message says how to get past that.
 * The query pane (read-only mode) and Verify's `where` refuse such text; a dedicated read-only database user
 * without the FILE privilege is the real guarantee.
 */
export function mysqlReadOnlyHazard(text: string): string | undefined {
  const comment = /\/\*\s*(M?!|\+)/i.exec(text);
  if (comment) {
    const kind = comment[1] === '+' ? 'an optimizer-hint comment (/*+ … */)' : `a versioned comment (/*${comment[1] ?? '!'} … */)`;
    return `${kind}, which MariaDB and MySQL run as SQL`;
  }
  const file = /\b(OUTFILE|DUMPFILE)\b/i.exec(text);
  if (file) return `the word ${(file[1] ?? '').toUpperCase()} (SELECT … INTO ${(file[1] ?? '').toUpperCase()} writes a file on the database host)`;
  return undefined;
}
