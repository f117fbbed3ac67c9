import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAB_DEFAULT_SERVICES } from '../../src/shared/api';
import { launchChromium, screenshotPath, secretMask } from '../helpers/browser';
import { startTestWebHost } from '../helpers/webHost';

describe('lab panel in Chromium through the web host', () => {
  let browser: Browser;
  let page: Page;
  let web: Awaited<ReturnType<typeof startTestWebHost>>;
  let wasRunning = false;

  beforeAll(async () => {
    web = await startTestWebHost();
    wasRunning = (await web.engine.lab.status()).running;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  });

  afterAll(async () => {
    // Leave the lab as we found it (the e2e setup starts it for every pane's tests).
    if (!wasRunning) await web?.engine.lab.down();
    else await web?.engine.lab.up();
    await browser?.close();
    await web?.close();
  });

  it('refuses a page opened without the token and says why', async () => {
    const tokenless = await browser.newPage();
    await tokenless.goto(web.host.url.replace(/\?token=.*/, ''));
    await expect(tokenless.getByRole('alert').filter({ hasText: 'Engine unreachable' }).waitFor({ timeout: 10_000 })).resolves.toBeUndefined();
    await tokenless.close();
  });

  it('stops and starts the lab from the UI, with every service state, endpoint and masked password live', async () => {
    // The app opens on the demo; the lab has its own pane.
    await page.goto(`${web.host.url}#lab`);
    await page.getByRole('heading', { name: 'Local lab' }).waitFor();
    await page.getByTestId('lab-status-line').filter({ hasNotText: 'Asking the engine' }).waitFor();

    if (wasRunning) {
      await page.getByRole('button', { name: 'Stop lab' }).click();
      // Stopping interrupts what runs: the app asks first.
      await page.getByRole('alertdialog').getByRole('button', { name: 'Stop lab' }).click();
      for (const name of LAB_DEFAULT_SERVICES) {
        await page.getByTestId(`state-${name}`).filter({ hasText: 'stopped' }).waitFor({ timeout: 60_000 });
      }
      expect((await web.engine.lab.status()).services.every((service) => service.state === 'stopped')).toBe(true);
      await page.screenshot({ mask: secretMask(page), path: screenshotPath('lab-stopped'), fullPage: true });
    }

    await page.getByRole('button', { name: 'Start lab' }).click();
    // Live updates arrive while the lab starts: at least one service shows "starting" before all run.
    await page.getByText('starting', { exact: true }).first().waitFor({ timeout: 30_000 });
    for (const name of LAB_DEFAULT_SERVICES) {
      await page.getByTestId(`state-${name}`).filter({ hasText: 'running' }).waitFor({ timeout: 150_000 });
    }
    const status = await web.engine.lab.status();
    expect(status.running).toBe(true);
    await expect(page.getByTestId('endpoint-kafka-a').textContent()).resolves.toBe(status.endpoints.kafka.a.bootstrap);
    await expect(page.getByTestId('endpoint-postgres').textContent()).resolves.toBe(`127.0.0.1:${status.endpoints.postgres.port}`);

    // Passwords stay masked until asked for.
    const details = page.getByRole('region', { name: 'Connection details' });
    await expect(details.textContent()).resolves.not.toContain(status.endpoints.mariadb.password);
    await page.screenshot({ mask: secretMask(page), path: screenshotPath('lab-running'), fullPage: true });
  });
});
