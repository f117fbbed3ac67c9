import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DemoStatus } from '../../shared/api/demo';
import { createLab, type Lab } from '../lab';
import { PipelinesService } from '../pipeline';
import { DemoService } from './demoService';

describe('DemoService (no Kafka needed)', () => {
  let dir: string;
  let lab: Lab;
  let pipelines: PipelinesService;
  let demo: DemoService;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-demo-service-'));
    // An empty lab (nothing running) on a machine without java or mvn.
    lab = createLab({ dir: join(dir, 'lab'), env: { PATH: '' }, binDirs: [] });
    pipelines = new PipelinesService({ dataDir: join(dir, 'data') });
    demo = new DemoService(lab, pipelines, { dataDir: join(dir, 'data'), env: { PATH: '' }, binDirs: [] });
  });

  afterEach(() => {
    demo.dispose();
    pipelines.dispose();
    lab.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts idle and says why the local Kafka cannot start here', async () => {
    const status = await demo.status();
    expect(status).toMatchObject({ state: 'idle', topics: [], tables: [], localKafka: { available: false, running: false } });
    expect(status.localKafka.message).toMatch(/Java 17\+ \(java\) and Maven \(mvn\)/);
  });

  it('refuses to start on the local Kafka without Java and Maven, and reports it as the failure', async () => {
    const seen: DemoStatus[] = [];
    demo.onDidChangeStatus((status) => seen.push(status));
    await expect(demo.start()).rejects.toMatchObject({ code: 'DEMO_NO_LOCAL_KAFKA', message: expect.stringMatching(/existing cluster|cluster you already have/) });
    const status = await demo.status();
    expect(status.state).toBe('failed');
    expect(status.error?.code).toBe('DEMO_NO_LOCAL_KAFKA');
    // A failed demo can be cleared with stop, back to idle.
    expect((await demo.stop()).state).toBe('idle');
  });

  it('refuses bootstrap servers that are not host:port pairs, naming the input', async () => {
    await expect(demo.start({ bootstrapServers: 'kafka.example.com' })).rejects.toMatchObject({ code: 'DEMO_BAD_BOOTSTRAP', message: expect.stringContaining('"kafka.example.com"') });
    expect((await demo.status()).state).toBe('idle');
  });

  it('says the demo is not running when asked to stop it', async () => {
    await expect(demo.stop()).rejects.toMatchObject({ code: 'DEMO_NOT_RUNNING' });
  });
});
