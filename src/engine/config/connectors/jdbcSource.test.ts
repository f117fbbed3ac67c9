import { isPollingSource } from '../types';
import { describe, expect, it } from 'vitest';
import { find, jdbcSource, managedSource, only, parse, rules } from '../testing';
import type { ResolvedJdbcSource } from '../types';
import { hasTopLevelWhere, sourceTopics } from './jdbcSource';

function source(result: ReturnType<typeof parse>): ResolvedJdbcSource {
  const connector = result.config?.connectors[0];
  if (!connector || !isPollingSource(connector)) throw new Error(`no source resolved: ${JSON.stringify(result.problems, null, 2)}`);
  return connector;
}

describe('JDBC source: valid configs', () => {
  it('resolves a managed MySqlSource with defaults applied and lists normalised', () => {
    const result = parse([managedSource()]);
    expect(result.problems).toEqual([]);
    const s = source(result);
    expect(s).toMatchObject({
      role: 'source',
      dialect: 'mysql',
      flavor: 'managed',
      mode: 'timestamp+incrementing', // inferred from the two columns, as Confluent Cloud does
      timestampColumns: ['updated_at'],
      incrementingColumn: 'id',
      capture: { kind: 'tables', tables: { kind: 'names', include: ['orders'], exclude: [] } },
      topicPrefix: 'shop-',
      pollIntervalMs: 5000,
      batchMaxRows: 1000,
      validateNonNull: true,
      numericMapping: 'none',
      tableTypes: ['TABLE'],
      dbTimezone: 'UTC',
      quoteSqlIdentifiers: 'always',
      transactionIsolationMode: 'DEFAULT',
      errors: { tolerance: 'all' },
      value: { format: 'AVRO', subjectNameStrategy: 'TopicNameStrategy', schemaRegistry: { urls: ['http://127.0.0.1:18081'] } },
      connection: { host: 'db.example.com', port: 3306, user: 'reader', database: 'shop', ssl: 'prefer', display: 'mysql://reader@db.example.com:3306/shop' },
    });
    expect(s.connection.password?.reveal()).toBe('pw-source');
    expect(sourceTopics(s)).toEqual({ topics: ['shop-orders'], complete: true });
  });

  it('resolves a self-managed JdbcSourceConnector from connection.url', () => {
    const s = source(parse([jdbcSource({ 'timestamp.column.name': 'modified, created', 'transaction.isolation.mode': 'READ_COMMITED' })]));
    expect(s).toMatchObject({
      flavor: 'self-managed',
      dialect: 'mysql',
      mode: 'timestamp+incrementing',
      timestampColumns: ['modified', 'created'],
      transactionIsolationMode: 'READ_COMMITTED',
      errors: { tolerance: 'none' },
      connection: { host: '127.0.0.1', port: 13306, database: 'ferry', ssl: 'disable' },
    });
  });

  it('infers the mode of managed sources from the columns given', () => {
    expect(source(parse([managedSource({ 'incrementing.column.name': undefined })])).mode).toBe('timestamp');
    expect(source(parse([managedSource({ 'timestamp.column.name': undefined })])).mode).toBe('incrementing');
  });

  it('accepts incrementing mode without a column (auto-detect)', () => {
    const result = parse([jdbcSource({ mode: 'incrementing', 'incrementing.column.name': undefined, 'timestamp.column.name': undefined })]);
    expect(result.problems).toEqual([]);
    expect(source(result).incrementingColumn).toBeUndefined();
  });
});

describe('JDBC source: mode and columns', () => {
  it('requires mode for self-managed connectors', () => {
    const p = only(parse([jdbcSource({ mode: undefined })]), 'source.mode-missing');
    expect(p).toMatchObject({ severity: 'error', path: '$.connectors[0].mode' });
  });

  it('requires mode or a column for managed connectors', () => {
    const result = parse([managedSource({ 'timestamp.column.name': undefined, 'incrementing.column.name': undefined })]);
    expect(only(result, 'source.mode-missing').message).toMatch(/no timestamp or incrementing column to infer it from/);
    expect(rules(parse([managedSource({ 'timestamp.column.name': undefined, 'incrementing.column.name': undefined, mode: 'bulk' })]))).toEqual([]);
  });

  it('requires timestamp.column.name in timestamp modes', () => {
    const p = only(parse([jdbcSource({ mode: 'timestamp', 'timestamp.column.name': undefined, 'incrementing.column.name': undefined })]), 'source.timestamp-column-missing');
    expect(p).toMatchObject({ severity: 'error', path: "$.connectors[0]['timestamp.column.name']" });
    expect(find(parse([jdbcSource({ mode: 'timestamp', 'incrementing.column.name': undefined })]), 'source.timestamp-column-missing')).toEqual([]);
  });

  it('warns about columns the mode does not use', () => {
    const p = only(parse([jdbcSource({ mode: 'incrementing' })]), 'source.columns-unused');
    expect(p.path).toBe("$.connectors[0]['timestamp.column.name']");
    expect(find(parse([jdbcSource({ mode: 'bulk' })]), 'source.columns-unused')).toHaveLength(2);
  });

  it('warns when Connect would reject the spelling of mode', () => {
    const result = parse([jdbcSource({ mode: 'TIMESTAMP+INCREMENTING' })]);
    expect(source(result).mode).toBe('timestamp+incrementing');
    expect(only(result, 'key.case').severity).toBe('warning');
  });
});

