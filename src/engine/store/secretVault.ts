import { rmSync } from 'node:fs';
import type { SecretStorageInfo } from '../../shared/api/connections';
import { storeError } from './errors';
import { readJsonFile, writeJsonFileDurably } from './jsonFile';

/**
 * Encrypts secrets with something only this user on this machine can undo. The engine never imports Electron:
 * the desktop host passes one backed by `safeStorage` (the OS keychain); the web host passes none.
 */
export interface ISecretProtector {
  /** For the UI, e.g. "encrypted with the OS keychain (Electron safeStorage)". */
  readonly description: string;
  /** Returns base64 ciphertext. */
  encrypt(plain: string): string;
  decrypt(cipher: string): string;
}

interface SecretsFile {
  version: 1;
  /** `os`: values are the protector's ciphertext. `file`: values are clear text in a 0600 file the user opted in to. */
  mode: 'os' | 'file';
  secrets: Record<string, string>;
}

/**
 * Where profile secrets live. With a protector: encrypted in `secrets.json`. Without one (the web host): only in this
 * process's memory, unless the user opts in to `secrets.json` readable by the user only (0600). The profiles file
 * never holds a secret in any mode.
 */
export class SecretVault {
  private readonly memory = new Map<string, string>();
  private mode: SecretStorageInfo['mode'];

  constructor(
    private readonly file: string,
    private readonly protector: ISecretProtector | undefined,
    optedInToFile: boolean,
  ) {
    this.mode = protector ? 'os' : optedInToFile ? 'file' : 'memory';
    const stored = this.mode === 'memory' ? undefined : (readJsonFile(file) as SecretsFile | undefined);
    // A file written in another mode (e.g. clear text before the desktop app was used) is not trusted as ciphertext.
    if (stored?.version === 1 && stored.mode === this.mode) for (const [id, value] of Object.entries(stored.secrets)) this.memory.set(id, value);
  }

  info(): SecretStorageInfo {
    switch (this.mode) {
      case 'os':
        return { mode: 'os', available: ['os'], description: `Secrets are ${this.protector?.description ?? 'encrypted'} and kept in a file only you can read.`, file: this.file };
      case 'file':
        return {
          mode: 'file',
          available: ['memory', 'file'],
          description: 'Secrets are kept in a file readable only by your user account (mode 0600). They are not encrypted: anyone with your account or a backup of it can read them.',
          file: this.file,
        };
      case 'memory':
        return {
          mode: 'memory',
          available: ['memory', 'file'],
          description: 'Secrets are kept only in the memory of this Ferry process: nothing is written to disk, and you type them again after ferry web restarts.',
        };
    }
  }

  /** Switches between memory and the 0600 file (web host). Secrets typed so far move along. */
  setMode(mode: 'memory' | 'file'): void {
    if (this.mode === 'os') {
      throw storeError('PROFILE_SECRET_STORAGE', 'The desktop app keeps secrets encrypted with the OS keychain; there is nothing to switch.');
    }
    if (mode === this.mode) return;
    this.mode = mode;
    if (mode === 'file') this.persist();
    else rmSync(this.file, { force: true });
  }

  get modeName(): SecretStorageInfo['mode'] {
    return this.mode;
  }

  has(id: string): boolean {
    return this.memory.has(id);
  }

  get(id: string): string | undefined {
    const stored = this.memory.get(id);
    if (stored === undefined || this.mode !== 'os') return stored;
    try {
      return this.protector?.decrypt(stored);
    } catch (error) {
      throw storeError(
        'PROFILE_SECRET_UNREADABLE',
        'The saved secret of this profile cannot be decrypted (the OS keychain changed, or the file came from another user or machine). Type the secret again and save.',
        { cause: error },
      );
    }
  }

  set(id: string, secret: string): void {
    this.memory.set(id, this.mode === 'os' && this.protector ? this.protector.encrypt(secret) : secret);
    this.persist();
  }

  delete(id: string): void {
    if (!this.memory.delete(id)) return;
    this.persist();
  }

  private persist(): void {
    if (this.mode === 'memory') return;
    const file: SecretsFile = { version: 1, mode: this.mode, secrets: Object.fromEntries(this.memory) };
    writeJsonFileDurably(this.file, file);
  }
}
