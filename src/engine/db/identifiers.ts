import { quoteMySqlIdentifier } from './mysql/identifiers';
import { quotePostgresIdentifier } from './postgres/identifiers';
import { quoteSqlServerIdentifier } from './sqlserver/identifiers';
import type { DatabaseKind } from './statement';

const QUOTERS: Readonly<Record<DatabaseKind, (name: string) => string>> = {
  mysql: quoteMySqlIdentifier,
  postgres: quotePostgresIdentifier,
  sqlserver: quoteSqlServerIdentifier,
};

/** An identifier quoted as `kind` spells it, for code that holds the kind as a value. */
export function quoteIdentifier(kind: DatabaseKind, name: string): string {
  return QUOTERS[kind](name);
}
