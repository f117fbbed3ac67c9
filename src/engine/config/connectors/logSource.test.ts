import { describe, expect, it } from 'vitest';
import { jdbcSink, only, parse, rules } from '../testing';
import { isJdbcSink, isLogSource } from '../types';

function debezium(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const config: Record<string, string | undefined> = {
    'connector.class': 'io.debezium.connector.mariadb.MariaDbConnector',
    name: 'cdc',
    'database.hostname': '127.0.0.1',
    'database.port': '13306',
    'database.user': 'ferry',
    'database.password': 'pw-cdc',
    'database.server.id': '184054',
    'topic.prefix': 'shop',
    'database.include.list': 'ferry',
    'table.include.list': 'ferry\\.orders',
    'time.precision.mode': 'connect',
    ...overrides,
  };
  return Object.fromEntries(Object.entries(config).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

const unwrappingSink = (extra: Record<string, string> = {}) =>
  jdbcSink({
    topics: 'shop.ferry.orders',
    'table.name.format': 'orders',
    'pk.mode': 'record_key',
    'insert.mode': 'upsert',
    'delete.enabled': 'true',
    transforms: 'unwrap',
    'transforms.unwrap.type': 'io.debezium.transforms.ExtractNewRecordState',
    'transforms.unwrap.drop.tombstones': 'false',
    ...extra,
  });

describe('log-based source configs (Debezium)', () => {
  it('resolves a Debezium MariaDB config as users have it', () => {
    const result = parse([debezium(), unwrappingSink()]);
    expect(result.problems).toEqual([]);
    const source = result.config?.connectors[0];
    expect(source && isLogSource(source)).toBe(true);
    if (!source || !isLogSource(source)) return;
    expect(source).toMatchObject({ dialect: 'mysql', topicPrefix: 'shop', serverId: 184054, snapshotMode: 'initial', tombstonesOnDelete: true });
    expect(source.include.tables).toEqual(['ferry\\.orders']);
    expect(source.connection.display).not.toContain('pw-cdc');
  });

  it('accepts a Connect REST body and the managed CDC class, and names what is missing', () => {
    expect(parse([{ name: 'cdc', config: debezium({ name: undefined }) }, unwrappingSink()]).problems).toEqual([]);
    expect(rules(parse([debezium({ 'connector.class': 'MySqlCdcSourceV2' }), unwrappingSink()]))).toEqual([]);
    expect(only(parse([debezium({ 'topic.prefix': undefined })]), 'log-source.topic-prefix-missing').path).toBe("$.connectors[0]['topic.prefix']");
    expect(only(parse([debezium({ 'database.password': undefined })]), 'log-source.host-missing').message).toContain('database.password');
    expect(only(parse([debezium({ 'connector.class': 'io.debezium.connector.postgresql.PostgresConnector' })]), 'log-source.dbname-missing')).toBeDefined();
  });

  it('warns for keys Ferry does not honour the way Debezium does, naming each', () => {
    const result = parse([debezium({ 'time.precision.mode': 'adaptive_time_microseconds', 'decimal.handling.mode': 'double', 'slot.name': 'x', 'schema.history.internal': 'io.debezium.relational.history.MemorySchemaHistory' }), unwrappingSink()]);
    const honoured = result.problems.filter((problem) => problem.rule === 'log-source.not-honoured').map((problem) => problem.path);
    expect(honoured).toEqual(["$.connectors[0]['schema.history.internal']"]);
    expect(only(result, 'log-source.wrong-database').message).toContain('slot.name');
  });

  it('keeps the schema history where Debezium\'s keys say: the Kafka topic, the file of FileSchemaHistory, else a file beside the checkpoint', () => {
    const history = (overrides: Record<string, string | undefined>): unknown => (parse([debezium(overrides), unwrappingSink()]).config?.connectors[0] as { schemaHistory?: unknown } | undefined)?.schemaHistory;
    expect(history({})).toEqual({ kind: 'file' });
    expect(history({ 'schema.history.internal.kafka.topic': 'shop.history' })).toEqual({ kind: 'kafka', topic: 'shop.history' });
    expect(history({ 'schema.history.internal': 'io.debezium.storage.file.history.FileSchemaHistory', 'schema.history.internal.file.filename': '/var/ferry/h.jsonl', 'schema.history.internal.kafka.topic': 'ignored' })).toEqual({ kind: 'file', path: '/var/ferry/h.jsonl' });
    const warned = parse([debezium({ 'schema.history.internal.kafka.topic': 'shop.history' }), unwrappingSink()]).problems.filter((problem) => problem.rule === 'log-source.not-honoured');
    expect(warned).toEqual([]);
  });

  it('writes the schema change topic for MySQL/MariaDB by default (include.schema.changes, as Debezium), off when asked, with no warning', () => {
    const source = (overrides: Record<string, string | undefined>) => parse([debezium(overrides), unwrappingSink()]);
    expect(source({}).config?.connectors[0]).toMatchObject({ includeSchemaChanges: true });
    expect(source({ 'include.schema.changes': 'false' }).config?.connectors[0]).toMatchObject({ includeSchemaChanges: false });
    expect(source({ 'include.schema.changes': 'true' }).problems.filter((problem) => problem.rule === 'log-source.not-honoured')).toEqual([]);
  });

  it("honours time.precision.mode and decimal.handling.mode, with Debezium's default for each database", () => {
    const source = (overrides: Record<string, string | undefined>): unknown => parse([debezium(overrides), unwrappingSink()]).config?.connectors[0];
    expect(source({ 'time.precision.mode': 'connect', 'decimal.handling.mode': 'string' })).toMatchObject({ timePrecisionMode: 'connect', decimalHandlingMode: 'string' });
    expect(source({ 'time.precision.mode': undefined })).toMatchObject({ timePrecisionMode: 'adaptive_time_microseconds', decimalHandlingMode: 'precise' });
    const postgres = parse([debezium({ 'connector.class': 'io.debezium.connector.postgresql.PostgresConnector', 'database.dbname': 'ferry', 'database.include.list': undefined, 'time.precision.mode': undefined })]).config?.connectors[0];
    expect(postgres).toMatchObject({ timePrecisionMode: 'adaptive' });
  });

  it("resolves Debezium's SQL Server connector and Confluent Cloud's SqlServerCdcSourceV2: database.names, schema lists, other databases' keys named", () => {
    const sqlServer = (overrides: Record<string, string | undefined>) =>
      parse([debezium({ 'connector.class': 'io.debezium.connector.sqlserver.SqlServerConnector', 'database.names': 'shop', 'database.port': undefined, 'database.include.list': undefined, 'database.server.id': undefined, 'table.include.list': 'dbo\\.orders', ...overrides })]);
    const resolved = sqlServer({}).config?.connectors[0];
    expect(resolved).toMatchObject({ dialect: 'sqlserver', connection: { database: 'shop', port: 1433 }, topicPrefix: 'shop', include: { tables: ['dbo\\.orders'] } });
    expect(rules(sqlServer({}))).toEqual([]);
    expect(only(sqlServer({ 'database.names': undefined }), 'log-source.dbname-missing').path).toBe("$.connectors[0]['database.names']");
    expect(only(sqlServer({ 'slot.name': 'x' }), 'log-source.wrong-database').message).toContain('PostgreSQL');
    expect(only(sqlServer({ 'include.schema.changes': 'true' }), 'log-source.not-honoured').message).toContain('schema change topic');
    expect(rules(sqlServer({ 'connector.class': 'SqlServerCdcSourceV2' }))).not.toContain('pipeline.connector-class-unknown');
  });

  it('refuses invalid include patterns and an include list with its exclude list', () => {
    expect(only(parse([debezium({ 'table.include.list': 'ferry\\.(orders' })]), 'log-source.regex-invalid').path).toBe("$.connectors[0]['table.include.list']");
    expect(only(parse([debezium({ 'table.exclude.list': 'ferry\\.audit' })]), 'log-source.include-exclude').severity).toBe('error');
  });

  it('says a sink of change events needs ExtractNewRecordState, and that its defaults drop deletes', () => {
    const bare = jdbcSink({ topics: 'shop.ferry.orders', 'pk.mode': 'record_key', 'insert.mode': 'upsert' });
    expect(only(parse([debezium(), bare]), 'pipeline.change-events-need-unwrap').hint).toMatch(/ExtractNewRecordState/);
    const defaults = unwrappingSink({ 'transforms.unwrap.drop.tombstones': 'true' });
    expect(only(parse([debezium(), defaults]), 'pipeline.log-deletes-dropped').severity).toBe('warning');
  });
});

describe('Debezium JDBC sink configs', () => {
  const debeziumSink = (extra: Record<string, string> = {}) => ({
    'connector.class': 'io.debezium.connector.jdbc.JdbcSinkConnector',
    name: 'dbz-sink',
    'connection.url': 'jdbc:postgresql://127.0.0.1:15432/ferry',
    'connection.username': 'ferry',
    'connection.password': 'pw-dbz',
    topics: 'shop.ferry.orders',
    'table.name.format': 'orders',
    'insert.mode': 'upsert',
    'primary.key.mode': 'record_key',
    'delete.enabled': 'true',
    'schema.evolution': 'basic',
    ...extra,
  });

  it('runs as Ferry\'s JDBC sink with Debezium\'s keys, unwrapping change events itself', () => {
    const result = parse([debezium(), debeziumSink()]);
    expect(result.problems).toEqual([]);
    const sink = result.config?.connectors[1];
    expect(sink?.role).toBe('sink');
    if (!sink || !isJdbcSink(sink)) return;
    expect(sink).toMatchObject({ pkMode: 'record_key', insertMode: 'upsert', deleteEnabled: true, autoCreate: true, autoEvolve: true, tableNameFormat: 'orders' });
    expect(sink.connection.user).toBe('ferry');
    expect(sink.transforms[0]).toMatchObject({ type: 'io.debezium.transforms.ExtractNewRecordState', config: { 'drop.tombstones': 'false' } });
  });

  it('names problems under Debezium\'s key names and warns for Hibernate keys', () => {
    const result = parse([debezium(), debeziumSink({ 'primary.key.mode': 'none', 'hibernate.c3p0.max_size': '5' })]);
    // upsert and delete.enabled both need a key: the JDBC sink's rules, reported where the user wrote the keys.
    expect(result.problems.map((problem) => problem.path)).toEqual(
      expect.arrayContaining(["$.connectors[1]['insert.mode']", "$.connectors[1]['delete.enabled']", "$.connectors[1]['hibernate.c3p0.max_size']"]),
    );
    expect(result.problems.map((problem) => problem.path).join(' ')).not.toMatch(/pk\.mode|connection\.user'/);
  });
});
