import { describe, expect, it } from 'vitest';
import { startWorker, workerLaunch } from '../base/workerLaunch';
import { parsePipelineFile, requireValidPipeline, type ResolvedSource } from '../config';
import { loadSourcePlugin, SINK_PLUGIN_LOADERS, SOURCE_PLUGIN_LOADERS } from './pluginLoader';
import type { DRIVER_PACKAGES, PluginLoadProbeData } from './pluginLoadProbe';
import { SINK_PLUGINS, SOURCE_PLUGINS } from './registry';

const connection = { 'database.hostname': '127.0.0.1', 'database.port': '3306', 'database.user': 'u', 'database.password': 'p' };
const pipelineText = JSON.stringify({
  name: 'plugin-load-probe',
  kafka: { 'bootstrap.servers': '127.0.0.1:9092' },
  'schema.registry.url': 'http://127.0.0.1:8081',
  connectors: [
    {
      name: 'mariadb-log',
      'connector.class': 'io.debezium.connector.mariadb.MariaDbConnector',
      ...connection,
      'database.server.id': '4242',
      'topic.prefix': 'probe',
      'database.include.list': 'shop',
    },
    {
      name: 'postgres-sink',
      'connector.class': 'PostgresSink',
      topics: 'probe.shop.orders',
      'connection.host': '127.0.0.1',
      'connection.port': '5432',
      'connection.user': 'u',
      'connection.password': 'p',
      'db.name': 'shop',
      'insert.mode': 'UPSERT',
      'pk.mode': 'record_key',
      'input.key.format': 'AVRO',
      'input.data.format': 'AVRO',
      'delete.enabled': 'true',
      transforms: 'unwrap',
      'transforms.unwrap.type': 'io.debezium.transforms.ExtractNewRecordState',
      'transforms.unwrap.drop.tombstones': 'false',
    },
  ],
});

type Loaded = Record<(typeof DRIVER_PACKAGES)[number], boolean>;

async function packagesLoadedFor(connector: string): Promise<Loaded> {
  const launch = workerLaunch(import.meta.url, './pluginLoadProbe.ts', 'none.js');
  if (!launch) throw new Error('cannot start a worker from the sources (tsx missing?)');
  const data: PluginLoadProbeData = { pipelineText, connector };
  const worker = startWorker(launch, { ...data });
  try {
    return await new Promise<Loaded>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
  } finally {
    await worker.terminate();
  }
}

describe('plug-in loading for connector threads', () => {
  it('knows the same families as the host thread registry', () => {
    expect(Object.keys(SOURCE_PLUGIN_LOADERS).sort()).toEqual(Object.keys(SOURCE_PLUGINS).sort());
    expect(Object.keys(SINK_PLUGIN_LOADERS).sort()).toEqual(Object.keys(SINK_PLUGINS).sort());
  });

  it('says which class has no plug-in', async () => {
    const pipeline = requireValidPipeline(parsePipelineFile(pipelineText, 'probe.json'), 'probe.json');
    const source = pipeline.connectors.find((entry) => entry.role === 'source') as ResolvedSource;
    await expect(loadSourcePlugin({ ...source, connectorClass: 'com.example.NoSuchSource' })).rejects.toThrow(/no source plug-in for connector.class com.example.NoSuchSource/);
  });

  it("a MariaDB log source's thread loads the MySQL drivers only; a PostgreSQL sink's thread none until it connects", async () => {
    const [source, sink] = await Promise.all([packagesLoadedFor('mariadb-log'), packagesLoadedFor('postgres-sink')]);
    expect(source).toEqual({ mssql: false, 'mysql2/promise': true, pg: false, 'pg-logical-replication': false, '@azure/storage-blob': false });
    // pg itself loads with the sink's first session (db/drivers.ts).
    expect(sink).toEqual({ mssql: false, 'mysql2/promise': false, pg: false, 'pg-logical-replication': false, '@azure/storage-blob': false });
  }, 30_000);
});
