import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EngineError } from '../../shared/errors';
import { createLogger } from '../base/logger';
import {
  ensureKafkaRuntime,
  isKafkaRuntimeCached,
  kafkaBrokerArgs,
  kafkaRuntimeLocation,
  newClusterId,
  readFormattedClusterId,
  renderLog4j2Properties,
  renderServerProperties,
} from './kafka';
import { labPaths } from './paths';

/** The EngineError a promise rejects with; fails the test if it resolves or rejects with something else. */
async function failure(promise: Promise<unknown>): Promise<EngineError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof EngineError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}


function parseProperties(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    map.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return map;
}

describe('renderServerProperties', () => {
  const props = parseProperties(renderServerProperties({ port: 19092, controllerPort: 19093, dataDir: '/lab/kafka-a/data' }));

  it('describes one combined node with a static quorum on loopback', () => {
    expect(props.get('process.roles')).toBe('broker,controller');
    expect(props.get('controller.quorum.voters')).toBe('1@127.0.0.1:19093');
    expect(props.has('controller.quorum.bootstrap.servers')).toBe(false);
    expect(props.get('listeners')).toBe('PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093');
    expect(props.get('advertised.listeners')).toBe('PLAINTEXT://127.0.0.1:19092');
    expect(props.get('controller.listener.names')).toBe('CONTROLLER');
    expect(props.get('log.dirs')).toBe('/lab/kafka-a/data');
  });

  it('gives every internal topic replication factor 1 and min.isr 1, which one node can satisfy', () => {
    for (const key of [
      'offsets.topic.replication.factor',
      'transaction.state.log.replication.factor',
      'transaction.state.log.min.isr',
      'share.coordinator.state.topic.replication.factor',
      'share.coordinator.state.topic.min.isr',
    ]) {
      expect(props.get(key), key).toBe('1');
    }
    expect(props.get('offsets.topic.num.partitions')).toBe('1');
    expect(props.get('group.initial.rebalance.delay.ms')).toBe('0');
    expect(props.get('num.network.threads')).toBe('2');
    expect(props.get('num.io.threads')).toBe('2');
  });

  it('escapes backslashes so Windows-style or odd paths survive .properties parsing', () => {
    const text = renderServerProperties({ port: 1, controllerPort: 2, dataDir: 'C:\\lab\\data' });
    expect(text).toContain('log.dirs=C:\\\\lab\\\\data');
  });
});

describe('renderLog4j2Properties', () => {
  it('is a properties config writing server.log under kafka.logs.dir', () => {
    const text = renderLog4j2Properties();
    expect(text).toContain('appender.server.fileName = ${sys:kafka.logs.dir}/server.log');
    expect(text).toContain('rootLogger.appenderRef.server.ref = server');
    expect(text).not.toMatch(/^Configuration:/m);
  });
});

describe('kafkaBrokerArgs', () => {
  it('points log4j at the properties file and uses a classpath wildcard Java expands itself', () => {
    const paths = labPaths('/lab').kafka['kafka-a'];
    const args = kafkaBrokerArgs(paths, '/cache/lib');
    expect(args).toContain('-Dlog4j2.configurationFile=/lab/kafka-a/log4j2.properties');
    expect(args).toContain('-Dkafka.logs.dir=/lab/kafka-a/logs');
    expect(args.slice(-4)).toEqual(['-cp', '/cache/lib/*', 'kafka.Kafka', '/lab/kafka-a/server.properties']);
  });
});

describe('newClusterId', () => {
  it('is 16 bytes of unpadded base64url (22 characters)', () => {
    for (let i = 0; i < 50; i++) {
      const id = newClusterId();
      expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(Buffer.from(id, 'base64url')).toHaveLength(16);
    }
  });

  it('never starts with "-", which the formatter would parse as an option', () => {
    const leadingDash = Buffer.alloc(16, 0);
    leadingDash[0] = 0xf8; // top six bits 62 → '-'
    const calls: Buffer[] = [leadingDash, Buffer.alloc(16, 1)];
    const id = newClusterId(() => calls.shift() ?? Buffer.alloc(16, 2));
    expect(leadingDash.toString('base64url').startsWith('-')).toBe(true);
    expect(id.startsWith('-')).toBe(false);
    expect(calls).toHaveLength(0);
  });
});

