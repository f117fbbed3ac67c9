import type {
  ConnectionProfile,
  ConnectProfile,
  DatabaseProfile,
  IConnectionsApi,
  ImportProfilesResult,
  KafkaProfile,
  ProfilesExport,
  ProfileTestResult,
  SaveProfileRequest,
  SchemaRegistryProfile,
  SecretStorageInfo,
  StoredProfile,
  TestProfileRequest,
  WriteCheck,
  WriteCheckRequest,
} from '../../shared/api/connections';
import { isEngineError } from '../../shared/errors';
import type { IDisposable } from '../../shared/lifecycle';
import type { KafkaClientSettings } from '../kafka';
import type { SchemaRegistryClientOptions } from '../schema';
import type { SqlConnectionSettings } from '../db';
import { ProfileStore, type ProfileStoreOptions, storeError, validateProfile } from '../store';
import type { ConnectRestClient } from '../deploy/connectRest';
import { connectClientOf, testConnectProfile } from './connectTest';
import { connectionError } from './errors';
import { testDatabaseProfile } from './databaseTest';
import { testKafkaProfile } from './kafkaTest';
import { testRegistryProfile } from './registryTest';
import type { LabStatus } from '../../shared/api/lab';
import type { ProfileLookup } from '../config';
import { profileLookupOf } from './profileLookup';
import { kafkaSettingsOf, registryOptionsOf, sqlSettingsOf } from './resolve';
import { StepRecorder } from './stepRecorder';

/**
 * The `connections` namespace: profiles with their secrets kept apart, a step-by-step Test, export/import without
 * secrets, and the prod-write guard other features call (and enforce with `requireWriteConfirmation`).
 */
export class ConnectionsService implements IConnectionsApi, IDisposable {
  private readonly store: ProfileStore;
  readonly onDidChangeProfiles;

  constructor(options: ProfileStoreOptions = {}) {
    this.store = new ProfileStore(options);
    this.onDidChangeProfiles = this.store.onDidChange;
  }

  async list(): Promise<StoredProfile[]> {
    return this.store.list();
  }

  async save(request: SaveProfileRequest): Promise<StoredProfile> {
    return this.store.save(request);
  }

  async delete(id: string): Promise<void> {
    this.store.delete(id);
  }

  async test(request: TestProfileRequest): Promise<ProfileTestResult> {
    const stored = request.id === undefined ? undefined : this.store.get(request.id);
    let profile: ConnectionProfile;
    try {
      profile = validateProfile(request.profile ?? stored, request.id ?? 'unsaved');
    } catch (error) {
      // A half-filled form is a test result too: the settings step names what is missing.
      const recorder = new StepRecorder(request.secret ? [request.secret] : []);
      recorder.note('settings', 'Profile settings', { status: 'failed', code: isEngineError(error) ? error.code : 'PROFILE_INVALID', detail: (error as Error).message });
      return recorder.result(String((request.profile as { name?: unknown } | undefined)?.name ?? stored?.name ?? 'unsaved profile'), '');
    }
    const secret = request.secret !== undefined && request.secret !== '' ? request.secret : request.id !== undefined ? this.store.secret(request.id) : undefined;
    switch (profile.kind) {
      case 'kafka':
        return testKafkaProfile(profile, secret);
      case 'schemaRegistry':
        return testRegistryProfile(profile, secret);
      case 'database':
        return testDatabaseProfile(profile, secret);
      case 'connect':
        return testConnectProfile(profile, secret);
    }
  }

  async export(ids?: string[]): Promise<ProfilesExport> {
    return this.store.export(ids);
  }

  async import(document: ProfilesExport | string): Promise<ImportProfilesResult> {
    return this.store.import(document);
  }

  async secretStorage(): Promise<SecretStorageInfo> {
    return this.store.secretStorage();
  }

  async setSecretStorage(mode: 'memory' | 'file'): Promise<SecretStorageInfo> {
    return this.store.setSecretStorage(mode);
  }