describe('JDBC source: tables and query', () => {
  it('refuses query together with table lists', () => {
    const p = only(parse([jdbcSource({ query: 'SELECT * FROM orders' })]), 'source.query-with-tables');
    expect(p).toMatchObject({ severity: 'error', path: "$.connectors[0]['table.whitelist']" });
  });

  it('resolves query mode, whose topic is exactly topic.prefix', () => {
    const result = parse([jdbcSource({ query: 'SELECT * FROM (SELECT o.* FROM orders o WHERE o.region = 1) t', 'table.whitelist': undefined, 'topic.prefix': 'region1-orders' })]);
    expect(result.problems).toEqual([]);
    const s = source(result);
    expect(s.capture).toEqual({ kind: 'query', query: 'SELECT * FROM (SELECT o.* FROM orders o WHERE o.region = 1) t', masked: false });
    expect(s.querySuffix).toBe('');
    expect(sourceTopics(s)).toEqual({ topics: ['region1-orders'], complete: true });
  });

  it('warns that a query with its own WHERE must be wrapped', () => {
    const p = only(parse([jdbcSource({ query: "SELECT * FROM orders WHERE status = 'open'", 'table.whitelist': undefined })]), 'source.query-where');
    expect(p.hint).toBe('Wrap it: SELECT * FROM (<your query>) t');
    expect(find(parse([jdbcSource({ mode: 'bulk', 'timestamp.column.name': undefined, 'incrementing.column.name': undefined, query: 'SELECT * FROM o WHERE x = 1', 'table.whitelist': undefined })]), 'source.query-where')).toEqual([]);
    expect(hasTopLevelWhere("SELECT 'where' AS w FROM t")).toBe(false);
    expect(hasTopLevelWhere('select * from t\nwhere a = 1')).toBe(true);
  });

  it('needs a topic.prefix in query mode, and only one of query/query.masked', () => {
    expect(only(parse([jdbcSource({ query: 'SELECT 1', 'table.whitelist': undefined, 'topic.prefix': '' })]), 'source.query-topic-prefix').severity).toBe('error');
    expect(only(parse([jdbcSource({ query: 'SELECT 1', 'query.masked': 'SELECT 2', 'table.whitelist': undefined })]), 'source.query-twice').severity).toBe('error');
  });

  it('keeps whitelist/blacklist and the regex lists apart', () => {
    expect(only(parse([jdbcSource({ 'table.blacklist': 'audit' })]), 'source.table-lists-exclusive').path).toBe("$.connectors[0]['table.blacklist']");
    expect(only(parse([jdbcSource({ 'table.include.list': 'ferry\\..*' })]), 'source.table-lists-exclusive').path).toBe("$.connectors[0]['table.include.list']");
    const regex = parse([jdbcSource({ 'table.whitelist': undefined, 'table.include.list': 'ferry\\.cust.*', 'table.exclude.list': '.*_archive' })]);
    expect(regex.problems).toEqual([]);
    expect(source(regex).capture).toEqual({ kind: 'tables', tables: { kind: 'patterns', include: ['ferry\\.cust.*'], exclude: ['.*_archive'] } });
    expect(sourceTopics(source(regex)).complete).toBe(false);
  });

  it('needs table.include.list for table.exclude.list, and valid regexes', () => {
    expect(only(parse([jdbcSource({ 'table.whitelist': undefined, 'table.exclude.list': 'x' })]), 'source.exclude-needs-include').severity).toBe('error');
    expect(only(parse([jdbcSource({ 'table.whitelist': undefined, 'table.include.list': 'orders(' })]), 'source.table-regex-invalid').severity).toBe('error');
  });

  it('warns that views need validate.non.null=false', () => {
    expect(only(parse([jdbcSource({ 'table.types': 'TABLE,VIEW' })]), 'source.views-validate-non-null').path).toBe("$.connectors[0]['validate.non.null']");
    expect(find(parse([jdbcSource({ 'table.types': ['TABLE', 'VIEW'], 'validate.non.null': 'false' })]), 'source.views-validate-non-null')).toEqual([]);
  });
});

