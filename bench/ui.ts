/**
 * UI benchmark in Chromium through the web host (what `npm start` serves here), printing one JSON object:
 *
 * - cold start: a fresh browser context per run (nothing cached) opening the app on an empty workspace, i.e. the first
 *   run's Demo pane. Navigation timing (DOMContentLoaded, load) and "interactive": the pane rendered with the engine's
 *   answer in it (the demo status line no longer says "Asking the engine…" and the Start button is enabled).
 * - pane switch: a click on each sidebar entry until the pane's heading is in the DOM and a frame has been painted,
 *   measured inside the page. The editor's first open (it lazy-loads Monaco) is reported on its own.
 * - long tasks: a PerformanceObserver ('longtask', buffered) from before the first script runs, over the whole session.
 * - message tail: the phase in `bench/uiMessageTail.ts` (5,000 records/s for 20 s; no main-thread task over 100 ms),
 *   when that module is present; `--skip-tail` leaves it out.
 *
 *   npm run bench:ui -- --json [--runs 5] [--skip-tail]
 *
 * Needs the built renderer (the npm script builds first) and, for the tail phase, the lab's Kafka "a".
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../test/helpers/browser';
import { startTestWebHost } from '../test/helpers/webHost';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, json: { type: 'boolean', default: false }, 'skip-tail': { type: 'boolean', default: false } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive whole number, got "${values.runs}"`);

const COLD_START_TARGET_MS = 1500;
/** "Instant": within a few frames. */
const SWITCH_TARGET_MS = 100;
const LONG_TASK_LIMIT_MS = 100;

/** Installed before any script of the page: long tasks and the moment the first pane became interactive. */
const INIT_SCRIPT = `
  window.__benchLongTasks = [];
  try {
    new PerformanceObserver((list) => { for (const entry of list.getEntries()) window.__benchLongTasks.push(entry.duration); })
      .observe({ type: 'longtask', buffered: true });
  } catch (error) { window.__benchLongTasksUnsupported = String(error); }
  window.__benchInteractiveAt = undefined;
  const check = () => {
    const status = document.querySelector('[data-testid="demo-status-line"]');
    const button = [...document.querySelectorAll('button')].find((b) => b.textContent && b.textContent.includes('Start the demo'));
    if (status && status.textContent && !status.textContent.includes('Asking the engine') && button && !button.disabled) {
      window.__benchInteractiveAt = performance.now();
      return;
    }
    requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
`;

interface ColdRun {
  response_end_ms: number;
  dom_content_loaded_ms: number;
  load_ms: number;
  interactive_ms: number;
  transferred_kb: number;
}

function summary(samples: number[]): { min: number; median: number; p90: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => Math.round((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0) * 10) / 10;
  return { min: at(0), median: at(0.5), p90: at(0.9), max: at(1) };
}

function numberOf(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`The page did not report ${what} (got ${String(value)}).`);
  return value;
}

async function longTasks(page: Page): Promise<number[]> {
  const value: unknown = await page.evaluate('window.__benchLongTasks');
  return Array.isArray(value) ? value.filter((entry): entry is number => typeof entry === 'number') : [];
}

/** A function, not a string: string predicates are eval'd in the page, which the app's CSP refuses. */
function waitUntilInteractive(page: Page): Promise<unknown> {
  return page.waitForFunction(() => (globalThis as unknown as { __benchInteractiveAt?: number }).__benchInteractiveAt !== undefined, undefined, { timeout: 30_000 });
}

async function coldStart(browser: Browser, url: string): Promise<ColdRun & { long_tasks: number[] }> {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  try {
    const page = await context.newPage();
    await page.addInitScript(INIT_SCRIPT);
    await page.goto(url);
    await waitUntilInteractive(page);
    const timing: unknown = await page.evaluate(`(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      const resources = performance.getEntriesByType('resource');
      const bytes = [nav, ...resources].reduce((sum, entry) => sum + (entry.transferSize || entry.encodedBodySize || 0), 0);
      return { responseEnd: nav.responseEnd, domContentLoaded: nav.domContentLoadedEventEnd, load: nav.loadEventEnd, interactive: window.__benchInteractiveAt, bytes };
    })()`);
    const t = timing as Record<string, unknown>;
    return {
      response_end_ms: Math.round(numberOf(t.responseEnd, 'responseEnd')),
      dom_content_loaded_ms: Math.round(numberOf(t.domContentLoaded, 'domContentLoadedEventEnd')),
      load_ms: Math.round(numberOf(t.load, 'loadEventEnd')),
      interactive_ms: Math.round(numberOf(t.interactive, 'the interactive mark')),
      transferred_kb: Math.round(numberOf(t.bytes, 'transferred bytes') / 1024),
      long_tasks: await longTasks(page),
    };
  } finally {
    await context.close();
  }
}

/** Clicks the sidebar link of `pane` and resolves with ms until its heading is in the DOM and a frame was painted. */
async function switchTo(page: Page, pane: string, heading: string): Promise<number> {
  const value: unknown = await page.evaluate(`(async () => {
    const link = document.querySelector('a.nav-item[href="#${pane}"]');
    if (!link) return -1;
    const started = performance.now();
    link.click();
    const shown = () => [...document.querySelectorAll('h1')].some((h) => h.textContent && h.textContent.startsWith(${JSON.stringify(heading)}));
    while (!shown()) {
      if (performance.now() - started > 30000) return -2;
      await new Promise((resolve) => requestAnimationFrame(resolve));
    }
    // The pane is in the DOM; wait for the frame that shows it.
    await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
    return performance.now() - started;
  })()`);
  const ms = numberOf(value, `the switch to ${pane}`);
  if (ms === -1) throw new Error(`No sidebar link for pane "${pane}".`);
  if (ms === -2) throw new Error(`Pane "${pane}" did not show a heading starting "${heading}" within 30 s.`);
  return Math.round(ms * 10) / 10;
}

