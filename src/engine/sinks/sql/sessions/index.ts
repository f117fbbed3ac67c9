import { unreachableError } from '../../../db/connectionFailure';
import { openMySqlSession } from './mysqlSession';
import { openPostgresSession } from './postgresSession';
import type { SqlConnectionSettings, SqlSession } from './session';
import { openSqlServerSession } from './sqlServerSession';

export { connectionSettingsOf } from './connectionSettings';
export { describeTarget, type SqlConnectionSettings, type SqlResult, type SqlSession } from './session';

/**
 * The one place that maps a database kind to its driver. A server that cannot be reached is said in words
 * (`connection refused: nothing listens on 127.0.0.1:1433`) for every driver alike; the driver's error is the cause.
 */
export async function openSqlSession(settings: SqlConnectionSettings): Promise<SqlSession> {
  try {
    return await openDriverSession(settings);
  } catch (error) {
    throw unreachableError(error, settings);
  }
}

function openDriverSession(settings: SqlConnectionSettings): Promise<SqlSession> {
  switch (settings.dialect) {
    case 'mysql':
      return openMySqlSession(settings);
    case 'postgres':
      return openPostgresSession(settings);
    case 'sqlserver':
      return openSqlServerSession(settings);
  }
}
