import type { ReplicatorStatus } from '../../shared/api/replicators';
import { requireValidPipeline } from '../config';
import { readConfigFilesWithProfiles } from './cliProfiles';
import { PipelineRunner, type PipelineStatus } from '../pipeline';
import { ReplicatorRunner } from '../replicator';
import { waitUntilChainIdle } from './chainIdle';
import { replicationProgressLine } from './cliReplicate';
import { serveMissingLocalRegistries } from './localRegistry';
import { ProgressPrinter } from './progressPrinter';

function count(value: number): string {
  return value >= 10_000 ? `${(value / 1000).toFixed(value >= 100_000 ? 0 : 1)}k` : String(value);
}

/**
 * The lag part: a lag Kafka has not confirmed lately (a broker down or paused, a FAILED sink) is an old value, and
 * committed offsets cannot advance meanwhile, so it reads `lag ≥ N (stale S s)` rather than a current `lag 0`.
 */
function lagText(status: PipelineStatus, now: number): string {
  const sinks = status.connectors.filter((connector) => connector.role === 'sink');
  const lag = count(sinks.reduce((total, connector) => total + connector.metrics.lag, 0));
  const staleSince = Math.min(...sinks.filter((connector) => connector.metrics.lagStale && connector.metrics.lagAsOf !== undefined).map((connector) => connector.metrics.lagAsOf as number));
  return Number.isFinite(staleSince) ? `lag ≥ ${lag} (stale ${Math.max(0, Math.round((now - staleSince) / 1000))} s)` : `lag ${lag}`;
}

