import { dirname, resolve } from 'node:path';
import type { QueryValue } from '../../shared/api/query';
import type { ITraceApi, TraceColumnDifference, TraceRecord, TraceReport, TraceRequest, TraceRow, TraceSinkWrite } from '../../shared/api/trace';
import type { VerifyReport, VerifyRequest } from '../../shared/api/verify';
import { isEngineError } from '../../shared/errors';
import { isJdbcSink, isLogSource, isPollingSource, type ResolvedJdbcSink, type ResolvedSource } from '../config';
import { createKafkaClient, type FetchedMessage } from '../kafka';
import { createConverter, registryClientFor } from '../pipeline/converters';
import { SOURCE_TIME_HEADER } from '../pipeline/sourceTask';
import { kafkaSettings } from '../pipeline/sourceOptions';
import { decodeFrame, subjectName } from '../schema';
import type { SqlConnectionSettings } from '../db';
import { runVerify, verifyDialect } from '../verify';
import { connectionSettingsOf, sinkTableOf, verifyUrlOf } from './connectionSettings';
import { traceError } from './errors';
import { hopsOf } from './hops';
import type { KnownPipeline, PipelineCatalog } from './pipelineCatalog';
import { type ChangeEventParts, changeEventParts, headersText, inferOps, keyText, matchesKey, recordChangeTimeMs, rowToValues, valueOf } from './recordMatch';
import { changeTime, describeTable, fetchRow, keyCondition, type TableDescription } from './rowLookup';
import { planScan, scanTopic } from './topicScan';

export const DEFAULT_MAX_SCAN = 100_000;
const MAX_SCAN_LIMIT = 5_000_000;
/** Kafka's timestamp is when Ferry produced, after the change; the slack covers clocks and the poll interval. */
const ROW_TIME_SLACK_MS = 5 * 60_000;

/** Verify's runner, injectable so a trace can share the engine's verify service (progress, cancel). */
export type VerifyRunner = (request: VerifyRequest) => Promise<VerifyReport>;

interface Located {
  /** A polling (JDBC) source or a log-based (Debezium) one. */
  source: ResolvedSource;
  topic: string;
  /** The table as the user or the status named it. */
  table: string;
}

interface Candidate {
  partition: number;
  message: FetchedMessage;
  values: Record<string, QueryValue> | null;
  /** A Debezium change event: its operation and log position (its row is `values`). */
  event?: ChangeEventParts;
  /** The event's `source.ts_ms`: when the change happened in the database. */
  changedAtMs?: number;
}

function headerBytes(message: FetchedMessage): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name] = typeof first === 'string' ? Buffer.from(first) : first;
  }
  return out;
}

function sameTable(a: string, b: string): boolean {
  const last = (name: string): string => name.split('.').pop()?.toLowerCase() ?? '';
  return a.toLowerCase() === b.toLowerCase() || (last(a) === last(b) && (!a.includes('.') || !b.includes('.')));
}

function readsTopic(sink: ResolvedJdbcSink, topic: string): boolean {
  return sink.topics.kind === 'list' ? sink.topics.topics.includes(topic) : new RegExp(`^(?:${sink.topics.regex})$`).test(topic);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * The `trace` namespace: one row's journey through a pipeline. The lookups (locate, describe, scan, match, the sink
 * write, the target comparison) are separate functions so Verify's "explain" can reuse them.
 */
export class TraceService implements ITraceApi {
  constructor(
    private readonly catalog: PipelineCatalog,
    private readonly verify: VerifyRunner = (request) => runVerify(request),
  ) {}

