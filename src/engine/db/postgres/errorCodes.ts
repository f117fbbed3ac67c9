import type { SqlFailureKind } from '../sqlFailureKind';

/** PostgreSQL's SQLSTATEs (the ANSI classes, which mysql2 reports too as `sqlState`): the class (first two characters) says most. */
export function kindOfSqlState(state: string): SqlFailureKind | undefined {
  if (!/^[0-9A-Z]{5}$/.test(state)) return undefined;
  if (state === '57P01' || state === '57P02' || state === '57P03') return 'connection';
  if (state === '57014') return 'transient'; // statement timeout / query canceled
  if (state === '55P03' || state === '55006') return 'transient'; // lock not available, object in use
  const cls = state.slice(0, 2);
  switch (cls) {
    case '08':
    case '28':
      return 'connection';
    case '40': // serialization failure, deadlock
    case '53': // insufficient resources: too many connections, disk full, out of memory
    case '58': // system error (I/O)
      return 'transient';
    case '22': // data exception: a value out of range, invalid text representation, too long
    case '23': // integrity constraint violation: CHECK, NOT NULL, UNIQUE, FOREIGN KEY
    case '44': // WITH CHECK OPTION violation of an updatable view
      return 'record';
    case '42': // syntax error or access rule violation: undefined table/column, datatype mismatch, privilege
    case '3F': // invalid schema name
    case '3D': // invalid catalog name
    case '0A': // feature not supported
      return 'configuration';
    default:
      return undefined;
  }
}
