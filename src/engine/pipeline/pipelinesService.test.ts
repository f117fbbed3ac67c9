import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PipelinesService } from './pipelinesService';

const PASSWORD = 'correct-horse-battery';

function pipelineText(name: string, insertMode = 'UPSERT'): string {
  return JSON.stringify(
    {
      name,
      kafka: { 'bootstrap.servers': '127.0.0.1:19092' },
      'schema.registry.url': 'http://127.0.0.1:18081',
      connectors: [
        {
          name: `${name}-sink`,
          'connector.class': 'PostgresSink',
          topics: 'orders',
          'connection.host': '127.0.0.1',
          'connection.port': '15432',
          'connection.user': 'ferry',
          'connection.password': PASSWORD,
          'db.name': 'ferry',
          'insert.mode': insertMode,
          'pk.mode': 'record_value',
          'pk.fields': 'id',
        },
      ],
    },
    null,
    2,
  );
}

describe('PipelinesService (without Kafka)', () => {
  let dataDir: string;
  let service: PipelinesService;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'ferry-pipelines-'));
    service = new PipelinesService({ dataDir });
  });
  afterEach(() => {
    service.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('reports each problem with its rule and position, for the editor to underline', async () => {
    const result = await service.validate({ text: pipelineText('p', 'UPSERTX') });
    expect(result.valid).toBe(false);
    const problem = result.problems.find((entry) => entry.path.includes('insert.mode'));
    expect(problem).toMatchObject({ severity: 'error', rule: expect.any(String), line: expect.any(Number), column: expect.any(Number) });
    expect(problem?.hint).toMatch(/upsert/);
  });

  it('saves a file without its passwords on disk, keeps them in memory for this process, and lists it', async () => {
    const info = await service.saveFile({ text: pipelineText('orders-pipeline') });
    expect(info).toMatchObject({ name: 'orders-pipeline', secretsInMemory: true });
    const onDisk = readdirSync(join(dataDir, 'workspace', 'pipelines')).map((entry) => readFileSync(join(dataDir, 'workspace', 'pipelines', entry), 'utf8'));
    expect(onDisk.join('')).not.toContain(PASSWORD);
    expect(onDisk.join('')).toContain('****');
    expect((await service.readFile('orders-pipeline')).text).toContain(PASSWORD);
    expect((await service.listFiles()).map((file) => file.name)).toEqual(['orders-pipeline']);

    // Another process (a restart) finds the file, but not the passwords: the text says "****" where they were.
    const restarted = new PipelinesService({ dataDir });
    const reopened = await restarted.readFile('orders-pipeline');
    expect(reopened.secretsInMemory).toBe(false);
    expect(reopened.text).not.toContain(PASSWORD);
    restarted.dispose();

    await service.deleteFile('orders-pipeline');
    expect(await service.listFiles()).toEqual([]);
    await expect(service.deleteFile('orders-pipeline')).rejects.toMatchObject({ code: 'PIPELINE_FILE_UNKNOWN' });
  });

  it('refuses to save text that is not JSON, saying why', async () => {
    await expect(service.saveFile({ text: '{ "name": "x", ' })).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringMatching(/syntax/) });
  });

  it('serves the JSON Schema of pipeline files and says there is no history for a pipeline that does not run', async () => {
    const schema = (await service.schema()) as { title?: string; properties?: Record<string, unknown> };
    expect(schema.title).toBe('Ferry pipeline');
    expect(Object.keys(schema.properties ?? {})).toContain('connectors');
    await expect(service.history('nope')).rejects.toMatchObject({ code: 'PIPELINE_UNKNOWN' });
    await expect(service.restartConnector('nope', 'x')).rejects.toMatchObject({ code: 'PIPELINE_UNKNOWN' });
  });

  it('previews nothing for an invalid file', async () => {
    expect(await service.preview({ text: pipelineText('p', 'UPSERTX') })).toEqual({ valid: false, connectors: [] });
  });
});
