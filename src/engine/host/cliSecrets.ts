import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProfileLookup, ReferencedProfile } from '../config';
import { defaultDataDir } from '../store';

/**
 * Profile passwords as the CLI can have them. The desktop app encrypts them with the OS keychain through Electron's
 * safeStorage, which only an Electron process of the app can decrypt: `ferry run` / `validate` / `replicate` /
 * `verify` are plain Node and cannot, by design (the key never leaves the keychain). The web host keeps them in its
 * memory unless the user ticked "Keep secrets in a file readable only by me" (then the CLI reads that 0600 file).
 * For the other cases the CLI takes a profile's password from `FERRY_PROFILE_SECRET_<NAME>` in its environment,
 * read by this process only and never written anywhere.
 */

/** `shop-db` → `FERRY_PROFILE_SECRET_SHOP_DB`: the profile name upper-cased, anything but letters and digits as `_`. */
export function profileSecretEnvName(profileName: string): string {
  return `FERRY_PROFILE_SECRET_${profileName.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_+|_+$/g, '')}`;
}

/** Where the app keeps this workspace's profile secrets, as far as a process without the keychain can tell. */
export function secretsKeptBy(dataDir: string = defaultDataDir()): 'keychain' | 'file' | 'memory' {
  try {
    const file = JSON.parse(readFileSync(join(dataDir, 'profiles', 'secrets.json'), 'utf8')) as { mode?: unknown };
    return file.mode === 'os' ? 'keychain' : file.mode === 'file' ? 'file' : 'memory';
  } catch {
    return 'memory';
  }
}

/** What to do when a profile's password is not readable here, for the profile named `name`. */
export function cliSecretMissingHint(name: string, keptBy: 'keychain' | 'file' | 'memory'): string {
  const envName = profileSecretEnvName(name);
  const why =
    keptBy === 'keychain'
      ? 'The desktop app keeps it encrypted with the OS keychain (Electron safeStorage), which only the app itself can decrypt; the CLI cannot read it by design.'
      : 'The app keeps it only in its memory (no file was chosen in Connections).';
  return `${why} For the CLI, set ${envName}=<password> in this command's environment (read by this process only, never written), or run the pipeline from the app.`;
}

function needsSecret(profile: ReferencedProfile): boolean {
  switch (profile.kind) {
    case 'database':
      return profile.password === undefined;
    case 'kafka':
      return profile.saslUsername !== undefined && profile.saslPassword === undefined;
    case 'schemaRegistry':
      return profile.basicAuthUser !== undefined && profile.basicAuthPassword === undefined;
  }
}

function withSecret(profile: ReferencedProfile, secret: string): ReferencedProfile {
  switch (profile.kind) {
    case 'database':
      return { ...profile, password: secret };
    case 'kafka':
      return { ...profile, saslPassword: secret };
    case 'schemaRegistry':
      return { ...profile, basicAuthPassword: secret };
  }
}

/**
 * The app's profile lookup as the CLI uses it: a password the store does not give this process comes from
 * `FERRY_PROFILE_SECRET_<NAME>` when set; otherwise the problem says precisely why it is missing and what to do.
 */
export function cliProfileLookup(base: ProfileLookup, options: { env?: Readonly<Record<string, string | undefined>>; dataDir?: string } = {}): ProfileLookup {
  const env = options.env ?? process.env;
  const keptBy = secretsKeptBy(options.dataDir);
  return {
    secretStorageHint: base.secretStorageHint,
    secretMissingHint: (name) => cliSecretMissingHint(name, keptBy),
    find(name) {
      const found = base.find(name);
      if (!('profile' in found) || !needsSecret(found.profile)) return found;
      const secret = env[profileSecretEnvName(found.profile.name)];
      return secret === undefined || secret === '' ? found : { profile: withSecret(found.profile, secret) };
    },
  };
}
