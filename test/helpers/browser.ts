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

/**
 * Replaces the config editor's text the way a user's paste does (Monaco's own paste handling, so a pasted connector
 * is wrapped as in the app), once the editor has loaded (Run is enabled only then).
 */
export async function pasteIntoEditor(page: Page, text: string): Promise<void> {
  await page.getByRole('button', { name: /^Run/ }).and(page.locator(':enabled')).waitFor({ timeout: 60_000 });
  await page.locator('.monaco-editor .view-lines').click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.evaluate((content) => {
    // Runs in the page; this project's types are Node's, so the few DOM names used are declared here.
    const view = globalThis as unknown as {
      DataTransfer: new () => { setData(type: string, value: string): void };
      ClipboardEvent: new (type: string, init: object) => Event;
      document: { activeElement: EventTarget | null };
    };
    const data = new view.DataTransfer();
    data.setData('text/plain', content);
    view.document.activeElement?.dispatchEvent(new view.ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, text);
}
