import { unreachableError } from './connectionFailure';
import { openMySqlSession } from './mysql/session';
import { openPostgresSession } from './postgres/session';
import type { SqlSessionOptions } from './connectionLoss';
import type { SqlConnectionSettings, SqlSession } from './session';
import { openSqlServerSession } from './sqlserver/session';

/**
 * The one place that maps a database kind to its driver. A server that cannot be reached is said in words
 * (`connection refused: nothing listens on 127.0.0.1:1433`) for every driver alike; the driver's error is the cause.
 * Every session listens for its driver's connection errors (a dropped connection never ends the process);
 * `options.onConnectionLost` tells the owner when that happens.
 */
export async function openSqlSession(settings: SqlConnectionSettings, options: SqlSessionOptions = {}): Promise<SqlSession> {
  try {
    return await openDriverSession(settings, options);
  } catch (error) {
    throw unreachableError(error, settings);
  }
}

function openDriverSession(settings: SqlConnectionSettings, options: SqlSessionOptions): Promise<SqlSession> {
  switch (settings.dialect) {
    case 'mysql':
      return openMySqlSession(settings, options);
    case 'postgres':
      return openPostgresSession(settings, options);
    case 'sqlserver':
      return openSqlServerSession(settings, options);
  }
}
