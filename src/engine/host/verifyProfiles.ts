import type { StoredProfile } from '../../shared/api/connections';
import { EngineError } from '../../shared/errors';
import { ConnectionsService } from '../connections';
import { verifyUrlOf } from '../trace/connectionSettings';

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
export async function profileUrl(name: string, flag: string, options: { dataDir?: string } = {}): Promise<ResolvedProfileUrl> {
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
    const url = verifyUrlOf(connections.sqlSettings(profile.id));
    if (profile.user !== '' && !profile.hasSecret) {
      return {
        url,
        warning: `${flag} profile "${profile.name}": its password is not available to this process (the app keeps profile passwords in its memory or the OS keychain unless "Keep secrets in a file readable only by me" is ticked); connecting without one.`,
      };
    }
    return { url };
  } finally {
    connections.dispose();
  }
}
