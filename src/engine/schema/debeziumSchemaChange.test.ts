import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAvroSchemaText } from './avroJson';
import { SchemaChangeCodec, type SchemaChangeEvent } from './debeziumSchemaChange';

/** What Debezium 3.5.0.Final's MariaDbConnector wrote on the lab for an ALTER TABLE (see the fixture's _about). */
const fixture = JSON.parse(readFileSync(join(__dirname, '../../../test/fixtures/debezium-3.5-mariadb-schema-change.json'), 'utf8')) as {
  key: { schema: unknown; payload: { databaseName: string } };
  value: { schema: unknown; payload: Record<string, unknown> & { source: Record<string, unknown> } };
};

function eventOf(payload: typeof fixture.value.payload): SchemaChangeEvent {
  const source = payload.source;
  return {
    source: {
      connector: 'mariadb',
      name: String(source.name),
      tsMs: Number(source.ts_ms),
      snapshot: 'false',
      db: String(source.db),
      table: String(source.table),
      serverId: Number(source.server_id),
      gtid: String(source.gtid),
      file: String(source.file),
      pos: Number(source.pos),
      row: Number(source.row),
    },
    tsMs: Number(payload.ts_ms),
    databaseName: String(payload.databaseName),
    schemaName: null,
    ddl: String(payload.ddl),
    tableChanges: payload.tableChanges as SchemaChangeEvent['tableChanges'],
  };
}

describe("Debezium's schema change topic", () => {
  const codec = new SchemaChangeCodec('mariadb', '3.5.0.Final');
  const event = eventOf(fixture.value.payload);

  it('writes the key and the value exactly as Debezium 3.5 with JsonConverter does: same schemas, same payload', () => {
    expect(JSON.parse(codec.encodeKeyJson('ferry', true).toString('utf8'))).toEqual(fixture.key);
    const written = JSON.parse(codec.encodeJson(event, true).toString('utf8')) as { schema: unknown; payload: unknown };
    expect(written.schema).toEqual(fixture.value.schema);
    expect(written.payload).toEqual(fixture.value.payload);
    // Without schemas: the payload alone.
    expect(JSON.parse(codec.encodeJson(event, false).toString('utf8'))).toEqual(fixture.value.payload);
  });

  it("writes Avro under Debezium's record names (as Confluent's AvroData names them) and reads it back", () => {
    const schema = parseAvroSchemaText(codec.valueSchemaText) as { name: string; namespace: string; fields: Array<{ name: string; type: unknown }> };
    expect(`${schema.namespace}.${schema.name}`).toBe('io.debezium.connector.mariadb.SchemaChangeValue');
    expect(schema.fields.map((field) => field.name)).toEqual(['source', 'ts_ms', 'databaseName', 'schemaName', 'ddl', 'tableChanges']);
    expect(codec.valueSchemaText).toContain('"io.debezium.connector.schema.Change"');
    expect(codec.valueSchemaText).toContain('"io.debezium.connector.schema.Column"');
    expect(codec.keySchemaText).toContain('"io.debezium.connector.mariadb.SchemaChangeKey"');
    const decoded = codec.decodeAvro(codec.encodeAvro(event)) as { ddl: string; databaseName: string; tableChanges: Array<{ type: string; id: string; table: { columns: Array<{ name: string; enumValues: string[] | null }> } }> };
    expect(decoded.ddl).toBe(event.ddl);
    expect(decoded.databaseName).toBe('ferry');
    expect(decoded.tableChanges[0]?.type).toBe('ALTER');
    expect(decoded.tableChanges[0]?.table.columns.map((column) => column.name)).toEqual(['id', 'name', 'note', 'qty', 'st', 'ts']);
    expect(decoded.tableChanges[0]?.table.columns[4]?.enumValues).toEqual(["'a'", "'b'"]);
    // A DROP carries no table.
    const dropped = codec.decodeAvro(codec.encodeAvro({ ...event, ddl: 'DROP TABLE scprobe', tableChanges: [{ type: 'DROP', id: '"ferry"."scprobe"', table: null }] })) as { tableChanges: Array<{ table: unknown }> };
    expect(dropped.tableChanges[0]?.table).toBeNull();
  });
});
