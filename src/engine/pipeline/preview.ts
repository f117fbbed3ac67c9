import { isLogSource, isPollingSource, type ResolvedJdbcSink, type ResolvedJdbcSource, type ResolvedLogSource, type ResolvedPipeline } from '../config';
import { tableIdToString, type FieldSchema } from '../model';
import { avroFullName, recordSchemaToAvro } from '../schema';
import { subjectName } from '../schema/subjectNaming';
import { createDialect, type SqlDialect } from '../sinks/sql/dialects';
import { createLogCapture, createPollingReader, type PollingReader } from '../sources';
import { logCaptureInit } from '../connectors/sourceOptions';
import { describeFieldType, scrubAvroName } from '../schema/avroMapping';
import type { ConnectorPreview, JsonValue, LogSourcePreview, PreviewColumn, PreviewTable, PreviewTransformSample } from '../../shared/api/pipelines';
import { isEngineError } from '../../shared/errors';
import { sourcePrecisionLoss } from './precision';
import { pollingOptions, sourceConnection } from './sourceOptions';
import { buildTransformChain, probeTopic } from '../transforms';
import { transformSample } from './previewSample';

/** A preview must answer quickly: one connection attempt, and a bound on the whole read. */
const PREVIEW_TIMEOUT_MS = 10_000;

function sinkReading(sinks: readonly ResolvedJdbcSink[], topic: string): ResolvedJdbcSink | undefined {
  return sinks.find((sink) => (sink.topics.kind === 'list' ? sink.topics.topics.includes(topic) : new RegExp(`^(?:${sink.topics.regex})$`).test(topic)));
}

function targetColumn(dialect: SqlDialect, sink: ResolvedJdbcSink, field: FieldSchema): { targetType?: string; warning?: string } {
  const isKey = sink.pkMode === 'record_value' && sink.pkFields.includes(field.name);
  try {
    return { targetType: dialect.columnType(field.type, isKey) };
  } catch (error) {
    return { warning: isEngineError(error) ? error.message : String(error) };
  }
}

/** A column whose name Avro cannot hold: what consumers of the topic see, and what Ferry's sinks write. */
export function avroRename(column: string): string | undefined {
  const avroName = scrubAvroName(column);
  if (avroName === column) return undefined;
  return `Written to Kafka as Avro field "${avroName}" (Avro names allow only letters, digits and _); Ferry's sinks write it back to a column named "${column}", other consumers of the topic see "${avroName}".`;
}

async function previewSource(source: ResolvedJdbcSource, sinks: readonly ResolvedJdbcSink[]): Promise<ConnectorPreview> {
  const preview: ConnectorPreview = { name: source.name, role: 'source', tables: [], excludedTables: [], topics: [] };
  // One row is all the transform sample needs.
  const options = { ...pollingOptions(source), connectionAttempts: 1, batchMaxRows: 1 };
  const reader = createPollingReader(source.dialect, { connection: sourceConnection(source), options });
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(`No answer from ${source.connection.display} within ${PREVIEW_TIMEOUT_MS / 1000} s; check the host and port.`), { code: 'PREVIEW_TIMEOUT' })), PREVIEW_TIMEOUT_MS);
    });
    await Promise.race([reader.start(), timeout]);
    const transform = buildTransformChain(source.transforms, source.predicates);
    const selected = new Set<string>();
    for (const stream of reader.pollingStreams) {
      const topic = probeTopic(transform, stream.topic);
      const avro = recordSchemaToAvro(stream.valueSchema);
      const sink = sinkReading(sinks, topic);
      const dialect = sink ? createDialect(sink.dialect, { quoteIdentifiers: sink.quoteSqlIdentifiers }) : undefined;
      const columns: PreviewColumn[] = stream.valueSchema.fields.map((field) => {
        const target = sink && dialect ? targetColumn(dialect, sink, field) : {};
        const warning = [sourcePrecisionLoss(field), avroRename(field.name), target.warning].filter(Boolean).join(' ');
        return {
          name: field.name,
          sourceType: field.sourceType ?? '',
          connectType: describeFieldType(field.type),
          optional: field.optional,
          ...(target.targetType ? { targetType: target.targetType } : {}),
          ...(warning ? { warning } : {}),
        };
      });
      const table: PreviewTable = {
        table: tableIdToString(stream.table),
        topic,
        subject: subjectName(source.value.subjectNameStrategy, { topic, isKey: false, recordName: avroFullName(avro) }),
        avroSchema: avro as JsonValue,
        columns,
        ...(sink && dialect ? { sink: { connector: sink.name, table: tableIdToString(dialect.resolveTableId(sink.tableNameFormat, topic)) } } : {}),
      };
      selected.add(table.table);
      preview.tables.push(table);
      if (!preview.topics.includes(topic)) preview.topics.push(topic);
    }
    preview.excludedTables = reader.discoveredTables.filter((name) => !selected.has(name));
    if (source.transforms.length > 0) preview.transformSample = await Promise.race([sourceTransformSample(source, reader), timeout]);
  } catch (error) {
    const code = isEngineError(error) ? error.code : typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : 'PREVIEW_FAILED';
    const message = error instanceof Error ? error.message : String(error);
    preview.error = { code, message: `Could not read ${source.connection.display}: ${message}` };
  } finally {
    clearTimeout(timer);
    await reader.close().catch(() => {});
  }
  return preview;
}

