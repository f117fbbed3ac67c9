import { randomBytes } from 'node:crypto';

/** Every test makes its own topics, tables and groups so runs never see each other's data. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}
