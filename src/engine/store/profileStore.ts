import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type {
  ConnectionProfile,
  ImportProfilesResult,
  ProfilesExport,
  SaveProfileRequest,
  SecretStorageInfo,
  StoredProfile,
} from '../../shared/api/connections';
import { isEngineError } from '../../shared/errors';
import { Emitter } from '../../shared/event';
import type { IDisposable } from '../../shared/lifecycle';
import { storeError } from './errors';
import { readJsonFile, writeJsonFileDurably } from './jsonFile';
import { defaultDataDir } from './paths';
import { validateProfile } from './profileValidation';
import { type ISecretProtector, SecretVault } from './secretVault';

interface ProfilesFile {
  version: 1;
  /** The web host user's choice to keep secrets in a 0600 file; absent means memory only. */
  secretsInFile?: boolean;
  profiles: (ConnectionProfile & { updatedAt: string })[];
}

export interface ProfileStoreOptions {
  dataDir?: string;
  /** Encrypts secrets (Electron safeStorage); without one, secrets stay in memory unless the user opts in to a file. */
  protector?: ISecretProtector;
}

/**
 * Connection profiles of the workspace, saved durably in `<data dir>/profiles/profiles.json` (0600). Secrets are
 * kept apart in a SecretVault, so the profiles file and everything the API returns never carry one.
 */
export class ProfileStore implements IDisposable {
  readonly file: string;
  private state: ProfilesFile;
  private readonly vault: SecretVault;
  private readonly changes = new Emitter<StoredProfile[]>();
  readonly onDidChange = this.changes.event;

  constructor(options: ProfileStoreOptions = {}) {
    const dir = join(options.dataDir ?? defaultDataDir(), 'profiles');
    this.file = join(dir, 'profiles.json');
    const loaded = readJsonFile(this.file) as ProfilesFile | undefined;
    this.state = loaded?.version === 1 && Array.isArray(loaded.profiles) ? loaded : { version: 1, profiles: [] };
    this.vault = new SecretVault(join(dir, 'secrets.json'), options.protector, this.state.secretsInFile === true);
  }

  list(): StoredProfile[] {
    return this.state.profiles.map((profile) => ({ ...profile, hasSecret: this.vault.has(profile.id) }));
  }

  get(id: string): StoredProfile {
    const profile = this.state.profiles.find((candidate) => candidate.id === id);
    if (!profile) {
      throw storeError('PROFILE_NOT_FOUND', `No connection profile with id "${id}": it was deleted or belongs to another workspace. Pick another profile.`);
    }
    return { ...profile, hasSecret: this.vault.has(id) };
  }

  find(id: string): StoredProfile | undefined {
    try {
      return this.get(id);
    } catch (error) {
      if (isEngineError(error) && error.code === 'PROFILE_NOT_FOUND') return undefined;
      throw error;
    }
  }

  /** The profile's password / API secret, decrypted, for handing to a driver. */
  secret(id: string): string | undefined {
    return this.vault.get(id);
  }

  save(request: SaveProfileRequest): StoredProfile {
    const existingId = request.profile.id;
    if (existingId !== undefined) this.get(existingId);
    const id = existingId ?? randomUUID();
    const profile = validateProfile(request.profile, id);
    const clash = this.state.profiles.find((candidate) => candidate.id !== id && candidate.name.toLowerCase() === profile.name.toLowerCase());
    if (clash) throw storeError('PROFILE_NAME_TAKEN', `A profile named "${clash.name}" exists already: choose another name, or edit that profile.`);
    if (typeof request.secret === 'string') {
      if (request.secret === '') this.vault.delete(id);
      else this.vault.set(id, request.secret);
    }
    const stored = { ...profile, updatedAt: new Date().toISOString() };
    const others = this.state.profiles.filter((candidate) => candidate.id !== id);
    this.state = { ...this.state, profiles: [...others, stored].sort((a, b) => a.name.localeCompare(b.name)) };
    this.persist();
    return { ...stored, hasSecret: this.vault.has(id) };
  }

