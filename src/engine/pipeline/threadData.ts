/**
 * A resolved connector config as it crosses to a worker thread: structured clone keeps plain data but turns a
 * Secret into an empty object (its value is a private field), so secrets travel as marked strings and become Secrets
 * again on the other side. Only between threads of this process: never written anywhere.
 */
import { Secret } from '../config/secret';

const SECRET_MARK = '__ferrySecret';

export function toThreadData(value: unknown): unknown {
  if (value instanceof Secret) return { [SECRET_MARK]: value.reveal() };
  if (Array.isArray(value)) return value.map(toThreadData);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = toThreadData(item);
    return out;
  }
  return value;
}

export function fromThreadData<T>(value: unknown): T {
  return revive(value) as T;
}

function revive(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(revive);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const record = value as Record<string, unknown>;
    const secret = record[SECRET_MARK];
    if (typeof secret === 'string' && Object.keys(record).length === 1) return new Secret(secret);
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(record)) out[key] = revive(item);
    return out;
  }
  return value;
}