describe('JDBC source: topics', () => {
  it('refuses a topic prefix with characters Kafka refuses', () => {
    const p = only(parse([managedSource({ 'topic.prefix': 'src orders$' })]), 'source.topic-prefix-illegal');
    expect(p).toMatchObject({ severity: 'error', path: "$.connectors[0]['topic.prefix']" });
    expect(p.message).toContain("a space, '$'");
    expect(p.hint).toContain('"src-orders-"');
    expect(only(parse([managedSource({ 'topic.prefix': 'x'.repeat(250) })]), 'source.topic-prefix-illegal').message).toMatch(/at most 249/);
    expect(find(parse([managedSource({ 'topic.prefix': 'src.shop_v1-' })]), 'source.topic-prefix-illegal')).toEqual([]);
  });

  it('checks prefix + table name, which Kafka Connect only discovers at produce time', () => {
    expect(only(parse([managedSource({ 'table.whitelist': ['order lines'] })]), 'source.topic-name-illegal').message).toContain('"shop-order lines"');
    expect(only(parse([managedSource({ 'topic.prefix': 'p'.repeat(240), 'table.whitelist': ['orders_archive'] })]), 'source.topic-name-illegal').message).toMatch(/at most 249/);
  });

  it('warns when two listed tables share a bare name', () => {
    expect(only(parse([managedSource({ 'table.whitelist': 'sales.orders, archive.orders' })]), 'source.topic-collision').severity).toBe('warning');
  });
});

describe('JDBC source: other checks', () => {
  it('refuses batch.max.rows <= 0', () => {
    expect(only(parse([managedSource({ 'batch.max.rows': 0 })]), 'key.invalid').path).toBe("$.connectors[0]['batch.max.rows']");
    expect(source(parse([managedSource({ 'batch.max.rows': '1' })])).batchMaxRows).toBe(1);
  });

  it('refuses a dead letter queue on a source, and keeps the key', () => {
    const result = parse([jdbcSource({ 'errors.deadletterqueue.topic.name': 'dlq', 'errors.deadletterqueue.context.headers.enable': 'true' })]);
    expect(find(result, 'source.dead-letter-queue')).toHaveLength(2);
    expect(result.config).toBeUndefined();
  });

  it('warns that numeric.mapping leaves DECIMAL columns alone on MySQL and SQL Server', () => {
    expect(only(parse([managedSource({ 'numeric.mapping': 'best_fit' })]), 'source.numeric-mapping-decimal').message).toMatch(/no effect on MySQL/);
    const sqlserver = managedSource({ 'connector.class': 'MicrosoftSqlServerSource', 'connection.port': '1433', 'numeric.mapping': 'best_fit' });
    expect(only(parse([sqlserver]), 'source.numeric-mapping-decimal').message).toMatch(/SQL Server `numeric`/);
    expect(find(parse([managedSource({ 'connector.class': 'PostgresSource', 'numeric.mapping': 'best_fit' })]), 'source.numeric-mapping-decimal')).toEqual([]);
    expect(find(parse([managedSource({ 'numeric.mapping': 'none' })]), 'source.numeric-mapping-decimal')).toEqual([]);
  });

  it('refuses a timestamp.granularity other than connect_logical instead of ignoring it', () => {
    const refused = only(parse([jdbcSource({ 'timestamp.granularity': 'nanos_long' })]), 'source.timestamp-granularity-unsupported');
    expect(refused).toMatchObject({ severity: 'error', path: expect.stringContaining('timestamp.granularity') });
    expect(refused.message).toContain('nanos_long');
    expect(find(parse([jdbcSource({ 'timestamp.granularity': 'connect_logical' })]), 'source.timestamp-granularity-unsupported')).toEqual([]);
  });

  it('maps the deprecated numeric.precision.mapping, and says numeric.mapping wins over it', () => {
    const pg = (extra: Record<string, string>) => jdbcSource({ 'connection.url': 'jdbc:postgresql://h/db', ...extra });
    const deprecated = parse([pg({ 'numeric.precision.mapping': 'true' })]);
    expect(rules(deprecated)).toEqual(['key.deprecated']);
    expect(source(deprecated).numericMapping).toBe('precision_only');
    const both = parse([pg({ 'numeric.precision.mapping': 'true', 'numeric.mapping': 'best_fit' })]);
    expect(rules(both)).toContain('source.numeric-mapping-both');
    expect(source(both).numericMapping).toBe('best_fit');
  });

  it('allows SQL_SERVER_SNAPSHOT isolation only on SQL Server', () => {
    expect(only(parse([managedSource({ 'transaction.isolation.mode': 'SQL_SERVER_SNAPSHOT' })]), 'source.isolation-snapshot').severity).toBe('error');
    const sqlserver = managedSource({ 'connector.class': 'MicrosoftSqlServerSource', 'transaction.isolation.mode': 'SQL_SERVER_SNAPSHOT' });
    expect(find(parse([sqlserver]), 'source.isolation-snapshot')).toEqual([]);
  });

  it('refuses a time zone it does not know', () => {
    expect(only(parse([managedSource({ 'db.timezone': 'Mars/Olympus' })]), 'key.invalid').message).toContain('Mars/Olympus');
    expect(source(parse([managedSource({ 'db.timezone': 'Europe/Brussels' })])).dbTimezone).toBe('Europe/Brussels');
  });
});