describe('Kafka runtime cache', () => {
  let dir: string;
  let pom: string;
  const log = createLogger('lab-test');

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-kafka-test-'));
    pom = join(dir, 'pom.xml');
    writeFileSync(pom, '<project/>\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function fakeMaven(script: string): string {
    const path = join(dir, 'mvn');
    writeFileSync(path, `#!/bin/sh\n${script}\n`);
    chmodSync(path, 0o755);
    return path;
  }

  it('keys the cache by the first 12 hex chars of the pom hash', () => {
    const a = kafkaRuntimeLocation(join(dir, 'cache'), pom);
    expect(a.hash).toMatch(/^[0-9a-f]{12}$/);
    expect(a.lib).toBe(join(dir, 'cache', 'kafka-runtime', a.hash, 'lib'));
    writeFileSync(pom, '<project><changed/></project>\n');
    expect(kafkaRuntimeLocation(join(dir, 'cache'), pom).hash).not.toBe(a.hash);
  });

  it('reuses a complete cache without needing Maven', async () => {
    const cache = join(dir, 'cache');
    const { lib } = kafkaRuntimeLocation(cache, pom);
    mkdirSync(lib, { recursive: true });
    writeFileSync(join(lib, 'kafka_2.13-4.1.1.jar'), '');
    expect(isKafkaRuntimeCached(cache, pom)).toBe(true);
    await expect(ensureKafkaRuntime({ cacheDir: cache, pomPath: pom, mvn: undefined, log })).resolves.toEqual(expect.objectContaining({ lib }));
  });

  it('moves a finished download into place and leaves no temp directory', async () => {
    const cache = join(dir, 'cache');
    const mvn = fakeMaven('for a in "$@"; do case "$a" in -DoutputDirectory=*) d="${a#-DoutputDirectory=}";; esac; done\nmkdir -p "$d" && touch "$d/kafka_2.13-4.1.1.jar" "$d/kafka-clients-4.1.1.jar"');
    const runtime = await ensureKafkaRuntime({ cacheDir: cache, pomPath: pom, mvn, log });
    expect(readdirSync(runtime.lib).sort()).toEqual(['kafka-clients-4.1.1.jar', 'kafka_2.13-4.1.1.jar']);
    expect(readdirSync(join(cache, 'kafka-runtime')).filter((e) => e.includes('.tmp-'))).toEqual([]);
  });

  it('never leaves a half download where a complete one is expected', async () => {
    const cache = join(dir, 'cache');
    // Copies some jars, then fails: what an interrupted or failed Maven run looks like.
    const mvn = fakeMaven('for a in "$@"; do case "$a" in -DoutputDirectory=*) d="${a#-DoutputDirectory=}";; esac; done\nmkdir -p "$d" && touch "$d/kafka_2.13-4.1.1.jar"\necho "[ERROR] Could not transfer artifact" >&2\nexit 1');
    await expect(ensureKafkaRuntime({ cacheDir: cache, pomPath: pom, mvn, log })).rejects.toMatchObject({ code: 'LAB_MAVEN_FAILED', retriable: true });
    expect(isKafkaRuntimeCached(cache, pom)).toBe(false);
    expect(readdirSync(join(cache, 'kafka-runtime')).filter((e) => e.includes('.tmp-'))).toEqual([]);
  });

  it('names the Maven log and its error in the failure message', async () => {
    const cache = join(dir, 'cache');
    const mvn = fakeMaven('echo "[ERROR] Could not resolve dependencies for project" >&2\nexit 1');
    const error = await failure(ensureKafkaRuntime({ cacheDir: cache, pomPath: pom, mvn, log }));
    expect(error.message).toContain(kafkaRuntimeLocation(cache, pom).mavenLog);
    expect(error.message).toContain('Could not resolve dependencies');
  });

  it('says Maven is needed when the jars are missing and mvn is not installed', async () => {
    await expect(ensureKafkaRuntime({ cacheDir: join(dir, 'cache'), pomPath: pom, mvn: undefined, log })).rejects.toMatchObject({
      code: 'LAB_MAVEN_FAILED',
    });
  });
});

describe('readFormattedClusterId', () => {
  it('reads the id from meta.properties, which the formatter writes last', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-meta-test-'));
    try {
      const paths = labPaths(dir).kafka['kafka-a'];
      expect(readFormattedClusterId(paths)).toBeUndefined();
      mkdirSync(paths.dataDir, { recursive: true });
      writeFileSync(join(paths.dataDir, 'meta.properties'), '#\nnode.id=1\nversion=1\ncluster.id=abcdefghijklmnopqrstuv\n');
      expect(readFormattedClusterId(paths)).toBe('abcdefghijklmnopqrstuv');
      expect(existsSync(paths.serverProperties)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
