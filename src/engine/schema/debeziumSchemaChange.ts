import avro from 'avsc';
import type { Type } from 'avsc';
import { type AvroSchemaJson, canonicalAvroString, type JsonObject, type JsonValue } from './avroJson';
import { bigintLongHook } from './avscTypes';
import type { BinlogSourceInfo } from './debeziumEnvelope';
import { schemaError } from './errors';

/**
 * Debezium's schema change topic (`include.schema.changes`, MySQL and MariaDB): one record per DDL on the topic named
 * `<topic.prefix>`, keyed by `io.debezium.connector.<connector>.SchemaChangeKey {databaseName}`, valued
 * `…SchemaChangeValue {source, ts_ms, databaseName, schemaName, ddl, tableChanges}` with each table's structure
 * after the change (`io.debezium.connector.schema.Change` / `Table` / `Column`). The schemas below are those
 * Debezium 3.5.0.Final's MariaDbConnector wrote on the lab's Connect worker (JsonConverter, schemas.enable=true);
 * the Avro form follows Confluent's AvroData (record names split at the last dot, `connect.name`/`connect.version`,
 * optional fields as `["null", T]` with default null), so one schema description yields both.
 */

/** A column of a table's structure after a DDL (Debezium's `io.debezium.connector.schema.Column`). */
export interface TableChangeColumn {
  name: string;
  /** java.sql.Types. */
  jdbcType: number;
  nativeType: number | null;
  typeName: string;
  typeExpression: string | null;
  charsetName: string | null;
  length: number | null;
  scale: number | null;
  /** 1-based. */
  position: number;
  optional: boolean | null;
  autoIncremented: boolean | null;
  generated: boolean | null;
  comment: string | null;
  defaultValueExpression: string | null;
  enumValues: string[] | null;
}

/** `io.debezium.connector.schema.Table`. */
export interface TableChangeTable {
  defaultCharsetName: string | null;
  primaryKeyColumnNames: string[] | null;
  columns: TableChangeColumn[];
  comment: string | null;
}

/** `io.debezium.connector.schema.Change`: `id` is `"db"."table"`; `table` is null for a DROP. */
export interface TableChange {
  type: 'CREATE' | 'ALTER' | 'DROP';
  id: string;
  table: TableChangeTable | null;
}

/** One schema change event as Debezium writes it. */
export interface SchemaChangeEvent {
  source: BinlogSourceInfo;
  /** When the connector processed the event. */
  tsMs: number;
  /** The database the DDL applies to (the record's key too). */
  databaseName: string;
  schemaName: string | null;
  ddl: string;
  tableChanges: TableChange[];
}

/** A Connect schema as JsonConverter prints it (`field` on struct members). */
export interface ConnectSchemaNode {
  type: 'struct' | 'array' | 'string' | 'int32' | 'int64' | 'boolean';
  optional: boolean;
  field?: string;
  name?: string;
  version?: number;
  parameters?: Record<string, string>;
  default?: string;
  fields?: ConnectSchemaNode[];
  items?: ConnectSchemaNode;
}

const str = (field: string, optional = false): ConnectSchemaNode => ({ type: 'string', optional, field });
const int32 = (field: string, optional = false): ConnectSchemaNode => ({ type: 'int32', optional, field });
const int64 = (field: string, optional = false): ConnectSchemaNode => ({ type: 'int64', optional, field });
const bool = (field: string): ConnectSchemaNode => ({ type: 'boolean', optional: true, field });
const strings = (field: string): ConnectSchemaNode => ({ type: 'array', items: { type: 'string', optional: false }, optional: true, field });

/** Debezium's binlog `Source` struct (the same fields as the change events' `source`). */
function binlogSourceSchema(connector: 'mysql' | 'mariadb'): ConnectSchemaNode {
  return {
    type: 'struct',
    fields: [
      str('version'),
      str('connector'),
      str('name'),
      int64('ts_ms'),
      {
        type: 'string',
        optional: true,
        name: 'io.debezium.data.Enum',
        version: 1,
        parameters: { allowed: 'true,first,first_in_data_collection,last_in_data_collection,last,false,incremental' },
        default: 'false',
        field: 'snapshot',
      },
      str('db'),
      str('sequence', true),
      int64('ts_us', true),
      int64('ts_ns', true),
      str('table', true),
      int64('server_id'),
      str('gtid', true),
      str('file'),
      int64('pos'),
      int32('row'),
      int64('thread', true),
      str('query', true),
    ],
    optional: false,
    name: `io.debezium.connector.${connector}.Source`,
    version: 1,
    field: 'source',
  };
}

