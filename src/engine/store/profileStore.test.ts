import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProfileDraft } from '../../shared/api/connections';
import { ProfileStore } from './profileStore';
import { validateProfile } from './profileValidation';
import type { ISecretProtector } from './secretVault';

const SECRET = 'S3cret-value-that-must-not-leak';

const kafkaDraft = (extra: Partial<ProfileDraft> = {}): ProfileDraft =>
  ({ kind: 'kafka', name: 'cloud', environment: 'prod', preset: 'confluentCloud', bootstrapServers: 'pkc-1.westeurope.azure.confluent.cloud:9092', securityProtocol: 'PLAINTEXT', saslUsername: 'APIKEY', ...extra }) as ProfileDraft;
const dbDraft = (extra: Record<string, unknown> = {}): ProfileDraft =>
  ({ kind: 'database', name: 'orders-db', environment: 'dev', product: 'postgres', host: 'db.internal', port: 5432, database: 'shop', user: 'app', tls: 'require', ...extra }) as ProfileDraft;

/** Reversible but not clear text, like safeStorage: enough to prove only ciphertext is written. */
const fakeProtector: ISecretProtector = {
  description: 'encrypted by a test protector',
  encrypt: (plain) => Buffer.from(Buffer.from(plain, 'utf8').map((byte) => byte ^ 0x5a)).toString('base64'),
  decrypt: (cipher) => Buffer.from(Buffer.from(cipher, 'base64').map((byte) => byte ^ 0x5a)).toString('utf8'),
};

function allFiles(dir: string): string {
  const profiles = join(dir, 'profiles');
  return readdirSync(profiles)
    .map((name) => readFileSync(join(profiles, name), 'utf8'))
    .join('\n');
}

describe('profile validation', () => {
  it('normalises a Confluent Cloud preset to SASL_SSL PLAIN and drops fields of other kinds', () => {
    const profile = validateProfile({ ...kafkaDraft(), host: 'ignored', url: 'x' }, 'id-1');
    expect(profile).toEqual({
      id: 'id-1',
      name: 'cloud',
      environment: 'prod',
      kind: 'kafka',
      preset: 'confluentCloud',
      bootstrapServers: 'pkc-1.westeurope.azure.confluent.cloud:9092',
      securityProtocol: 'SASL_SSL',
      saslMechanism: 'PLAIN',
      saslUsername: 'APIKEY',
    });
  });

  it('names every bad field and what to do, without quoting values', () => {
    const error = (() => {
      try {
        validateProfile(dbDraft({ name: '', host: 'has space', port: 70000, user: '', tls: 'maybe', checkTables: ['ok', 'bad table'] }), 'x');
      } catch (caught) {
        return caught as { code: string; detail: { field: string; message: string }[] };
      }
      return undefined;
    })();
    expect(error?.code).toBe('PROFILE_INVALID');
    expect(error?.detail.map((problem) => problem.field)).toEqual(['name', 'host', 'port', 'user', 'tls', 'checkTables']);
    expect(() => validateProfile(kafkaDraft({ bootstrapServers: 'broker-without-port' }), 'x')).toThrow(/"broker-without-port" is not host:port/);
    expect(() => validateProfile(kafkaDraft({ saslUsername: '' }), 'x')).toThrow(/API key is empty/);
    expect(() => validateProfile({ kind: 'ftp' }, 'x')).toThrow(/kind must be kafka, schemaRegistry, database or connect/);
  });

  it('takes a Kafka Connect REST endpoint with a basic auth user, and refuses a URL with credentials or another scheme', () => {
    expect(validateProfile({ kind: 'connect', name: 'staging', url: 'http://connect-1:8083/', basicAuthUser: ' admin ' }, 'c1')).toEqual({ id: 'c1', name: 'staging', environment: 'dev', kind: 'connect', url: 'http://connect-1:8083', basicAuthUser: 'admin' });
    expect(() => validateProfile({ kind: 'connect', name: 'c', url: 'http://admin:pw@connect-1:8083' }, 'c2')).toThrow(/REST URL must not carry user:password@/);
    expect(() => validateProfile({ kind: 'connect', name: 'c', url: 'connect-1:8083' }, 'c3')).toThrow(/REST URL (is not a URL|must start with http)/);
  });

  it('refuses credentials inside a registry URL, where they would be stored in clear', () => {
    expect(() => validateProfile({ kind: 'schemaRegistry', name: 'sr', url: `https://key:${SECRET}@psrc-1.confluent.cloud` }, 'x')).toThrow(/must not carry user:password@/);
    expect(() => validateProfile({ kind: 'schemaRegistry', name: 'sr', url: `https://key:${SECRET}@psrc-1.confluent.cloud` }, 'x')).not.toThrow(new RegExp(SECRET));
  });
});

