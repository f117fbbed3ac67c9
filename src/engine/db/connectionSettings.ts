import type { SqlConnectionSettings } from './session';
import type { DatabaseKind } from './statement';

/**
 * A connection as the config layer resolves it (config's ResolvedConnection has this shape; it is spelt out here
 * because config imports this layer, not the other way round).
 */
export interface ResolvedDatabaseConnection {
  dialect: DatabaseKind;
  host: string;
  port: number;
  user?: string | undefined;
  password?: { reveal(): string } | undefined;
  database?: string | undefined;
  ssl: 'disable' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';
}

/** A connector's database connection as driver settings (the password revealed only here, inside the engine). */
export function connectionSettingsOf(connection: ResolvedDatabaseConnection): SqlConnectionSettings {
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
