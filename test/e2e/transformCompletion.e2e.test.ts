import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, pasteIntoEditor, screenshotPath } from '../helpers/browser';
import { startTestWebHost } from '../helpers/webHost';

/**
 * The config editor completes a transform's keys: once a connector lists an alias and its `transforms.<alias>.type`,
 * typing `"transforms.<alias>.` offers that transform's keys (from Connect's documentation of it), and the class of
 * `transforms.<alias>.type` is completed from the transforms Ferry runs.
 */
describe('transform key completion in the config editor (Chromium, web host)', () => {
  let browser: Browser;
  let page: Page;
  let web: Awaited<ReturnType<typeof startTestWebHost>>;
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-e2e-transforms-'));

  beforeAll(async () => {
    web = await startTestWebHost({ dataDir });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  });

  afterAll(async () => {
    await browser?.close();
    await web?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('offers MaskField$Value keys for transforms.mask.* and RegexRouter keys for transforms.route.*', async () => {
    await page.goto(`${web.host.url}#editor`);
    await page.getByRole('heading', { name: 'Config editor' }).waitFor();
    await page.locator('.monaco-editor .view-lines').waitFor();
    const text = JSON.stringify(
      {
        name: 'transform-completion',
        kafka: { 'bootstrap.servers': '127.0.0.1:19092' },
        'schema.registry.url': 'http://127.0.0.1:18081',
        connectors: [
          {
            name: 'sink',
            'connector.class': 'PostgresSink',
            topics: 'orders',
            'connection.host': '127.0.0.1',
            'db.name': 'ferry',
            transforms: 'mask,route',
            'transforms.route.type': 'org.apache.kafka.connect.transforms.RegexRouter',
            'transforms.mask.type': 'org.apache.kafka.connect.transforms.MaskField$Value',
          },
        ],
      },
      null,
      2,
    );
    await pasteIntoEditor(page, text);
    // The schema follows the document after the validation delay; wait for the engine's markers to settle.
    await page.waitForTimeout(1500);
    // The last property of the connector is three lines above the end: `"transforms.mask.type": …` / `}` / `]` / `}`.
    await page.keyboard.press('ControlOrMeta+End');
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowUp');
    await page.keyboard.press('End');
    await page.keyboard.type(',');
    await page.keyboard.press('Enter');
    await page.keyboard.type('"transforms.mask.');
    await page.keyboard.press('Control+Space');
    const suggest = page.locator('.suggest-widget.visible');
    await suggest.waitFor({ timeout: 15_000 });
    await expect.poll(async () => (await suggest.innerText()).includes('transforms.mask.fields'), { timeout: 15_000 }).toBe(true);
    const shown = await suggest.innerText();
    expect(shown).toContain('transforms.mask.replacement');
    expect(shown).not.toContain('transforms.route.regex');
    await page.screenshot({ path: screenshotPath('editor-transform-completion') });

    // The other alias: its own transform's keys.
    await page.keyboard.press('Escape');
    for (let i = 0; i < 'mask.'.length; i++) await page.keyboard.press('Backspace');
    await page.keyboard.type('route.');
    await page.keyboard.press('Control+Space');
    await suggest.waitFor({ timeout: 15_000 });
    await expect.poll(async () => (await suggest.innerText()).includes('transforms.route.regex'), { timeout: 15_000 }).toBe(true);
    expect(await suggest.innerText()).toContain('transforms.route.replacement');
  });

  it('offers HoistField$Key keys, and a sink\'s consumer.override.* cluster keys (not the producer\'s)', async () => {
    const text = JSON.stringify(
      {
        name: 'override-completion',
        kafka: { 'bootstrap.servers': '127.0.0.1:19092' },
        clusters: { cloud: { 'bootstrap.servers': '127.0.0.1:29092', 'schema.registry.url': 'http://127.0.0.1:28081' } },
        connectors: [{ name: 'sink', 'connector.class': 'PostgresSink', topics: 'orders', 'connection.host': '127.0.0.1', 'db.name': 'ferry', transforms: 'hoist', 'transforms.hoist.type': 'org.apache.kafka.connect.transforms.HoistField$Key' }],
      },
      null,
      2,
    );
    await page.keyboard.press('Escape'); // the previous test's suggestions would take the click
    await pasteIntoEditor(page, text);
    await page.waitForTimeout(1500);
    await page.keyboard.press('ControlOrMeta+End');
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowUp');
    await page.keyboard.press('End');
    await page.keyboard.type(',');
    await page.keyboard.press('Enter');
    await page.keyboard.type('"transforms.hoist.');
    await page.keyboard.press('Control+Space');
    const suggest = page.locator('.suggest-widget.visible');
    await suggest.waitFor({ timeout: 15_000 });
    await expect.poll(async () => (await suggest.innerText()).includes('transforms.hoist.field'), { timeout: 15_000 }).toBe(true);

    await page.keyboard.press('Escape');
    for (let i = 0; i < 'transforms.hoist.'.length; i++) await page.keyboard.press('Backspace');
    await page.keyboard.type('consumer.override.boot');
    await page.keyboard.press('Control+Space');
    await suggest.waitFor({ timeout: 15_000 });
    await expect.poll(async () => (await suggest.innerText()).includes('consumer.override.bootstrap.servers'), { timeout: 15_000 }).toBe(true);
    await page.keyboard.press('Escape');
    for (let i = 0; i < 'consumer.override.boot'.length; i++) await page.keyboard.press('Backspace');
    await page.keyboard.type('producer.override.boot');
    await page.keyboard.press('Control+Space');
    await page.waitForTimeout(1000);
    const offered = (await suggest.isVisible()) ? await suggest.innerText() : '';
    expect(offered).not.toContain('producer.override.bootstrap.servers');
    await page.screenshot({ path: screenshotPath('editor-override-completion') });
  });
});
