import type { ResolvedConnection } from '../../../config';
import type { SqlConnectionSettings } from './session';

/** A connector's database connection as driver settings (the password revealed only here, inside the engine). */
export function connectionSettingsOf(connection: ResolvedConnection): SqlConnectionSettings {
  return {
    dialect: connection.dialect,
    host: connection.host,
    port: connection.port,
    user: connection.user ?? '',
    password: connection.password?.reveal() ?? '',
    database: connection.database ?? '',
    ssl: connection.ssl === 'disable' || connection.ssl === 'prefer' ? false : { verify: connection.ssl === 'verify-ca' || connection.ssl === 'verify-full' },
  };
}
