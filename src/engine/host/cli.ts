import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isEngineError } from '../../shared/errors';
import { createLogger, setLogSink, stderrSink } from '../base/logger';
import { requireRepoRoot } from '../base/repoRoot';
import { FERRY_VERSION } from '../base/version';
import { createEngine, type Engine } from '../index';
import { runDemoCommand } from './cliDemo';
import { runDeployCommand } from './cliDeploy';
import { runPipelineCommand } from './cliRun';
import { runReplicateCommand } from './cliReplicate';
import { runSlotsCommand } from './cliSlots';
import { runRegistryServe } from './cliRegistry';
import { LAB_COMMANDS, type LabCommand, runLabCommand } from './cliLab';
import { runValidateCommand } from './cliValidate';
import { runVerifyCommand } from './cliVerify';
import { findElectronBinary, launchElectron } from './electronLauncher';
import { buildIfStale } from './buildFreshness';
import { startWorkspaceWebHost } from './webHostState';

const USAGE = `ferry ${FERRY_VERSION} — replicate databases through Kafka

Usage:
  ferry lab up [--connect] [--json]
                              start the local services (two Kafka clusters, a Schema Registry for each, MariaDB, PostgreSQL);
                              --connect also starts a Kafka Connect worker (Debezium, JDBC sink, MirrorMaker 2)
  ferry lab status [--json]   show each service, its endpoint and log
  ferry lab down              stop what the lab started
  ferry lab reset             stop the lab and wipe its data directory
  ferry run FILE… [--until-idle] [--json]
                              run a pipeline file; Ctrl+C stops gracefully; --until-idle exits once all is applied
  ferry demo [--rows N] [--seconds S] [--json]
                              the embedded demo: PGlite orders → local Kafka (Avro) → PGlite, then compares both
  ferry slots [drop] FILE… [--json]
                              the PostgreSQL replication slots of a pipeline's log sources and the WAL each keeps;
                              drop: remove them (and the publications Ferry made) and clear those checkpoints
  ferry replicate FILE… [--until-idle] [--json]
                              copy Kafka topics to another cluster (Replicator config or a pipeline file with replicators)
  ferry validate FILE… [--json]
                              check a configuration; prints each problem with its JSON path and a fix hint
                              FILE…: a pipeline file (JSON); one connector config (JSON, a Connect REST body
                              {"name","config"}, or .properties); or connect-standalone's worker.properties
                              followed by connector configs
  ferry verify --source URL|PROFILE --target URL|PROFILE --table NAME [--key COLS] [--columns COLS] [--where SQL] [--min-age S] [--json] [--fix-sql]
                              prove two tables agree (exit 0 equal, 1 different, 2 error); \`ferry verify --help\` for all options
  ferry registry serve [--port N] [--data DIR]
                              serve Ferry's Confluent-compatible Schema Registry alone (default port 8081)
  ferry deploy FILE… --connect URL [--dry-run] [--json]
                              run the pipeline's connectors on a Kafka Connect cluster (validated there first);
                              --confluent-cloud DIR writes managed connector files; \`ferry deploy --help\` for all
  ferry undeploy FILE… --connect URL
                              delete them from the cluster
  ferry export --mm2 FILE… [--out DIR]
                              a replicator as MirrorMaker 2 (mm2.properties and Connect connector configs)
  ferry web [--port N]        serve the app to a browser on 127.0.0.1 (prints the URL with its token)
  ferry start                 the desktop app; falls back to \`ferry web\` when Electron's binary is absent
  ferry --version | --help     (--verbose on any command prints the engine's log to stderr)

Environment: FERRY_LAB_DIR (lab data), FERRY_CACHE_DIR (Kafka jars), FERRY_LAB_PORT_OFFSET (shift every lab port).`;

/** Exit codes: 0 success, 1 the command failed, 2 the command line was wrong. */
class UsageError extends Error {}

function rendererDir(): string {
  return join(requireRepoRoot(), 'out', 'renderer');
}

async function serveWeb(engine: Engine, port: number | undefined): Promise<number> {
  const dir = rendererDir();
  if (!existsSync(join(dir, 'index.html'))) {
    throw new UsageError(`The app is not built (${dir}/index.html is missing). Run \`npm run build\`, or \`npm start\`, which builds first.`);
  }
  // The workspace's port and token: a tab left open reconnects when this host comes back.
  const host = await startWorkspaceWebHost({ engine, rendererDir: dir, ...(port === undefined ? {} : { port }) });
  if (host.portChanged) process.stdout.write(`Port ${host.portChanged.from} (this workspace's last one) is taken by another program; using ${host.portChanged.to}, so open tabs need the new URL.\n`);
  process.stdout.write(`Ferry is serving the app at ${host.url}\n(open it in a browser; the token in the URL guards the API; the same URL works after a restart; Ctrl+C stops)\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await host.close();
  return 0;
}

function parseCount(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const count = Number(value);
  if (!Number.isInteger(count) || count < 0) throw new UsageError(`${flag} must be a whole number of at least 0, got "${value}".`);
  return count;
}

function parsePort(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a whole number from 0 to 65535, got "${value}".`);
  return port;
}