/** What `snapshot.mode` does on a first start, in words. */
const SNAPSHOT_NOTES: Record<ResolvedLogSource['snapshotMode'], string> = {
  initial: 'On the first start (no checkpoint) these tables are snapshotted, then the log is streamed from the snapshot\'s position; a restart resumes from the checkpoint.',
  when_needed: 'On the first start these tables are snapshotted, then the log is streamed; a restart whose log position is gone (binlog purged, slot dropped) snapshots them again.',
  initial_only: 'These tables are snapshotted once and nothing is streamed afterwards.',
  no_data: 'No snapshot: only changes made from the first start on are captured (the tables\' existing rows are not written).',
};

/**
 * A log source: the binlog or the slot and publication as they are now, what is missing for capture, and the tables
 * the snapshot would read with their estimated rows. Read only: no slot or publication is created.
 */
async function previewLogSource(source: ResolvedLogSource, sinks: readonly ResolvedJdbcSink[]): Promise<ConnectorPreview> {
  const preview: ConnectorPreview = { name: source.name, role: 'source', tables: [], excludedTables: [], topics: [] };
  const init = logCaptureInit(source);
  const capture = createLogCapture({ ...init, connection: { ...init.connection, connectTimeoutMs: Math.min(init.connection.connectTimeoutMs ?? PREVIEW_TIMEOUT_MS, PREVIEW_TIMEOUT_MS) } });
  let timer: NodeJS.Timeout | undefined;
  try {
    if (!capture.inspect) {
      preview.error = { code: 'PREVIEW_UNSUPPORTED', message: `Preview does not read the state of ${source.connection.display}'s change tables yet (SQL Server CDC); the pipeline checks them when it starts.` };
      return preview;
    }
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(`No answer from ${source.connection.display} within ${PREVIEW_TIMEOUT_MS / 1000} s; check the host and port.`), { code: 'PREVIEW_TIMEOUT' })), PREVIEW_TIMEOUT_MS);
    });
    const inspection = await Promise.race([capture.inspect(), timeout]);
    const transform = buildTransformChain(source.transforms, source.predicates);
    const snapshotTables: LogSourcePreview['snapshot']['tables'] = [];
    for (const { table: shape, estimatedRows } of inspection.tables) {
      const topic = probeTopic(transform, shape.topic);
      const avro = recordSchemaToAvro(shape.valueSchema);
      const sink = sinkReading(sinks, topic);
      const dialect = sink ? createDialect(sink.dialect, { quoteIdentifiers: sink.quoteSqlIdentifiers }) : undefined;
      const name = tableIdToString(shape.id);
      preview.tables.push({
        table: name,
        topic,
        // Debezium registers the change event envelope under <topic>-value; its before/after are this record.
        subject: `${topic}-value`,
        avroSchema: avro as JsonValue,
        columns: shape.valueSchema.fields.map((field) => {
          const target = sink && dialect ? targetColumn(dialect, sink, field) : {};
          const warning = [avroRename(field.name), target.warning].filter(Boolean).join(' ');
          const semantic = 'semantic' in field.type && field.type.semantic ? ` (${field.type.semantic.name})` : '';
          return {
            name: field.name,
            sourceType: field.sourceType ?? '',
            connectType: `${describeFieldType(field.type)}${semantic}`,
            optional: field.optional,
            ...(target.targetType ? { targetType: target.targetType } : {}),
            ...(warning ? { warning } : {}),
          };
        }),
        ...(sink && dialect ? { sink: { connector: sink.name, table: tableIdToString(dialect.resolveTableId(sink.tableNameFormat, topic)) } } : {}),
      });
      if (!preview.topics.includes(topic)) preview.topics.push(topic);
      snapshotTables.push({ table: name, estimatedRows: source.snapshotMode === 'no_data' ? null : estimatedRows });
    }
    preview.excludedTables = inspection.excludedTables;
    const schemaChangeTopic = source.includeSchemaChanges ? probeTopic(transform, source.topicPrefix) : undefined;
    if (schemaChangeTopic) preview.topics.push(schemaChangeTopic);
    preview.log = {
      ...inspection.log,
      snapshot: { mode: source.snapshotMode, note: SNAPSHOT_NOTES[source.snapshotMode], tables: source.snapshotMode === 'no_data' ? [] : snapshotTables },
      ...(schemaChangeTopic ? { schemaChangeTopic } : {}),
    };
  } catch (error) {
    const code = isEngineError(error) ? error.code : typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : 'PREVIEW_FAILED';
    const message = error instanceof Error ? error.message : String(error);
    preview.error = { code, message: `Could not read ${source.connection.display}: ${message}` };
  } finally {
    clearTimeout(timer);
    await capture.close().catch(() => {});
  }
  return preview;
}