const COLUMN_SCHEMA: ConnectSchemaNode = {
  type: 'struct',
  fields: [
    str('name'),
    int32('jdbcType'),
    int32('nativeType', true),
    str('typeName'),
    str('typeExpression', true),
    str('charsetName', true),
    int32('length', true),
    int32('scale', true),
    int32('position'),
    bool('optional'),
    bool('autoIncremented'),
    bool('generated'),
    str('comment', true),
    str('defaultValueExpression', true),
    strings('enumValues'),
  ],
  optional: false,
  name: 'io.debezium.connector.schema.Column',
  version: 1,
};

const CHANGE_SCHEMA: ConnectSchemaNode = {
  type: 'struct',
  fields: [
    str('type'),
    str('id'),
    {
      type: 'struct',
      fields: [str('defaultCharsetName', true), strings('primaryKeyColumnNames'), { type: 'array', items: COLUMN_SCHEMA, optional: false, field: 'columns' }, str('comment', true)],
      optional: true,
      name: 'io.debezium.connector.schema.Table',
      version: 1,
      field: 'table',
    },
  ],
  optional: false,
  name: 'io.debezium.connector.schema.Change',
  version: 1,
};

/** The key's Connect schema: `…SchemaChangeKey {databaseName}`. */
export function schemaChangeKeySchema(connector: 'mysql' | 'mariadb'): ConnectSchemaNode {
  return { type: 'struct', fields: [str('databaseName')], optional: false, name: `io.debezium.connector.${connector}.SchemaChangeKey`, version: 1 };
}

/** The value's Connect schema: `…SchemaChangeValue`. */
export function schemaChangeValueSchema(connector: 'mysql' | 'mariadb'): ConnectSchemaNode {
  return {
    type: 'struct',
    fields: [binlogSourceSchema(connector), int64('ts_ms'), str('databaseName', true), str('schemaName', true), str('ddl', true), { type: 'array', items: CHANGE_SCHEMA, optional: false, field: 'tableChanges' }],
    optional: false,
    name: `io.debezium.connector.${connector}.SchemaChangeValue`,
    version: 1,
  };
}

/** Confluent AvroData's form of a Connect schema (names split at the last dot, connect.* properties). */
export function connectSchemaToAvro(node: ConnectSchemaNode): AvroSchemaJson {
  switch (node.type) {
    case 'struct': {
      const full = node.name ?? 'io.confluent.connect.avro.ConnectDefault';
      const dot = full.lastIndexOf('.');
      const record: JsonObject = { type: 'record', name: full.slice(dot + 1) };
      if (dot > 0) record.namespace = full.slice(0, dot);
      record.fields = (node.fields ?? []).map((member) => fieldToAvro(member));
      if (node.version !== undefined) record['connect.version'] = node.version;
      record['connect.name'] = full;
      return record;
    }
    case 'array':
      return { type: 'array', items: connectSchemaToAvro(node.items ?? { type: 'string', optional: false }) };
    default: {
      const primitive = node.type === 'int32' ? 'int' : node.type === 'int64' ? 'long' : node.type;
      if (node.name === undefined && node.default === undefined) return primitive;
      const typed: JsonObject = { type: primitive };
      if (node.version !== undefined) typed['connect.version'] = node.version;
      if (node.parameters) typed['connect.parameters'] = node.parameters;
      if (node.default !== undefined) typed['connect.default'] = node.default;
      if (node.name !== undefined) typed['connect.name'] = node.name;
      return typed;
    }
  }
}

function fieldToAvro(node: ConnectSchemaNode): JsonObject {
  const type = connectSchemaToAvro(node);
  const name = node.field ?? '';
  if (!node.optional) return { name, type };
  // A default that is not null puts the type first in the union, as AvroData writes it.
  if (node.default !== undefined) return { name, type: [type, 'null'], default: node.default };
  return { name, type: ['null', type], default: null };
}

