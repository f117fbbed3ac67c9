import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshotPath } from '../helpers/browser';
import { uniqueName } from '../helpers/names';
import { KafkaScratch } from '../helpers/pipelineHarness';
import { startTestWebHost } from '../helpers/webHost';

/**
 * First run: no saved workspace, so the app opens on the demo; one click runs the embedded default through the lab's
 * Kafka and the panes show it live (pipeline RUNNING, rows applied, a lineage graph with counts on its edges).
 */
describe('demo first run in Chromium through the web host', () => {
  let browser: Browser;
  let page: Page;
  let web: Awaited<ReturnType<typeof startTestWebHost>>;
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-e2e-demo-'));

  beforeAll(async () => {
    // Its own data directory (an empty workspace = first run) and topic prefix (never a user's demo topics).
    web = await startTestWebHost({ dataDir, demo: { topicPrefix: `${uniqueName('e2edemo')}_` } });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  });

  afterAll(async () => {
    const status = await web?.engine.demo.status().catch(() => undefined);
    if (status?.state === 'running' || status?.state === 'failed') await web.engine.demo.stop().catch(() => {});
    await browser?.close();
    await web?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('opens on the demo, starts it with one click and shows the pipeline live with a lineage graph and counts', async () => {
    await page.goto(web.host.url);
    await page.getByRole('heading', { name: /Demo: replicate a live order database/ }).waitFor();
    await page.getByRole('link', { name: 'Start from my own databases →' }).waitFor();

    await page.getByRole('button', { name: 'Start the demo' }).click();
    // Progress for a slow action: the step the engine is on (numbered, with counts while orders are inserted).
    await page.getByTestId('demo-status-line').filter({ hasText: /step [1-5]\/5 · / }).waitFor({ timeout: 60_000 });
    await page.getByTestId('demo-status-line').filter({ hasText: /Live: pipeline/ }).waitFor({ timeout: 120_000 });
    await page.getByTestId('demo-pipeline-state').filter({ hasText: 'RUNNING' }).waitFor({ timeout: 60_000 });

    // Rows reach the target and the lineage edges carry counts.
    await expect
      .poll(async () => Number((await page.getByTestId('demo-applied').textContent())?.replace(/[^\d.]/g, '') ?? 0), { timeout: 60_000, interval: 1000 })
      .toBeGreaterThan(0);
    const graph = page.getByRole('img', { name: /Lineage of pipeline/ });
    await graph.waitFor();
    await expect.poll(async () => graph.getByTestId('lineage-edge-count').count(), { timeout: 30_000 }).toBe(8);
    const counts = await graph.getByTestId('lineage-edge-count').allTextContents();
    expect(counts.some((count) => count !== '0')).toBe(true);

    // The simulator cancels orders (deletes at the source) and the pane shows them deleted in the target too: the
    // demo captures a trigger-written change log because PGlite serves no logical replication, and says so.
    await expect.poll(async () => Number((await page.getByTestId('demo-cancelled').textContent())?.replace(/[^\d]/g, '') ?? 0), { timeout: 30_000, interval: 500 }).toBeGreaterThan(0);
    await page.getByTestId('demo-cancellations-applied').filter({ hasText: /^[1-9][\d,]* deleted in the target$/ }).waitFor({ timeout: 30_000 });
    await expect(page.getByTestId('demo-capture').textContent()).resolves.toMatch(/Triggers write every insert, update and delete to a change log.*PGlite serves no logical replication/);

    const status = await web.engine.demo.status();
    expect(status.state).toBe('running');
    expect(status.cancellationsApplied).toBeGreaterThan(0);
    expect(status.topics).toHaveLength(4);
    expect(status.tables.map((table) => table.source)).toEqual(['customers', 'products', 'sales_orders', 'sales_order_details']);
    await page.waitForTimeout(2500); // let the edge animation and a figure or two update before the picture
    await page.screenshot({ path: screenshotPath('demo-running'), fullPage: true });
  });

  it('shows the same pipeline in the pipelines pane with snapshot progress, charts and connector states', async () => {
    await page.getByRole('link', { name: 'Pipelines', exact: true }).click();
    const pipeline = (await web.engine.demo.status()).pipeline ?? '';
    await page.getByTestId(`pipeline-state-${pipeline}`).filter({ hasText: 'RUNNING' }).waitFor({ timeout: 30_000 });
    await page.getByRole('table', { name: `Snapshot progress of ${pipeline}` }).waitFor();
    // The demo captures its change log (schema ferry_changes), so progress names those tables.
    await page.getByRole('progressbar', { name: /Snapshot of (ferry_changes\.)?customers/ }).waitFor();
    await page.getByRole('figure', { name: 'Rows per second' }).waitFor({ timeout: 20_000 });
    await page.getByRole('figure', { name: 'End-to-end latency' }).waitFor();
    await page.getByRole('button', { name: `Restart connector ${pipeline}-sink` }).waitFor();
    await page.waitForTimeout(3000);
    await page.screenshot({ path: screenshotPath('pipelines-demo'), fullPage: true });

    // Dark theme: the toggle cycles System → Light → Dark and the page follows at once.
    await page.getByRole('button', { name: /^Theme: System/ }).click();
    await page.getByRole('button', { name: /^Theme: Light/ }).click();
    await page.getByRole('button', { name: /^Theme: Dark/ }).waitFor();
    expect(await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { dataset: Record<string, string> } } }).document.documentElement.dataset.theme)).toBe('dark');
    await page.waitForTimeout(500);
    await page.screenshot({ path: screenshotPath('pipelines-demo-dark'), fullPage: true });
    await page.getByRole('button', { name: /^Theme: Dark/ }).click(); // back to System

    // The presenter's view of the same pipeline, with a replicator hop: the orders topic copied to cluster "b".
    const lab = await web.engine.lab.status();
    const demo = await web.engine.demo.status();
    const ordersTopic = demo.topics.find((topic) => topic.endsWith('sales_orders')) ?? '';
    const replicator = uniqueName('e2e-replicator');
    const onA = new KafkaScratch(lab.endpoints.kafka.a.bootstrap);
    const onB = new KafkaScratch(lab.endpoints.kafka.b.bootstrap);
    onA.track({ groups: [replicator] });
    onB.track({ topics: [`${ordersTopic}.replica`], groups: [replicator] });
    try {
      await web.engine.replicators.start({
        text: JSON.stringify({
          name: replicator,
          config: {
            'connector.class': 'io.confluent.connect.replicator.ReplicatorSourceConnector',
            'src.kafka.bootstrap.servers': lab.endpoints.kafka.a.bootstrap,
            'dest.kafka.bootstrap.servers': lab.endpoints.kafka.b.bootstrap,
            'topic.whitelist': ordersTopic,
            'topic.rename.format': '${topic}.replica',
          },
        }),
      });
      await page.getByRole('link', { name: 'Present lineage' }).click();
      await page.getByRole('heading', { name: 'Lineage' }).waitFor();
      const graph = page.getByRole('img', { name: /Lineage of pipeline/ });
      await graph.waitFor();
      // Four tables and four topics, plus the hop to cluster b.
      await expect.poll(async () => graph.getByTestId('lineage-edge-count').count(), { timeout: 30_000 }).toBe(9);
      await page.waitForTimeout(2500);
      await page.screenshot({ path: screenshotPath('lineage-demo'), fullPage: true });
    } finally {
      await web.engine.replicators.stop(replicator).catch(() => {});
      await onA.cleanup().catch(() => {});
      await onB.cleanup().catch(() => {});
    }
  });

  it('stops the demo and removes what it created', async () => {
    await page.getByRole('link', { name: 'Demo', exact: true }).click();
    await page.getByRole('button', { name: 'Stop demo' }).click();
    // Stopping interrupts what runs: the app asks first, and Cancel leaves the demo running.
    const dialog = page.getByRole('alertdialog', { name: 'Stop the demo?' });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await web.engine.demo.status()).state).toBe('running');
    await page.getByRole('button', { name: 'Stop demo' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Stop demo' }).click();
    await page.getByRole('button', { name: 'Start the demo' }).waitFor({ timeout: 60_000 });
    expect((await web.engine.demo.status()).state).toBe('idle');
    expect(await web.engine.pipelines.list()).toEqual([]);
  });
});

