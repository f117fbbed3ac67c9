/**
 * The demo's first start as a newcomer gets it, printed as one JSON object: a fresh workspace (empty data directory)
 * and a fresh lab (its own directory and ports, nothing running), then the app's "Start the demo" (the engine's
 * `demo.start()`, what the button calls) until the demo runs, then the first rows in the target. Each step's time is
 * taken from the status the app shows ("step 2/5 · …"). The Kafka jars come from the shared cache (FERRY_CACHE_DIR):
 * a machine that never ran the lab downloads them from Maven Central once more, which this does not time.
 *
 *   npx tsx bench/demoFirstStart.ts [--runs 3] [--rows 1000]
 *
 * Uses a lab of its own at a free port offset, so the shared lab is never touched; everything is removed afterwards.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createEngine } from '../src/engine/index';
import { freeLabPortOffset, releaseLabPortOffset } from '../test/helpers/labPorts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, rows: { type: 'string', default: '1000' } } });
const runs = Number(values.runs);
const rows = Number(values.rows);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive whole number, got "${values.runs}"`);
if (!Number.isInteger(rows) || rows < 0) throw new Error(`--rows must be a whole number, got "${values.rows}"`);

interface RunResult {
  load_1m_before: number;
  /** Click → the demo runs (its pipeline started). */
  start_s: number;
  /** Click → the first rows applied in the target (what the pane shows as "Rows applied" > 0). */
  first_rows_s: number;
  /** Seconds spent in each step the app showed. */
  steps_s: Record<string, number>;
}

function stepName(step: string): string {
  const match = /^step (\d)\/\d · ([^…]*)/.exec(step);
  return match ? `${match[1]} ${(match[2] ?? '').trim()}` : step.replace(/….*$/, '').trim();
}

async function oneRun(): Promise<RunResult> {
  const load = loadavg()[0] ?? 0;
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-bench-demo-data-'));
  const labDir = mkdtempSync('/var/tmp/ferry-bench-demo-lab-');
  chmodSync(labDir, 0o755);
  const offset = await freeLabPortOffset();
  const engine = createEngine({ host: 'web', dataDir, lab: { dir: labDir, env: { ...process.env, FERRY_LAB_PORT_OFFSET: String(offset) } }, demo: { topicPrefix: 'benchdemo_' } });
  const steps: Record<string, number> = {};
  let current: { name: string; at: number } | undefined;
  const started = performance.now();
  const subscription = engine.demo.onDidChangeStatus((status) => {
    const now = performance.now();
    const name = status.step ? stepName(status.step) : undefined;
    if (current && current.name !== name) steps[current.name] = (steps[current.name] ?? 0) + (now - current.at) / 1000;
    if (name && current?.name !== name) current = { name, at: now };
    if (!name) current = undefined;
  });
  try {
    const status = await engine.demo.start({ rows });
    const startS = (performance.now() - started) / 1000;
    if (current) steps[current.name] = (steps[current.name] ?? 0) + (performance.now() - current.at) / 1000;
    const pipeline = status.pipeline ?? '';
    for (;;) {
      const [running] = (await engine.pipelines.list()).filter((candidate) => candidate.name === pipeline);
      const applied = running?.connectors.find((connector) => connector.role === 'sink')?.metrics.rowsApplied ?? 0;
      if (applied > 0) break;
      if ((performance.now() - started) / 1000 > 600) throw new Error('no rows applied within 600 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const firstRowsS = (performance.now() - started) / 1000;
    return { load_1m_before: Number(load.toFixed(2)), start_s: Number(startS.toFixed(1)), first_rows_s: Number(firstRowsS.toFixed(1)), steps_s: Object.fromEntries(Object.entries(steps).map(([k, v]) => [k, Number(v.toFixed(1))])) };
  } finally {
    subscription.dispose();
    await engine.demo.stop().catch(() => undefined);
    await engine.lab.down().catch(() => undefined);
    engine.dispose();
    releaseLabPortOffset(offset);
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(labDir, { recursive: true, force: true });
  }
}

const results: RunResult[] = [];
for (let run = 0; run < runs; run++) results.push(await oneRun());
const sorted = (key: 'start_s' | 'first_rows_s'): number[] => results.map((result) => result[key]).sort((a, b) => a - b);
const median = (list: number[]): number => list[Math.floor(list.length / 2)] ?? 0;
process.stdout.write(
  `${JSON.stringify(
    {
      machine: { cpus: cpus().length, loadavg_1m_after: Number((loadavg()[0] ?? 0).toFixed(2)) },
      rows,
      runs: results,
      start_s: { min: sorted('start_s')[0], median: median(sorted('start_s')), max: sorted('start_s').at(-1) },
      first_rows_s: { min: sorted('first_rows_s')[0], median: median(sorted('first_rows_s')), max: sorted('first_rows_s').at(-1) },
    },
    null,
    2,
  )}\n`,
);
process.exit(0);
