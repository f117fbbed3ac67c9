import { openMySqlSession } from './mysqlSession';
import { openPostgresSession } from './postgresSession';
import type { SqlConnectionSettings, SqlSession } from './session';
import { openSqlServerSession } from './sqlServerSession';

export { connectionSettingsOf } from './connectionSettings';
export { describeTarget, type SqlConnectionSettings, type SqlResult, type SqlSession } from './session';

/** The one place that maps a database kind to its driver. */
export function openSqlSession(settings: SqlConnectionSettings): Promise<SqlSession> {
  switch (settings.dialect) {
    case 'mysql':
      return openMySqlSession(settings);
    case 'postgres':
      return openPostgresSession(settings);
    case 'sqlserver':
      return openSqlServerSession(settings);
  }
}