/**
 * The first row the source would read (the first table with a row, in the order the reader polls them), as the source
 * task hands it to the transforms: no key (Connect's JDBC source sends none), no headers, the row's time.
 */
async function sourceTransformSample(source: ResolvedJdbcSource, reader: PollingReader): Promise<PreviewTransformSample> {
  const streams = reader.pollingStreams.length;
  for (let attempt = 0; attempt < streams; attempt += 1) {
    const batch = await reader.poll();
    const first = batch.records[0];
    if (!first?.after) continue;
    const record = {
      topic: batch.stream.topic,
      partition: null,
      timestampMs: first.sourceTimestampMs ?? Date.now(),
      keySchema: null,
      key: null,
      valueSchema: first.valueSchema,
      value: first.after,
      headers: {},
    };
    return transformSample(`First row the source reads from ${tableIdToString(batch.stream.table)}`, source.transforms, source.predicates, record);
  }
  return { origin: 'The source', before: null, steps: [], missing: 'The source has no row to read yet (every selected table is empty, or timestamp.initial starts after the existing rows); add a row and refresh.' };
}

/**
 * What a pipeline would do, read from its source databases without writing anything: the tables the include and
 * exclude lists select (and those they leave out), the topics, the Avro schema per table, the target columns and
 * where a type loses precision on the way. A database that cannot be reached is reported per connector.
 */
export async function previewPipeline(pipeline: ResolvedPipeline): Promise<ConnectorPreview[]> {
  const sinks = pipeline.connectors.filter((connector): connector is ResolvedJdbcSink => connector.role === 'sink');
  // Sources in the file's order: polling sources read a table sample, log sources the log's state.
  const sources = pipeline.connectors.filter((connector): connector is ResolvedJdbcSource | ResolvedLogSource => isPollingSource(connector) || isLogSource(connector));
  const previews = await Promise.all(sources.map((source) => (isPollingSource(source) ? previewSource(source, sinks) : previewLogSource(source, sinks))));
  for (const sink of sinks) {
    const topics = sink.topics.kind === 'list' ? [...sink.topics.topics] : [`/${sink.topics.regex}/`];
    // Not done yet: reading the latest record of the sink's topic, decoded with its converter, as the sample.
    const transformSample: PreviewTransformSample | undefined =
      sink.transforms.length > 0 ? { origin: `Records of ${topics.join(', ')}`, before: null, steps: [], missing: "Preview does not read a sample record from a sink's topic yet; only sources show their transforms step by step." } : undefined;
    previews.push({ name: sink.name, role: 'sink', tables: [], excludedTables: [], topics, ...(transformSample ? { transformSample } : {}) });
  }
  return previews;
}
