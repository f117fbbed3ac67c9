import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine/index';
import { startWorkspaceWebHost, type WorkspaceWebHost } from '../../src/engine/host/webHostState';
import { launchChromium, pasteIntoEditor, screenshotPath, secretMask } from '../helpers/browser';
import { uniqueName } from '../helpers/names';
import { openDb, type TestDb } from '../helpers/pipelineDb';

/**
 * The proof-of-concept developer's smaller stumbles: a tab left open reconnects when the web host restarts (same port
 * and token); the query pane quotes a hyphenated table it pre-fills and highlights SQL; Preview warns about a target
 * name that needs quoting; New asks before replacing unsaved text and builds on the running lab.
 */
describe('proof-of-concept flows in Chromium through the web host', () => {
  let browser: Browser;
  let page: Page;
  let engine: Engine;
  let host: WorkspaceWebHost;
  let source: TestDb;
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-e2e-poc-'));
  const table = `poc-${uniqueName('cust')}`.replace(/_/g, '-');
  const rendererDir = process.env.FERRY_E2E_RENDERER_DIR ?? join(process.cwd(), 'out', 'renderer');

  const start = async (): Promise<void> => {
    engine = createEngine({ host: 'web', dataDir });
    host = await startWorkspaceWebHost({ engine, rendererDir, dataDir });
  };
  const stop = async (): Promise<void> => {
    await host.close();
    engine.dispose();
  };

  beforeAll(async () => {
    mkdirSync(dataDir, { recursive: true });
    await start();
    const lab = await engine.lab.status();
    source = await openDb('postgres', lab.endpoints.postgres);
    await source.exec(`CREATE TABLE ${source.q(table)} (id INT PRIMARY KEY, name VARCHAR(20), updated_at TIMESTAMP(3) NOT NULL DEFAULT now())`);
    await source.exec(`INSERT INTO ${source.q(table)} (id, name) VALUES (1, 'Ada'), (2, 'Grace')`);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  });

  afterAll(async () => {
    await source?.exec(`DROP TABLE IF EXISTS ${source.q(table)}`).catch(() => {});
    await source?.close();
    await browser?.close();
    await stop().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('reconnects an open tab by itself when the web host restarts on the workspace port and token', async () => {
    await page.goto(`${host.url}#lab`);
    await page.getByRole('heading', { name: /lab/i }).first().waitFor();
    const url = host.url;
    await stop();
    await page.getByRole('alert').filter({ hasText: 'Engine unreachable' }).waitFor({ timeout: 20_000 });
    await page.screenshot({ mask: secretMask(page), path: screenshotPath('web-host-disconnected'), fullPage: true });
    await start();
    expect(host.url).toBe(url);
    // The page reloads once the host answers; the alert is gone and the engine answers again.
    await expect.poll(async () => page.getByRole('alert').filter({ hasText: 'Engine unreachable' }).count(), { timeout: 30_000 }).toBe(0);
    await page.getByText(/v\d+\.\d+\.\d+ · browser/).waitFor({ timeout: 20_000 });
  });

  it('pre-fills a quoted SELECT for a hyphenated table, runs it, and highlights the SQL', async () => {
    await page.goto(`${host.url}#query/${encodeURIComponent('lab/postgres')}/${encodeURIComponent(`public.${table}`)}`);
    const editor = page.getByTestId('editor-source-sql');
    await editor.locator('.view-lines').getByText(`"${table}"`).waitFor({ timeout: 30_000 });
    // Monaco renders spaces as non-breaking ones.
    await expect(editor.locator('.view-lines').textContent().then((text) => text?.replace(/\u00a0/g, ' '))).resolves.toContain(`SELECT * FROM "public"."${table}"`);
    // Highlighting: the keyword and the quoted identifier become different tokens (Monaco's mtk classes) once the
    // pgsql tokenizer (a lazy chunk) has loaded.
    const tokenClasses = async (): Promise<{ keyword?: string; identifier?: string }> => {
      const spans = await editor.locator('.view-lines span[class^="mtk"]').evaluateAll((nodes) => nodes.map((node) => ({ cls: node.className, text: (node.textContent ?? '').replace(/\u00a0/g, ' ').trim() })));
      return { keyword: spans.find((span) => span.text === 'SELECT')?.cls, identifier: spans.find((span) => span.text.includes(table))?.cls };
    };
    await expect.poll(async () => { const found = await tokenClasses(); return found.keyword !== undefined && found.identifier !== undefined && found.keyword !== found.identifier; }, { timeout: 15_000 }).toBe(true);
    await editor.click();
    await page.keyboard.press('ControlOrMeta+Enter');
    await page.getByRole('grid', { name: 'Source result rows' }).getByRole('gridcell', { name: 'Grace' }).waitFor({ timeout: 30_000 });
    await page.screenshot({ mask: secretMask(page), path: screenshotPath('query-quoted-prefill'), fullPage: true });
  });

  it('New asks before replacing unsaved text and builds on the running lab; Preview warns about a target name that needs quotes', async () => {
    await page.goto(`${host.url}#editor`);
    await page.getByRole('heading', { name: 'Config editor' }).waitFor();
    await page.locator('.monaco-editor').waitFor();
    await page.locator('.monaco-editor .view-lines').click();
    await page.keyboard.press('ControlOrMeta+End');
    await page.keyboard.type(' ');
    await page.getByRole('button', { name: 'New' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Replace the unsaved text?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'New' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Replace' }).click();
    await page.getByText(/New pipeline on the running lab/).waitFor();
    // The notice and the new text come together, but Monaco draws its lines on the next frame.
    await expect.poll(() => page.locator('.monaco-editor .view-lines').textContent(), { timeout: 5_000 }).toMatch(/lab:mariadb/);

    // A source table whose topic (and so target table) carries a hyphen.
    const lab = await engine.lab.status();
    const text = JSON.stringify(
      {
        name: uniqueName('poc'),
        kafka: { 'ferry.profile': 'lab:kafka-a' },
        'schema.registry.url': 'http://127.0.0.1:18081',
        connectors: [
          { name: 'src', 'connector.class': 'PostgresSource', 'ferry.profile': 'lab:postgres', mode: 'incrementing', 'incrementing.column.name': 'id', 'table.whitelist': table, 'topic.prefix': 'poc-', 'output.data.format': 'AVRO' },
          { name: 'dst', 'connector.class': 'MySqlSink', 'ferry.profile': 'lab:mariadb', topics: `poc-${table}`, 'input.data.format': 'AVRO', 'auto.create': 'true' },
        ],
      },
      null,
      2,
    );
    expect(lab.endpoints.mariadb.port).toBeGreaterThan(0);
    await pasteIntoEditor(page, text);
    await expect.poll(async () => (await page.getByTestId('problem-count').textContent())?.trim(), { timeout: 20_000 }).toMatch(/^(0|\d+ warnings?)$/);
    await page.getByRole('tab', { name: 'Preview' }).click();
    await page.getByTestId('preview').getByText(/needs quoting in SQL/).first().waitFor({ timeout: 30_000 });
    await page.screenshot({ mask: secretMask(page), path: screenshotPath('editor-preview-quoting'), fullPage: true });
  });

  it('a profile whose password was not kept tests as "password not stored", marked beside its colour, results in view', async () => {
    const lab = await engine.lab.status();
    const maria = lab.endpoints.mariadb;
    const profileName = uniqueName('no-secret');
    await engine.connections.save({ profile: { kind: 'database', name: profileName, environment: 'prod', product: 'mysql', host: maria.host, port: maria.port, database: maria.database, user: maria.user, tls: 'disable' } });
    await page.setViewportSize({ width: 1280, height: 640 });
    await page.goto(`${host.url}#connections`);
    const item = page.getByRole('navigation', { name: 'Saved profiles' }).getByRole('button', { name: new RegExp(profileName) });
    await item.waitFor();
    await expect(item.textContent()).resolves.toContain('password not stored');
    await item.click();
    await page.getByRole('button', { name: 'Test connection' }).click();
    const auth = page.getByTestId('test-step-auth');
    await auth.getByText(/Password not stored/).waitFor({ timeout: 30_000 });
    await expect(auth.textContent()).resolves.toContain('CONNECTION_SECRET_MISSING');
    await expect(auth.textContent()).resolves.not.toContain('wrong user or password');
    await item.getByLabel('last test failed').waitFor();
    // Scrolled into view: the summary's box lies inside the window.
    await expect
      .poll(async () => page.getByTestId('test-results').evaluate((element) => {
        const box = element.getBoundingClientRect();
        return box.top >= 0 && box.top < (globalThis as unknown as { innerHeight: number }).innerHeight;
      }), { timeout: 5_000 })
      .toBe(true);
    await page.screenshot({ mask: secretMask(page), path: screenshotPath('connections-password-not-stored') });
  });
});
