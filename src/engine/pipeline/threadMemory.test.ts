import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parsePipelineFile, requireValidPipeline } from '../config';
import { threadMemory } from '../base/threadMemory';
import { CONNECTOR_THREAD_LIMITS, PipelineRunner } from './pipelineRunner';

// Nothing listens on these ports: the connectors are built in their threads but never started.
const pipelineText = JSON.stringify({
  name: 'memory-probe',
  kafka: { 'bootstrap.servers': '127.0.0.1:1' },
  'schema.registry.url': 'http://127.0.0.1:1',
  connectors: [
    { name: 'probe-source', 'connector.class': 'MySqlSource', 'connection.host': '127.0.0.1', 'connection.port': '1', 'connection.user': 'u', 'connection.password': 'p', 'db.name': 'd', mode: 'incrementing', 'incrementing.column.name': 'id', 'table.whitelist': 't', 'topic.prefix': 'probe_' },
    { name: 'probe-sink', 'connector.class': 'PostgresSink', topics: 'probe_t', 'connection.host': '127.0.0.1', 'connection.port': '1', 'connection.user': 'u', 'connection.password': 'p', 'db.name': 'd' },
  ],
});

describe('threadMemory', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("reports this thread's heap by space and the native memory its Buffers hold", () => {
    const before = threadMemory();
    const held = Buffer.alloc(8 * 1024 * 1024, 1);
    const after = threadMemory();
    expect(before.heapCommitted).toBeGreaterThanOrEqual(before.heapUsed);
    expect(Object.keys(before.spaces)).toEqual(expect.arrayContaining(['new_space', 'old_space', 'code_space']));
    expect(after.arrayBuffers - before.arrayBuffers).toBeGreaterThanOrEqual(held.length);
    expect(after.external).toBeGreaterThanOrEqual(after.arrayBuffers);
  });

  it("a runner's connector threads each answer with their own memory and run with the limits they were given", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ferry-memory-'));
    dirs.push(dataDir);
    const pipeline = requireValidPipeline(parsePipelineFile(pipelineText, 'memory-probe.json'), 'memory-probe.json');
    const runner = new PipelineRunner(pipeline, { dataDir, threads: true, threadResourceLimits: { maxYoungGenerationSizeMb: 12 } });
    try {
      await runner.ready();
      expect(runner.threaded).toBe(true);
      const threads = await runner.threadMemory();
      expect(threads.map((entry) => entry.thread)).toEqual(['host', 'source probe-source', 'sink probe-sink']);
      for (const { memory } of threads) {
        expect(memory.heapUsed).toBeGreaterThan(0);
        expect(memory.heapCommitted).toBeGreaterThanOrEqual(memory.heapUsed);
      }
      expect(threads[0]?.memory.limits).toEqual({});
      for (const { memory } of threads.slice(1)) expect(memory.limits.maxYoungGenerationSizeMb).toBe(12);
    } finally {
      await runner.stop();
    }
  }, 60_000);

  it('connector threads run with the default heap limits unless told otherwise', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ferry-memory-'));
    dirs.push(dataDir);
    const pipeline = requireValidPipeline(parsePipelineFile(pipelineText, 'memory-probe.json'), 'memory-probe.json');
    const runner = new PipelineRunner(pipeline, { dataDir, threads: true });
    try {
      await runner.ready();
      const threads = await runner.threadMemory();
      expect(threads).toHaveLength(3);
      for (const { memory } of threads.slice(1)) expect(memory.limits).toMatchObject(CONNECTOR_THREAD_LIMITS);
    } finally {
      await runner.stop();
    }
  }, 60_000);

  it('a connector thread that reaches its heap limit fails its connector with a code and what to do', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ferry-memory-'));
    dirs.push(dataDir);
    const pipeline = requireValidPipeline(parsePipelineFile(pipelineText, 'memory-probe.json'), 'memory-probe.json');
    // Too little heap to load the engine's modules: the thread dies of it before it is ready.
    const runner = new PipelineRunner(pipeline, { dataDir, threads: true, threadResourceLimits: { maxOldGenerationSizeMb: 2, maxYoungGenerationSizeMb: 1 } });
    try {
      await runner.ready();
      const connectors = runner.status().connectors;
      expect(connectors.map((connector) => connector.state)).toEqual(['FAILED', 'FAILED']);
      for (const connector of connectors) {
        expect(connector.error?.code).toBe('PIPELINE_TASK_OUT_OF_MEMORY');
        expect(connector.error?.message).toContain(`Connector "${connector.name}" ran out of memory`);
        expect(connector.error?.message).toContain('FERRY_PIPELINE_THREADS=0');
      }
    } finally {
      await runner.stop();
    }
  }, 60_000);
});