function sourcePayload(source: BinlogSourceInfo, version: string): Record<string, JsonValue | bigint> {
  const tsMs = BigInt(Math.trunc(source.tsMs));
  return {
    version,
    connector: source.connector,
    name: source.name,
    ts_ms: tsMs,
    snapshot: source.snapshot,
    db: source.db,
    sequence: null,
    ts_us: tsMs * 1000n,
    ts_ns: tsMs * 1_000_000n,
    table: source.table === '' ? null : source.table,
    server_id: BigInt(source.serverId),
    gtid: source.gtid,
    file: source.file,
    pos: BigInt(source.pos),
    row: source.row,
    thread: null,
    query: null,
  };
}

function valuePayload(event: SchemaChangeEvent, version: string): Record<string, unknown> {
  return {
    source: sourcePayload(event.source, version),
    ts_ms: BigInt(Math.trunc(event.tsMs)),
    databaseName: event.databaseName,
    schemaName: event.schemaName,
    ddl: event.ddl,
    tableChanges: event.tableChanges.map((change) => ({
      type: change.type,
      id: change.id,
      table: change.table === null ? null : { ...change.table, columns: change.table.columns.map((column) => ({ ...column })) },
    })),
  };
}

/** JSON text with bigints as plain integers (JsonConverter writes int64 as numbers). */
function stringifyWithBigints(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? `\u0000big:${item.toString()}` : item)).replace(/"\\u0000big:(-?\d+)"/g, '$1');
}

/** Writes one connector's schema change events, as Avro bodies or Connect JSON; built once per connector. */
export class SchemaChangeCodec {
  /** The key's and the value's Avro schemas as a registry stores them. */
  readonly keySchemaText: string;
  readonly valueSchemaText: string;
  private readonly type: Type;
  private readonly keyType: Type;
  private readonly keySchema: ConnectSchemaNode;
  private readonly valueSchema: ConnectSchemaNode;

  constructor(
    readonly connector: 'mysql' | 'mariadb',
    private readonly version: string,
  ) {
    this.keySchema = schemaChangeKeySchema(connector);
    this.valueSchema = schemaChangeValueSchema(connector);
    const keyAvro = connectSchemaToAvro(this.keySchema);
    const avroSchema = connectSchemaToAvro(this.valueSchema);
    this.keySchemaText = canonicalAvroString(keyAvro);
    this.valueSchemaText = canonicalAvroString(avroSchema);
    try {
      this.keyType = avro.Type.forSchema(keyAvro as unknown as Parameters<typeof avro.Type.forSchema>[0], { omitRecordMethods: true });
      this.type = avro.Type.forSchema(avroSchema as unknown as Parameters<typeof avro.Type.forSchema>[0], { typeHook: bigintLongHook, omitRecordMethods: true });
    } catch (error) {
      throw schemaError('SCHEMA_INVALID_AVRO', `The Debezium schema change value is not valid Avro: ${(error as Error).message}`, { cause: error });
    }
  }

  /** The Avro body of the key (the caller adds Confluent's 5-byte header). */
  encodeKeyAvro(databaseName: string): Buffer {
    return this.keyType.toBuffer({ databaseName });
  }

  /** The key in Connect's JsonConverter form. */
  encodeKeyJson(databaseName: string, withSchemas: boolean): Buffer {
    return Buffer.from(JSON.stringify(withSchemas ? { schema: this.keySchema, payload: { databaseName } } : { databaseName }), 'utf8');
  }

  /** The Avro body of one event (the caller adds Confluent's 5-byte header). */
  encodeAvro(event: SchemaChangeEvent): Buffer {
    return this.type.toBuffer(valuePayload(event, this.version));
  }

  /** Reads an Avro body back (Trace, tests). */
  decodeAvro(body: Uint8Array): Record<string, unknown> {
    return this.type.fromBuffer(Buffer.from(body.buffer, body.byteOffset, body.byteLength)) as Record<string, unknown>;
  }

  /** Connect's JsonConverter form: `{schema, payload}`, or only the payload without schemas. */
  encodeJson(event: SchemaChangeEvent, withSchemas: boolean): Buffer {
    const payload = valuePayload(event, this.version);
    return Buffer.from(stringifyWithBigints(withSchemas ? { schema: this.valueSchema, payload } : payload), 'utf8');
  }
}
