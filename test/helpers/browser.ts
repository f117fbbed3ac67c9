import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

/** Debian's Chromium; Playwright's own browser download cannot run on our machines. */
export const CHROMIUM_PATH = process.env.FERRY_CHROMIUM ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

export const SCREENSHOT_DIR = join(process.cwd(), 'artifacts', 'screenshots');

export function screenshotPath(name: string): string {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return join(SCREENSHOT_DIR, `${name}.png`);
}

/**
 * What a screenshot must cover: the config editor's lines that carry a secret a test pasted (a lab password, a key).
 * Secrets never appear in screenshots, and the editor shows what the user typed.
 */
export function secretMask(page: Page): Locator[] {
  return [page.locator('.monaco-editor .view-line').filter({ hasText: /password|secret|sasl\.jaas|basic\.auth\.user\.info|api\.key|account\.key/i })];
}
