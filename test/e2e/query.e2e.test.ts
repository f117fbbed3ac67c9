import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedSchemaRegistry, startEmbeddedSchemaRegistry } from '../../src/engine/schema';
import { launchChromium, screenshotPath } from '../helpers/browser';
import { uniqueName } from '../helpers/names';
import { openDb, type TestDb } from '../helpers/pipelineDb';
import { KafkaScratch, mariadbToPostgresDocument, sinkGroup } from '../helpers/pipelineHarness';
import { startTestWebHost } from '../helpers/webHost';
import { until } from '../helpers/until';

describe('query pane in Chromium through the web host: compare and row trace', () => {
  let browser: Browser;
  let page: Page;
  let web: Awaited<ReturnType<typeof startTestWebHost>>;
  let registry: EmbeddedSchemaRegistry;
  let source: TestDb;
  let target: TestDb;
  let kafka: KafkaScratch;
  const table = uniqueName('q_orders');
  const name = uniqueName('qpane');

  beforeAll(async () => {
    web = await startTestWebHost();
    const lab = await web.engine.lab.up();
    const endpoints = lab.endpoints;
    kafka = new KafkaScratch(endpoints.kafka.a.bootstrap);
    kafka.track({ topics: [`${name}_${table}`], groups: [sinkGroup(`${name}-sink`)] });
    registry = await startEmbeddedSchemaRegistry();
    source = await openDb('mariadb', endpoints.mariadb);
    target = await openDb('postgres', endpoints.postgres);
    await source.exec(`CREATE TABLE ${source.q(table)} (id INT AUTO_INCREMENT PRIMARY KEY, customer VARCHAR(40) NOT NULL, amount DECIMAL(10,2) NOT NULL, updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3))`);
    for (const [customer, amount] of [['Ada', '12.50'], ['Grace', '80.00'], ['Linus', '7.25'], ['Margaret', '42.10'], ['Barbara', '19.99']]) {
      await source.exec(`INSERT INTO ${source.q(table)} (customer, amount) VALUES (?, ?)`, [customer, amount]);
    }
    const document = mariadbToPostgresDocument(name, table, endpoints, registry.url, { source: { 'poll.interval.ms': '250' }, sink: { 'auto.create': 'true' } });
    await web.engine.pipelines.start({ text: JSON.stringify(document), fileName: `${name}.json` });
    await until(async () => Number((await target.exec(`SELECT count(*) AS n FROM ${target.q(table)}`).catch(() => [{ n: 0 }]))[0]?.n) === 5, 'five rows in the target', 60_000);
    // The difference the compare must find: one amount changed behind the pipeline's back.
    await target.exec(`UPDATE ${target.q(table)} SET amount = 99.99 WHERE id = 3`);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  });

  afterAll(async () => {
    await web?.engine.pipelines.stop(name).catch(() => {});
    await browser?.close();
    await web?.close();
    await kafka?.cleanup();
    await source?.exec(`DROP TABLE IF EXISTS ${source.q(table)}`);
    await target?.exec(`DROP TABLE IF EXISTS ${target.q(table)}`);
    await source?.close();
    await target?.close();
    await registry?.close();
  });

  it('compares the source and target table and finds the planted difference', async () => {
    await page.goto(`${web.host.url}#query`);
    await page.getByRole('heading', { name: 'Query', exact: true }).waitFor();
    const sourcePicker = page.getByRole('combobox', { name: 'Source database' });
    const targetPicker = page.getByRole('combobox', { name: 'Target database' });
    await sourcePicker.locator(`option[value="pipeline/${name}/${name}-source"]`).waitFor({ state: 'attached', timeout: 30_000 });
    await sourcePicker.selectOption(`pipeline/${name}/${name}-source`);
    await targetPicker.selectOption(`pipeline/${name}/${name}-sink`);

    await page.getByRole('combobox', { name: 'Source table' }).fill(table);
    await page.getByRole('button', { name: 'Compare', exact: true }).click();
    await page.getByTestId('compare-verdict').filter({ hasText: 'differ' }).waitFor({ timeout: 60_000 });
    await page.getByRole('tab', { name: /Different/ }).click();
    const different = page.getByRole('grid', { name: 'Different rows rows' });
    await expect(different.getByRole('gridcell', { name: '99.99' }).count()).resolves.toBe(1);
    await expect(different.getByRole('gridcell', { name: '42.1' }).count()).resolves.toBe(0);
    await expect(page.getByRole('tab', { name: /Different/ }).textContent()).resolves.toContain('1');
    await expect(page.getByRole('tab', { name: /Identical/ }).textContent()).resolves.toContain('4');
    await page.screenshot({ path: screenshotPath('query-compare'), fullPage: true });
  });

  it('runs SQL with Ctrl+Enter and traces a row from the grid through Kafka to the target', async () => {
    const editor = page.getByTestId('editor-source-sql');
    await editor.click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type(`SELECT id, customer, amount, updated_at FROM ${table} ORDER BY id`);
    await page.keyboard.press('ControlOrMeta+Enter');
    const grid = page.getByRole('grid', { name: 'Source result rows' });
    await grid.getByRole('gridcell', { name: 'Grace' }).waitFor({ timeout: 30_000 });
    await expect(page.getByTestId('source-summary').textContent()).resolves.toContain('5 rows');

    await page.getByRole('region', { name: 'Source result' }).getByRole('button', { name: 'Trace row 2' }).click();
    const journey = page.getByRole('dialog', { name: 'Row journey' });
    await journey.getByTestId('trace-sink').waitFor({ timeout: 60_000 });
    await expect(journey.getByTestId('record-position-0').textContent()).resolves.toMatch(new RegExp(`${name}_${table} · partition 0 · offset 1$`));
    await expect(journey.getByTestId('trace-equal').textContent()).resolves.toBe('Equal');
    await expect(journey.getByTestId('hop-source-kafka').textContent()).resolves.toMatch(/ms|s/);
    await expect(journey.getByTestId('hop-kafka-sink').textContent()).resolves.toMatch(/ms|s/);
    await page.screenshot({ path: screenshotPath('query-trace'), fullPage: false });

    // The row with the planted difference: its journey ends in a target row that differs in amount.
    await journey.getByRole('button', { name: 'Close the row journey' }).click();
    await page.getByRole('region', { name: 'Source result' }).getByRole('button', { name: 'Trace row 3' }).click();
    await page.getByRole('dialog', { name: 'Row journey' }).getByTestId('trace-equal').filter({ hasText: 'Differs' }).waitFor({ timeout: 60_000 });
    await expect(page.getByRole('table', { name: 'Differences' }).textContent()).resolves.toContain('99.99');
    await page.screenshot({ path: screenshotPath('query-trace-differs'), fullPage: false });
  });

  it('says what read-only guarantees, and Cancel stops a running statement on the database', async () => {
    const journey = page.getByRole('dialog', { name: 'Row journey' });
    if ((await journey.count()) > 0) await journey.getByRole('button', { name: 'Close the row journey' }).click();
    await expect(page.getByTestId('read-only-note').textContent()).resolves.toMatch(/read-only rights is the real guarantee/);
    const editor = page.getByTestId('editor-source-sql');
    await editor.click();
    await page.keyboard.press('ControlOrMeta+A');
    const marker = uniqueName('e2e_sleep');
    await page.keyboard.type(`SELECT SLEEP(600) AS ${marker}`);
    await page.keyboard.press('ControlOrMeta+Enter');
    const cancel = page.getByRole('button', { name: 'Cancel source query' });
    await cancel.waitFor();
    const sleeping = async (): Promise<boolean> => (await source.exec('SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE ?', [`SELECT SLEEP(600) AS ${marker}%`])).length > 0;
    await until(sleeping, 'the statement running in MariaDB');
    await page.screenshot({ path: screenshotPath('query-running-cancel'), fullPage: false });
    await cancel.click();
    const problem = page.getByRole('region', { name: 'Source', exact: true }).getByRole('alert');
    await problem.filter({ hasText: 'QUERY_CANCELLED' }).waitFor();
    await until(async () => !(await sleeping()), 'the statement gone from MariaDB');
    await expect(page.getByRole('button', { name: 'Run source query' }).textContent()).resolves.toContain('Run');
    await page.screenshot({ path: screenshotPath('query-cancelled'), fullPage: false });
  });
});
