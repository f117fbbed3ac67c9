import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, pasteIntoEditor, screenshotPath } from '../helpers/browser';
import { uniqueName } from '../helpers/names';
import { openDb, type TestDb } from '../helpers/pipelineDb';
import { startTestWebHost } from '../helpers/webHost';

/**
 * Preview runs a sample row through a source's transforms: a MariaDB source on the lab with ReplaceField (a column
 * dropped, one renamed), MaskField and TimestampConverter (a DATETIME kept as text parsed into a Timestamp) shows the
 * first row before the chain and after each step.
 */
describe('transform preview in the config editor (Chromium, web host, lab MariaDB)', () => {
  let browser: Browser;
  let page: Page;
  let web: Awaited<ReturnType<typeof startTestWebHost>>;
  let source: TestDb;
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-e2e-transform-preview-'));
  const table = uniqueName('e2e_customers');

  beforeAll(async () => {
    web = await startTestWebHost({ dataDir });
    const lab = await web.engine.lab.status();
    source = await openDb('mariadb', lab.endpoints.mariadb);
    await source.exec(`CREATE TABLE ${table} (id BIGINT PRIMARY KEY, email VARCHAR(80), card VARCHAR(19), signed_up VARCHAR(19), internal_note VARCHAR(40))`);
    await source.exec(`INSERT INTO ${table} VALUES (1, 'ada@example.com', '4111111111111111', '2026-12-01 10:00:00', 'vip')`);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  });

  afterAll(async () => {
    await source?.exec(`DROP TABLE IF EXISTS ${table}`).catch(() => {});
    await source?.close();
    await browser?.close();
    await web?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Replaces the editor's text the way a user pasting it does (typing would trigger auto-closing brackets). */
  it('shows the first row before the chain and after ReplaceField, MaskField and TimestampConverter', async () => {
    const lab = await web.engine.lab.status();
    const maria = lab.endpoints.mariadb;
    const text = JSON.stringify(
      {
        name: uniqueName('e2e-transform-preview'),
        kafka: { 'bootstrap.servers': lab.endpoints.kafka.a.bootstrap },
        'schema.registry.url': 'http://127.0.0.1:18081',
        connectors: [
          {
            name: 'customers-source',
            'connector.class': 'MySqlSource',
            'connection.host': maria.host,
            'connection.port': String(maria.port),
            'connection.user': maria.user,
            'connection.password': maria.password,
            'db.name': maria.database,
            mode: 'incrementing',
            'incrementing.column.name': 'id',
            'table.whitelist': table,
            'topic.prefix': 'e2e-',
            'output.data.format': 'AVRO',
            transforms: 'tidy,mask,when',
            'transforms.tidy.type': 'org.apache.kafka.connect.transforms.ReplaceField$Value',
            'transforms.tidy.exclude': 'internal_note',
            'transforms.tidy.renames': 'email:contact',
            'transforms.mask.type': 'org.apache.kafka.connect.transforms.MaskField$Value',
            'transforms.mask.fields': 'card',
            'transforms.when.type': 'org.apache.kafka.connect.transforms.TimestampConverter$Value',
            'transforms.when.field': 'signed_up',
            'transforms.when.target.type': 'Timestamp',
            'transforms.when.format': 'yyyy-MM-dd HH:mm:ss',
          },
        ],
      },
      null,
      2,
    );
    await page.goto(`${web.host.url}#editor`);
    await page.getByRole('heading', { name: 'Config editor' }).waitFor();
    await page.getByRole('textbox', { name: /Pipeline configuration \(JSON\)/ }).waitFor({ state: 'attached', timeout: 60_000 });
    await pasteIntoEditor(page, text);
    await page.getByTestId('no-problems').filter({ hasText: 'No problems' }).waitFor({ timeout: 20_000 });
    await page.getByRole('tab', { name: 'Preview' }).click();
    const preview = page.getByTestId('preview');
    const sample = preview.locator('.transform-sample');
    await sample.waitFor({ timeout: 30_000 });
    await expect(sample.locator('summary').innerText()).resolves.toContain(`First row the source reads from ${lab.endpoints.mariadb.database}.${table}`);

    const cells = async (step: string): Promise<string[][]> =>
      sample
        .locator(`[data-step="${step}"] tbody tr`)
        .evaluateAll((rows) => rows.map((row) => Array.from((row as unknown as { querySelectorAll(s: string): ArrayLike<{ textContent: string | null }> }).querySelectorAll('td'), (cell) => cell.textContent ?? '')));
    const before = await cells('before');
    expect(before).toContainEqual(['value', 'email', 'string', 'ada@example.com']);
    expect(before).toContainEqual(['value', 'card', 'string', '4111111111111111']);
    expect(before).toContainEqual(['value', 'signed_up', 'string', '2026-12-01 10:00:00']);
    expect(before).toContainEqual(['value', 'internal_note', 'string', 'vip']);

    const tidy = await cells('tidy');
    expect(tidy.map((row) => row[1])).toEqual(['id', 'contact', 'card', 'signed_up']);
    const tidyText = await sample.locator('[data-step="tidy"]').innerText();
    expect(tidyText).toContain('renamed: email → contact');
    expect(tidyText).toContain('removed: internal_note');
    expect(await cells('mask')).toContainEqual(['value', 'card', 'string', '""']);
    const when = await cells('when');
    expect(when).toContainEqual(['value', 'signed_up', 'timestamp', '2026-12-01T10:00:00.000Z']);
    expect(when).toContainEqual(['value', 'card', 'string', '""']);
    // Each step marks what it changed: the timestamp is the only change of the last step.
    await expect(sample.locator('[data-step="when"] tr.sample-changed').allInnerTexts()).resolves.toEqual([expect.stringContaining('signed_up')]);
    // No key: Connect's JDBC source sends none, and this chain adds none.
    await expect(sample.locator('[data-step="when"]').innerText()).resolves.toContain('no key');
    await expect(sample.locator('[data-step="when"]').innerText()).resolves.toContain(`e2e-${table}`);

    // The last step in view; the lab password's line in the editor is masked in the picture.
    await sample.locator('[data-step="when"]').scrollIntoViewIfNeeded();
    const password = page.locator('.monaco-editor .view-line').filter({ hasText: 'connection.password' });
    await page.screenshot({ path: screenshotPath('editor-preview-transform-sample'), mask: [password] });
  });
});
