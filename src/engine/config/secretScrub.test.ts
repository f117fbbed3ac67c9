import { describe, expect, it } from 'vitest';
import { maskPipelineSecrets } from './secretMask';
import { SECRETISH } from './secretScrub';

// Issue 11, item 5: a misspelt secret key (`connection.pasword`) was saved in clear in the workspace file.
describe('secret-looking key names', () => {
  it('cover misspellings and every usual secret word', () => {
    for (const key of [
      'connection.pasword',
      'connection.passwd',
      'connection.paswd',
      'connection.pass',
      'db.pwd',
      'ssl.key.password',
      'ssl.keystore.key',
      'ssl.private.key',
      'sasl.jaas.config',
      'kafka.api.secret',
      'oauth.token',
      'gcp.credentials',
      'azure.credential',
      'schema.registry.basic.auth.user.info',
      'key.passphrase',
    ]) {
      expect(SECRETISH.test(key), key).toBe(true);
    }
  });

  it('leave ordinary keys that merely contain "key" or "pass" alone', () => {
    for (const key of ['pk.fields', 'pk.mode', 'key.converter', 'key.converter.schemas.enable', 'kafka.api.key', 'message.key.columns', 'connection.user', 'compass', 'topic.prefix']) {
      expect(SECRETISH.test(key), key).toBe(false);
    }
  });

  it('keep a misspelt password key out of the saved text', () => {
    const text = JSON.stringify({ name: 'p', connectors: [{ 'connector.class': 'MySqlSource', 'connection.pasword': 'typo-pw-123', 'pk.fields': 'id', 'key.converter': 'x' }] });
    const masked = maskPipelineSecrets(text);
    expect(masked?.masked).not.toContain('typo-pw-123');
    expect(masked?.masked).toContain('"pk.fields":"id"');
    expect(masked?.masked).toContain('"key.converter":"x"');
  });
});
