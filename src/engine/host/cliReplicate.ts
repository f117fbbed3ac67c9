import type { ReplicatorStatus } from '../../shared/api/replicators';
import { requireValidPipeline } from '../config';
import { readConfigFilesWithProfiles } from './cliProfiles';
import { ReplicatorRunner } from '../replicator';
import { serveMissingLocalRegistries } from './localRegistry';
import { ProgressPrinter } from './progressPrinter';

function count(value: number): string {
  return value >= 10_000 ? `${(value / 1000).toFixed(value >= 100_000 ? 0 : 1)}k` : String(value);
}

/** One line for humans, in `ferry run`'s shape: totals across replicators, then any that is not RUNNING with why. */
export function replicationProgressLine(statuses: readonly ReplicatorStatus[]): string {
  const sum = (pick: (metrics: ReplicatorStatus['metrics']) => number): number => statuses.reduce((total, status) => total + pick(status.metrics), 0);
  const states = statuses.map((status) => status.state);
  const state = states.includes('FAILED') ? 'FAILED' : states.includes('DEGRADED') ? 'DEGRADED' : states.includes('STARTING') ? 'STARTING' : states.every((s) => s === 'STOPPED') ? 'STOPPED' : 'RUNNING';
  const rate = sum((m) => m.recordsPerSecond);
  const megabytes = sum((m) => m.megabytesPerSecond);
  const p99 = Math.max(0, ...statuses.map((status) => status.metrics.latencyP99Ms ?? 0));
  const parts = [state, `copied ${count(sum((m) => m.recordsCopied))}`, `lag ${count(sum((m) => m.lag))}`, `errors ${statuses.filter((s) => s.error).length}`];
  const skipped = sum((m) => m.recordsSkipped);
  if (skipped > 0) parts.push(`skipped ${count(skipped)}`);
  if (rate > 0) parts.push(`${Math.round(rate)} records/s`, `${megabytes.toFixed(1)} MB/s`);
  if (p99 > 0) parts.push(`p99 ${Math.round(p99)} ms`);
  for (const status of statuses) if (status.state === 'DEGRADED' || status.state === 'FAILED') parts.push(`${status.name} ${status.state}: ${status.error?.message ?? ''}`);
  return parts.join(' | ');
}

export interface ReplicateOptions {
  untilIdle: boolean;
  json: boolean;
}

/**
 * `ferry replicate FILE`: runs the replicators of a pipeline file (or one Replicator config on its own) until Ctrl-C
 * (graceful stop: what is in flight is written and committed) or, with --until-idle, until every copied partition
 * has lag 0.
 */
export async function runReplicateCommand(files: string | readonly string[], options: ReplicateOptions): Promise<number> {
  const paths = typeof files === 'string' ? [files] : files;
  // The first file names the configuration in messages, and relative TLS paths resolve against its folder.
  const file = paths[0] ?? '';
  // `src.kafka.ferry.profile` & co. name saved profiles or the running lab, as `ferry run` resolves them.
  const parsed = await readConfigFilesWithProfiles(paths);
  for (const problem of parsed.problems.filter((p) => p.severity === 'warning')) {
    process.stderr.write(`warning  ${problem.path}  ${problem.message}${problem.hint ? `  (hint: ${problem.hint})` : ''}\n`);
  }
  const pipeline = requireValidPipeline(parsed, paths.join(' '));
  if (pipeline.replicators.length === 0) {
    process.stderr.write(`ferry: ${file} has no replicator (a connector with "connector.class": "Replicator"); use \`ferry run\` for pipelines of sources and sinks.\n`);
    return 1;
  }
  // Schema migration to a loopback registry nothing serves (no lab registries): served here, as `ferry run` does.
  const registries = await serveMissingLocalRegistries(pipeline, (line) => process.stderr.write(`${line}\n`));
  const runners = pipeline.replicators.map((config) => new ReplicatorRunner(config, { fileName: file, pipelineName: pipeline.name }));
  const statuses = (): ReplicatorStatus[] => runners.map((runner) => runner.status());
  const printer = new ProgressPrinter(options.json);
  const print = (force = false): void => printer.print(replicationProgressLine(statuses()), force);
  let lastStates = '';
  const subscriptions = runners.map((runner) =>
    runner.onDidChangeStatus(() => {
      const states = statuses().map((status) => `${status.name}:${status.state}`).join(',');
      print(states !== lastStates);
      lastStates = states;
    }),
  );
  const ticker = setInterval(() => print(), printer.intervalMs);
  const interrupted = new AbortController();
  const onSignal = (): void => interrupted.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let exitCode = 0;
  try {
    await Promise.all(runners.map((runner) => runner.start()));
    if (options.untilIdle) {
      // As `ferry run`: a replicator that cannot recover within 2 minutes fails the run instead of hanging a script.
      await Promise.all(runners.map((runner) => runner.waitUntilIdle({ signal: interrupted.signal, maxStuckMs: 120_000 })));
    } else {
      await new Promise<void>((resolve) => interrupted.signal.addEventListener('abort', () => resolve(), { once: true }));
    }
  } catch (error) {
    exitCode = 1;
    if (printer.interactive) process.stderr.write('\n');
    process.stderr.write(`ferry: replicator failed: ${error instanceof Error ? error.message : String(error)}\n`);
  } finally {
    clearInterval(ticker);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (interrupted.signal.aborted && printer.interactive) process.stderr.write('\nstopping…\n');
    await Promise.all(runners.map((runner) => runner.stop()));
    await Promise.all(registries.map((registry) => registry.close()));
    for (const subscription of subscriptions) subscription.dispose();
    const final = statuses();
    printer.finish(replicationProgressLine(final), options.json);
    if (options.json) process.stdout.write(`${JSON.stringify(final.length === 1 ? final[0] : final, null, 2)}\n`);
  }
  return exitCode;
}