  async row(request: TraceRequest): Promise<TraceReport> {
    const started = performance.now();
    validateRequest(request);
    const known = await this.catalog.get(request.pipeline.trim());
    if (!known) {
      const names = await this.catalog.names();
      throw traceError(
        'TRACE_UNKNOWN_PIPELINE',
        `No pipeline named "${request.pipeline}" is running, ran in this session or is saved in the workspace${names.length > 0 ? `; known: ${names.join(', ')}` : ''}. Start the pipeline, then trace its rows.`,
      );
    }
    const located = locateSource(known, request.table);
    const notes: string[] = [];
    const sourceSettings = connectionSettingsOf(located.source.connection);
    const sourceTable = await describeTable(sourceSettings, located.table, 'source');
    if (!sourceTable) {
      throw traceError('TRACE_UNKNOWN_TABLE', `The source database ${located.source.connection.display} has no table "${located.table}" (or the user cannot see it). Check the table name.`);
    }
    const key = chooseKey(sourceTable, located.source, request.key);
    const { row: sourceRow, changed } = await this.sourceRow(sourceSettings, sourceTable, key, located.source);
    if (!sourceRow.found) notes.push(`The source has no row with this key now (deleted, or never there); its records in ${located.topic} are still shown.`);

    const sinks = known.pipeline.connectors.filter((connector): connector is ResolvedJdbcSink => isJdbcSink(connector) && readsTopic(connector, located.topic));
    if (sinks.length > 1) notes.push(`Sinks ${sinks.map((sink) => sink.name).join(', ')} all read ${located.topic}; the trace follows ${sinks[0]?.name ?? ''}.`);
    const sink = sinks[0];
    if (!sink) notes.push(`No sink of pipeline "${known.pipeline.name}" reads ${located.topic}: the journey ends in Kafka.`);

    const scan = await findRecords(known, located, key, changed?.ms, request, sink);
    notes.push(...scan.notes);
    const records = scan.records;
    const current = [...records].reverse().find((record) => !record.tombstone) ?? records[records.length - 1];
    const target = sink ? await this.targetRow(sink, located, sourceTable, sourceSettings, key, notes) : undefined;
    const hops = hopsOf(current);
    notes.push(...hops.notes);
    return {
      pipeline: known.pipeline.name,
      sourceConnector: located.source.name,
      ...(sink ? { sinkConnector: sink.name } : {}),
      topic: located.topic,
      key,
      source: sourceRow,
      records,
      scan: scan.summary,
      ...(target ? { target } : {}),
      hops: hops.hops,
      ...(hops.totalMs === undefined ? {} : { totalMs: hops.totalMs }),
      notes,
      tookMs: Math.round(performance.now() - started),
    };
  }

  private async sourceRow(settings: SqlConnectionSettings, table: TableDescription, key: Record<string, QueryValue>, source: ResolvedSource): Promise<{ row: TraceRow; changed?: { ms: number; column: string } }> {
    const fetched = await fetchRow(settings, table, key);
    // A log source's change time is in each change event (source.ts_ms), not in a column.
    const changed = isPollingSource(source) && source.timestampColumns.length > 0 && fetched ? await changeTime(settings, table, key, source.timestampColumns, source.dbTimezone) : undefined;
    return {
      row: {
        found: fetched !== undefined,
        database: source.connection.display,
        table: table.name,
        columns: fetched?.columns ?? table.columns.map((column) => column.name),
        values: fetched?.values ?? [],
        ...(changed ? { changedAt: iso(changed.ms), changedAtMs: changed.ms, changedAtColumn: changed.column } : {}),
      },
      ...(changed ? { changed } : {}),
    };
  }