  async checkWrite(request: WriteCheckRequest): Promise<WriteCheck> {
    const profile = this.store.get(request.profileId);
    const confirmationRequired = profile.environment === 'prod';
    return {
      environment: profile.environment,
      confirmationRequired,
      prompt: confirmationRequired
        ? `"${profile.name}" is a PRODUCTION profile. Really ${request.action}?`
        : `${request.action} on "${profile.name}" (${profile.environment}).`,
    };
  }

  // ------------------------------------------------------------------ for other engine services

  /** Throws PROFILE_WRITE_NOT_CONFIRMED for a prod profile unless the user confirmed; writers call this first. */
  requireWriteConfirmation(profileId: string, confirmed: boolean | undefined, action: string): void {
    const profile = this.store.get(profileId);
    if (profile.environment === 'prod' && confirmed !== true) {
      throw storeError('PROFILE_WRITE_NOT_CONFIRMED', `"${profile.name}" is a production profile: confirm before you ${action} (the app asks; scripts pass confirmed: true).`);
    }
  }

  kafkaProfiles(): KafkaProfile[] {
    return this.store.list().filter((profile): profile is StoredProfile & KafkaProfile => profile.kind === 'kafka');
  }

  profile(id: string): StoredProfile {
    return this.store.get(id);
  }

  kafkaSettings(id: string, overrides: Partial<KafkaClientSettings> = {}): KafkaClientSettings {
    return kafkaSettingsOf(this.ofKind<KafkaProfile>(id, 'kafka'), this.store.secret(id), overrides);
  }

  registryOptions(id: string): SchemaRegistryClientOptions {
    return registryOptionsOf(this.ofKind<SchemaRegistryProfile>(id, 'schemaRegistry'), this.store.secret(id));
  }

  connectProfiles(): (StoredProfile & ConnectProfile)[] {
    return this.store.list().filter((profile): profile is StoredProfile & ConnectProfile => profile.kind === 'connect');
  }

  /** A Connect profile's REST client, its password (the profile's secret) sent as basic auth. */
  connectClient(id: string, timeoutMs?: number): ConnectRestClient {
    const profile = this.ofKind<ConnectProfile>(id, 'connect');
    const secret = this.store.secret(id);
    if (profile.basicAuthUser && secret === undefined) {
      throw connectionError('CONNECTION_SECRET_MISSING', `Password not stored for Kafka Connect profile "${profile.name}" (basic auth user ${profile.basicAuthUser}): type it in Connections and save the profile.`);
    }
    return connectClientOf(profile, secret, timeoutMs);
  }

  sqlSettings(id: string): SqlConnectionSettings {
    return sqlSettingsOf(this.ofKind<DatabaseProfile>(id, 'database'), this.store.secret(id));
  }

  /** Resolves the profile names a pipeline file gives (`ferry.profile`), with secrets and the running lab's endpoints. */
  profileLookup(lab: LabStatus | undefined): ProfileLookup {
    const storage = this.store.secretStorage();
    const hint =
      storage.mode === 'memory'
        ? 'This Ferry keeps profile passwords only in its memory: tick "Keep secrets in a file readable only by me" in Connections to keep them across restarts.'
        : storage.mode === 'os'
          ? 'Passwords the desktop app keeps in the OS keychain are readable only by the app: run the pipeline from the app.'
          : '';
    return profileLookupOf(this.store.list(), (id) => this.store.secret(id), lab, hint);
  }

  dispose(): void {
    this.store.dispose();
  }

  private ofKind<T extends ConnectionProfile>(id: string, kind: T['kind']): T {
    const profile = this.store.get(id);
    if (profile.kind !== kind) {
      throw storeError('PROFILE_INVALID', `Profile "${profile.name}" is a ${profile.kind} profile; pick a ${kind} profile here.`);
    }
    return profile as unknown as T;
  }
}
