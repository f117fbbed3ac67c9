import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { LogOffsets } from './logs';
import { LAB_HOST } from './ports';
import { spawnDetached } from './processes';
import { waitUntilReady } from './readiness';

/**
 * Azurite, Microsoft's Azure Storage emulator (npm `azurite`), as a lab service: the Blob endpoint only, on loopback,
 * with its data under the lab directory. It knows one account, the documented development account below (the
 * well-known key is public, in Microsoft's docs; it is not a secret). Telemetry is switched off.
 *
 * Azurite has no Data Lake (DFS) endpoint: ADLS Gen2 sinks are tested through the same layout on the Blob API.
 */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuritePaths {
  /** Workspace (`--location`): blobs and metadata. */
  dir: string;
  log: string;
}

export function azuritePaths(serviceDir: string): AzuritePaths {
  return { dir: join(serviceDir, 'data'), log: join(serviceDir, 'azurite.log') };
}

/** The Blob service URL of the development account (`store.url` for the sinks). */
export function azuriteBlobUrl(port: number, host: string = LAB_HOST): string {
  return `http://${host}:${port}/${AZURITE_ACCOUNT}`;
}

export function azuriteConnectionString(port: number, host: string = LAB_HOST): string {
  return `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_ACCOUNT_KEY};BlobEndpoint=${azuriteBlobUrl(port, host)};`;
}

/** azurite-blob's entry script, from the installed package (run with this Node, so no global install is needed). */
export function azuriteBlobScript(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('azurite/package.json')), 'dist', 'src', 'blob', 'main.js');
}

export function azuriteArgs(paths: AzuritePaths, port: number): string[] {
  return [
    azuriteBlobScript(),
    '--blobHost', LAB_HOST,
    '--blobPort', String(port),
    '--location', paths.dir,
    '--silent',
    '--disableTelemetry',
    // Microsoft's client sends the newest REST API version; Azurite releases lag behind it.
    '--skipApiVersionCheck',
    '--loose',
  ];
}

/**
 * What makes two Azurite services the same, for reuse: the arguments with the package's version instead of the path
 * of the checkout it is installed in, so a second checkout reuses the running Azurite instead of restarting it.
 */
export function azuriteFingerprintArgs(paths: AzuritePaths, port: number): string[] {
  const require = createRequire(import.meta.url);
  const { version } = require('azurite/package.json') as { version: string };
  return [`azurite@${version}`, ...azuriteArgs(paths, port).slice(1)];
}

export function startAzurite(paths: AzuritePaths, port: number): Promise<ChildProcess & { pid: number }> {
  mkdirSync(paths.dir, { recursive: true });
  // Inside Electron, process.execPath is the app; ELECTRON_RUN_AS_NODE makes it a plain Node.
  return spawnDetached(process.execPath, azuriteArgs(paths, port), { cwd: paths.dir, logFile: paths.log, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
}

/** Any HTTP answer from the Blob endpoint means it is serving (an unsigned request gets 403). */
export function probeAzurite(port: number, host: string = LAB_HOST): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path: `/${AZURITE_ACCOUNT}?comp=list`, method: 'GET', timeout: 2_000 }, (res) => {
      res.resume();
      resolve();
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${host}:${port} within 2 s`)));
    req.on('error', reject);
    req.end();
  });
}

export async function waitForAzurite(options: { child?: ChildProcess; paths: AzuritePaths; port: number; timeoutMs: number; signal?: AbortSignal; logOffsets?: LogOffsets }): Promise<void> {
  await waitUntilReady({
    service: 'azurite',
    child: options.child,
    timeoutMs: options.timeoutMs,
    logFiles: [options.paths.log],
    logOffsets: options.logOffsets,
    signal: options.signal,
    probe: () => probeAzurite(options.port),
  });
}
