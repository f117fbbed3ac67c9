import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabEndpoints } from '../../src/shared/api';
import { launchChromium, screenshotPath, secretMask } from '../helpers/browser';
import { startTestWebHost } from '../helpers/webHost';

describe('connection profiles in Chromium through the web host', () => {
  // Profiles of this test live in a scratch data directory, never in the developer's own.
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-e2e-profiles-'));
  const previousDataDir = process.env.FERRY_DATA_DIR;
  let browser: Browser;
  let page: Page;
  let web: Awaited<ReturnType<typeof startTestWebHost>>;
  let endpoints: LabEndpoints;

  beforeAll(async () => {
    process.env.FERRY_DATA_DIR = dataDir;
    web = await startTestWebHost();
    const status = await web.engine.lab.status();
    if (!status.running) await web.engine.lab.up({ services: ['kafka-a', 'mariadb'] });
    endpoints = (await web.engine.lab.status()).endpoints;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
  });

  afterAll(async () => {
    await browser?.close();
    await web?.close();
    if (previousDataDir === undefined) delete process.env.FERRY_DATA_DIR;
    else process.env.FERRY_DATA_DIR = previousDataDir;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates a MariaDB profile, tests it step by step and saves it; the secret is never shown again', async () => {
    await page.goto(`${web.host.url}#connections`);
    await page.getByRole('heading', { name: 'Connections' }).waitFor();
    await expect(page.getByTestId('secret-storage').textContent()).resolves.toContain('memory');
    await page.getByRole('heading', { name: 'No profiles yet' }).waitFor();

    await page.getByRole('radio', { name: 'Database' }).click();
    await page.getByLabel('Name', { exact: true }).fill('lab mariadb');
    await page.getByLabel('Database system').selectOption('mysql');
    await page.getByLabel('Host', { exact: true }).fill(endpoints.mariadb.host);
    await page.getByLabel('Port', { exact: true }).fill(String(endpoints.mariadb.port));
    await page.getByLabel('Database', { exact: true }).fill(endpoints.mariadb.database);
    await page.getByLabel('User', { exact: true }).fill(endpoints.mariadb.user);
    await page.getByLabel('Password', { exact: true }).fill(endpoints.mariadb.password);
    await page.getByRole('button', { name: 'Test connection' }).click();

    const results = page.getByRole('region', { name: 'Test results' });
    await results.getByRole('status').filter({ hasText: 'Connected' }).waitFor({ timeout: 30_000 });
    for (const step of ['dns', 'tcp', 'auth', 'privileges']) await expect(page.getByTestId(`test-step-${step}`).getByLabel('ok').count()).resolves.toBe(1);

    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved "lab mariadb".').waitFor();
    await page.getByRole('navigation', { name: 'Saved profiles' }).getByRole('button', { name: /lab mariadb/ }).waitFor();
    await expect(page.getByLabel('Password', { exact: true }).inputValue()).resolves.toBe('');
    await expect(page.content()).resolves.not.toContain(endpoints.mariadb.password);
    await page.screenshot({ mask: secretMask(page), path: screenshotPath('connections-mariadb-ok'), fullPage: true });
  });

  it('names a wrong Kafka port as TCP refused and a wrong password as authentication, with timings', async () => {
    await page.getByRole('button', { name: 'New profile' }).click();
    await page.getByRole('radio', { name: 'Kafka', exact: true }).click();
    await page.getByLabel('Name', { exact: true }).fill('wrong port');
    await page.getByLabel('Bootstrap servers', { exact: true }).fill('127.0.0.1:1');
    await page.getByRole('button', { name: 'Test connection' }).click();
    const failure = page.getByTestId('test-step-tcp');
    await failure.getByLabel('failed').waitFor({ timeout: 30_000 });
    await expect(failure.textContent()).resolves.toContain('CONNECTION_TCP_REFUSED');
    await expect(page.getByRole('region', { name: 'Test results' }).getByRole('status').textContent()).resolves.toContain('Failed: CONNECTION_TCP_REFUSED');
    await expect(page.getByTestId('test-step-auth').getByLabel('skipped').count()).resolves.toBe(1);
    await page.screenshot({ mask: secretMask(page), path: screenshotPath('connections-kafka-refused'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ mask: secretMask(page), path: screenshotPath('connections-kafka-refused-dark'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });

    await page.getByRole('navigation', { name: 'Saved profiles' }).getByRole('button', { name: /lab mariadb/ }).click();
    await page.getByLabel('Password', { exact: true }).fill('not-the-password');
    await page.getByRole('button', { name: 'Test connection' }).click();
    const auth = page.getByTestId('test-step-auth');
    await auth.getByLabel('failed').waitFor({ timeout: 30_000 });
    await expect(auth.textContent()).resolves.toMatch(/CONNECTION_AUTH.*wrong user or password/);
    await expect(page.content()).resolves.not.toContain('not-the-password</');
    await page.screenshot({ mask: secretMask(page), path: screenshotPath('connections-mariadb-auth-failed'), fullPage: true });
  });

  it('refuses to save an incomplete profile and marks the fields', async () => {
    await page.getByRole('button', { name: 'New profile' }).click();
    await page.getByRole('radio', { name: 'Kafka', exact: true }).click();
    await page.getByLabel('Name', { exact: true }).fill('half done');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('alert').filter({ hasText: 'PROFILE_INVALID' }).waitFor();
    await expect(page.getByRole('alert').filter({ hasText: 'Bootstrap servers is empty' }).count()).resolves.toBeGreaterThan(0);
  });
});
