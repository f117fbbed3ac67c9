import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { LabServiceName } from '../../shared/api/lab';
import { findRepoRoot } from '../base/repoRoot';
import { labError } from './errors';
import type { LogOffsets } from './logs';
import { LAB_HOST } from './ports';
import { spawnDetached } from './processes';
import { waitUntilReady } from './readiness';

/**
 * The lab's Schema Registries: one per Kafka cluster, as each Confluent Cloud environment has its own. Each is
 * Ferry's embedded, Confluent-compatible registry run as its own long-lived process (`ferry registry serve`), so
 * kcat, avro-tools or a Connect worker can read Ferry's Avro topics while no `ferry run` is alive. Schemas live in
 * `<lab>/registry-<cluster>/data/schemas.json` and survive `lab down`/`up`; ids never restart from 1.
 */

export type RegistryServiceName = 'registry-a' | 'registry-b';
export const REGISTRY_SERVICES: readonly RegistryServiceName[] = ['registry-a', 'registry-b'];

/** 18081 / 28081: Confluent's 8081 beside each cluster's 19092 / 29092. */
export const DEFAULT_REGISTRY_PORTS = { registryA: 18081, registryB: 28081 } as const;

export function isRegistryService(name: LabServiceName | string): name is RegistryServiceName {
  return name === 'registry-a' || name === 'registry-b';
}

export interface RegistryPaths {
  dir: string;
  dataDir: string;
  /** stdout and stderr of the process: the listening line, request failures, the stop. */
  log: string;
}

export function registryPaths(labDir: string, name: RegistryServiceName): RegistryPaths {
  const dir = join(labDir, name);
  return { dir, dataDir: join(dir, 'data'), log: join(dir, 'registry.log') };
}

export function registryUrl(port: number): string {
  return `http://${LAB_HOST}:${port}`;
}

/** The `ferry` entry the service runs; the lab ships inside the repo, like its pom files. */
function ferryEntry(): string {
  const root = findRepoRoot(import.meta.url);
  if (root === undefined) {
    throw labError('LAB_BAD_CONFIG', 'The lab\'s Schema Registry runs `bin/ferry.mjs registry serve`, which was not found. Run Ferry from its installation.');
  }
  return join(root, 'bin', 'ferry.mjs');
}

/**
 * The command line (after the Node binary). Its `--data` names the service directory, which is how `status` and
 * `down` recognise the process as this lab's.
 */
export function registryArgs(paths: RegistryPaths, port: number, entry: string = ferryEntry()): string[] {
  return [entry, 'registry', 'serve', '--host', LAB_HOST, '--port', String(port), '--data', paths.dataDir];
}

/**
 * What makes two registry services the same, for reuse: the command line without which copy of Ferry runs it. A
 * second checkout (or the desktop app beside a clone) then reuses the running registry instead of restarting it
 * under the other's pipelines.
 */
export function registryFingerprintArgs(paths: RegistryPaths, port: number): string[] {
  return registryArgs(paths, port, 'bin/ferry.mjs');
}

/** Names the process may have in /proc: Node itself, or Electron running as Node when the app started the lab. */
export function registryExecutables(): string[] {
  return [...new Set(['node', basename(process.execPath)])];
}

export function startRegistryService(paths: RegistryPaths, port: number): Promise<ChildProcess & { pid: number }> {
  mkdirSync(paths.dataDir, { recursive: true, mode: 0o700 });
  // Inside Electron, process.execPath is the app; ELECTRON_RUN_AS_NODE makes it a plain Node.
  const env = process.versions.electron ? { ...process.env, ELECTRON_RUN_AS_NODE: '1' } : process.env;
  return spawnDetached(process.execPath, registryArgs(paths, port), { cwd: paths.dir, logFile: paths.log, env });
}

/** Ready once GET / answers as a registry does (`{}`), not merely once the port accepts connections. */
export async function probeRegistry(url: string, timeoutMs = 2_000): Promise<void> {
  const response = await fetch(`${url}/`, { signal: AbortSignal.timeout(timeoutMs) });
  const body = await response.text();
  if (!response.ok || body.trim() !== '{}') throw new Error(`GET ${url}/ answered HTTP ${response.status}: ${body.slice(0, 120)}`);
}

export async function waitForRegistry(options: {
  service: RegistryServiceName;
  port: number;
  child: ChildProcess;
  paths: RegistryPaths;
  timeoutMs: number;
  signal: AbortSignal;
  logOffsets: LogOffsets;
}): Promise<void> {
  const url = registryUrl(options.port);
  await waitUntilReady({
    service: options.service,
    probe: () => probeRegistry(url),
    child: options.child,
    timeoutMs: options.timeoutMs,
    logFiles: [options.paths.log],
    logOffsets: options.logOffsets,
    signal: options.signal,
  });
}

/**
 * Registries among `names` whose port already answers as a Schema Registry: most likely a `ferry run` serving the
 * embedded one there because the lab's was not running. Starting the lab's would fail on the busy port and take
 * the whole `up` down with it, so the lab leaves that port to it and reports the service as failed, saying why.
 */
export async function registriesAnsweredElsewhere(names: readonly LabServiceName[], portOf: (name: RegistryServiceName) => number): Promise<Map<RegistryServiceName, string>> {
  const answered = new Map<RegistryServiceName, string>();
  for (const name of names) {
    if (!isRegistryService(name)) continue;
    const url = registryUrl(portOf(name));
    try {
      await probeRegistry(url, 1_000);
    } catch {
      continue;
    }
    answered.set(
      name,
      `another Schema Registry already answers at ${url} (a \`ferry run\` serving Ferry's embedded one while the lab's was down?); stop it and run \`ferry lab up\` again to start the lab's, which keeps its schemas in the lab directory`,
    );
  }
  return answered;
}
