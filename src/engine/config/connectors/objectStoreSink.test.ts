import { describe, expect, it } from 'vitest';
import { find, parse, rules } from '../testing';
import { isObjectStoreSink, type ResolvedObjectStoreSink } from '../types';

// Configs as Confluent documents them: Confluent Cloud's quick-start shape and the self-managed connectors' keys.

const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

function sink(result: ReturnType<typeof parse>): ResolvedObjectStoreSink {
  const connector = result.config?.connectors[0];
  if (!connector || !isObjectStoreSink(connector)) throw new Error(`no object-store sink resolved: ${JSON.stringify(result.problems, null, 2)}`);
  return connector;
}

describe('AzureBlobSink (Confluent Cloud)', () => {
  it('resolves account, container, formats and hourly time partitioning by the Kafka timestamp', () => {
    const result = parse([
      {
        'connector.class': 'AzureBlobSink',
        name: 'blob',
        topics: 'orders',
        'input.data.format': 'AVRO',
        'output.data.format': 'AVRO',
        'azblob.account.name': 'devstoreaccount1',
        'azblob.account.key': AZURITE_KEY,
        'azblob.container.name': 'landing',
        'time.interval': 'HOURLY',
        'flush.size': '1000',
        'tasks.max': '1',
      },
    ]);
    const resolved = sink(result);
    expect(resolved).toMatchObject({ storage: 'azure-blob', container: 'landing', groupId: 'connect-blob', account: { name: 'devstoreaccount1' } });
    expect(resolved.account.key.reveal()).toBe(AZURITE_KEY);
    expect(resolved.layout).toMatchObject({ topicsDir: 'topics', format: 'AVRO', flushSize: 1000, partitioner: { kind: 'time', pathFormat: "'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH", partitionDurationMs: 3_600_000, timezone: 'UTC', extractor: { kind: 'record' } } });
    expect(JSON.stringify(result.config)).not.toContain(AZURITE_KEY);
  });

  it('names what is missing and what Ferry does not write', () => {
    const result = parse([{ 'connector.class': 'AzureBlobSink', name: 'blob', topics: 'orders', 'output.data.format': 'PARQUET', 'azblob.account.name': 'acct' }]);
    expect(rules(result)).toEqual(expect.arrayContaining(['object-store.account-missing', 'object-store.format-unsupported']));
    expect(result.config).toBeUndefined();
  });
});

describe('AzureBlobStorageSinkConnector (self-managed)', () => {
  const base = {
    'connector.class': 'io.confluent.connect.azure.blob.AzureBlobStorageSinkConnector',
    name: 'blob',
    topics: 'orders',
    'flush.size': '3',
    'azblob.account.name': 'devstoreaccount1',
    'azblob.account.key': AZURITE_KEY,
    'azblob.container.name': 'landing',
    'store.url': 'http://127.0.0.1:10000/devstoreaccount1',
    'format.class': 'io.confluent.connect.azure.blob.format.json.JsonFormat',
  };

  it('defaults to partition=N directories and reads format.class and store.url', () => {
    const resolved = sink(parse([base]));
    expect(resolved.layout).toMatchObject({ format: 'JSON', flushSize: 3, partitioner: { kind: 'default' } });
    expect(resolved.storeUrl).toBe('http://127.0.0.1:10000/devstoreaccount1');
  });

  it('FieldPartitioner and TimeBasedPartitioner with their keys, and the keys they need', () => {
    expect(sink(parse([{ ...base, 'partitioner.class': 'io.confluent.connect.storage.partitioner.FieldPartitioner', 'partition.field.name': 'region' }])).layout.partitioner).toEqual({ kind: 'field', fields: ['region'] });
    const timed = sink(
      parse([
        {
          ...base,
          'partitioner.class': 'io.confluent.connect.storage.partitioner.TimeBasedPartitioner',
          'path.format': "'dt'=YYYY-MM-dd",
          'partition.duration.ms': '86400000',
          locale: 'en-US',
          timezone: 'Europe/Paris',
          'timestamp.extractor': 'RecordField',
          'timestamp.field': 'placed',
        },
      ]),
    );
    expect(timed.layout.partitioner).toEqual({ kind: 'time', pathFormat: "'dt'=YYYY-MM-dd", partitionDurationMs: 86_400_000, locale: 'en-US', timezone: 'Europe/Paris', extractor: { kind: 'field', field: 'placed' } });
    const missing = parse([{ ...base, 'partitioner.class': 'io.confluent.connect.storage.partitioner.TimeBasedPartitioner', 'partition.duration.ms': '3600000' }]);
    expect(find(missing, 'object-store.partitioner-invalid')[0]?.message).toMatch(/path\.format/);
  });

  it('warns that wall-clock cuts are not exactly-once', () => {
    expect(rules(parse([{ ...base, 'rotate.schedule.interval.ms': '60000', timezone: 'UTC' }]))).toContain('object-store.not-exactly-once');
  });
});

describe('AzureDataLakeGen2SinkConnector', () => {
  it('writes into the file system named by the first segment of topics.dir', () => {
    const resolved = sink(
      parse([
        {
          'connector.class': 'io.confluent.connect.azure.datalake.gen2.AzureDataLakeGen2SinkConnector',
          name: 'lake',
          topics: 'orders',
          'flush.size': '3',
          'azure.datalake.gen2.account.name': 'devstoreaccount1',
          'azure.datalake.gen2.access.key': AZURITE_KEY,
          'topics.dir': 'lake/raw',
          'format.class': 'io.confluent.connect.azure.storage.format.avro.AvroFormat',
        },
      ]),
    );
    expect(resolved).toMatchObject({ storage: 'azure-datalake-gen2', container: 'lake', layout: { topicsDir: 'raw', format: 'AVRO' } });
  });

  it('refuses service principal login, which Ferry cannot do yet', () => {
    const result = parse([{ 'connector.class': 'AzureDataLakeGen2Sink', name: 'lake', topics: 'orders', 'azure.datalake.gen2.account.name': 'acct', 'azure.datalake.gen2.client.id': 'id', 'azure.datalake.gen2.client.key': 'secret' }]);
    expect(rules(result)).toContain('object-store.oauth-unsupported');
  });
});
