import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import avro from 'avsc';
import type { Kafka } from 'kafkajs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka } from '../../src/engine/kafka';
import { encodeFrame, SchemaRegistryClient, startEmbeddedSchemaRegistry, type EmbeddedSchemaRegistry } from '../../src/engine/schema';
import { launchChromium, screenshotPath } from '../helpers/browser';
import { uniqueName } from '../helpers/names';
import { startTestWebHost } from '../helpers/webHost';

const SCHEMA = { type: 'record', name: 'Order', fields: [{ name: 'id', type: 'long' }, { name: 'status', type: 'string' }, { name: 'customer', type: 'string' }] };

describe('message viewer in Chromium through the web host', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-e2e-messages-'));
  const previousDataDir = process.env.FERRY_DATA_DIR;
  const topic = uniqueName('e2e_orders');
  const type = avro.Type.forSchema(SCHEMA as Parameters<typeof avro.Type.forSchema>[0]);
  let browser: Browser;
  let page: Page;
  let web: Awaited<ReturnType<typeof startTestWebHost>>;
  let registry: EmbeddedSchemaRegistry;
  let kafka: Kafka;
  let schemaId: number;

  const order = (id: number): Buffer => encodeFrame(schemaId, type.toBuffer({ id, status: id % 2 === 0 ? 'SHIPPED' : 'NEW', customer: `customer-${id}` }));
  const counter = () => page.getByTestId('scan-counter');

  async function produce(from: number, count: number): Promise<void> {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: Array.from({ length: count }, (_, index) => ({ key: `order-${from + index}`, value: order(from + index) })) });
    await producer.disconnect();
  }

  beforeAll(async () => {
    process.env.FERRY_DATA_DIR = dataDir;
    web = await startTestWebHost();
    if (!(await web.engine.lab.status()).running) await web.engine.lab.up({ services: ['kafka-a'] });
    const bootstrap = (await web.engine.lab.status()).endpoints.kafka.a.bootstrap;
    registry = await startEmbeddedSchemaRegistry();
    schemaId = await new SchemaRegistryClient({ url: registry.url }).register(`${topic}-value`, JSON.stringify(SCHEMA));
    await web.engine.connections.save({ profile: { kind: 'schemaRegistry', name: 'e2e registry', environment: 'dev', url: registry.url } });
    kafka = createKafka({ bootstrapServers: [bootstrap] });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    await admin.disconnect();
    await produce(1, 30);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ key: 'raw', value: Buffer.from([0xde, 0xad, 0xbe, 0xef]) }] });
    await producer.disconnect();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1360, height: 1100 } });
  });

  afterAll(async () => {
    await browser?.close();
    await web?.close();
    const admin = kafka?.admin();
    if (admin) {
      await admin.connect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
      await admin.disconnect();
    }
    await registry?.close();
    if (previousDataDir === undefined) delete process.env.FERRY_DATA_DIR;
    else process.env.FERRY_DATA_DIR = previousDataDir;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('opens a topic from a deep link and decodes Avro with the chosen registry, hex with the reason', async () => {
    await page.goto(`${web.host.url}#messages/${topic}`);
    await page.getByRole('heading', { name: 'Messages' }).waitFor();
    await expect(page.getByLabel('Topic', { exact: true }).inputValue()).resolves.toBe(topic);
    // The deep link reads at once; then read again with the registry profile from the start.
    await page.getByTestId('message-row').first().waitFor({ timeout: 30_000 });
    await page.getByLabel('Schema Registry').selectOption({ label: 'e2e registry' });
    await page.getByLabel('Start', { exact: true }).selectOption('oldest');
    await page.getByRole('button', { name: /^(Start|Restart)/ }).click();
    await counter().filter({ hasText: 'scanned 31 · matched 31' }).waitFor({ timeout: 30_000 });
    await expect(page.getByRole('table', { name: 'Records' }).getByText('"status":"SHIPPED"').count()).resolves.toBeGreaterThan(0);

    await page.getByTestId('message-row').filter({ hasText: 'de ad be ef' }).click();
    const detail = page.getByRole('region', { name: 'Selected record' });
    await expect(detail.getByRole('note').textContent()).resolves.toMatch(/Shown as hex: no magic byte \(first byte 0xde\)/);
    await page.getByTestId('message-row').filter({ hasText: 'customer-2"' }).click();
    await expect(detail.textContent()).resolves.toContain(`schema id ${schemaId} · ${topic}-value v1`);
  });

  it('filters in the engine with a scan counter, and exports what matched', async () => {
    await page.getByLabel(/^Filter/).fill('value.status=SHIPPED -key:order-30');
    await page.getByRole('button', { name: /^(Start|Restart)/ }).click();
    await counter().filter({ hasText: 'scanned 31 · matched 14' }).waitFor({ timeout: 30_000 });
    await expect(page.getByTestId('message-row').filter({ hasText: '"status":"NEW"' }).count()).resolves.toBe(0);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export JSON' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(new RegExp(`^${topic}-.*\\.json$`));
    await page.getByText('Exported 14 matching record(s) of 31 scanned.').waitFor();
    await page.screenshot({ path: screenshotPath('messages-filtered'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: screenshotPath('messages-filtered-dark'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('tails new records live, newest on top, and keeps them when paused', async () => {
    await page.getByLabel(/^Filter/).fill('');
    await page.getByLabel('Start', { exact: true }).selectOption('live');
    await page.getByRole('button', { name: /^(Start|Restart)/ }).click();
    await page.getByTestId('scan-status').getByText('LIVE', { exact: true }).waitFor({ timeout: 30_000 });
    for (let batch = 0; batch < 5; batch++) await produce(100 + batch * 40, 40);
    await counter().filter({ hasText: 'matched 200' }).waitFor({ timeout: 30_000 });
    await expect(page.getByTestId('message-row').first().textContent()).resolves.toContain('order-');
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByTestId('scan-status').getByText('PAUSED', { exact: true }).waitFor();
    await produce(500, 10);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await expect(counter().textContent()).resolves.toContain('matched 200');
    await expect(page.getByTestId('message-row').count()).resolves.toBeGreaterThan(10);
    await page.screenshot({ path: screenshotPath('messages-live-paused'), fullPage: true });
    await page.getByRole('button', { name: 'Resume' }).click();
    await counter().filter({ hasText: 'matched 210' }).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Stop' }).click();
    await page.getByTestId('scan-status').getByText('STOPPED', { exact: true }).waitFor();
  });

  it('validates a test record against the schema before sending it', async () => {
    await page.getByText(`Produce a test record to ${topic}`).click();
    await page.getByLabel('Subject').fill(`${topic}-value`);
    await page.getByLabel('Value (JSON)').fill('{"id": "not a number", "status": "NEW"}');
    await page.getByRole('button', { name: 'Send record' }).click();
    const problems = page.getByRole('alert').filter({ hasText: 'Not sent' });
    await problems.waitFor();
    await expect(problems.textContent()).resolves.toMatch(/id: expected long.*customer: expected string, found missing/);
    await page.getByLabel('Value (JSON)').fill('{"id": 7001, "status": "TEST", "customer": "ferry"}');
    await page.getByRole('button', { name: 'Send record' }).click();
    await page.getByText(/Sent to partition \d at offset \d+\. Schema id/).waitFor();
  });
});
