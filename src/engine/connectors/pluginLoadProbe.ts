/**
 * Test fixture (pluginLoader.test.ts), run as a worker thread: loads the plug-in of one connector as a connector
 * thread does and reports which driver packages the thread has loaded by then.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isPackageLoaded } from '../base/lazyModule';
import { parsePipelineFile, requireValidPipeline, type ResolvedSource } from '../config';
import { loadSinkPlugin, loadSourcePlugin } from './pluginLoader';
import type { ResolvedSinkBase } from './port';

// CommonJS packages only (seen in require.cache); ZongJi is an ES module and comes only with the MySQL binlog reader,
// which imports mysql2 too.
export const DRIVER_PACKAGES = ['mssql', 'mysql2/promise', 'pg', 'pg-logical-replication', '@azure/storage-blob'] as const;

export interface PluginLoadProbeData {
  pipelineText: string;
  connector: string;
}

async function probe(): Promise<void> {
  const { pipelineText, connector } = workerData as PluginLoadProbeData;
  const pipeline = requireValidPipeline(parsePipelineFile(pipelineText, 'probe.json'), 'probe.json');
  const config = pipeline.connectors.find((entry) => entry.name === connector);
  if (!config) throw new Error(`no connector ${connector}`);
  if (config.role === 'source') await loadSourcePlugin(config as ResolvedSource);
  else await loadSinkPlugin(config as ResolvedSinkBase);
  parentPort?.postMessage(Object.fromEntries(DRIVER_PACKAGES.map((name) => [name, isPackageLoaded(name)])));
}

void probe();
