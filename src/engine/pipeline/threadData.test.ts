import { describe, expect, it } from 'vitest';
import { Secret } from '../config/secret';
import { fromThreadData, toThreadData } from './threadData';

describe('config crossing to a connector thread', () => {
  it('keeps plain data and brings secrets back as Secrets (structured clone alone empties them)', () => {
    const config = { name: 'src', connection: { password: new Secret('s3cr3t'), port: 3306 }, topics: ['a', 'b'], sasl: null };
    expect((structuredClone(config).connection.password as unknown as { reveal?: unknown }).reveal).toBeUndefined();
    const back = fromThreadData<typeof config>(structuredClone(toThreadData(config)));
    expect(back.connection.password).toBeInstanceOf(Secret);
    expect(back.connection.password.reveal()).toBe('s3cr3t');
    expect({ ...back, connection: { ...back.connection, password: null } }).toEqual({ ...config, connection: { ...config.connection, password: null } });
    expect(JSON.stringify(back)).not.toContain('s3cr3t');
  });
});
