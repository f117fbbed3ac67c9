import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedSchemaRegistry, startEmbeddedSchemaRegistry } from '../../src/engine/schema';
import { launchChromium, screenshotPath, secretMask } from '../helpers/browser';
import { uniqueName } from '../helpers/names';
import { openDb, type TestDb } from '../helpers/pipelineDb';
import { KafkaScratch, mariadbToPostgresDocument, sinkGroup } from '../helpers/pipelineHarness';
import { until } from '../helpers/until';
import { startTestWebHost } from '../helpers/webHost';

// The DBA's Compare in the query pane (issue 16), against a live MariaDB → Kafka → PostgreSQL pipeline while a writer
// keeps updating the source: ignoring rows changed in the last N seconds makes it equal, a difference planted in the
// target shows as a character diff with the fix SQL, and the report exports as JSON and HTML.

const SEEDED = 30;
/** Rows 1…10 are left alone by the writer: the planted differences live there. */
const WRITER_FROM = 11;

describe('Compare in Chromium through the web host: live pipeline, min-age, character diff, fix SQL, export', () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let web: Awaited<ReturnType<typeof startTestWebHost>>;
  let registry: EmbeddedSchemaRegistry;
  let source: TestDb;
  let writerDb: TestDb;
  let target: TestDb;
  let kafka: KafkaScratch;
  let writer: { stop(): Promise<number> } | undefined;
  /** The lab's passwords: never in an exported report. */
  const secrets: string[] = [];
  const table = uniqueName('cmp_customers');
  const name = uniqueName('cmp');

  /** Updates a random row (and now and then inserts one) every 100 ms, as an application would, until stopped. */
  function startWriter(): { stop(): Promise<number> } {
    let running = true;
    let writes = 0;
    const loop = (async () => {
      while (running) {
        const id = WRITER_FROM + Math.floor(Math.random() * (SEEDED - WRITER_FROM + 1));
        await writerDb.exec(`UPDATE ${writerDb.q(table)} SET note = ? WHERE id = ?`, [`note ${writes}`, id]);
        if (writes % 5 === 0) await writerDb.exec(`INSERT INTO ${writerDb.q(table)} (email, note) VALUES (?, ?)`, [`new${writes}@example.com`, 'inserted']);
        writes += 1;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    return {
      async stop() {
        running = false;
        await loop;
        return writes;
      },
    };
  }

  const compareSection = () => page.getByRole('region', { name: 'Compare' });

  /** The verdict of the comparison the click starts (not the one already on screen). */
  async function runCompare(button: RegExp | string = 'Compare'): Promise<string> {
    const verdict = page.getByTestId('compare-verdict');
    const before = (await verdict.count()) > 0 ? await verdict.getAttribute('data-finished') : null;
    await compareSection().getByRole('button', { name: button, exact: typeof button === 'string' }).click();
    await expect.poll(async () => ((await verdict.count()) > 0 ? await verdict.getAttribute('data-finished') : null), { timeout: 60_000 }).not.toBe(before);
    return (await verdict.textContent()) ?? '';
  }

  beforeAll(async () => {
    web = await startTestWebHost();
    const endpoints = (await web.engine.lab.up()).endpoints;
    secrets.push(endpoints.mariadb.password, endpoints.postgres.password);
    kafka = new KafkaScratch(endpoints.kafka.a.bootstrap);
    kafka.track({ topics: [`${name}_${table}`], groups: [sinkGroup(`${name}-sink`)] });
    registry = await startEmbeddedSchemaRegistry();
    source = await openDb('mariadb', endpoints.mariadb);
    writerDb = await openDb('mariadb', endpoints.mariadb);
    target = await openDb('postgres', endpoints.postgres);
    await source.exec(
      `CREATE TABLE ${source.q(table)} (id INT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(80) NOT NULL, note VARCHAR(200), updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3))`,
    );
    // Seeded rows changed long ago: only the writer's rows are recent.
    for (let id = 1; id <= SEEDED; id++) {
      await source.exec(`INSERT INTO ${source.q(table)} (email, note, updated_at) VALUES (?, ?, '2024-01-01 00:00:00')`, [`customer.number.${id}@example.com`, `seeded ${id}`]);
    }
    const document = mariadbToPostgresDocument(name, table, endpoints, registry.url, { source: { 'poll.interval.ms': '250' }, sink: { 'auto.create': 'true' } });
    await web.engine.pipelines.start({ text: JSON.stringify(document), fileName: `${name}.json` });
    await until(async () => Number((await target.exec(`SELECT count(*) AS n FROM ${target.q(table)}`).catch(() => [{ n: 0 }]))[0]?.n) === SEEDED, `${SEEDED} rows in the target`, 90_000);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1440, height: 1100 }, permissions: ['clipboard-read', 'clipboard-write'], acceptDownloads: true });
    page = await context.newPage();
  });

  afterAll(async () => {
    await writer?.stop().catch(() => 0);
    await web?.engine.pipelines.stop(name).catch(() => {});
    await browser?.close();
    await web?.close();
    await kafka?.cleanup();
    await source?.exec(`DROP TABLE IF EXISTS ${source.q(table)}`);
    await target?.exec(`DROP TABLE IF EXISTS ${target.q(table)}`);
    await source?.close();
    await writerDb?.close();
    await target?.close();
    await registry?.close();
  });

  it('on a live pipeline, ignoring rows changed in the last 20 s shows equal; without it rows in flight differ until a re-check', async () => {
    writer = startWriter();
    await page.goto(`${web.host.url}#query`);
    await page.getByRole('heading', { name: 'Query', exact: true }).waitFor();
    const sourcePicker = page.getByRole('combobox', { name: 'Source database' });
    await sourcePicker.locator(`option[value="pipeline/${name}/${name}-source"]`).waitFor({ state: 'attached', timeout: 30_000 });
    await sourcePicker.selectOption(`pipeline/${name}/${name}-source`);
    await page.getByRole('combobox', { name: 'Target database' }).selectOption(`pipeline/${name}/${name}-sink`);
    await compareSection().getByRole('combobox', { name: 'Source table' }).fill(table);
    await compareSection().locator('summary', { hasText: 'Options' }).click();
    await page.getByRole('textbox', { name: 'Ignore rows changed in the last (seconds)' }).fill('20');
    await page.getByRole('textbox', { name: 'Update column' }).fill('updated_at');

    // Live: the writer keeps changing rows while the pipeline carries them.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const live = await runCompare();
    await page.screenshot({ mask: secretMask(page), path: screenshotPath('compare-live-min-age'), fullPage: true });
    expect(live).toContain('Source and target are equal');
    expect(live).toContain('rows changed in the last 20 s left out');

    // Rows in flight for certain: the pipeline paused while the writer goes on, and a seeded row (its target copy
    // carries the old timestamp) updated meanwhile.
    await web.engine.pipelines.pause(name);
    await source.exec(`UPDATE ${source.q(table)} SET note = 'changed while paused' WHERE id = 8`);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await expect(runCompare()).resolves.toContain('Source and target are equal');
    await expect(compareSection().locator('.trace-notes').textContent()).resolves.toMatch(/\d+ row\(s\) changed at the source after the cut-off .* \(in flight\); left out/);
    await page.screenshot({ mask: secretMask(page), path: screenshotPath('compare-paused-min-age'), fullPage: true });

    await page.getByRole('textbox', { name: 'Ignore rows changed in the last (seconds)' }).fill('');
    await page.getByRole('textbox', { name: 'Update column' }).fill('');
    await expect(runCompare()).resolves.toContain('Source and target differ');
    const recheck = compareSection().getByRole('button', { name: /Re-check the differing keys \(\d+\)/ });
    await expect(recheck.isEnabled()).resolves.toBe(true);
    await page.screenshot({ mask: secretMask(page), path: screenshotPath('compare-in-flight-differs'), fullPage: true });

    // The pipeline catches up; a re-check of just those keys finds them equal.
    const writes = await writer.stop();
    writer = undefined;
    expect(writes).toBeGreaterThan(10);
    await web.engine.pipelines.resume(name);
    const sourceCount = Number((await source.exec(`SELECT count(*) AS n FROM ${source.q(table)}`))[0]?.n);
    await until(async () => Number((await target.exec(`SELECT count(*) AS n FROM ${target.q(table)}`))[0]?.n) === sourceCount, 'the target caught up', 60_000);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const rechecked = await runCompare(/Re-check the differing keys/);
    expect(rechecked).toContain('re-check of');
    expect(rechecked).toContain('Source and target are equal');
    await page.screenshot({ mask: secretMask(page), path: screenshotPath('compare-recheck-equal'), fullPage: true });
  });

  it('a planted difference shows as a character diff, whole one-sided rows, fix SQL that repairs the target, and exports', async () => {
    await target.exec(`UPDATE ${target.q(table)} SET email = 'customer.number.5@example.org' WHERE id = 5`);
    await target.exec(`DELETE FROM ${target.q(table)} WHERE id = 7`);
    await target.exec(`INSERT INTO ${target.q(table)} (id, email, note, updated_at) VALUES (9999, 'stray@example.net', 'only here', '2024-01-01 00:00:00')`);
    await page.getByRole('textbox', { name: 'Ignore rows changed in the last (seconds)' }).fill('20');
    await page.getByRole('textbox', { name: 'Update column' }).fill('updated_at');
    await expect(runCompare()).resolves.toContain('Source and target differ');

    // Different: only the changed characters are marked, in the grid and in the row details.
    const different = page.getByRole('grid', { name: 'Different rows rows' });
    await expect(different.locator('mark.diff-del').allTextContents()).resolves.toEqual(['com']);
    await expect(different.locator('mark.diff-ins').allTextContents()).resolves.toEqual(['org']);
    const details = page.getByRole('region', { name: 'Row details' });
    await expect(details.getByTestId('detail-source-email').textContent()).resolves.toBe('customer.number.5@example.com');
    await expect(details.getByTestId('detail-target-email').textContent()).resolves.toBe('customer.number.5@example.org');

    // Columns resize: drag the edge of the email · target header.
    const handle = different.getByRole('separator', { name: 'Resize column email · target' });
    const before = Number(await handle.getAttribute('aria-valuenow'));
    const box = await handle.boundingBox();
    if (!box) throw new Error('no resize handle');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + 120, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await expect.poll(async () => Number(await handle.getAttribute('aria-valuenow'))).toBeGreaterThan(before + 80);
    await page.screenshot({ mask: secretMask(page), path: screenshotPath('compare-character-diff'), fullPage: true });

    // Fix SQL: shown, and copied to the clipboard.
    await compareSection().getByText(/^Fix SQL \(/).click();
    const fixSql = (await page.getByTestId('fix-sql').textContent()) ?? '';
    expect(fixSql).toMatch(/DELETE FROM "public"\."[^"]+" WHERE "id" = 9999;/);
    expect(fixSql).toMatch(/INSERT INTO .*VALUES \(7, 'customer\.number\.7@example\.com'/);
    expect(fixSql).toMatch(/UPDATE .* SET "email" = 'customer\.number\.5@example\.com' WHERE "id" = 5;/);
    await compareSection().getByRole('button', { name: /Copy fix SQL \(3\)/ }).click();
    await compareSection().getByRole('status').filter({ hasText: 'Copied 3 fix statement(s)' }).waitFor();
    const copied: string = await page.evaluate(() => (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText());
    expect(copied.trim()).toBe(fixSql.trim());

    // Whole rows on each side, with Trace on the row only in the target.
    await compareSection().getByRole('tab', { name: /Only in source/ }).click();
    const onlySource = page.getByRole('grid', { name: 'Only in source rows' });
    await expect(onlySource.getByRole('gridcell', { name: 'customer.number.7@example.com' }).count()).resolves.toBe(1);
    await expect(onlySource.getByRole('gridcell', { name: 'seeded 7' }).count()).resolves.toBe(1);
    await compareSection().getByRole('tab', { name: /Only in target/ }).click();
    const onlyTarget = page.getByRole('region', { name: 'Only in target' });
    await expect(onlyTarget.getByRole('gridcell', { name: 'stray@example.net' }).count()).resolves.toBe(1);
    await page.screenshot({ mask: secretMask(page), path: screenshotPath('compare-only-in-target'), fullPage: true });
    await onlyTarget.getByRole('button', { name: 'Trace row 1' }).click();
    const journey = page.getByRole('dialog', { name: 'Row journey' });
    await journey.waitFor({ timeout: 30_000 });
    // The key is not in the source (and was never in the topic): the journey says so.
    await expect(journey.getByTestId('trace-source').getByText('not found').textContent({ timeout: 60_000 })).resolves.toBe('not found');
    await page.screenshot({ mask: secretMask(page), path: screenshotPath('compare-trace-only-in-target'), fullPage: false });
    await journey.getByRole('button', { name: 'Close the row journey' }).click();

    // The audit trail: JSON with everything, HTML that renders the same.
    const jsonDownload = page.waitForEvent('download');
    await compareSection().getByRole('button', { name: 'Export report (JSON)' }).click();
    const json = JSON.parse(readFileSync((await (await jsonDownload).path()) ?? '', 'utf8')) as Record<string, unknown>;
    expect(json).toMatchObject({
      kind: 'ferry-compare-report',
      verdict: 'different',
      source: { table, dialect: 'mysql' },
      target: { table: `public.${table}`, dialect: 'postgres' },
      options: { minAgeSeconds: 20, updateColumn: 'updated_at' },
      counts: { onlyInSource: 1, onlyInTarget: 1, different: 1 },
      onlyInSource: [{ key: { id: 7 }, row: { id: '7', email: 'customer.number.7@example.com' } }],
      onlyInTarget: [{ key: { id: 9999 }, row: { email: 'stray@example.net' } }],
      different: [{ key: { id: 5 }, columns: [{ name: 'email', source: 'customer.number.5@example.com', target: 'customer.number.5@example.org' }] }],
    });
    expect((json.normalisation as unknown[]).length).toBeGreaterThanOrEqual(3);
    for (const secret of secrets) expect(JSON.stringify(json)).not.toContain(secret);
    const htmlDownload = page.waitForEvent('download');
    await compareSection().getByRole('button', { name: 'Export report (HTML)' }).click();
    const html = readFileSync((await (await htmlDownload).path()) ?? '', 'utf8');
    const report = await context.newPage();
    await report.setContent(html);
    await expect(report.locator('[data-verdict]').getAttribute('data-verdict')).resolves.toBe('different');
    await expect(report.locator('del').allTextContents()).resolves.toEqual(['com']);
    await expect(report.locator('ins').allTextContents()).resolves.toEqual(['org']);
    await report.screenshot({ path: screenshotPath('compare-report-html'), fullPage: true });
    await report.close();

    // Running the copied fix SQL on the target makes it equal; a re-check of the three keys says so.
    for (const statement of copied.split('\n').filter((line) => line.trim() && !line.startsWith('--'))) await target.exec(statement.replace(/;$/, ''));
    const rechecked = await runCompare(/Re-check the differing keys \(3\)/);
    expect(rechecked).toContain('re-check of 3 keys');
    expect(rechecked).toContain('Source and target are equal');
  });
});
