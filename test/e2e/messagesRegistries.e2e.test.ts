import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshotPath } from '../helpers/browser';
import { uniqueName } from '../helpers/names';
import { openDb, type TestDb } from '../helpers/pipelineDb';
import { KafkaScratch } from '../helpers/pipelineHarness';
import { until } from '../helpers/until';
import { startTestWebHost } from '../helpers/webHost';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 0;
}

/**
 * Messages decodes a topic with the registry that wrote it: two pipelines, each with its own Schema Registry (both
 * number their first schema 1), write two tables of the same shape with different column names. Automatic picks the
 * writer's registry for each topic; the other pipeline's registry decodes plausible values under the wrong names,
 * which the viewer flags. Timestamps show as dates, not numbers.
 */
describe('Messages with two pipelines and two registries, in Chromium through the web host', () => {
  let browser: Browser;
  let page: Page;
  let web: Awaited<ReturnType<typeof startTestWebHost>>;
  let source: TestDb;
  let kafka: KafkaScratch;
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-e2e-regs-'));
  const tables = [uniqueName('reg_people'), uniqueName('reg_cities')];
  const pipelines = [uniqueName('e2e-reg-a'), uniqueName('e2e-reg-b')];
  const topicOf = (table: string): string => `regs-${table}`;

  beforeAll(async () => {
    web = await startTestWebHost({ dataDir });
    const lab = await web.engine.lab.status();
    source = await openDb('postgres', lab.endpoints.postgres);
    kafka = new KafkaScratch(lab.endpoints.kafka.a.bootstrap);
    kafka.track({ topics: tables.map(topicOf), groups: [] });
    await source.exec(`CREATE TABLE ${tables[0]} (id INT PRIMARY KEY, person VARCHAR(20), seen_at TIMESTAMP(3) NOT NULL)`);
    await source.exec(`CREATE TABLE ${tables[1]} (id INT PRIMARY KEY, city VARCHAR(20), seen_at TIMESTAMP(3) NOT NULL)`);
    await source.exec(`INSERT INTO ${tables[0]} VALUES (1, 'Ada', '2026-12-05 10:00:00')`);
    await source.exec(`INSERT INTO ${tables[1]} VALUES (1, 'Lisbon', '2026-12-05 11:00:00')`);
    for (const [index, name] of pipelines.entries()) {
      const text = JSON.stringify({
        name,
        kafka: { 'ferry.profile': 'lab:kafka-a' },
        // A loopback URL nothing serves gets an embedded registry of its own: two pipelines, two registries.
        'schema.registry.url': `http://127.0.0.1:${await freePort()}`,
        connectors: [
          { name: `${name}-src`, 'connector.class': 'PostgresSource', 'ferry.profile': 'lab:postgres', mode: 'incrementing', 'incrementing.column.name': 'id', 'table.whitelist': tables[index], 'topic.prefix': 'regs-', 'output.data.format': 'AVRO' },
        ],
      });
      await web.engine.pipelines.start({ text });
    }
    await until(
      async () => (await web.engine.pipelines.list()).filter((status) => pipelines.includes(status.name)).every((status) => status.connectors.every((connector) => connector.metrics.rowsProduced >= 1)),
      'both pipelines to produce their row',
      60_000,
    );
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (error) => process.stderr.write(`PAGE ERROR ${error.message}\n${error.stack ?? ''}\n`));
  });

  afterAll(async () => {
    for (const name of pipelines) await web?.engine.pipelines.stop(name).catch(() => {});
    await kafka?.cleanup().catch(() => {});
    for (const table of tables) await source?.exec(`DROP TABLE IF EXISTS ${table}`).catch(() => {});
    await source?.close();
    await browser?.close();
    await web?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('decodes each topic with the registry of the pipeline that wrote it, and flags a decode with the other one', async () => {
    await page.goto(`${web.host.url}#messages/${encodeURIComponent(topicOf(tables[1] as string))}`);
    const table = page.getByRole('table', { name: 'Records' });
    await table.getByText(/Lisbon/).first().waitFor({ timeout: 30_000 });
    const registry = page.getByLabel('Schema Registry');
    await expect(registry.locator('option').first().textContent()).resolves.toContain(`pipeline ${pipelines[1]}`);
    // Every known registry is offered: both pipelines'.
    const options = await registry.locator('option').allTextContents();
    for (const name of pipelines) expect(options.some((option) => option.includes(`Pipeline ${name}`))).toBe(true);
    await table.getByText(/Lisbon/).first().click();
    const detail = page.getByRole('region', { name: 'Selected record' });
    await detail.waitFor();
    await expect(detail.textContent()).resolves.toMatch(/"city": "Lisbon"/);
    await expect(detail.textContent()).resolves.toMatch(/"seen_at": "2026-12-05T11:00:00(\.000)?Z"/);
    await expect(detail.getByTestId('decode-warning').count()).resolves.toBe(0);
    await page.screenshot({ path: screenshotPath('messages-writer-registry'), fullPage: true });

    // The other pipeline's registry: same id, another subject's schema: plausible values under the wrong name, flagged.
    await registry.selectOption(`pipeline:${pipelines[0]}`);
    await page.getByRole('button', { name: /^(Start|Restart)/ }).first().click();
    await page.screenshot({ path: screenshotPath('messages-wrong-registry-read'), fullPage: true });
    await table.getByText(/Lisbon/).first().click({ timeout: 30_000 });
    await detail.getByTestId('decode-warning').first().waitFor({ timeout: 10_000 });
    await expect(detail.getByTestId('decode-warning').first().textContent()).resolves.toMatch(/not a version of .*-value.*another registry/);
    await page.screenshot({ path: screenshotPath('messages-wrong-registry-flagged'), fullPage: true });
  });
});