  /** The target row now, and whether it equals the source after Verify's normalisation. */
  private async targetRow(
    sink: ResolvedJdbcSink,
    located: Located,
    sourceTable: TableDescription,
    sourceSettings: SqlConnectionSettings,
    key: Record<string, QueryValue>,
    notes: string[],
  ): Promise<TraceReport['target']> {
    const settings = connectionSettingsOf(sink.connection);
    const tableName = sinkTableOf(sink, located.topic);
    let table: TableDescription | undefined;
    try {
      table = await describeTable(settings, tableName, 'target');
    } catch (error) {
      notes.push(`The target database could not be read: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
    const empty: TraceRow = { found: false, database: sink.connection.display, table: tableName, columns: [], values: [] };
    if (!table) {
      notes.push(`The target table ${tableName} does not exist yet in ${sink.connection.display} (the sink creates it with auto.create when its first record arrives).`);
      return { ...empty, differences: [] };
    }
    // Target columns carry the source's field names; PostgreSQL may have folded their case.
    const targetKey: Record<string, QueryValue> = {};
    for (const [column, value] of Object.entries(key)) targetKey[table.columns.find((c) => c.name.toLowerCase() === column.toLowerCase())?.name ?? column] = value;
    const fetched = await fetchRow(settings, table, targetKey);
    const row: TraceRow = { ...empty, table: table.name, found: fetched !== undefined, columns: fetched?.columns ?? table.columns.map((c) => c.name), values: fetched?.values ?? [] };
    if (!fetched) return { ...row, differences: [] };
    const comparison = await compareRow(this.verify, { settings: sourceSettings, table: sourceTable, key, zone: located.source.dbTimezone }, { settings, table, key: targetKey, zone: sink.dbTimezone });
    notes.push(...comparison.notes);
    return { ...row, ...(comparison.equal === undefined ? {} : { equal: comparison.equal }), differences: comparison.differences };
  }
}

function validateRequest(request: TraceRequest): void {
  if (!request || typeof request.pipeline !== 'string' || request.pipeline.trim() === '') throw traceError('TRACE_BAD_REQUEST', 'Name the pipeline whose row to trace ("pipeline").');
  if (typeof request.table !== 'string' || request.table.trim() === '') throw traceError('TRACE_BAD_REQUEST', 'Name the source table of the row ("table"), e.g. "orders".');
  if (!request.key || typeof request.key !== 'object' || Object.keys(request.key).length === 0) {
    throw traceError('TRACE_BAD_REQUEST', 'Give the row\'s key ("key"), e.g. { "id": 42 } (a whole result row works too).');
  }
  if (request.maxScan !== undefined && (!Number.isInteger(request.maxScan) || request.maxScan < 1 || request.maxScan > MAX_SCAN_LIMIT)) {
    throw traceError('TRACE_BAD_REQUEST', `maxScan must be a whole number from 1 to ${MAX_SCAN_LIMIT}, got ${String(request.maxScan)}.`);
  }
}

/** The source connector that reads `table`, and its topic (from the connector's status, else topic.prefix + table). */
export function locateSource(known: KnownPipeline, table: string): Located {
  const sources = known.pipeline.connectors.filter((connector): connector is ResolvedSource => isPollingSource(connector) || isLogSource(connector));
  for (const status of known.status?.connectors ?? []) {
    if (status.role !== 'source') continue;
    const entry = status.tables?.find((candidate) => sameTable(candidate.table, table.trim()));
    const source = sources.find((connector) => connector.name === status.name);
    if (entry && source) return { source, topic: entry.topic, table: entry.table };
  }
  const listed = known.status?.connectors.flatMap((connector) => (connector.role === 'source' ? (connector.tables ?? []).map((entry) => entry.table) : [])) ?? [];
  if (listed.length > 0 || sources.length !== 1) {
    throw traceError(
      'TRACE_UNKNOWN_TABLE',
      `No source of pipeline "${known.pipeline.name}" reads a table "${table}"${listed.length > 0 ? `; its sources read ${listed.join(', ')}` : ''}. Pick one of those tables.`,
    );
  }
  const source = sources[0] as ResolvedSource;
  const bare = table.trim().split('.').pop() ?? table.trim();
  // Debezium names topics <topic.prefix>.<database or schema>.<table>.
  const topic = source.capture.kind === 'log' ? `${source.topicPrefix}.${table.trim()}` : source.capture.kind === 'query' ? source.topicPrefix : `${source.topicPrefix}${bare}`;
  return { source, topic, table: table.trim() };
}

/**
 * The key columns of the row: the table's primary key, else the connector's incrementing column, else every column
 * given. Names match case-insensitively; a missing key column is an error naming it.
 */
export function chooseKey(table: TableDescription, source: ResolvedSource, given: Readonly<Record<string, QueryValue>>): Record<string, QueryValue> {
  const incrementing = isPollingSource(source) ? source.incrementingColumn : undefined;
  const wanted = table.primaryKey.length > 0 ? table.primaryKey : incrementing ? [incrementing] : Object.keys(given);
  const key: Record<string, QueryValue> = {};
  const missing: string[] = [];
  for (const column of wanted) {
    const value = valueOf(given, column);
    if (value === undefined) missing.push(column);
    else key[table.columns.find((c) => c.name.toLowerCase() === column.toLowerCase())?.name ?? column] = value;
  }
  if (missing.length > 0) {
    throw traceError('TRACE_BAD_KEY', `The key of ${table.name} is (${wanted.join(', ')}); the request has no value for ${missing.join(', ')}. Give ${missing.map((m) => `"${m}"`).join(', ')} in "key".`);
  }
  const unknown = Object.keys(key).filter((column) => !table.columns.some((c) => c.name.toLowerCase() === column.toLowerCase()));
  if (unknown.length > 0) throw traceError('TRACE_BAD_KEY', `${table.name} has no column ${unknown.join(', ')}; its columns are ${table.columns.map((c) => c.name).join(', ')}.`);
  return key;
}

interface ScanOutcome {
  records: TraceRecord[];
  summary: TraceReport['scan'];
  notes: string[];
}

/** Every record of the row in its topic (as far as the scan plan reaches), decoded as the sink decodes it. */
export async function findRecords(
  known: KnownPipeline,
  located: Located,
  key: Record<string, QueryValue>,
  changedAtMs: number | undefined,
  request: Pick<TraceRequest, 'maxScan' | 'scan'>,
  sink: ResolvedJdbcSink | undefined,
): Promise<ScanOutcome> {
  const { source, topic } = located;
  const notes: string[] = [];
  const kafka = createKafkaClient(kafkaSettings(source.kafka, dirname(resolve(known.pipeline.fileName))));
  const admin = kafka.admin();
  const brokers = source.kafka.bootstrapServers.join(',');
  let committed: Map<number, bigint> | undefined;
  const candidates: Candidate[] = [];
  let undecodable = 0;
  let plan: ReturnType<typeof planScan>;
  let scanned = 0;
  try {
    await admin.connect();
  } catch (error) {
    throw traceError('TRACE_KAFKA_FAILED', `Cannot reach Kafka at ${brokers} to read ${topic}: ${error instanceof Error ? error.message : String(error)}.`, { cause: error });
  }
  try {
    const topics = await admin.listTopics();
    if (!topics.includes(topic)) {
      throw traceError('TRACE_UNKNOWN_TOPIC', `Topic ${topic} does not exist on ${brokers}: the source has not produced any record of ${located.table} yet (or a transform renames its topic).`);
    }
    const offsets = await admin.fetchTopicOffsets(topic);
    const ranges = offsets.map((entry) => ({ partition: entry.partition, low: BigInt(entry.low), high: BigInt(entry.high) })).sort((a, b) => a.partition - b.partition);
    let rowTimeOffsets: Map<number, bigint> | undefined;
    const cap = request.maxScan ?? DEFAULT_MAX_SCAN;
    const total = ranges.reduce((sum, range) => sum + (range.high - range.low), 0n);
    if (changedAtMs !== undefined && request.scan !== 'all' && total > BigInt(cap)) {
      const found = await admin.fetchTopicOffsetsByTimestamp(topic, changedAtMs - ROW_TIME_SLACK_MS);
      rowTimeOffsets = new Map(found.map((entry) => [entry.partition, BigInt(entry.offset)]));
    }
    plan = planScan(ranges, { cap, all: request.scan === 'all', ...(rowTimeOffsets ? { rowTimeOffsets } : {}) });
    const valueConverter = createConverter(source.value, false);
    const keyConverter = createConverter(source.key, true);
    scanned = await scanTopic(kafka, topic, plan.partitions, async (partition, message) => {
      const headers = headerBytes(message);
      const where = `${topic}[${partition}]@${message.offset}`;
      try {
        // A Debezium change event (a log source's, or unwrapped nowhere yet) carries its row in before/after.
        const event = message.value && valueConverter.toChangeEvent ? await valueConverter.toChangeEvent(topic, message.value, headers, `The value of ${where}`) : null;
        const parts = event ? changeEventParts(event) : undefined;
        if (parts) {
          const changedAt = Number(event?.source?.ts_ms);
          if (matchesKey(parts.values, key)) candidates.push({ partition, message, values: parts.values, event: parts, ...(Number.isFinite(changedAt) && changedAt > 0 ? { changedAtMs: changedAt } : {}) });
        } else if (message.value) {
          const decoded = await valueConverter.toRow(topic, message.value, headers, `The value of ${where}`);
          const values = decoded ? rowToValues(decoded.row) : null;
          if (values && matchesKey(values, key)) candidates.push({ partition, message, values });
        } else if (message.key) {
          // A tombstone: only its key can say which row it deletes.
          const decoded = await keyConverter.toRow(topic, message.key, headers, `The key of ${where}`);
          if (decoded && matchesKey(rowToValues(decoded.row), key)) candidates.push({ partition, message, values: null });
        }
      } catch (error) {
        if (isEngineError(error) && error.code.startsWith('SCHEMA_REGISTRY_UNREACHABLE')) throw error;
        undecodable++;
      }
    });
    if (sink) {
      const groups = await admin.fetchOffsets({ groupId: sink.groupId, topics: [topic] }).catch(() => []);
      committed = new Map((groups.find((entry) => entry.topic === topic)?.partitions ?? []).map((entry) => [entry.partition, BigInt(entry.offset)]));
    }
  } catch (error) {
    if (isEngineError(error)) throw error;
    throw traceError('TRACE_KAFKA_FAILED', `Reading ${topic} on ${brokers} failed: ${error instanceof Error ? error.message : String(error)}.`, { cause: error });
  } finally {
    await admin.disconnect().catch(() => {});
  }

  candidates.sort((a, b) => Number(a.message.timestamp) - Number(b.message.timestamp) || a.partition - b.partition || Number(BigInt(a.message.offset) - BigInt(b.message.offset)));
  const ops = inferOps(
    candidates.map((candidate) => candidate.values),
    plan.from === 'beginning' && !plan.capped,
  );
  const schemaInfo = schemaInfoLookup(source, topic);
  const records: TraceRecord[] = [];
  for (const [index, candidate] of candidates.entries()) {
    const { message, partition } = candidate;
    const headers = headersText(message.headers as Record<string, unknown> | undefined);
    const sourceTs = Number(headers[SOURCE_TIME_HEADER]);
    const timestampMs = Number(message.timestamp);
    const op = candidate.event ? { op: candidate.event.op, inferred: false } : (ops[index] ?? { op: 'u', inferred: true });
    const columnTimeMs = isPollingSource(source) ? recordChangeTimeMs(candidate.values, source.timestampColumns) : undefined;
    const changedAtMs = Number.isFinite(sourceTs) && headers[SOURCE_TIME_HEADER] !== undefined ? sourceTs : (candidate.changedAtMs ?? columnTimeMs);
    const schema = candidate.message.value ? await schemaInfo(candidate.message.value, headerBytes(message)) : undefined;
    const write = sink ? sinkWriteOf(known, sink, topic, partition, message.offset, committed) : undefined;
    records.push({
      topic,
      partition,
      offset: message.offset,
      timestamp: iso(timestampMs),
      timestampMs,
      ...(changedAtMs !== undefined ? { sourceTimestampMs: changedAtMs } : {}),
      ...(schema ?? {}),
      op: op.op,
      opInferred: op.inferred,
      ...(candidate.event?.position ? { sourcePosition: candidate.event.position } : {}),
      ...(candidate.event?.snapshot ? { snapshot: true } : {}),
      tombstone: candidate.values === null,
      value: candidate.values,
      headers,
      ...(write ? { write } : {}),
    });
  }
  if (undecodable > 0) notes.push(`${undecodable} record${undecodable === 1 ? '' : 's'} of ${topic} could not be decoded with the source's converter and were skipped.`);
  if (plan.capped) {
    notes.push(
      plan.from === 'row-time'
        ? `The topic holds more than ${request.maxScan ?? DEFAULT_MAX_SCAN} records: the scan began at the row's change time (offsetsForTimes) and stopped at the cap; earlier versions of the row are not shown (scan "all" to read from the beginning).`
        : plan.from === 'tail'
          ? `The topic holds more than ${request.maxScan ?? DEFAULT_MAX_SCAN} records and the row has no change time to seek to: only the newest were scanned.`
          : `The scan from the beginning stopped at the cap of ${request.maxScan ?? DEFAULT_MAX_SCAN} records.`,
    );
  } else if (plan.from === 'row-time') {
    notes.push('The scan began at the row\'s change time (offsetsForTimes); earlier versions of the row are not shown (scan "all" to read from the beginning).');
  }
  if (records.length === 0) notes.push(`No record of this row was found in ${topic}${plan.capped ? ' within the scanned range' : ''}: the source has not captured it yet (poll interval), or its capture mode missed the change.`);
  return {
    records,
    notes,
    summary: {
      partitions: plan.partitions.length,
      scanned,
      from: plan.from,
      capped: plan.capped,
      ranges: plan.partitions.map((scan) => ({ partition: scan.partition, from: scan.from.toString(), to: scan.to.toString() })),
    },
  };
}

/** Schema id, subject and version of a record value (Avro), cached per id. */
function schemaInfoLookup(source: ResolvedSource, topic: string): (value: Buffer, headers: Record<string, Uint8Array>) => Promise<Pick<TraceRecord, 'schemaId' | 'subject' | 'version'> | undefined> {
  const registry = source.value.format === 'AVRO' && source.value.schemaRegistry ? registryClientFor(source.value.schemaRegistry) : undefined;
  const cache = new Map<number, Promise<Pick<TraceRecord, 'schemaId' | 'subject' | 'version'>>>();
  return async (value, headers) => {
    if (!registry) return undefined;
    let id: number;
    try {
      const frame = decodeFrame(value, headers, false);
      if (frame.ref.kind !== 'id') return undefined;
      id = frame.ref.id;
    } catch {
      return undefined;
    }
    let pending = cache.get(id);
    if (!pending) {
      pending = (async () => {
        try {
          const schema = await registry.getSchemaById(id);
          const parsed = JSON.parse(schema.schema) as { name?: string; namespace?: string };
          const recordName = parsed.name ? (parsed.namespace ? `${parsed.namespace}.${parsed.name}` : parsed.name) : undefined;
          const subject = subjectName(source.value.subjectNameStrategy, { topic, isKey: false, ...(recordName ? { recordName } : {}) });
          const found = await registry.lookupSchema(subject, schema.schema);
          return { schemaId: id, subject, ...(found ? { version: found.version } : {}) };
        } catch {
          return { schemaId: id };
        }
      })();
      cache.set(id, pending);
    }
    return pending;
  };
}

/** The sink write that applied a record: this engine's applied log, else the group's committed offset says. */
export function sinkWriteOf(known: KnownPipeline, sink: ResolvedJdbcSink, topic: string, partition: number, offset: string, committed: ReadonlyMap<number, bigint> | undefined): TraceSinkWrite {
  const targetTable = sinkTableOf(sink, topic);
  const chunk = known.appliedLog(sink.name)?.find(topic, partition, offset);
  if (chunk) {
    return {
      connector: sink.name,
      targetTable: chunk.targetTable,
      topic,
      partition,
      firstOffset: chunk.firstOffset,
      lastOffset: chunk.lastOffset,
      records: chunk.records,
      committedAt: iso(chunk.committedAtMs),
      committedAtMs: chunk.committedAtMs,
      evidence: chunk.deadLettered.includes(offset) ? 'dead-letter' : 'applied-log',
    };
  }
  const next = committed?.get(partition);
  const applied = next !== undefined && next > BigInt(offset);
  return { connector: sink.name, targetTable, topic, partition, firstOffset: offset, lastOffset: offset, records: 1, evidence: applied ? 'committed-offset' : 'pending' };
}

interface CompareSide {
  settings: SqlConnectionSettings;
  table: TableDescription;
  key: Record<string, QueryValue>;
  zone: string;
}

/**
 * Source row vs target row with Verify's normalisation (Verify restricted to the one key). When Verify cannot run,
 * the fetched values are compared as canonical text, with a note saying so.
 */
export async function compareRow(verify: VerifyRunner, source: CompareSide, target: CompareSide): Promise<{ equal?: boolean; differences: TraceColumnDifference[]; notes: string[] }> {
  try {
    const report = await verify({
      source: { url: verifyUrlOf(source.settings, source.zone), table: source.table.name, where: keyCondition(verifyDialect(source.settings.dialect), source.key), timeZone: source.zone },
      target: { url: verifyUrlOf(target.settings, target.zone), table: target.table.name, where: keyCondition(verifyDialect(target.settings.dialect), target.key), timeZone: target.zone },
      key: Object.keys(source.key),
      segments: 1,
      maxDifferences: 10,
    });
    const differences = report.different[0]?.columns.map((column) => ({ name: column.name, source: column.source, target: column.target })) ?? [];
    const notes = report.notes.filter((note) => !/segment/i.test(note));
    return { equal: report.equal, differences, notes };
  } catch (error) {
    const [sourceRow, targetRow] = await Promise.all([fetchRow(source.settings, source.table, source.key), fetchRow(target.settings, target.table, target.key)]);
    const differences: TraceColumnDifference[] = [];
    for (const [index, column] of (sourceRow?.columns ?? []).entries()) {
      const targetIndex = targetRow?.columns.findIndex((name) => name.toLowerCase() === column.toLowerCase()) ?? -1;
      if (targetIndex < 0) continue;
      const a = keyText(sourceRow?.values[index] ?? null);
      const b = keyText(targetRow?.values[targetIndex] ?? null);
      if (a !== b) differences.push({ name: column, source: a, target: b });
    }
    return {
      equal: differences.length === 0,
      differences,
      notes: [`Verify could not compare the row (${error instanceof Error ? error.message : String(error)}); the values were compared as text instead, without Verify's type normalisation.`],
    };
  }
}
