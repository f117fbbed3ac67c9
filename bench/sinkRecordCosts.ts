/**
 * Micro-benchmark of the sink thread's per-record CPU (issue 13), in one process, no services but an embedded schema
 * registry: a Debezium change event of the pipeline bench's 15-column orders table (Avro key + envelope) is
 * - decoded: SinkRecordDecoder.decode with ExtractNewRecordState (Avro → row), the compiled reader against avsc's
 *   rows-only read of the same envelope;
 * - converted: mapRecord and PostgreSQL's columnar upsert (every value to its array text) for 5,000-row batches.
 * Prints one JSON object (µs per record, and the heap allocated per record).  npx tsx bench/sinkRecordCosts.ts
 */
import { loadavg } from 'node:os';
import avro from 'avsc';
import type { ResolvedSerde, ResolvedTransform } from '../src/engine/config';
import type { ResolvedSinkBase } from '../src/engine/connectors/port';
import type { RecordSchema, Row, SinkRecord } from '../src/engine/model';
import { SinkRecordDecoder } from '../src/engine/pipeline/sinkDecoder';
import { AvroConverter, type ChangeEvent, DebeziumEnvelopeCodec, encodeFrame, SchemaRegistryClient, startEmbeddedSchemaRegistry } from '../src/engine/schema';
import { avroCodecForAvro } from '../src/engine/schema/avroCodec';
import { bigintLongHook, FERRY_LOGICAL_TYPES } from '../src/engine/schema/avscTypes';
import { createDialect } from '../src/engine/sinks/sql/dialects/index';
import { mapRecord } from '../src/engine/sinks/sql/recordMapping';

const topic = 'bench.shop.orders';
const valueSchema: RecordSchema = {
  name: `${topic}.Value`,
  fields: [
    { name: 'id', type: { kind: 'int64' }, optional: false },
    { name: 'customer_id', type: { kind: 'int32' }, optional: false },
    { name: 'product_id', type: { kind: 'int32' }, optional: false },
    { name: 'sku', type: { kind: 'string' }, optional: false },
    { name: 'quantity', type: { kind: 'int32' }, optional: false },
    { name: 'unit_price', type: { kind: 'decimal', precision: 10, scale: 2 }, optional: false },
    { name: 'discount', type: { kind: 'decimal', precision: 4, scale: 3 }, optional: true },
    { name: 'total', type: { kind: 'decimal', precision: 12, scale: 2 }, optional: false },
    { name: 'status', type: { kind: 'string' }, optional: false },
    { name: 'country', type: { kind: 'string' }, optional: false },
    { name: 'note', type: { kind: 'string' }, optional: true },
    { name: 'is_gift', type: { kind: 'int16' }, optional: false },
    { name: 'created_at', type: { kind: 'timestamp' }, optional: false },
    { name: 'shipped_at', type: { kind: 'timestamp' }, optional: true },
    { name: 'updated_at', type: { kind: 'timestamp' }, optional: false },
  ],
};
const keySchema: RecordSchema = { name: `${topic}.Key`, fields: [{ name: 'id', type: { kind: 'int64' }, optional: false }] };

function order(seq: number): Row {
  const at = Date.UTC(2026, 0, 1) + seq * 1000;
  return {
    id: BigInt(seq),
    customer_id: 1 + (seq % 5000),
    product_id: 1 + (seq % 300),
    sku: `SKU-${String(seq % 300).padStart(5, '0')}`,
    quantity: 1 + (seq % 7),
    unit_price: (5 + (seq % 9000) / 100).toFixed(2),
    discount: seq % 4 === 0 ? ((seq % 250) / 1000).toFixed(3) : null,
    total: ((1 + (seq % 7)) * (5 + (seq % 9000) / 100)).toFixed(2),
    status: ['NEW', 'PAID', 'PACKED', 'SHIPPED', 'DELIVERED'][seq % 5] ?? 'NEW',
    country: ['GB', 'US', 'NL', 'DE', 'NG', 'IN'][seq % 6] ?? 'GB',
    note: seq % 10 === 0 ? `note for order ${seq}` : null,
    is_gift: seq % 9 === 0 ? 1 : 0,
    created_at: new Date(at),
    shipped_at: seq % 3 === 0 ? new Date(at + 86_400_000) : null,
    updated_at: new Date(Date.UTC(2026, 0, 1) + (seq % 86400) * 1000),
  };
}

function measure(iterations: number, work: (index: number) => void): { us: number; bytes: number } {
  for (let index = 0; index < Math.min(iterations, 20_000); index++) work(index);
  globalThis.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const started = process.cpuUsage();
  for (let index = 0; index < iterations; index++) work(index);
  const used = process.cpuUsage(started);
  const heapAfter = process.memoryUsage().heapUsed;
  // Heap growth is only meaningful without a collection in between (run with --expose-gc and a large new space).
  return { us: (used.user + used.system) / iterations, bytes: Math.max(0, heapAfter - heapBefore) / iterations };
}

