import { describe, expect, it } from 'vitest';
import { mariadbBufferPoolBytes } from './mariadb';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

describe('mariadbBufferPoolBytes', () => {
  it('is an eighth of the machine in whole 128 MiB chunks, between 128 MiB and 4 GiB', () => {
    expect(mariadbBufferPoolBytes(24 * GIB)).toBe(3 * GIB);
    expect(mariadbBufferPoolBytes(8 * GIB)).toBe(GIB);
    expect(mariadbBufferPoolBytes(7.9 * GIB)).toBe(896 * MIB);
    expect(mariadbBufferPoolBytes(512 * MIB)).toBe(128 * MIB);
    expect(mariadbBufferPoolBytes(256 * GIB)).toBe(4 * GIB);
  });
});