  delete(id: string): void {
    this.get(id);
    this.state = {
      ...this.state,
      profiles: this.state.profiles
        .filter((profile) => profile.id !== id)
        // A Kafka profile pointing at a deleted registry profile would otherwise dangle.
        .map((profile) => {
          if (profile.kind !== 'kafka' || profile.schemaRegistryProfileId !== id) return profile;
          const { schemaRegistryProfileId: _dropped, ...rest } = profile;
          return rest;
        }),
    };
    this.vault.delete(id);
    this.persist();
  }

  export(ids?: readonly string[]): ProfilesExport {
    const chosen = ids === undefined || ids.length === 0 ? this.state.profiles : ids.map((id) => this.get(id));
    const profiles = chosen.map((profile) => {
      const { updatedAt: _updated, hasSecret: _has, ...rest } = profile as StoredProfile;
      return rest as ConnectionProfile;
    });
    return { format: 'ferry-profiles', version: 1, exportedAt: new Date().toISOString(), profiles };
  }

  /** Adds the profiles of an export. A name or id already present gets a fresh id and " (imported)" after its name. */
  import(document: unknown): ImportProfilesResult {
    let parsed = document;
    if (typeof document === 'string') {
      try {
        parsed = JSON.parse(document);
      } catch (error) {
        throw storeError('PROFILE_IMPORT_INVALID', `The file is not JSON (${(error as Error).message}). Choose a file written by Export.`, { cause: error });
      }
    }
    const candidate = parsed as Partial<ProfilesExport> | null;
    if (typeof candidate !== 'object' || candidate === null || candidate.format !== 'ferry-profiles' || !Array.isArray(candidate.profiles)) {
      throw storeError('PROFILE_IMPORT_INVALID', 'The file is not a Ferry profiles export (it lacks "format": "ferry-profiles" and a "profiles" list). Choose a file written by Export.');
    }
    const imported: StoredProfile[] = [];
    const problems: string[] = [];
    const idMap = new Map<string, string>();
    for (const [index, entry] of candidate.profiles.entries()) {
      const raw = { ...(entry as unknown as Record<string, unknown>) };
      const label = typeof raw.name === 'string' ? `"${raw.name}"` : `entry ${index + 1}`;
      // Secrets never travel in an export; a field that looks like one is dropped rather than stored in clear.
      for (const key of Object.keys(raw)) if (/secret|password|token/i.test(key)) delete raw[key];
      const oldId = typeof raw.id === 'string' ? raw.id : undefined;
      delete raw.id;
      if (typeof raw.name === 'string' && this.state.profiles.some((profile) => profile.name.toLowerCase() === String(raw.name).toLowerCase())) {
        raw.name = `${raw.name} (imported)`;
      }
      try {
        const saved = this.save({ profile: raw as unknown as SaveProfileRequest['profile'] });
        if (oldId) idMap.set(oldId, saved.id);
        imported.push(saved);
      } catch (error) {
        problems.push(`${label} skipped: ${(error as Error).message}`);
      }
    }
    // Kafka profiles keep pointing at their registry profile when both came in the same file.
    for (const profile of imported) {
      if (profile.kind === 'kafka' && profile.schemaRegistryProfileId) {
        const mapped = idMap.get(profile.schemaRegistryProfileId);
        const { hasSecret: _has, updatedAt: _updated, ...draft } = profile;
        if (mapped) this.save({ profile: { ...draft, schemaRegistryProfileId: mapped } });
        else if (!this.find(profile.schemaRegistryProfileId)) {
          const { schemaRegistryProfileId: _dropped, ...rest } = draft;
          this.save({ profile: rest });
        }
      }
    }
    return { imported: imported.map((profile) => this.get(profile.id)), problems };
  }

  secretStorage(): SecretStorageInfo {
    return this.vault.info();
  }

  setSecretStorage(mode: 'memory' | 'file'): SecretStorageInfo {
    if (mode !== 'memory' && mode !== 'file') throw storeError('PROFILE_SECRET_STORAGE', 'Secret storage must be "memory" or "file".');
    this.vault.setMode(mode);
    this.state = { ...this.state, secretsInFile: mode === 'file' };
    this.persist();
    return this.vault.info();
  }

  dispose(): void {
    this.changes.dispose();
  }

  private persist(): void {
    writeJsonFileDurably(this.file, this.state);
    this.changes.fire(this.list());
  }
}
