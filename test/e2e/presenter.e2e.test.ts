import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshotPath } from '../helpers/browser';
import { uniqueName } from '../helpers/names';
import { openDb, type TestDb } from '../helpers/pipelineDb';
import { KafkaScratch, mariadbToPostgresDocument, sinkGroup } from '../helpers/pipelineHarness';
import { until } from '../helpers/until';
import { startTestWebHost } from '../helpers/webHost';

/** The lab's default registry address: the engine serves its embedded registry there, and the ticker decodes with it. */
const LAB_REGISTRY = 'http://127.0.0.1:18081';

/**
 * Presenter mode on a live MariaDB → Kafka → PostgreSQL pipeline at 1280×720 and 1920×1080, its links into Messages
 * and Query, and the confirmations before Stop pipeline and Stop lab (cancelled: the shared lab keeps running), with
 * Pause disabled on a FAILED pipeline.
 */
describe('presenter mode and stop confirmations in Chromium through the web host', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-e2e-presenter-'));
  const previousDataDir = process.env.FERRY_DATA_DIR;
  const table = uniqueName('pr_orders');
  const name = uniqueName('present');
  const failingTable = uniqueName('pr_refused');
  const failing = uniqueName('pfail');
  let browser: Browser;
  let page: Page;
  let web: Awaited<ReturnType<typeof startTestWebHost>>;
  let source: TestDb;
  let target: TestDb;
  let kafka: KafkaScratch;
  let writer: NodeJS.Timeout | undefined;
  let written = 0;

  /** The font size of the applied-rows figure, in CSS pixels, as the browser computed it. */
  const tileValueSize = (): Promise<number> =>
    page
      .getByTestId('tile-applied')
      .locator('.presenter-tile-value')
      .evaluate((element) => parseFloat((globalThis as unknown as { getComputedStyle(node: unknown): { fontSize: string } }).getComputedStyle(element).fontSize));

  const insert = (db: TestDb, into: string, customer: string, amount: string): Promise<unknown> => db.exec(`INSERT INTO ${db.q(into)} (customer, amount) VALUES (?, ?)`, [customer, amount]);

  beforeAll(async () => {
    process.env.FERRY_DATA_DIR = dataDir;
    web = await startTestWebHost();
    if (!(await web.engine.lab.status()).running) await web.engine.lab.up();
    const endpoints = (await web.engine.lab.status()).endpoints;
    kafka = new KafkaScratch(endpoints.kafka.a.bootstrap);
    kafka.track({ topics: [`${name}_${table}`, `${failing}_${failingTable}`], groups: [sinkGroup(`${name}-sink`), sinkGroup(`${failing}-sink`)] });
    source = await openDb('mariadb', endpoints.mariadb);
    target = await openDb('postgres', endpoints.postgres);
    for (const into of [table, failingTable]) {
      await source.exec(`CREATE TABLE ${source.q(into)} (id INT AUTO_INCREMENT PRIMARY KEY, customer VARCHAR(40) NOT NULL, amount DECIMAL(10,2) NOT NULL, updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3))`);
    }
    for (const [customer, amount] of [['Ada', '12.50'], ['Grace', '80.00'], ['Linus', '7.25']] as const) await insert(source, table, customer, amount);
    // The failing pipeline's target refuses every row (a CHECK constraint), and errors.tolerance=none stops its sink.
    await target.exec(`CREATE TABLE ${target.q(failingTable)} (id INT PRIMARY KEY, customer VARCHAR(40), amount NUMERIC(10,2) CONSTRAINT amount_negative CHECK (amount < 0), updated_at TIMESTAMP(3))`);
    await insert(source, failingTable, 'Refused', '1.00');

    const good = mariadbToPostgresDocument(name, table, endpoints, LAB_REGISTRY, { sink: { 'auto.create': 'true' } });
    await web.engine.pipelines.start({ text: JSON.stringify(good), fileName: `${name}.json` });
    const bad = mariadbToPostgresDocument(failing, failingTable, endpoints, LAB_REGISTRY, { sink: { 'errors.tolerance': 'none' } });
    await web.engine.pipelines.start({ text: JSON.stringify(bad), fileName: `${failing}.json` });
    await until(async () => Number((await target.exec(`SELECT count(*) AS n FROM ${target.q(table)}`).catch(() => [{ n: 0 }]))[0]?.n) >= 3, 'three rows in the target', 60_000);
    // Rows keep arriving while the presenter is on screen: rates on the edges and a moving ticker.
    writer = setInterval(() => {
      written += 1;
      void insert(source, table, `Customer ${written}`, `${written}.00`).catch(() => {});
    }, 400);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  });

  afterAll(async () => {
    if (writer) clearInterval(writer);
    for (const pipeline of [name, failing]) await web?.engine.pipelines.stop(pipeline).catch(() => {});
    await browser?.close();
    await web?.close();
    await kafka?.cleanup();
    for (const into of [table, failingTable]) {
      await source?.exec(`DROP TABLE IF EXISTS ${source.q(into)}`);
      await target?.exec(`DROP TABLE IF EXISTS ${target.q(into)}`);
    }
    await source?.close();
    await target?.close();
    if (previousDataDir === undefined) delete process.env.FERRY_DATA_DIR;
    else process.env.FERRY_DATA_DIR = previousDataDir;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows one pipeline full screen at 1280×720 and 1920×1080: tiles, lineage with rows/s, a ticker, no sidebar', async () => {
    await page.goto(`${web.host.url}#present/${encodeURIComponent(name)}`);
    const presenter = page.getByTestId('presenter');
    await presenter.getByRole('heading', { name, exact: true }).waitFor();
    await expect(page.getByRole('navigation', { name: 'Main' }).count()).resolves.toBe(0);
    const graph = presenter.getByRole('img', { name: /Lineage of pipeline/ });
    await graph.waitFor({ timeout: 30_000 });
    // Rows per second appear on the edges once two samples a second apart exist.
    await graph.getByTestId('lineage-edge-count').filter({ hasText: '/s' }).first().waitFor({ timeout: 30_000 });
    await presenter.getByTestId('ticker-item').first().waitFor({ timeout: 30_000 });
    await expect.poll(async () => Number((await presenter.getByTestId('tile-applied').locator('.presenter-tile-value').textContent())?.replace(/,/g, '')), { timeout: 30_000 }).toBeGreaterThanOrEqual(3);

    // Everything fits one 720-pixel screen, in type readable from the back of a room.
    for (const id of ['tile-captured', 'tile-applied', 'tile-latency', 'tile-lag']) {
      const box = await presenter.getByTestId(id).boundingBox();
      expect(box, id).not.toBeNull();
      expect((box?.y ?? 0) + (box?.height ?? 0), id).toBeLessThanOrEqual(720);
    }
    const ticker = await presenter.getByRole('region', { name: 'Latest changes' }).boundingBox();
    expect((ticker?.y ?? 0) + (ticker?.height ?? 0)).toBeLessThanOrEqual(720);
    const valueSize = await tileValueSize();
    expect(valueSize).toBeGreaterThanOrEqual(48);
    await page.waitForTimeout(1500);
    await page.screenshot({ path: screenshotPath('presenter-1280x720') });

    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.waitForTimeout(1500);
    const bigValueSize = await tileValueSize();
    expect(bigValueSize).toBeGreaterThan(valueSize);
    await page.screenshot({ path: screenshotPath('presenter-1920x1080') });
    await page.setViewportSize({ width: 1280, height: 720 });
  });

  it('opens the topic of a lineage node in Messages and a target table in Query', async () => {
    const topic = `${name}_${table}`;
    await page.goto(`${web.host.url}#present/${encodeURIComponent(name)}`);
    await page.getByRole('link', { name: `Open topic ${topic} in Messages` }).click();
    await page.getByRole('heading', { name: 'Messages' }).waitFor();
    await expect(page.getByLabel('Topic', { exact: true }).inputValue()).resolves.toBe(topic);

    await page.goto(`${web.host.url}#present/${encodeURIComponent(name)}`);
    await page.getByRole('link', { name: new RegExp(`^Open target table .*${table}.* in Query$`) }).click();
    await page.getByRole('heading', { name: 'Query', exact: true }).waitFor();
    const targetPicker = page.getByRole('combobox', { name: 'Target database' });
    await expect.poll(() => targetPicker.inputValue(), { timeout: 30_000 }).toBe(`pipeline/${name}/${name}-sink`);
  });

  it('asks before stopping a pipeline (Cancel keeps it running) and disables Pause on a FAILED pipeline', async () => {
    await page.setViewportSize({ width: 1360, height: 900 });
    await page.goto(`${web.host.url}#pipelines`);
    const failed = page.getByRole('region', { name: `Pipeline ${failing}` });
    await page.getByTestId(`pipeline-state-${failing}`).filter({ hasText: /failed/i }).waitFor({ timeout: 60_000 });
    await expect(failed.getByRole('button', { name: 'Pause' }).isDisabled()).resolves.toBe(true);

    const running = page.getByRole('region', { name: `Pipeline ${name}` });
    await running.getByRole('button', { name: 'Stop', exact: true }).click();
    const dialog = page.getByRole('alertdialog', { name: `Stop pipeline ${name}?` });
    await dialog.waitFor();
    await page.screenshot({ path: screenshotPath('stop-pipeline-confirm') });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await web.engine.pipelines.list()).find((status) => status.name === name)?.state).not.toBe('STOPPED');
    await expect(running.count()).resolves.toBe(1);

    await running.getByRole('button', { name: 'Stop', exact: true }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Stop pipeline' }).click();
    await running.waitFor({ state: 'detached', timeout: 60_000 });
    expect((await web.engine.pipelines.list()).some((status) => status.name === name)).toBe(false);
  });

  it('asks before stopping the lab; Cancel leaves every service running', async () => {
    await page.goto(`${web.host.url}#lab`);
    await page.getByTestId('lab-status-line').filter({ hasText: 'All services running.' }).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Stop lab' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Stop the lab?' });
    await dialog.waitFor();
    await expect(dialog.textContent()).resolves.toContain('loses its connection');
    await page.screenshot({ path: screenshotPath('stop-lab-confirm') });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await web.engine.lab.status()).running).toBe(true);
    await expect(page.getByTestId('lab-status-line').textContent()).resolves.toBe('All services running.');
  });
});
