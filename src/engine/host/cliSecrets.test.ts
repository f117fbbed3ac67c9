import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ProfileDraft } from '../../shared/api/connections';
import { parseConfigFiles } from '../config';
import { ConnectionsService } from '../connections';
import type { ISecretProtector } from '../store';
import { cliProfileLookup, profileSecretEnvName, secretsKeptBy } from './cliSecrets';
import { profileUrl } from './verifyProfiles';

/** Stands in for Electron safeStorage: only a process holding it can decrypt (the CLI holds none). */
const keychain: ISecretProtector = {
  description: 'encrypted with the OS keychain (test stand-in)',
  encrypt: (plain) => Buffer.from(Buffer.from(plain, 'utf8').map((byte) => byte ^ 0x5a)).toString('base64'),
  decrypt: (cipher) => Buffer.from(Buffer.from(cipher, 'base64').map((byte) => byte ^ 0x5a)).toString('utf8'),
};
const PASSWORD = 'kept-in-the-keychain-77';
const draft = { kind: 'database', name: 'shop-db', environment: 'dev', product: 'postgres', host: 'db.internal', port: 5432, database: 'shop', user: 'app', tls: 'disable' } as ProfileDraft;

const PIPELINE = JSON.stringify({
  name: 'p',
  kafka: { 'bootstrap.servers': '127.0.0.1:19092' },
  'schema.registry.url': 'http://127.0.0.1:18081',
  connectors: [{ name: 'src', 'connector.class': 'PostgresSource', 'ferry.profile': 'shop-db', 'table.whitelist': 'orders', mode: 'timestamp+incrementing', 'timestamp.column.name': 'updated_at', 'incrementing.column.name': 'id', 'topic.prefix': 'shop.' }],
});

describe('the CLI and passwords the desktop app keeps in the OS keychain', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-cli-secrets-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  // The desktop app saves the profile: its password is encrypted with the keychain.
  const app = new ConnectionsService({ dataDir, protector: keychain });
  const saved = app.save({ profile: draft, secret: PASSWORD });
  afterAll(() => app.dispose());

  const parseAsCli = async (env: Record<string, string>) => {
    await saved;
    const cli = new ConnectionsService({ dataDir });
    try {
      return parseConfigFiles([{ text: PIPELINE, fileName: 'p.json' }], { profiles: cliProfileLookup(cli.profileLookup(undefined), { env, dataDir }) });
    } finally {
      cli.dispose();
    }
  };

  it('names the environment variable after the profile', () => {
    expect(profileSecretEnvName('shop-db')).toBe('FERRY_PROFILE_SECRET_SHOP_DB');
    expect(profileSecretEnvName('Cloud prod (EU)')).toBe('FERRY_PROFILE_SECRET_CLOUD_PROD_EU');
  });

  it('says the keychain is readable by the app only and what to do, without the password anywhere', async () => {
    const result = await parseAsCli({});
    expect(secretsKeptBy(dataDir)).toBe('keychain');
    const problem = result.problems.find((candidate) => candidate.rule === 'profile.secret-not-stored');
    expect(problem?.message).toContain('Profile "shop-db": password not stored');
    expect(problem?.hint).toContain('OS keychain (Electron safeStorage), which only the app itself can decrypt');
    expect(problem?.hint).toContain('set FERRY_PROFILE_SECRET_SHOP_DB=<password>');
    expect(problem?.hint).not.toContain('type the password again');
    expect(result.config).toBeUndefined();
    expect(JSON.stringify(result)).not.toContain(PASSWORD);
  });

  it('takes the password from FERRY_PROFILE_SECRET_<NAME> when set', async () => {
    const result = await parseAsCli({ FERRY_PROFILE_SECRET_SHOP_DB: 'from-the-environment' });
    expect(result.problems.filter((problem) => problem.severity === 'error')).toEqual([]);
    const source = result.config?.connectors[0];
    expect(source && 'connection' in source ? source.connection.password?.reveal() : undefined).toBe('from-the-environment');
  });

  it('ferry verify --source with that profile says the same, and connects with the variable', async () => {
    await saved;
    const without = await profileUrl('shop-db', '--source', { dataDir, env: {} });
    expect(without.warning).toContain('FERRY_PROFILE_SECRET_SHOP_DB');
    expect(without.warning).toContain('OS keychain');
    const withVariable = await profileUrl('shop-db', '--source', { dataDir, env: { FERRY_PROFILE_SECRET_SHOP_DB: 'pw-env' } });
    expect(withVariable.warning).toBeUndefined();
    expect(withVariable.url).toContain('pw-env');
  });

  it('a workspace whose app kept secrets in memory only (the web host\'s default) is said as such', () => {
    const other = mkdtempSync(join(tmpdir(), 'ferry-cli-secrets-mem-'));
    try {
      expect(secretsKeptBy(other)).toBe('memory');
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
