import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { localKafkaReadiness } from './localKafka';

const dir = mkdtempSync(join(tmpdir(), 'ferry-bins-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fakeBinary(name: string): void {
  const path = join(dir, name);
  writeFileSync(path, '#!/bin/sh\n');
  chmodSync(path, 0o755);
}

describe('localKafkaReadiness', () => {
  it('names Java and Maven with their Debian packages when both are missing, and offers an existing cluster', () => {
    const readiness = localKafkaReadiness(false, { PATH: '' }, []);
    expect(readiness.available).toBe(false);
    expect(readiness.missing.map((entry) => entry.binary)).toEqual(['java', 'mvn']);
    expect(readiness.message).toContain('Java 17+ (java) and Maven (mvn)');
    expect(readiness.message).toContain('apt-get install openjdk-17-jre-headless maven');
    expect(readiness.message).toContain('Kafka cluster you already have');
  });

  it('names only Maven when Java is there', () => {
    fakeBinary('java');
    const readiness = localKafkaReadiness(false, { PATH: dir }, []);
    expect(readiness.missing.map((entry) => entry.binary)).toEqual(['mvn']);
    expect(readiness.message).toMatch(/needs Maven \(mvn\), which is not installed/);
  });

  it('is available when the lab Kafka already runs, whatever is installed', () => {
    expect(localKafkaReadiness(true, { PATH: '' }, [])).toEqual({ available: true, running: true, missing: [] });
  });

  it('is available when both binaries are found', () => {
    fakeBinary('java');
    fakeBinary('mvn');
    expect(localKafkaReadiness(false, { PATH: dir }, [])).toMatchObject({ available: true, running: false, missing: [] });
  });
});
