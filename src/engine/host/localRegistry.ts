import { connect } from 'node:net';
import { join } from 'node:path';
import type { ResolvedPipeline } from '../config';
import { startEmbeddedSchemaRegistry, type EmbeddedSchemaRegistry } from '../schema';
import { defaultDataDir } from '../store';

function loopbackPort(url: string): number | undefined {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' || !['127.0.0.1', 'localhost'].includes(parsed.hostname)) return undefined;
    return Number(parsed.port || '80');
  } catch {
    return undefined;
  }
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/**
 * For local work a pipeline may name Schema Registries on this machine that nothing serves yet (the lab's registries
 * of cluster a and b, http://127.0.0.1:18081 and :28081, when the lab runs without them). Then `ferry run` serves Ferry's embedded, Confluent-compatible registry on that port,
 * keeping schemas in the data directory so ids stay stable across runs. Remote registries are never touched.
 */
export async function serveMissingLocalRegistries(pipeline: ResolvedPipeline, say: (line: string) => void): Promise<EmbeddedSchemaRegistry[]> {
  const urls = new Set<string>();
  for (const url of pipeline.schemaRegistry?.urls ?? []) urls.add(url);
  for (const connector of pipeline.connectors) {
    for (const url of connector.value.schemaRegistry?.urls ?? []) urls.add(url);
    for (const url of connector.key?.schemaRegistry?.urls ?? []) urls.add(url);
  }
  // A pipeline spanning clusters names one registry per cluster: the replicator's source and destination too.
  for (const replicator of pipeline.replicators) {
    for (const url of replicator.schemaMigration?.source.urls ?? []) urls.add(url);
    for (const url of replicator.schemaMigration?.destination.urls ?? []) urls.add(url);
  }
  const started: EmbeddedSchemaRegistry[] = [];
  for (const url of urls) {
    const port = loopbackPort(url);
    if (port === undefined || (await answers(port))) continue;
    const storeFile = join(defaultDataDir(), 'registry', `${port}.json`);
    started.push(await startEmbeddedSchemaRegistry({ port, storeFile }));
    say(`Nothing answered at ${url}: serving Ferry's embedded Schema Registry there (schemas kept in ${storeFile}).`);
  }
  return started;
}