const registry = await startEmbeddedSchemaRegistry();
try {
  const client = new SchemaRegistryClient({ url: registry.url });
  const keys = new AvroConverter({ registry: client });
  const envelope = new DebeziumEnvelopeCodec(topic, valueSchema, 'mariadb', '2.7.3.Final');
  const envelopeId = await client.register(`${topic}-value`, envelope.schemaText);
  const source = { connector: 'mariadb', name: 'bench', tsMs: 1_764_979_200_000, snapshot: 'true', db: 'shop', table: 'orders', serverId: 1, gtid: null, file: 'mysql-bin.000003', pos: 4_711, row: 0 } as const;
  const COUNT = 5000;
  const messages = await Promise.all(
    Array.from({ length: COUNT }, async (_, seq) => {
      const event: ChangeEvent = { op: 'r', before: null, after: order(seq + 1), source, transaction: null, tsMs: 1_764_979_200_500 };
      return { offset: String(seq), key: await keys.fromRow(topic, true, keySchema, { id: BigInt(seq + 1) }), value: encodeFrame(envelopeId, envelope.encode(event)), headers: {}, timestamp: '1764979200999' };
    }),
  );

  const avroSerde = { format: 'AVRO', schemaRegistry: { urls: [registry.url], basicAuth: undefined }, subjectNameStrategy: 'TopicNameStrategy', autoRegisterSchemas: true, useLatestVersion: false } as unknown as ResolvedSerde<'AVRO'>;
  const unwrap: ResolvedTransform = { alias: 'unwrap', type: 'io.debezium.transforms.ExtractNewRecordState', supported: true, config: { 'drop.tombstones': 'false', 'delete.handling.mode': 'none' }, predicate: undefined, negate: false };
  const sink: Pick<ResolvedSinkBase, 'key' | 'value' | 'transforms' | 'predicates'> = { key: avroSerde, value: avroSerde, transforms: [unwrap], predicates: [] };
  // As the runner builds it for the SQL sink (SqlSink.takesEpochMsTimestamps): timestamps read as epoch milliseconds.
  const decoder = new SinkRecordDecoder(sink as ResolvedSinkBase, { timestampsAsEpochMs: true });
  // The first record of a schema is read through the promise path (Dates, another schema and so another statement in
  // the writer); the batch below is the records read after it, as a sink's chunks are.
  await decoder.decode(topic, 0, messages[0] as (typeof messages)[number]);
  const records: SinkRecord[] = [];
  for (const message of messages) {
    const record = await decoder.decode(topic, 0, message);
    if (record) records.push(record);
  }
  const ITERATIONS = 200_000;
  const decode = measure(ITERATIONS, (index) => {
    decoder.decode(topic, 0, messages[index % COUNT] as (typeof messages)[number]);
  });

  // avsc's rows-only read of the same envelope (what the converter did before the compiled reader), for comparison.
  const json = JSON.parse(envelope.schemaText) as { fields: { name: string; type: unknown }[]; namespace?: string };
  const before = json.fields.find((field) => field.name === 'before');
  const valueJson = (before?.type as unknown[]).find((branch) => typeof branch === 'object') as Record<string, unknown>;
  const nested = avroCodecForAvro({ ...valueJson, namespace: (valueJson.namespace as string | undefined) ?? json.namespace } as never).nested();
  const annotated = { ...json, fields: json.fields.map((field) => (field.name === 'before' ? { ...field, type: (field.type as unknown[]).map((branch) => (branch === valueJson ? nested.annotatedSchema : branch)) } : field)) };
  // Fresh options per type: avsc keeps its registry of names on the options object.
  const options = () => ({ logicalTypes: FERRY_LOGICAL_TYPES, typeHook: bigintLongHook, omitRecordMethods: true }) as unknown as avro.ForSchemaOptions;
  const full = avro.Type.forSchema(annotated as unknown as avro.Schema, options());
  const rowsOnly = avro.Type.forSchema({ ...annotated, fields: annotated.fields.filter((field) => ['before', 'after', 'op'].includes(field.name)) } as unknown as avro.Schema, options());
  const resolver = rowsOnly.createResolver(full);
  const avscEnvelope = measure(ITERATIONS, (index) => {
    const event = rowsOnly.decode(messages[index % COUNT]?.value as Buffer, 5, resolver).value as { after: Row };
    nested.fromAvro(event.after);
  });
  const converter = new AvroConverter({ registry: client });
  await converter.toChangeEvent(topic, messages[0]?.value as Buffer, null);
  const compiledEnvelope = measure(ITERATIONS, (index) => {
    converter.toChangeEventNow(topic, messages[index % COUNT]?.value as Buffer, null, { rowsOnly: true });
  });

  const dialect = createDialect('postgres', {});
  const mapping = { pkMode: 'record_key' as const, pkFields: [], fieldsWhitelist: [] };
  const columns = [...keySchema.fields, ...valueSchema.fields.filter((field) => field.name !== 'id')].map((field) => ({
    name: field.name,
    type: field.type.kind,
    baseType: { int64: 'bigint', int32: 'integer', int16: 'smallint', string: 'text', decimal: 'numeric', timestamp: 'timestamp without time zone' }[field.type.kind as string] ?? 'text',
    nullable: field.optional,
    isKey: field.name === 'id',
  }));
  const existing = { table: { schema: 'public', table: 'orders' }, kind: 'TABLE' as const, columns };
  let checksum = 0;
  const convert = measure(40, () => {
    const mapped = records.map((record) => mapRecord(record, mapping, true));
    const first = mapped[0];
    if (!first) return;
    const statements = dialect.buildUpsert({ table: { schema: 'public', table: 'orders' }, keyFields: first.keyFields, valueFields: first.valueFields, rows: mapped.map((m) => m.row), existing });
    checksum += statements.length;
  });
  process.stdout.write(
    `${JSON.stringify({
      benchmark: 'sink_record_costs',
      records: COUNT,
      columns: valueSchema.fields.length,
      load_average: loadavg().map((value) => Math.round(value * 100) / 100),
      decode_us_per_record: round(decode.us),
      decode_heap_bytes_per_record: Math.round(decode.bytes),
      envelope_compiled_us_per_record: round(compiledEnvelope.us),
      envelope_avsc_us_per_record: round(avscEnvelope.us),
      map_and_upsert_params_us_per_record: round(convert.us / COUNT),
      map_and_upsert_heap_bytes_per_record: Math.round(convert.bytes / COUNT),
      statements: checksum,
    })}\n`,
  );
} finally {
  await registry.close();
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
