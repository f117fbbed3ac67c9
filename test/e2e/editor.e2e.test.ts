import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, pasteIntoEditor, screenshotPath, secretMask } from '../helpers/browser';
import { uniqueName } from '../helpers/names';
import { openDb, type TestDb } from '../helpers/pipelineDb';
import { KafkaScratch, sinkGroup } from '../helpers/pipelineHarness';
import { startTestWebHost } from '../helpers/webHost';

/**
 * The config editor: a pipeline with a wrong value shows the engine's error inline and in Problems with its fix;
 * fixing the value clears it; the preview reads the source table (with a precision warning); save keeps the file
 * in the workspace without its passwords.
 */
describe('config editor in Chromium through the web host', () => {
  let browser: Browser;
  let page: Page;
  let web: Awaited<ReturnType<typeof startTestWebHost>>;
  let source: TestDb;
  let kafka: KafkaScratch;
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-e2e-editor-'));
  const table = uniqueName('e2e_orders');
  const name = uniqueName('e2e-editor');

  beforeAll(async () => {
    web = await startTestWebHost({ dataDir });
    const lab = await web.engine.lab.status();
    source = await openDb('postgres', lab.endpoints.postgres);
    kafka = new KafkaScratch(lab.endpoints.kafka.a.bootstrap);
    kafka.track({ topics: [`e2e-${table}`], groups: [sinkGroup(`${name}-sink`)] });
    await source.exec(`CREATE TABLE ${table} (id BIGSERIAL PRIMARY KEY, note VARCHAR(40), amount NUMERIC(10,2), updated_at TIMESTAMP(6) NOT NULL DEFAULT now())`);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  });

  afterAll(async () => {
    await web?.engine.pipelines.stop(name).catch(() => {});
    await kafka?.cleanup().catch(() => {});
    const lab = await web?.engine.lab.status().catch(() => undefined);
    if (lab) {
      const target = await openDb('mariadb', lab.endpoints.mariadb);
      await target.exec(`DROP TABLE IF EXISTS ${target.q(`e2e-${table}`)}`).catch(() => {});
      await target.close();
    }
    await source?.exec(`DROP TABLE IF EXISTS ${table}`).catch(() => {});
    await source?.close();
    await browser?.close();
    await web?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Replaces the editor's text the way a user pasting it does (typing would trigger auto-closing brackets). */
  async function pipelineText(insertMode: string): Promise<string> {
    const lab = await web.engine.lab.status();
    const pgEndpoint = lab.endpoints.postgres;
    const maria = lab.endpoints.mariadb;
    return JSON.stringify(
      {
        name,
        kafka: { 'bootstrap.servers': lab.endpoints.kafka.a.bootstrap },
        'schema.registry.url': 'http://127.0.0.1:18081',
        connectors: [
          {
            name: `${name}-source`,
            'connector.class': 'PostgresSource',
            'connection.host': pgEndpoint.host,
            'connection.port': String(pgEndpoint.port),
            'connection.user': pgEndpoint.user,
            'connection.password': pgEndpoint.password,
            'db.name': pgEndpoint.database,
            mode: 'timestamp+incrementing',
            'timestamp.column.name': 'updated_at',
            'incrementing.column.name': 'id',
            'table.whitelist': table,
            'topic.prefix': 'e2e-',
            'output.data.format': 'AVRO',
          },
          {
            name: `${name}-sink`,
            'connector.class': 'MySqlSink',
            topics: `e2e-${table}`,
            'connection.host': maria.host,
            'connection.port': String(maria.port),
            'connection.user': maria.user,
            'connection.password': maria.password,
            'db.name': maria.database,
            'input.data.format': 'AVRO',
            'insert.mode': insertMode,
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

  it('shows a validation error inline and in Problems with its fix, and clears it once the value is fixed', async () => {
    await page.goto(`${web.host.url}#editor`);
    await page.getByRole('heading', { name: 'Config editor' }).waitFor();
    // Monaco's input is a zero-size element labelled for screen readers; it exists once the editor is up.
    await page.getByRole('textbox', { name: /Pipeline configuration \(JSON\)/ }).waitFor({ state: 'attached', timeout: 60_000 });
    // The template's "<lab password: …>" placeholders are errors on their keys, not "No problems" then a failed login.
    const placeholders = page.getByRole('list', { name: 'Problems' }).getByRole('button', { name: /error: .*connection\.password.*placeholder/ });
    await placeholders.first().waitFor({ timeout: 30_000 });
    await expect(placeholders.count()).resolves.toBe(2);

    // Replace the template with a file whose sink has a wrong insert.mode.
    await pasteIntoEditor(page, await pipelineText('UPSERTX'));
    const problems = page.getByRole('list', { name: 'Problems' });
    await problems.waitFor({ timeout: 20_000 });
    const item = problems.getByRole('button', { name: /error: .*insert\.mode/ });
    await item.waitFor();
    await expect(item.textContent()).resolves.toMatch(/Fix: /);
    await expect(page.getByTestId('problem-count').textContent()).resolves.toBe('1 error');
    // The engine's marker is in the editor (Monaco draws squiggles for it).
    await page.locator('.monaco-editor .squiggly-error').first().waitFor();
    await item.click(); // puts the cursor on the key
    await page.screenshot({ mask: secretMask(page), path: screenshotPath('editor-validation-error'), fullPage: true });

    // Fix it where it is: double-click the wrong word, type the right one.
    await page.locator('.monaco-editor .view-line').filter({ hasText: 'UPSERTX' }).getByText('UPSERTX').dblclick();
    await page.keyboard.type('UPSERT');
    await page.getByTestId('no-problems').filter({ hasText: 'No problems' }).waitFor({ timeout: 20_000 });
    // Monaco redraws its squiggles on the next frame, which may come after the list says "No problems".
    await expect.poll(() => page.locator('.monaco-editor .squiggly-error').count(), { timeout: 5_000 }).toBe(0);
  });

  it('completes keys from the JSON Schema', async () => {
    // A new key inside the sink connector: the suggestions include the sink's keys with their docs.
    await page.locator('.monaco-editor .view-line').filter({ hasText: '"auto.create"' }).click();
    await page.keyboard.press('End');
    await page.keyboard.type(',');
    await page.keyboard.press('Enter');
    await page.keyboard.type('"auto.ev');
    await page.keyboard.press('Control+Space');
    await page.locator('.monaco-editor .suggest-widget').getByText('auto.evolve').first().waitFor({ timeout: 20_000 });
    await page.keyboard.press('Escape');
    await page.keyboard.press('ControlOrMeta+Z');
    await page.keyboard.press('ControlOrMeta+Z');
    await page.keyboard.press('ControlOrMeta+Z');
  });

  it('previews the tables, topics, Avro schema and the precision lost on the way', async () => {
    await pasteIntoEditor(page, await pipelineText('UPSERT'));
    await page.getByTestId('no-problems').filter({ hasText: 'No problems' }).waitFor({ timeout: 20_000 });
    await page.getByRole('tab', { name: 'Preview' }).click();
    const preview = page.getByTestId('preview');
    await preview.getByText(`e2e-${table}`, { exact: true }).first().waitFor({ timeout: 30_000 });
    // timestamp(6) keeps microseconds; Connect's Timestamp keeps milliseconds.
    await preview.getByText(/keeps 6 fraction digits/).first().waitFor();
    await page.screenshot({ mask: secretMask(page), path: screenshotPath('editor-preview'), fullPage: true });
  });

  it('saves the file to the workspace without its passwords', async () => {
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText(/Saved ".*" to the workspace/).waitFor({ timeout: 20_000 });
    const files = await web.engine.pipelines.listFiles();
    expect(files.map((file) => file.name)).toContain(name);
    const lab = await web.engine.lab.status();
    const { readFileSync, readdirSync } = await import('node:fs');
    const dir = join(dataDir, 'workspace', 'pipelines');
    const onDisk = readdirSync(dir).map((entry) => readFileSync(join(dir, entry), 'utf8')).join('\n');
    expect(onDisk).not.toContain(lab.endpoints.postgres.password);
    expect(onDisk).not.toContain(lab.endpoints.mariadb.password);
  });

  it('runs the pipeline with Ctrl+Enter and stops it with Ctrl+Shift+Enter', async () => {
    await source.exec(`INSERT INTO ${table} (note, amount) VALUES ('first', 12.50)`);
    await page.locator('.monaco-editor .view-lines').click();
    await page.keyboard.press('ControlOrMeta+Enter');
    await page.getByTestId('editor-pipeline-state').filter({ hasText: /RUNNING|STARTING|DEGRADED/ }).waitFor({ timeout: 60_000 });
    await expect.poll(async () => (await web.engine.pipelines.list()).map((status) => status.name), { timeout: 30_000 }).toContain(name);
    await page.keyboard.press('ControlOrMeta+Shift+Enter');
    await page.getByRole('button', { name: /^Run/ }).waitFor({ timeout: 60_000 });
    expect((await web.engine.pipelines.list()).map((status) => status.name)).not.toContain(name);
  });
});