describe('ProfileStore', () => {
  const dirs: string[] = [];
  const scratch = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-profiles-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('keeps secrets in memory only by default: nothing on disk, gone after a restart', () => {
    const dir = scratch();
    const store = new ProfileStore({ dataDir: dir });
    const saved = store.save({ profile: kafkaDraft(), secret: SECRET });
    expect(saved.hasSecret).toBe(true);
    expect(store.secret(saved.id)).toBe(SECRET);
    expect(store.secretStorage().mode).toBe('memory');
    expect(readdirSync(join(dir, 'profiles'))).toEqual(['profiles.json']);
    expect(allFiles(dir)).not.toContain(SECRET);
    expect(JSON.stringify(store.list())).not.toContain(SECRET);
    const restarted = new ProfileStore({ dataDir: dir });
    expect(restarted.get(saved.id)).toMatchObject({ name: 'cloud', hasSecret: false });
  });

  it('keeps secrets in a 0600 file when the user opts in, never in the profiles file', () => {
    const dir = scratch();
    const store = new ProfileStore({ dataDir: dir });
    const saved = store.save({ profile: dbDraft(), secret: SECRET });
    expect(store.setSecretStorage('file')).toMatchObject({ mode: 'file', file: join(dir, 'profiles', 'secrets.json') });
    const secretsFile = join(dir, 'profiles', 'secrets.json');
    expect(statSync(secretsFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'profiles', 'profiles.json'), 'utf8')).not.toContain(SECRET);
    expect(new ProfileStore({ dataDir: dir }).secret(saved.id)).toBe(SECRET);
    // Opting out removes the file; the secret stays usable until the engine stops.
    store.setSecretStorage('memory');
    expect(readdirSync(join(dir, 'profiles'))).toEqual(['profiles.json']);
    expect(store.secret(saved.id)).toBe(SECRET);
  });

  it('with an OS protector writes only ciphertext and reads it back after a restart', () => {
    const dir = scratch();
    const store = new ProfileStore({ dataDir: dir, protector: fakeProtector });
    const saved = store.save({ profile: dbDraft(), secret: SECRET });
    expect(allFiles(dir)).not.toContain(SECRET);
    expect(new ProfileStore({ dataDir: dir, protector: fakeProtector }).secret(saved.id)).toBe(SECRET);
    expect(store.secretStorage()).toMatchObject({ mode: 'os', available: ['os'] });
    expect(() => store.setSecretStorage('file')).toThrow(/OS keychain/);
    const broken: ISecretProtector = { ...fakeProtector, decrypt: () => { throw new Error(`bad key for ${SECRET}`); } };
    const unreadable = new ProfileStore({ dataDir: dir, protector: broken });
    expect(() => unreadable.secret(saved.id)).toThrow(/cannot be decrypted/);
    try {
      unreadable.secret(saved.id);
    } catch (error) {
      expect((error as Error).message).not.toContain(SECRET);
    }
  });

  it('keeps the stored secret on an edit without one, and removes it with an empty one', () => {
    const store = new ProfileStore({ dataDir: scratch() });
    const saved = store.save({ profile: dbDraft(), secret: SECRET });
    store.save({ profile: { ...dbDraft({ host: 'db2.internal' }), id: saved.id } });
    expect(store.get(saved.id)).toMatchObject({ host: 'db2.internal', hasSecret: true });
    store.save({ profile: { ...dbDraft(), id: saved.id }, secret: '' });
    expect(store.get(saved.id).hasSecret).toBe(false);
  });

  it('refuses a second profile with the same name, and an unknown id', () => {
    const store = new ProfileStore({ dataDir: scratch() });
    store.save({ profile: dbDraft() });
    expect(() => store.save({ profile: dbDraft({ name: 'ORDERS-DB' }) })).toThrow(/exists already/);
    expect(() => store.delete('nope')).toThrow(expect.objectContaining({ code: 'PROFILE_NOT_FOUND' }));
  });

  it('exports without secrets and imports with renamed clashes, secret-like fields dropped', () => {
    const store = new ProfileStore({ dataDir: scratch() });
    const registry = store.save({ profile: { kind: 'schemaRegistry', name: 'sr', environment: 'dev', url: 'https://psrc-1.confluent.cloud', basicAuthUser: 'SRKEY' }, secret: SECRET });
    store.save({ profile: kafkaDraft({ schemaRegistryProfileId: registry.id }), secret: SECRET });
    const exported = store.export();
    expect(JSON.stringify(exported)).not.toContain(SECRET);
    expect(exported.profiles).toHaveLength(2);

    const other = new ProfileStore({ dataDir: scratch() });
    other.save({ profile: dbDraft({ name: 'sr' }) });
    const tampered = { ...exported, profiles: exported.profiles.map((profile) => ({ ...profile, password: SECRET })) };
    const result = other.import(JSON.stringify(tampered));
    expect(result.problems).toEqual([]);
    expect(result.imported.map((profile) => profile.name).sort()).toEqual(['cloud', 'sr (imported)']);
    const importedKafka = other.list().find((profile) => profile.kind === 'kafka');
    const importedRegistry = other.list().find((profile) => profile.name === 'sr (imported)');
    expect(importedKafka?.kind === 'kafka' && importedKafka.schemaRegistryProfileId).toBe(importedRegistry?.id);
    expect(other.list().every((profile) => !profile.hasSecret)).toBe(true);
    expect(JSON.stringify(other.list())).not.toContain(SECRET);
    expect(() => other.import('{"format":"other"}')).toThrow(/not a Ferry profiles export/);
    expect(() => other.import('{ torn')).toThrow(/not JSON/);
  });
});
