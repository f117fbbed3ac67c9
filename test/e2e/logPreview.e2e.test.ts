import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, pasteIntoEditor, screenshotPath, secretMask } from '../helpers/browser';
import { uniqueName } from '../helpers/names';
import { openDb, type TestDb } from '../helpers/pipelineDb';
import { startTestWebHost } from '../helpers/webHost';

/**
 * Preview of a log-based source in the config editor (issue 12): a Debezium PostgresConnector config whose slot
 * exists (retained WAL shown) and whose publication is missing with autocreate disabled (named with the statement),
 * and the table the snapshot would read with its estimated rows.
 */
describe('log source preview in the config editor (Chromium, web host, lab PostgreSQL)', () => {
  let browser: Browser;
  let page: Page;
  let web: Awaited<ReturnType<typeof startTestWebHost>>;
  let db: TestDb;
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-e2e-log-preview-'));
  const table = uniqueName('e2e_orders');
  const slot = uniqueName('e2e_slot');

  beforeAll(async () => {
    web = await startTestWebHost({ dataDir });
    const lab = await web.engine.lab.status();
    db = await openDb('postgres', lab.endpoints.postgres);
    await db.exec(`CREATE TABLE ${table} (id INT PRIMARY KEY, customer TEXT NOT NULL, placed_at TIMESTAMPTZ)`);
    await db.exec(`INSERT INTO ${table} SELECT g, 'c' || g, now() FROM generate_series(1, 1200) g`);
    await db.exec(`ANALYZE ${table}`);
    await db.exec("SELECT pg_create_logical_replication_slot($1, 'pgoutput')", [slot]);
    await db.exec(`UPDATE ${table} SET customer = customer || '!' WHERE id <= 100`);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 1100 } });
  });

  afterAll(async () => {
    await db?.exec('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1', [slot]).catch(() => {});
    await db?.exec(`DROP TABLE IF EXISTS ${table}`).catch(() => {});
    await db?.close();
    await browser?.close();
    await web?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows the slot with its retained WAL, the missing publication with its statement, and the snapshot with estimated rows', async () => {
    const lab = await web.engine.lab.status();
    const pg = lab.endpoints.postgres;
    const text = JSON.stringify(
      {
        name: uniqueName('e2e-log-preview'),
        kafka: { 'bootstrap.servers': lab.endpoints.kafka.a.bootstrap },
        'schema.registry.url': 'http://127.0.0.1:18081',
        connectors: [
          {
            name: 'orders-cdc',
            'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
            'database.hostname': pg.host,
            'database.port': String(pg.port),
            'database.user': pg.user,
            'database.password': pg.password,
            'database.dbname': pg.database,
            'topic.prefix': 'shop',
            'table.include.list': `public\\.${table}`,
            'slot.name': slot,
            'publication.name': `${slot}_pub`,
            'publication.autocreate.mode': 'disabled',
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
    await page.getByRole('tab', { name: 'Preview' }).click();
    const state = page.getByTestId('preview').locator('.log-state');
    await state.waitFor({ timeout: 30_000 });
    const textOf = await state.innerText();
    expect(textOf).toContain('1 to fix');
    expect(textOf).toContain(`Slot ${slot}`);
    expect(textOf).toMatch(/inactive · pgoutput/);
    expect(textOf).toMatch(/Retained WAL\s+\d+(\.\d)? (B|kB|MB)/);
    expect(textOf).toContain(`CREATE PUBLICATION "${slot}_pub"`);
    expect(textOf).toContain('snapshot.mode=initial');
    expect(textOf).toMatch(new RegExp(`public\\.${table}\\s+1,200`));
    await state.scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('editor-preview-log-source'), mask: secretMask(page) });
  });
});
