import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, pasteIntoEditor, screenshotPath } from '../helpers/browser';
import { uniqueName } from '../helpers/names';
import { KafkaScratch, produce, readTopic, replicatorName } from '../helpers/replicatorHarness';
import { startTestWebHost } from '../helpers/webHost';

/**
 * A replicator written without any cluster address: the editor's Connections tab offers its source and destination
 * clusters as profile slots, "Fill from the lab" names lab:kafka-a and lab:kafka-b, the file validates clean and is
 * saved without a bootstrap server, and that saved text, started as it is, copies the topic to cluster b.
 */
describe('a replicator naming profiles in the config editor, in Chromium through the web host', () => {
  let browser: Browser;
  let page: Page;
  let web: Awaited<ReturnType<typeof startTestWebHost>>;
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-e2e-replprof-'));
  const topic = uniqueName('e2e_replprof');
  const name = replicatorName('e2e-replprof');
  let onA: KafkaScratch;
  let onB: KafkaScratch;

  beforeAll(async () => {
    web = await startTestWebHost({ dataDir });
    const lab = await web.engine.lab.status();
    onA = new KafkaScratch(lab.endpoints.kafka.a.bootstrap);
    onB = new KafkaScratch(lab.endpoints.kafka.b.bootstrap);
    onA.track({ topics: [topic], groups: [name] });
    onB.track({ topics: [`${topic}.replica`], groups: [name] });
    await onA.createTopic(topic);
    await produce(lab.endpoints.kafka.a.bootstrap, topic, [1, 2].map((i) => ({ partition: 0, key: `k${i}`, value: `v${i}` })));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  });

  afterAll(async () => {
    await web?.engine.replicators.stop(name).catch(() => {});
    await onA?.cleanup().catch(() => {});
    await onB?.cleanup().catch(() => {});
    await browser?.close();
    await web?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('fills both clusters from the lab, saves a file without addresses and the saved file copies the topic', async () => {
    await page.goto(`${web.host.url}#editor`);
    await page.getByRole('heading', { name: 'Config editor' }).waitFor();
    await page.locator('.monaco-editor').waitFor();
    const text = { name, connectors: [{ name, 'connector.class': 'io.confluent.connect.replicator.ReplicatorSourceConnector', 'topic.whitelist': topic, 'topic.rename.format': '${topic}.replica' }] };
    await pasteIntoEditor(page, JSON.stringify(text, null, 2));
    await page.getByRole('tab', { name: 'Connections' }).click();
    const panel = page.getByTestId('profiles-panel');
    await panel.getByRole('button', { name: 'Fill from the lab' }).click();
    await page.getByText(/Filled from the lab/).waitFor();
    await expect.poll(async () => panel.getByLabel(`Use profile for ${name} (source cluster)`).inputValue()).toBe('lab:kafka-a');
    await expect.poll(async () => panel.getByLabel(`Use profile for ${name} (destination cluster)`).inputValue()).toBe('lab:kafka-b');
    await expect.poll(async () => (await page.getByTestId('problem-count').textContent())?.trim(), { timeout: 20_000 }).toBe('0');
    await page.screenshot({ path: screenshotPath('editor-replicator-profiles'), fullPage: true });

    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText(/Saved ".*" to the workspace/).waitFor({ timeout: 20_000 });
    const file = (await web.engine.pipelines.listFiles()).find((entry) => entry.name === name);
    const saved = readFileSync(file?.path ?? '', 'utf8');
    expect(saved).toContain('"src.kafka.ferry.profile": "lab:kafka-a"');
    expect(saved).toContain('"dest.kafka.ferry.profile": "lab:kafka-b"');
    expect(saved).not.toContain('bootstrap.servers');

    // The saved text as it is: the replicators API resolves the lab's clusters and copies.
    await web.engine.replicators.start({ text: saved, fileName: file?.path ?? 'replicator.json' });
    const lab = await web.engine.lab.status();
    const copied = await readTopic(lab.endpoints.kafka.b.bootstrap, `${topic}.replica`, 2);
    expect(copied.map((record) => record.value)).toEqual(['v1', 'v2']);
  });
});