export async function main(argv: readonly string[]): Promise<number> {
  // verify has its own options (and exit code 2 for errors), so it parses its own arguments.
  if (argv[0] === 'verify') return runVerifyCommand(argv.slice(1));
  // deploy/undeploy/export take their own options too (--connect URL, --dry-run, --mm2, --out).
  if (argv[0] === 'deploy' || argv[0] === 'undeploy' || argv[0] === 'export') return runDeployCommand(argv[0], argv.slice(1));
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: 'boolean', default: false },
      port: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
      version: { type: 'boolean', short: 'v', default: false },
      verbose: { type: 'boolean', default: false },
      'until-idle': { type: 'boolean', default: false },
      rows: { type: 'string' },
      seconds: { type: 'string' },
      connect: { type: 'boolean', default: false },
      // `ferry registry serve`
      data: { type: 'string' },
      host: { type: 'string' },
      'kafka-cluster-id': { type: 'string' },
    },
  });
  if (values.version) {
    process.stdout.write(`${FERRY_VERSION}\n`);
    return 0;
  }
  const [command, sub, ...extra] = positionals;
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined && !values.help ? 2 : 0;
  }
  // Commands report outcomes and errors themselves; the engine's log lines are for --verbose only.
  if (values.verbose) setLogSink(stderrSink, 'debug');

  switch (command) {
    case 'lab': {
      if (!LAB_COMMANDS.includes(sub as LabCommand) || extra.length > 0) {
        throw new UsageError(`\`ferry lab\` takes one of ${LAB_COMMANDS.join(', ')}; got "${[sub, ...extra].filter(Boolean).join(' ')}".`);
      }
      const engine = createEngine({ host: 'cli' });
      try {
        if (values.connect && sub !== 'up') throw new UsageError('--connect goes with `ferry lab up` (it starts the Kafka Connect worker too).');
        return await runLabCommand(engine, sub as LabCommand, values.json, { connect: values.connect });
      } finally {
        engine.dispose();
      }
    }
    case 'demo': {
      if (sub !== undefined) throw new UsageError('`ferry demo` takes no file; options: --rows N --seconds S --json.');
      return runDemoCommand({ rows: parseCount(values.rows, '--rows', 500), seconds: parseCount(values.seconds, '--seconds', 5), json: values.json });
    }
    case 'run': {
      if (sub === undefined) throw new UsageError('`ferry run` takes a pipeline file, e.g. `ferry run pipeline.json` (or connect-standalone\'s `worker.properties connector.properties`).');
      return runPipelineCommand([sub, ...extra], { untilIdle: values['until-idle'], json: values.json });
    }
    case 'slots': {
      const files = sub === 'drop' ? extra : sub === undefined ? [] : [sub, ...extra];
      if (files.length === 0) throw new UsageError('`ferry slots` takes a pipeline file, e.g. `ferry slots pipeline.json`, or `ferry slots drop pipeline.json` to drop them.');
      return runSlotsCommand(files, { drop: sub === 'drop', json: values.json });
    }
    case 'replicate': {
      if (sub === undefined) throw new UsageError('`ferry replicate` takes a file, e.g. `ferry replicate replicator.json` or `ferry replicate replicator.properties`.');
      return runReplicateCommand([sub, ...extra], { untilIdle: values['until-idle'], json: values.json });
    }
    case 'validate': {
      if (sub === undefined) throw new UsageError('`ferry validate` takes a file, e.g. `ferry validate pipeline.json` (or connect-standalone\'s `worker.properties connector.properties`).');
      return runValidateCommand([sub, ...extra], values.json);
    }
    case 'registry': {
      if (sub !== 'serve' || extra.length > 0) throw new UsageError('`ferry registry` takes `serve`, e.g. `ferry registry serve --port 8081 --data ./registry`.');
      return runRegistryServe({ port: parsePort(values.port), data: values.data, host: values.host, kafkaClusterId: values['kafka-cluster-id'] });
    }
    case 'web': {
      const engine = createEngine({ host: 'web' });
      try {
        return await serveWeb(engine, parsePort(values.port));
      } finally {
        engine.dispose();
      }
    }
    case 'start': {
      const root = requireRepoRoot();
      // `npm start` builds only when the sources changed since the last build (a build takes minutes on a laptop).
      await buildIfStale(root, (line) => process.stdout.write(`${line}\n`));
      const binary = findElectronBinary(root);
      if (binary) return launchElectron(binary, root);
      process.stdout.write("Electron's binary is not installed (run `npm run setup:electron` where GitHub is reachable); serving the app in the browser instead.\n");
      const engine = createEngine({ host: 'web' });
      try {
        return await serveWeb(engine, parsePort(values.port));
      } finally {
        engine.dispose();
      }
    }
    default:
      throw new UsageError(`Unknown command "${command}". Run \`ferry --help\` for the list.`);
  }
}

/** Entry used by bin/ferry.mjs: prints one clear line per failure and sets the exit code. */
export async function runCli(argv: readonly string[]): Promise<void> {
  const log = createLogger('cli');
  try {
    process.exitCode = await main(argv);
  } catch (error) {
    if (error instanceof UsageError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
      process.stderr.write(`ferry: ${error.message}\n`);
      process.exitCode = 2;
    } else if (isEngineError(error)) {
      process.stderr.write(`ferry: ${error.message}\n`);
      log.debug('failure detail', { code: error.code });
      process.exitCode = 1;
    } else {
      process.stderr.write(`ferry: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    }
  }
}