/** The message-tail phase lives beside this file (written with the message viewer); typed here by its shape. */
type TailPhase = (page: Page, options: { appUrl: string; bootstrap: string; addRegistryProfile?: (url: string) => Promise<string> }) => Promise<Record<string, unknown>>;

async function loadTailPhase(): Promise<TailPhase | string> {
  const file = join(dirname(fileURLToPath(import.meta.url)), 'uiMessageTail.ts');
  if (!existsSync(file)) return 'bench/uiMessageTail.ts is not there (the message viewer adds it)';
  const module: unknown = await import(file);
  const phase = (module as { measureMessageTail?: unknown }).measureMessageTail;
  return typeof phase === 'function' ? (phase as TailPhase) : 'bench/uiMessageTail.ts exports no measureMessageTail';
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-bench-ui-'));
  const web = await startTestWebHost({ dataDir });
  const browser = await launchChromium();
  try {
    const say = (line: string): void => {
      if (!values.json) process.stderr.write(`${line}\n`);
    };
    // One unmeasured load warms the OS file cache and Chromium's process pool, as a user's second launch would.
    await coldStart(browser, web.host.url);
    const cold: (ColdRun & { long_tasks: number[] })[] = [];
    for (let run = 0; run < runs; run++) {
      cold.push(await coldStart(browser, web.host.url));
      say(`cold start ${run + 1}/${runs}: interactive ${cold.at(-1)?.interactive_ms} ms`);
    }

    const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    const page = await context.newPage();
    await page.addInitScript(INIT_SCRIPT);
    await page.goto(web.host.url);
    await waitUntilInteractive(page);
    const panes: [string, string][] = [
      ['pipelines', 'Pipelines'],
      ['lineage', 'Lineage'],
      ['lab', 'Local lab'],
      ['demo', 'Demo'],
    ];
    const editorFirstOpenMs = await switchTo(page, 'editor', 'Config editor');
    await page.getByTestId('no-problems').waitFor({ timeout: 30_000 }).catch(() => {});
    const switches: Record<string, number[]> = {};
    for (let round = 0; round < 3; round++) {
      for (const [pane, heading] of [...panes, ['editor', 'Config editor'] as [string, string]]) {
        (switches[pane] ??= []).push(await switchTo(page, pane, heading));
      }
    }
    const allSwitches = Object.values(switches).flat();
    say(`pane switch: median ${summary(allSwitches).median} ms, editor first open ${editorFirstOpenMs} ms`);
    const sessionLongTasks = await longTasks(page);

    let tail: Record<string, unknown>;
    if (values['skip-tail']) tail = { skipped: '--skip-tail' };
    else {
      const phase = await loadTailPhase();
      if (typeof phase === 'string') tail = { skipped: phase };
      else {
        say('message tail phase…');
        const lab = await web.engine.lab.status();
        const engine = web.engine as unknown as { connections?: { save(request: { profile: Record<string, string> }): Promise<{ name: string }> } };
        const connections = engine.connections;
        tail = await phase(page, {
          appUrl: web.host.url,
          bootstrap: lab.endpoints.kafka.a.bootstrap,
          ...(connections ? { addRegistryProfile: async (url: string) => (await connections.save({ profile: { kind: 'schemaRegistry', name: 'bench registry', environment: 'dev', url } })).name } : {}),
        });
      }
    }
    await context.close();

    const interactive = summary(cold.map((run) => run.interactive_ms));
    const coldLongTasks = cold.flatMap((run) => run.long_tasks);
    const result = {
      machine: { cpus: cpus().length, loadavg_1m: Math.round((loadavg()[0] ?? 0) * 100) / 100 },
      cold_start: {
        runs,
        interactive_ms: interactive,
        dom_content_loaded_ms: summary(cold.map((run) => run.dom_content_loaded_ms)),
        load_ms: summary(cold.map((run) => run.load_ms)),
        response_end_ms: summary(cold.map((run) => run.response_end_ms)),
        transferred_kb: cold[0]?.transferred_kb ?? 0,
        long_tasks: coldLongTasks.length,
        longest_task_ms: Math.round(Math.max(0, ...coldLongTasks)),
        target_ms: COLD_START_TARGET_MS,
        met: interactive.median <= COLD_START_TARGET_MS,
      },
      pane_switch: {
        per_pane_median_ms: Object.fromEntries(Object.entries(switches).map(([pane, samples]) => [pane, summary(samples).median])),
        all_ms: summary(allSwitches),
        editor_first_open_ms: editorFirstOpenMs,
        target_ms: SWITCH_TARGET_MS,
        met: summary(allSwitches).p90 <= SWITCH_TARGET_MS,
      },
      long_tasks_session: {
        count: sessionLongTasks.length,
        over_100ms: sessionLongTasks.filter((ms) => ms > LONG_TASK_LIMIT_MS).length,
        longest_ms: Math.round(Math.max(0, ...sessionLongTasks)),
      },
      message_tail: tail,
    };
    process.stdout.write(`${JSON.stringify(result, null, values.json ? 2 : 2)}\n`);
  } finally {
    await browser.close();
    await web.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
