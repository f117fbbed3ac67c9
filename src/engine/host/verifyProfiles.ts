import type { StoredProfile } from '../../shared/api/connections';
import { EngineError } from '../../shared/errors';
import { ConnectionsService } from '../connections';
import { verifyUrlOf } from '../trace/connectionSettings';
import { cliSecretMissingHint, profileSecretEnvName, secretsKeptBy } from './cliSecrets';

/** A `--source`/`--target` value that is not a URL names a saved database profile. */
export function isProfileName(value: string): boolean {
  return !value.includes('://');
}

export interface ResolvedProfileUrl {
  url: string;
  /** Said on stderr: e.g. the profile's password is not available to this process. */
  warning?: string;
}

/**
 * Turns a saved database profile's name into the URL verify takes (the password stays inside this process). The
 * profile store is the one the app uses (`$FERRY_DATA_DIR`); a password the app keeps only in its memory or in the OS
 * keychain is not readable here, which the warning says instead of failing later with a puzzling login error.
 */
export async function profileUrl(name: string, flag: string, options: { dataDir?: string; env?: Readonly<Record<string, string | undefined>> } = {}): Promise<ResolvedProfileUrl> {
  const connections = new ConnectionsService(options.dataDir === undefined ? {} : { dataDir: options.dataDir });
  try {
    const profiles = await connections.list();
    const databases = profiles.filter((profile): profile is StoredProfile & { kind: 'database' } => profile.kind === 'database');
    const profile = databases.find((candidate) => candidate.name === name) ?? databases.find((candidate) => candidate.name.toLowerCase() === name.toLowerCase());
    if (!profile) {
      const known = databases.map((candidate) => `"${candidate.name}"`).join(', ');
      throw new EngineError(
        'VERIFY_PROFILE_UNKNOWN',
        `${flag} "${name}" is neither a URL (mysql://, postgres://, mssql://) nor a saved database profile. ` +
          (known ? `Database profiles: ${known}.` : 'No database profile is saved yet (create one in the app\'s Connections pane, or pass a URL).'),
      );
    }
    const settings = connections.sqlSettings(profile.id);
    if (profile.user !== '' && !profile.hasSecret) {
      // The keychain (desktop app) or the app's memory: the CLI takes it from FERRY_PROFILE_SECRET_<NAME> (cliSecrets.ts).
      const fromEnv = (options.env ?? process.env)[profileSecretEnvName(profile.name)];
      if (fromEnv !== undefined && fromEnv !== '') return { url: verifyUrlOf({ ...settings, password: fromEnv }) };
      return {
        url: verifyUrlOf(settings),
        warning: `${flag} profile "${profile.name}": password not stored where this process can read it. ${cliSecretMissingHint(profile.name, secretsKeptBy(options.dataDir))} Connecting without one.`,
      };
    }
    return { url: verifyUrlOf(settings) };
  } finally {
    connections.dispose();
  }
}
