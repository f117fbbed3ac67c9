import type { DialectName } from '../../sinks/sql/dialects/dialect';
import type { VerifyDialect } from './dialect';
import { mySqlVerifyDialect } from './mysql';
import { postgresVerifyDialect } from './postgres';
import { sqlServerVerifyDialect } from './sqlserver';

export type { DescribedColumnRow, VerifyDialect } from './dialect';
export { toBigInt } from './dialect';

const DIALECTS: Readonly<Record<DialectName, VerifyDialect>> = {
  mysql: mySqlVerifyDialect,
  postgres: postgresVerifyDialect,
  sqlserver: sqlServerVerifyDialect,
};

export function verifyDialect(name: DialectName): VerifyDialect {
  return DIALECTS[name];
}