function walBytes(value: number): string {
  if (value < 1000) return `${value} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let scaled = value / 1000;
  let unit = 0;
  while (scaled >= 1000 && unit < units.length - 1) {
    scaled /= 1000;
    unit += 1;
  }
  return `${scaled.toFixed(scaled >= 100 ? 0 : 1)} ${units[unit]}`;
}

/** One line for humans: totals across connectors, then any connector that is not RUNNING with why. */
export function progressLine(status: PipelineStatus, now = Date.now()): string {
  const sum = (pick: (metrics: PipelineStatus['connectors'][number]['metrics']) => number): number =>
    status.connectors.reduce((total, connector) => total + pick(connector.metrics), 0);
  const rate = status.connectors.filter((connector) => connector.role === 'sink').reduce((total, connector) => total + connector.metrics.rowsPerSecond, 0);
  const p99 = Math.max(0, ...status.connectors.map((connector) => connector.metrics.latencyP99Ms ?? 0));
  const parts = [
    `${status.state}`,
    `read ${count(sum((m) => m.rowsRead))}`,
    `produced ${count(sum((m) => m.rowsProduced))}`,
    `applied ${count(sum((m) => m.rowsApplied))}`,
    lagText(status, now),
    `errors ${sum((m) => m.errors)}`,
  ];
  const dlq = sum((m) => m.deadLettered);
  if (dlq > 0) parts.push(`dlq ${dlq}`);
  // errors.tolerance=all without a dead letter topic: failed records are gone, which must not read as dead-lettered.
  const dropped = sum((m) => m.dropped ?? 0);
  if (dropped > 0) parts.push(`dropped ${dropped}`);
  if (rate > 0) parts.push(`${Math.round(rate)} rows/s`);
  if (p99 > 0) parts.push(`p99 ${Math.round(p99)} ms`);
  // A PostgreSQL slot keeps WAL on the server until the pipeline confirms it (or the slot is dropped): say how much.
  for (const connector of status.connectors) {
    const slot = connector.logLag?.slot;
    if (slot?.retainedWalBytes !== undefined) parts.push(`slot ${slot.name} keeps ${walBytes(slot.retainedWalBytes)} WAL${slot.walStatus === 'lost' ? ' (LOST: invalidated)' : ''}`);
  }
  const troubled = status.connectors.filter((connector) => connector.state === 'DEGRADED' || connector.state === 'FAILED');
  for (const connector of troubled) parts.push(`${connector.name} ${connector.state}: ${connector.error?.message ?? ''}`);
  return parts.join(' | ');
}

export interface RunOptions {
  untilIdle: boolean;
  json: boolean;
}

/** `ferry run FILE`: runs until Ctrl-C (graceful stop) or, with --until-idle, until everything is applied. */
export async function runPipelineCommand(files: string | readonly string[], options: RunOptions): Promise<number> {
  const paths = typeof files === 'string' ? [files] : files;
  // The first file names the configuration in messages, and relative TLS paths resolve against its folder.
  const file = paths[0] ?? '';
  const parsed = await readConfigFilesWithProfiles(paths);
  for (const problem of parsed.problems.filter((p) => p.severity === 'warning')) {
    process.stderr.write(`warning  ${problem.path}  ${problem.message}${problem.hint ? `  (hint: ${problem.hint})` : ''}\n`);
  }
  const pipeline = requireValidPipeline(parsed, paths.join(' '));
  const registries = await serveMissingLocalRegistries(pipeline, (line) => process.stderr.write(`${line}\n`));
  const runner = new PipelineRunner(pipeline);
  // Replicators in the same file run beside the connectors, with the same progress line, idle rule and stop.
  const replicators = pipeline.replicators.map((config) => new ReplicatorRunner(config, { fileName: file, pipelineName: pipeline.name }));
  const replicatorStatuses = (): ReplicatorStatus[] => replicators.map((replicator) => replicator.status());
  const lineOf = (status: PipelineStatus): string =>
    replicators.length === 0 ? progressLine(status) : status.connectors.length === 0 ? replicationProgressLine(replicatorStatuses()) : `${progressLine(status)} || ${replicationProgressLine(replicatorStatuses())}`;
  const printer = new ProgressPrinter(options.json);
  // Facts that change the results (db.timezone against the server's zone, …) show without --verbose, each once:
  // a progress line with p99 3641634 ms and no word about why is a riddle.
  const shownWarnings = new Set<string>();
  const printWarnings = (status: PipelineStatus): void => {
    for (const connector of status.connectors) {
      for (const warning of connector.warnings ?? []) {
        const line = `warning  ${connector.name}: ${warning}`;
        if (shownWarnings.has(line)) continue;
        shownWarnings.add(line);
        process.stderr.write(`${printer.interactive ? '\r\x1b[2K' : ''}${line}\n`);
      }
    }
  };
  const print = (status: PipelineStatus, force = false): void => {
    printWarnings(status);
    printer.print(lineOf(status), force);
  };
  let lastState = '';
  const subscription = runner.onDidChangeStatus((status) => {
    const states = status.connectors.map((connector) => `${connector.name}:${connector.state}`).join(',');
    print(status, states !== lastState);
    lastState = states;
  });
  const replicatorSubscriptions = replicators.map((replicator) => replicator.onDidChangeStatus(() => print(runner.status())));
  const ticker = setInterval(() => print(runner.status()), printer.intervalMs);
  const interrupted = new AbortController();
  const onSignal = (): void => interrupted.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let exitCode = 0;
  try {
    await Promise.all([runner.start(), ...replicators.map((replicator) => replicator.start())]);
    if (options.untilIdle) {
      // A connector that cannot recover within 2 minutes fails the run: scripts must not hang on a dead broker.
      const idle = { signal: interrupted.signal, maxStuckMs: 120_000 };
      // Sinks behind a replicator are idle only once they applied what it copied (chainIdle.ts).
      await waitUntilChainIdle(runner, replicators, idle);
    } else {
      await new Promise<void>((resolve) => interrupted.signal.addEventListener('abort', () => resolve(), { once: true }));
    }
  } catch (error) {
    exitCode = 1;
    if (printer.interactive) process.stderr.write('\n');
    process.stderr.write(`ferry: pipeline ${pipeline.name} failed: ${error instanceof Error ? error.message : String(error)}\n`);
  } finally {
    clearInterval(ticker);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (interrupted.signal.aborted && printer.interactive) process.stderr.write('\nstopping…\n');
    await Promise.all([runner.stop(), ...replicators.map((replicator) => replicator.stop())]);
    await Promise.all(registries.map((registry) => registry.close()));
    subscription.dispose();
    for (const replicatorSubscription of replicatorSubscriptions) replicatorSubscription.dispose();
    const status = runner.status();
    printWarnings(status);
    printer.finish(lineOf(status), options.json);
    if (options.json) process.stdout.write(`${JSON.stringify(replicators.length === 0 ? status : { ...status, replicators: replicatorStatuses() }, null, 2)}\n`);
  }
  return exitCode;
}