/**
 * A machine without Java and Maven cannot start the local Kafka: the demo says exactly that and runs on an existing
 * cluster instead (here the lab's running cluster "a", given as bootstrap servers, as a user would type it).
 */
describe('demo without Java or Maven in Chromium through the web host', () => {
  let browser: Browser;
  let page: Page;
  let web: Awaited<ReturnType<typeof startTestWebHost>>;
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-e2e-demo-nojava-'));
  const labDir = mkdtempSync(join(tmpdir(), 'ferry-e2e-lab-none-'));
  let bootstrap = '';

  beforeAll(async () => {
    const real = await startTestWebHost({ dataDir });
    bootstrap = (await real.engine.lab.status()).endpoints.kafka.a.bootstrap;
    await real.close();
    // An empty lab directory (nothing running) and a PATH without java or mvn.
    web = await startTestWebHost({ dataDir, lab: { dir: labDir }, demo: { topicPrefix: `${uniqueName('e2enojava')}_`, env: { PATH: '/nonexistent' }, binDirs: [] } });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  });

  afterAll(async () => {
    const status = await web?.engine.demo.status().catch(() => undefined);
    if (status?.state === 'running' || status?.state === 'failed') await web.engine.demo.stop().catch(() => {});
    await browser?.close();
    await web?.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(labDir, { recursive: true, force: true });
  });

  it('names what is missing and starts the demo on the cluster the user gives', async () => {
    await page.goto(web.host.url);
    const alert = page.getByTestId('demo-missing-kafka');
    await alert.waitFor({ timeout: 30_000 });
    await expect(alert.textContent()).resolves.toMatch(/Java 17\+ \(java\) and Maven \(mvn\).*apt-get install openjdk-17-jre-headless maven/);
    // The local start is not offered; the cluster form is.
    await expect(page.getByRole('button', { name: 'Start the demo' }).count()).resolves.toBe(0);
    await page.screenshot({ path: screenshotPath('demo-missing-java'), fullPage: true });

    await page.getByLabel('Bootstrap servers').fill(bootstrap);
    await page.getByRole('button', { name: 'Start with this cluster' }).click();
    await page.getByTestId('demo-status-line').filter({ hasText: `on Kafka ${bootstrap}` }).waitFor({ timeout: 120_000 });
    expect((await web.engine.demo.status()).kafka).toBe(bootstrap);
  });
});
