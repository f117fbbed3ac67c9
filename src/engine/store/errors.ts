import { EngineError } from '../../shared/errors';

/** Stable codes of the durable stores; never rename one, add new ones instead. */
export type StoreErrorCode =
  /** A state file that is not valid JSON (written by jsonFile.ts). */
  | 'STORE_CORRUPT'
  /** A connection profile with a missing or malformed field; `detail` lists every problem. */
  | 'PROFILE_INVALID'
  | 'PROFILE_NOT_FOUND'
  /** Two profiles with one name. */
  | 'PROFILE_NAME_TAKEN'
  /** A stored secret that the protector cannot decrypt (another user, another machine, a reset keychain). */
  | 'PROFILE_SECRET_UNREADABLE'
  /** A secret-storage mode this host does not offer. */
  | 'PROFILE_SECRET_STORAGE'
  /** An import document that is not what `export` writes. */
  | 'PROFILE_IMPORT_INVALID'
  /** A write to a prod-coloured profile without the user's confirmation. */
  | 'PROFILE_WRITE_NOT_CONFIRMED';

export function storeError(code: StoreErrorCode, message: string, options: { retriable?: boolean; detail?: unknown; cause?: unknown } = {}): EngineError {
  return new EngineError(code, message, options);
}
