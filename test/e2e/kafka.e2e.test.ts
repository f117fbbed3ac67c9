import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Consumer, Kafka } from 'kafkajs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka } from '../../src/engine/kafka';
import { SchemaRegistryClient, startEmbeddedSchemaRegistry, type EmbeddedSchemaRegistry } from '../../src/engine/schema';
import { launchChromium, screenshotPath } from '../helpers/browser';
import { uniqueName } from '../helpers/names';
import { until } from '../helpers/until';
import { startTestWebHost } from '../helpers/webHost';

/** The Kafka user's pages against the lab's cluster "a" and an embedded Schema Registry saved as a profile. */
describe('Kafka pane in Chromium through the web host: topics, consumer groups, subjects', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-e2e-kafka-'));
  const previousDataDir = process.env.FERRY_DATA_DIR;
  const createdTopic = uniqueName('e2e_created');
  const lagTopic = uniqueName('e2e_lag');
  const group = uniqueName('e2e_group');
  const subject = `${uniqueName('e2e_orders')}-value`;
  let browser: Browser;
  let page: Page;
  let web: Awaited<ReturnType<typeof startTestWebHost>>;
  let registry: EmbeddedSchemaRegistry;
  let kafka: Kafka;
  let consumer: Consumer | undefined;

  beforeAll(async () => {
    process.env.FERRY_DATA_DIR = dataDir;
    web = await startTestWebHost();
    if (!(await web.engine.lab.status()).running) await web.engine.lab.up({ services: ['kafka-a'] });
    kafka = createKafka({ bootstrapServers: [(await web.engine.lab.status()).endpoints.kafka.a.bootstrap] });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: lagTopic, numPartitions: 2 }], waitForLeaders: true });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: lagTopic, acks: -1, messages: Array.from({ length: 10 }, (_, i) => ({ partition: i % 2, value: `v${i}` })) });
    await producer.disconnect();
    // A consumer that read 3 records of partition 0 and 1 of partition 1, then went away: lag 2 + 4.
    await admin.setOffsets({ groupId: group, topic: lagTopic, partitions: [{ partition: 0, offset: '3' }, { partition: 1, offset: '1' }] });
    await admin.disconnect();

    registry = await startEmbeddedSchemaRegistry();
    const client = new SchemaRegistryClient({ url: registry.url });
    await client.register(subject, JSON.stringify({ type: 'record', name: 'Order', fields: [{ name: 'id', type: 'long' }, { name: 'status', type: 'string' }] }));
    await client.register(subject, JSON.stringify({ type: 'record', name: 'Order', fields: [{ name: 'id', type: 'long' }, { name: 'status', type: 'string' }, { name: 'email', type: ['null', 'string'], default: null }] }));
    await web.engine.connections.save({ profile: { kind: 'schemaRegistry', name: 'e2e registry', environment: 'dev', url: registry.url } });

    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
  });

  afterAll(async () => {
    await consumer?.disconnect().catch(() => {});
    await browser?.close();
    await web?.close();
    const admin = kafka?.admin();
    if (admin) {
      await admin.connect();
      await admin.deleteGroups([group]).catch(() => {});
      await admin.deleteTopics({ topics: [lagTopic, createdTopic] }).catch(() => {});
      await admin.disconnect();
    }
    await registry?.close();
    if (previousDataDir === undefined) delete process.env.FERRY_DATA_DIR;
    else process.env.FERRY_DATA_DIR = previousDataDir;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates a topic, shows its partitions and configs, edits one config and deletes it', async () => {
    await page.goto(`${web.host.url}#kafka/topics`);
    await page.getByRole('heading', { name: 'Kafka', exact: true }).waitFor();
    await page.getByRole('link', { name: 'Kafka', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Create topic' }).click();
    const form = page.getByRole('form', { name: 'Create topic' });
    await form.getByLabel('Topic name').fill(createdTopic);
    await form.getByLabel('Partitions').fill('3');
    await form.getByLabel('Configs').fill('cleanup.policy=compact');
    await form.getByRole('button', { name: 'Create', exact: true }).click();

    const detail = page.getByRole('region', { name: `Topic ${createdTopic}` });
    await detail.getByTestId('topic-summary').filter({ hasText: '3 partitions' }).waitFor({ timeout: 30_000 });
    await expect(detail.getByRole('table', { name: 'Partitions' }).locator('tbody tr').count()).resolves.toBe(3);
    await expect(detail.getByTestId('topic-summary').textContent()).resolves.toContain('size: not reported');
    await expect(detail.getByTestId('config-cleanup.policy').textContent()).resolves.toContain('compact');
    // The list refreshes on its own request, which may answer after the detail's.
    await page.getByTestId('topic-item').filter({ hasText: createdTopic }).waitFor({ timeout: 10_000 });
    await expect(page.getByTestId('topic-item').filter({ hasText: createdTopic }).count()).resolves.toBe(1);

    await detail.getByRole('button', { name: 'Edit retention.ms' }).click();
    await detail.getByLabel('Value of retention.ms').fill('3600000');
    await detail.getByTestId('config-retention.ms').getByRole('button', { name: 'Save' }).click();
    await detail.getByTestId('config-retention.ms').filter({ hasText: '3600000' }).waitFor();
    await expect(detail.getByTestId('config-retention.ms').textContent()).resolves.toContain('topic');
    // The other topic-level config survived the edit (AlterConfigs replaces the whole set).
    await expect(detail.getByTestId('config-cleanup.policy').textContent()).resolves.toContain('compact');
    const overview = await web.engine.topics.overview({ kind: 'lab', cluster: 'a' }, createdTopic);
    expect(overview.configs.find((entry) => entry.name === 'retention.ms')?.value).toBe('3600000');
    expect(overview.configs.find((entry) => entry.name === 'cleanup.policy')?.value).toBe('compact');
    await page.screenshot({ path: screenshotPath('kafka-topic'), fullPage: true });

    await detail.getByRole('button', { name: 'Delete…' }).click();
    const dialog = page.getByRole('alertdialog', { name: `Delete topic ${createdTopic}?` });
    await dialog.getByRole('button', { name: 'Delete topic' }).click();
    await page.getByTestId('topic-item').filter({ hasText: createdTopic }).waitFor({ state: 'detached', timeout: 30_000 });
    await until(async () => !(await web.engine.topics.list({ kind: 'lab', cluster: 'a' })).some((topic) => topic.name === createdTopic), `topic ${createdTopic} to be deleted`);
  });

  it('shows a group with lag per partition, resets it, and refuses a reset while the group is active', async () => {
    await page.goto(`${web.host.url}#kafka/groups/${encodeURIComponent(group)}`);
    const detail = page.getByRole('region', { name: `Group ${group}` });
    await detail.getByTestId('group-total-lag').filter({ hasText: '6' }).waitFor({ timeout: 30_000 });
    await expect(detail.getByTestId('lag-row').count()).resolves.toBe(2);
    await expect(detail.getByTestId('lag-row').first().textContent()).resolves.toBe(`${lagTopic}0352–`);

    const reset = detail.getByRole('form', { name: 'Reset offsets' });
    await reset.getByLabel('Reset to').selectOption('offset');
    await reset.getByLabel('Offset').fill('4');
    await reset.getByLabel('Partitions').fill('0');
    await reset.getByRole('button', { name: 'Reset offsets…' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Reset offsets' }).click();
    await detail.getByRole('status').filter({ hasText: 'Total lag is now 5' }).waitFor({ timeout: 60_000 });
    await expect(detail.getByTestId('lag-row').first().textContent()).resolves.toBe(`${lagTopic}0451–`);

    await reset.getByLabel('Reset to').selectOption('earliest');
    await reset.getByLabel('Partitions').fill('');
    await reset.getByRole('button', { name: 'Reset offsets…' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Reset offsets' }).click();
    await detail.getByTestId('group-total-lag').filter({ hasText: '10' }).waitFor({ timeout: 60_000 });
    await page.screenshot({ path: screenshotPath('kafka-group'), fullPage: true });

    consumer = kafka.consumer({ groupId: group });
    await consumer.connect();
    await consumer.subscribe({ topic: lagTopic, fromBeginning: true });
    await consumer.run({ eachMessage: async () => {} });
    await until(async () => (await web.engine.topics.group({ kind: 'lab', cluster: 'a' }, group)).state === 'Stable', `group ${group} to become active`);
    await detail.getByRole('button', { name: 'Refresh' }).click();
    await detail.getByTestId('reset-active-note').waitFor();
    await reset.getByRole('button', { name: 'Reset offsets…' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Reset offsets' }).click();
    const refused = detail.getByRole('alert').filter({ hasText: 'TOPICS_GROUP_ACTIVE' });
    await refused.waitFor({ timeout: 30_000 });
    await expect(refused.textContent()).resolves.toContain('Stop its consumers');
    await page.screenshot({ path: screenshotPath('kafka-group-active'), fullPage: true });
  });

  it('lists a subject with two versions, diffs them and sets its compatibility level', async () => {
    await page.goto(`${web.host.url}#kafka/schemas/${encodeURIComponent(subject)}`);
    await page.getByRole('combobox', { name: 'Schema Registry' }).selectOption({ label: 'e2e registry (profile)' });
    await page.getByTestId('subject-item').filter({ hasText: subject }).waitFor({ timeout: 30_000 });
    const detail = page.getByRole('region', { name: `Subject ${subject}` });
    await detail.getByTestId('subject-summary').filter({ hasText: '2 versions' }).waitFor();
    await expect(detail.getByLabel('Schema version 2').textContent()).resolves.toContain('"email"');

    await detail.getByRole('button', { name: 'Show diff' }).click();
    const diff = detail.getByTestId('schema-diff');
    await diff.waitFor();
    await expect(diff.textContent()).resolves.toContain('added field email (["null","string"], default null)');
    await expect(diff.locator('.diff-added').count()).resolves.toBeGreaterThan(0);
    await expect(diff.locator('.diff-removed').count()).resolves.toBe(0);

    const level = detail.getByLabel('Compatibility');
    await expect(level.inputValue()).resolves.toBe('BACKWARD');
    await level.selectOption('FULL');
    await detail.getByText('set on this subject').waitFor();
    await expect(new SchemaRegistryClient({ url: registry.url }).getSubjectCompatibility(subject)).resolves.toBe('FULL');
    await page.screenshot({ path: screenshotPath('kafka-subject-diff'), fullPage: true });
  });
});
