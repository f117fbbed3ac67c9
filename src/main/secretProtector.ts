import { safeStorage } from 'electron';
import type { ISecretProtector } from '../engine/index';

/**
 * Profile secrets encrypted with the OS keychain (Keychain on macOS, DPAPI on Windows, libsecret/kwallet on Linux)
 * through Electron's safeStorage. Returns undefined when no keychain is usable (e.g. Linux without a secret service,
 * where safeStorage would fall back to a hard-coded key): the engine then keeps secrets in memory only and says so.
 */
export function createSafeStorageProtector(): ISecretProtector | undefined {
  if (!safeStorage.isEncryptionAvailable()) return undefined;
  const backend = process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : 'os';
  if (backend === 'basic_text') return undefined;
  return {
    description: 'encrypted with the OS keychain (Electron safeStorage)',
    encrypt: (plain) => safeStorage.encryptString(plain).toString('base64'),
    decrypt: (cipher) => safeStorage.decryptString(Buffer.from(cipher, 'base64')),
  };
}
