/**
 * Lab start-up benchmark: prints one JSON object with cold start (fresh data directory, jars cached), warm start
 * (data present), reuse (everything already running) and stop times, each over --runs runs.
 * Runs in its own directory on shifted ports, so it never touches the developer's lab.
 *
 *   npm run bench:lab -- --runs 3
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createLab } from '../src/engine/lab/index';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, offset: { type: 'string', default: '700' } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive whole number, got "${values.runs}"`);

function summary(samples: number[]): { min: number; median: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (value: number): number => Math.round(value * 100) / 100;
  return { min: round(sorted[0] ?? 0), median: round(sorted[Math.floor(sorted.length / 2)] ?? 0), max: round(sorted.at(-1) ?? 0) };
}

async function timed<T>(fn: () => Promise<T>): Promise<number> {
  const started = performance.now();
  await fn();
  return (performance.now() - started) / 1000;
}

const cold: number[] = [];
const warm: number[] = [];
const reuse: number[] = [];
const stop: number[] = [];
for (let run = 0; run < runs; run++) {
  // Under /var/tmp and traversable: when run as root PostgreSQL starts as the postgres user.
  const dir = mkdtempSync('/var/tmp/ferry-bench-lab-');
  chmodSync(dir, 0o755);
  const lab = createLab({ dir, env: { ...process.env, FERRY_LAB_PORT_OFFSET: values.offset } });
  try {
    cold.push(await timed(() => lab.up()));
    reuse.push(await timed(() => lab.up()));
    stop.push(await timed(() => lab.down()));
    warm.push(await timed(() => lab.up()));
    await lab.down();
  } finally {
    await lab.down().catch(() => {});
    lab.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

process.stdout.write(
  `${JSON.stringify({
    benchmark: 'lab-startup',
    services: ['kafka-a', 'kafka-b', 'mariadb', 'postgres'],
    runs,
    cores: (await import('node:os')).availableParallelism(),
    cold_start_s: summary(cold),
    warm_start_s: summary(warm),
    reuse_s: summary(reuse),
    stop_s: summary(stop),
  })}\n`,
);
