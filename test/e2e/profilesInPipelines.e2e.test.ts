import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, pasteIntoEditor, screenshotPath, secretMask } from '../helpers/browser';
import { uniqueName } from '../helpers/names';
import { spawnFerry } from '../helpers/pipelineCli';
import { openDb, type TestDb } from '../helpers/pipelineDb';
import { KafkaScratch, sinkGroup } from '../helpers/pipelineHarness';
import { startTestWebHost } from '../helpers/webHost';

/**
 * Pipelines keep their credentials: a pipeline written without any host or password, whose connectors take their
 * connections from a saved database profile and the running lab ("Fill from the lab", "Use profile"), is saved; the
 * file on disk holds no password and `ferry validate` accepts it as it is; after the web host restarts the file opens
 * and runs without retyping anything, and its rows arrive in the target.
 */
describe('pipelines that name connection profiles, in Chromium through the web host', () => {
  let browser: Browser;
  let page: Page;
  let web: Awaited<ReturnType<typeof startTestWebHost>> | undefined;
  let source: TestDb;
  let target: TestDb;
  let kafka: KafkaScratch;
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-e2e-profiles-'));
  const table = uniqueName('e2e_prof');
  const name = uniqueName('e2e-profiles');
  const profileName = uniqueName('e2e-pg');
  const topic = `prof-${table}`;

  beforeAll(async () => {
    web = await startTestWebHost({ dataDir });
    const lab = await web.engine.lab.status();
    source = await openDb('postgres', lab.endpoints.postgres);
    target = await openDb('mariadb', lab.endpoints.mariadb);
    kafka = new KafkaScratch(lab.endpoints.kafka.a.bootstrap);
    kafka.track({ topics: [topic], groups: [sinkGroup(`${name}-sink`)] });
    await source.exec(`CREATE TABLE ${table} (id BIGSERIAL PRIMARY KEY, note VARCHAR(40), updated_at TIMESTAMP(3) NOT NULL DEFAULT now())`);
    await source.exec(`INSERT INTO ${table} (note) VALUES ('before-save')`);
    // The profile's password must outlive the web host: the user's opt-in 0600 file (memory is the default).
    await web.engine.connections.setSecretStorage('file');
    const pg = lab.endpoints.postgres;
    await web.engine.connections.save({
      profile: { kind: 'database', name: profileName, environment: 'dev', product: 'postgres', host: pg.host, port: pg.port, database: pg.database, user: pg.user, tls: 'disable' },
      secret: pg.password,
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  });

  afterAll(async () => {
    await web?.engine.pipelines.stop(name).catch(() => {});
    await kafka?.cleanup().catch(() => {});
    await target?.exec(`DROP TABLE IF EXISTS ${target.q(topic)}`).catch(() => {});
    await target?.close();
    await source?.exec(`DROP TABLE IF EXISTS ${table}`).catch(() => {});
    await source?.close();
    await browser?.close();
    await web?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** A pipeline with no connection at all: the profiles supply them. */
  function pipelineWithoutConnections(): string {
    return JSON.stringify(
      {
        name,
        kafka: { 'bootstrap.servers': '127.0.0.1:1' },
        connectors: [
          {
            name: `${name}-source`,
            'connector.class': 'PostgresSource',
            mode: 'timestamp+incrementing',
            'timestamp.column.name': 'updated_at',
            'incrementing.column.name': 'id',
            'table.whitelist': table,
            'topic.prefix': 'prof-',
            'output.data.format': 'AVRO',
          },
          {
            name: `${name}-sink`,
            'connector.class': 'MySqlSink',
            topics: topic,
            'input.data.format': 'AVRO',
            'insert.mode': 'UPSERT',
            'pk.mode': 'record_value',
            'pk.fields': 'id',
            'auto.create': 'true',
          },
        ],
      },
      null,
      2,
    );
  }

  it('fills the connections from the lab and a saved profile, and saves a file that holds no password and validates as it is', async () => {
    await page.goto(`${web?.host.url}#editor`);
    await page.getByRole('heading', { name: 'Config editor' }).waitFor();
    await page.locator('.monaco-editor').waitFor();
    await pasteIntoEditor(page, pipelineWithoutConnections());
    await page.getByRole('tab', { name: 'Connections' }).click();
    const panel = page.getByTestId('profiles-panel');
    await panel.getByRole('button', { name: 'Fill from the lab' }).click();
    await page.getByText(/Filled from the lab/).waitFor();
    // The source takes the saved profile instead of the lab's service.
    const sourceSelect = panel.getByLabel(`Use profile for ${name}-source`);
    await expect.poll(async () => sourceSelect.inputValue()).toBe('lab:postgres');
    await sourceSelect.selectOption(profileName);
    await expect.poll(async () => panel.getByLabel(`Use profile for ${name}-sink`).inputValue()).toBe('lab:mariadb');
    await expect.poll(async () => panel.getByLabel('Use profile for Kafka cluster').inputValue()).toBe('lab:kafka-a');
    await expect.poll(async () => (await page.getByTestId('problem-count').textContent())?.trim(), { timeout: 20_000 }).toBe('0');
    await page.screenshot({ mask: secretMask(page), path: screenshotPath('editor-profiles'), fullPage: true });

    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText(/Saved ".*" to the workspace/).waitFor({ timeout: 20_000 });
    const [file] = (await web?.engine.pipelines.listFiles()) ?? [];
    expect(file?.name).toBe(name);
    const path = file?.path ?? '';
    const onDisk = readFileSync(path, 'utf8');
    const lab = await web?.engine.lab.status();
    expect(onDisk).not.toContain(lab?.endpoints.postgres.password);
    expect(onDisk).not.toContain(lab?.endpoints.mariadb.password);
    expect(JSON.parse(onDisk)).toMatchObject({ name, kafka: { 'ferry.profile': 'lab:kafka-a' }, connectors: [{ 'ferry.profile': profileName }, { 'ferry.profile': 'lab:mariadb' }] });

    // `ferry validate` takes the saved file as it is (the workspace used to wrap it, which validate rejected).
    const validate = spawnFerry(['validate', path], { FERRY_DATA_DIR: dataDir });
    const exit = await validate.exited;
    expect(`${validate.stdout()}${validate.stderr()}`).toMatch(/is valid/);
    expect(exit.code).toBe(0);
  });

  it('after the web host restarts, opens the saved file and runs it without retyping a password', async () => {
    await web?.close();
    web = await startTestWebHost({ dataDir });
    await page.goto(`${web.host.url}#editor/${encodeURIComponent(name)}`);
    await page.getByRole('heading', { name: 'Config editor' }).waitFor();
    await expect.poll(async () => (await page.getByTestId('problem-count').textContent())?.trim(), { timeout: 30_000 }).toBe('0');
    await page.getByRole('button', { name: /^Run/ }).click();
    await page.getByTestId('editor-pipeline-state').filter({ hasText: /RUNNING|STARTING|DEGRADED/ }).waitFor({ timeout: 60_000 });
    await source.exec(`INSERT INTO ${table} (note) VALUES ('after-restart')`);
    await expect
      .poll(async () => (await target.exec(`SELECT note FROM ${target.q(topic)} ORDER BY id`).catch(() => [])).map((row) => String(row.note)), { timeout: 90_000, interval: 1000 })
      .toEqual(['before-save', 'after-restart']);
    await page.screenshot({ mask: secretMask(page), path: screenshotPath('editor-profiles-after-restart'), fullPage: true });
  });
});
