import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedSchemaRegistry, startEmbeddedSchemaRegistry } from '../../src/engine/schema';
import { launchChromium, screenshotPath, secretMask } from '../helpers/browser';
import { uniqueName } from '../helpers/names';
import { openDb, type TestDb } from '../helpers/pipelineDb';
import { KafkaScratch, pipelineDocument, sinkGroup } from '../helpers/pipelineHarness';
import { until } from '../helpers/until';
import { startTestWebHost } from '../helpers/webHost';

// The Pipelines pane for a log-based source (issue 12): a Debezium MariaDbConnector pipeline shows its snapshot,
// then that it streams from the binlog and where in it (file:pos), the position moving on as the source changes.

describe('Pipelines pane in Chromium: a Debezium MariaDB pipeline streams from the binlog', () => {
  let browser: Browser;
  let page: Page;
  let web: Awaited<ReturnType<typeof startTestWebHost>>;
  let registry: EmbeddedSchemaRegistry;
  let source: TestDb;
  let target: TestDb;
  let kafka: KafkaScratch;
  const table = uniqueName('cdc_pane');
  const prefix = uniqueName('cdcpane');
  const name = `${prefix}-pipeline`;
  /** A Debezium MariaDB connection names no default database: SQL names the table with its database. */
  let qualified = '';

  beforeAll(async () => {
    web = await startTestWebHost();
    const endpoints = (await web.engine.lab.up()).endpoints;
    kafka = new KafkaScratch(endpoints.kafka.a.bootstrap);
    const topic = `${prefix}.${endpoints.mariadb.database}.${table}`;
    kafka.track({ topics: [topic, prefix], groups: [sinkGroup(`${prefix}-sink`)] });
    registry = await startEmbeddedSchemaRegistry();
    source = await openDb('mariadb', endpoints.mariadb);
    qualified = `${endpoints.mariadb.database}.${table}`;
    target = await openDb('postgres', endpoints.postgres);
    await source.exec(`CREATE TABLE ${source.q(table)} (id INT PRIMARY KEY, customer VARCHAR(40) NOT NULL, amount DECIMAL(10,2) NOT NULL)`);
    for (let id = 1; id <= 50; id++) await source.exec(`INSERT INTO ${source.q(table)} VALUES (?, ?, ?)`, [id, `customer ${id}`, `${id}.50`]);
    const document = pipelineDocument(name, endpoints.kafka.a.bootstrap, registry.url, [
      {
        name: `${prefix}-source`,
        'connector.class': 'io.debezium.connector.mariadb.MariaDbConnector',
        'database.hostname': endpoints.mariadb.host,
        'database.port': String(endpoints.mariadb.port),
        'database.user': endpoints.mariadb.user,
        'database.password': endpoints.mariadb.password,
        'database.server.id': String(185_000 + Math.floor(Math.random() * 10_000)),
        'topic.prefix': prefix,
        'database.include.list': endpoints.mariadb.database,
        'table.include.list': `${endpoints.mariadb.database}\\.${table}`,
        'time.precision.mode': 'connect',
      },
      {
        name: `${prefix}-sink`,
        'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector',
        'connection.url': `jdbc:postgresql://${endpoints.postgres.host}:${endpoints.postgres.port}/${endpoints.postgres.database}`,
        'connection.user': endpoints.postgres.user,
        'connection.password': endpoints.postgres.password,
        topics: topic,
        'table.name.format': table,
        'insert.mode': 'upsert',
        'pk.mode': 'record_key',
        'delete.enabled': 'true',
        'auto.create': 'true',
        transforms: 'unwrap',
        'transforms.unwrap.type': 'io.debezium.transforms.ExtractNewRecordState',
        'transforms.unwrap.drop.tombstones': 'false',
      },
    ]);
    await web.engine.pipelines.start({ text: JSON.stringify(document), fileName: `${name}.json` });
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

  it('shows the snapshot, then streaming from the binlog with a position that moves as the source changes', async () => {
    await page.goto(`${web.host.url}#pipelines`);
    const card = page.getByTestId(`connector-${prefix}-source`);
    await card.waitFor({ timeout: 60_000 });
    const phase = page.getByTestId(`capture-phase-${prefix}-source`);
    const position = page.getByTestId(`log-position-${prefix}-source`);
    await phase.filter({ hasText: 'Streaming from the binlog' }).waitFor({ timeout: 90_000 });
    await until(async () => Number((await target.exec(`SELECT count(*) AS n FROM ${target.q(table)}`).catch(() => [{ n: 0 }]))[0]?.n) === 50, 'the snapshot in the target', 60_000);
    const first = (await position.textContent()) ?? '';
    expect(first).toMatch(/\.\d{6}:\d+/);
    // Source lag: binlog bytes behind the checkpoint, measured by the database every few seconds.
    await expect(page.getByTestId(`log-lag-${prefix}-source`).textContent({ timeout: 30_000 })).resolves.toMatch(/^source lag \d+(\.\d)? (B|kB|MB) of binlog$/);
    await expect(card.getByRole('progressbar', { name: new RegExp(`Snapshot of (\\w+\\.)?${table}$`) }).getAttribute('aria-valuenow')).resolves.toBe('100');
    await card.screenshot({ path: screenshotPath('pipelines-log-capture-streaming') });

    // Changes stream from the binlog: the position moves past them, and they reach the target.
    await source.exec(`UPDATE ${source.q(table)} SET amount = 99.99 WHERE id = 7`);
    await source.exec(`DELETE FROM ${source.q(table)} WHERE id = 8`);
    await source.exec(`INSERT INTO ${source.q(table)} VALUES (51, 'late customer', 5.00)`);
    await expect.poll(async () => (await position.textContent()) ?? '', { timeout: 60_000 }).not.toBe(first);
    await until(async () => Number((await target.exec(`SELECT count(*) AS n FROM ${target.q(table)}`))[0]?.n) === 50 && String((await target.exec(`SELECT amount FROM ${target.q(table)} WHERE id = 7`))[0]?.amount) === '99.99', 'the changes in the target', 60_000);
    await page.screenshot({ mask: secretMask(page), path: screenshotPath('pipelines-log-capture-pane'), fullPage: true });
  });

  it('traces a log-captured row: the snapshot read and the update, each with its binlog position, the sink write and the target', async () => {
    await page.goto(`${web.host.url}#query`);
    const sourcePicker = page.getByRole('combobox', { name: 'Source database' });
    await sourcePicker.locator(`option[value="pipeline/${name}/${prefix}-source"]`).waitFor({ state: 'attached', timeout: 30_000 });
    await sourcePicker.selectOption(`pipeline/${name}/${prefix}-source`);
    const editor = page.getByTestId('editor-source-sql');
    await editor.click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type(`SELECT id, customer, amount FROM ${qualified} WHERE id = 7`);
    await page.keyboard.press('ControlOrMeta+Enter');
    await page.getByTestId('source-summary').or(page.getByRole('region', { name: 'Source', exact: true }).getByRole('alert')).first().waitFor({ timeout: 30_000 });
    await page.screenshot({ mask: secretMask(page), path: screenshotPath('trace-log-captured-query'), fullPage: false });
    await page.getByRole('grid', { name: 'Source result rows' }).getByRole('gridcell', { name: 'customer 7' }).waitFor({ timeout: 30_000 });
    await page.getByRole('region', { name: 'Source result' }).getByRole('button', { name: 'Trace row 1' }).click();
    const journey = page.getByRole('dialog', { name: 'Row journey' });
    await journey.getByTestId('trace-sink').first().waitFor({ timeout: 60_000 });
    // The snapshot's read, then the update from the binlog: both with where they are in the log.
    await expect(journey.getByTestId('record-log-position-0').textContent()).resolves.toMatch(/\.\d{6}:\d+/);
    await expect(journey.getByTestId('trace-record-0').textContent()).resolves.toContain('read by the snapshot');
    await expect(journey.getByTestId('record-log-position-1').textContent()).resolves.toMatch(/\.\d{6}:\d+/);
    await expect(journey.getByTestId('trace-record-1').locator('.op-badge').textContent()).resolves.toMatch(/update/i);
    await expect(journey.getByTestId('trace-equal').textContent()).resolves.toBe('Equal');
    await page.screenshot({ mask: secretMask(page), path: screenshotPath('trace-log-captured-row'), fullPage: false });
  });
});
