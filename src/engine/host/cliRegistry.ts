import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { schemaError } from '../schema/errors';
import { startEmbeddedSchemaRegistry } from '../schema';
import { defaultDataDir } from '../store';

/** The store file inside a registry's data directory; the lab and `ferry registry serve` agree on it. */
export const REGISTRY_STORE_FILE = 'schemas.json';

export interface RegistryServeOptions {
  port: number | undefined;
  /** Directory for the store; default `<Ferry data dir>/registry/<port>` (where `ferry run` keeps a registry it serves). */
  data: string | undefined;
  /** Default 127.0.0.1: the registry has no TLS and no users unless `--basic-auth` is given. */
  host: string | undefined;
  /** The Kafka cluster's id, reported by GET /v1/metadata/id. */
  kafkaClusterId: string | undefined;
}

/**
 * `ferry registry serve`: Ferry's embedded, Confluent-compatible Schema Registry on its own, for people without the
 * lab (the lab runs one per cluster through this same command). Runs until SIGINT/SIGTERM; every change is on disk
 * before it is acknowledged, so stopping it at any moment loses nothing.
 */
export async function runRegistryServe(options: RegistryServeOptions): Promise<number> {
  const port = options.port ?? 8081;
  const dir = resolve(options.data ?? join(defaultDataDir(), 'registry', String(port)));
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw schemaError('SCHEMA_REGISTRY_STORE', `Cannot create the registry's data directory ${dir}: ${(error as Error).message}. Pass --data with a directory you can write.`, { cause: error });
  }
  const storeFile = join(dir, REGISTRY_STORE_FILE);
  const registry = await startEmbeddedSchemaRegistry({
    port,
    storeFile,
    ...(options.host ? { host: options.host } : {}),
    ...(options.kafkaClusterId ? { kafkaClusterId: options.kafkaClusterId } : {}),
  });
  process.stdout.write(`Schema Registry listening at ${registry.url} (schemas kept in ${storeFile}; Ctrl+C stops)\n`);
  await new Promise<void>((done) => {
    const stop = (): void => done();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await registry.close();
  process.stdout.write('Schema Registry stopped.\n');
  return 0;
}
