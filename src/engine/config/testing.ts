/**
 * Config builders for tests: valid connectors of each flavor that a test bends with overrides (`undefined`
 * removes a key), so each test shows only the keys its rule is about.
 */
import { emptyJsonObject, type JsonObject, type JsonValue } from './jsonText';
import { parsePipelineFile, type PipelineParseResult } from './pipelineFile';
import type { Problem } from './problems';
import { hasDatabase, type ResolvedConnection } from './types';

export type Overrides = Record<string, JsonValue | undefined>;

export const LAB_BOOTSTRAP = '127.0.0.1:19092';
export const LAB_REGISTRY = 'http://127.0.0.1:18081';

function apply(base: JsonObject, overrides: Overrides): JsonObject {
  const out = emptyJsonObject();
  for (const [k, v] of Object.entries(base)) out[k] = v;
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out;
}

export function managedSource(overrides: Overrides = {}): JsonObject {
  return apply(
    {
      'connector.class': 'MySqlSource',
      name: 'src',
      'connection.host': 'db.example.com',
      'connection.port': '3306',
      'connection.user': 'reader',
      'connection.password': 'pw-source',
      'db.name': 'shop',
      'table.whitelist': ['orders'],
      'timestamp.column.name': ['updated_at'],
      'incrementing.column.name': 'id',
      'topic.prefix': 'shop-',
      'output.data.format': 'AVRO',
    },
    overrides,
  );
}

export function managedSink(overrides: Overrides = {}): JsonObject {
  return apply(
    {
      'connector.class': 'PostgresSink',
      name: 'snk',
      topics: ['shop-orders'],
      'input.data.format': 'AVRO',
      'connection.host': 'pg.example.com',
      'connection.port': '5432',
      'connection.user': 'writer',
      'connection.password': 'pw-sink',
      'db.name': 'reporting',
      'insert.mode': 'UPSERT',
      'pk.mode': 'record_value',
      'pk.fields': 'id',
      'auto.create': 'true',
      'batch.sizes': '1000',
    },
    overrides,
  );
}

export function jdbcSource(overrides: Overrides = {}): JsonObject {
  return apply(
    {
      'connector.class': 'io.confluent.connect.jdbc.JdbcSourceConnector',
      name: 'jsrc',
      'connection.url': 'jdbc:mariadb://127.0.0.1:13306/ferry',
      'connection.user': 'ferry',
      'connection.password': 'pw-jsource',
      mode: 'timestamp+incrementing',
      'timestamp.column.name': 'updated_at',
      'incrementing.column.name': 'id',
      'table.whitelist': 'customers',
      'topic.prefix': 'lab.',
    },
    overrides,
  );
}

export function jdbcSink(overrides: Overrides = {}): JsonObject {
  return apply(
    {
      'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector',
      name: 'jsnk',
      'connection.url': 'jdbc:postgresql://127.0.0.1:15432/ferry',
      'connection.user': 'ferry',
      'connection.password': 'pw-jsink',
      topics: 'other-topic',
      'insert.mode': 'insert',
    },
    overrides,
  );
}

export function pipelineText(connectors: readonly JsonValue[], top: Overrides = {}): string {
  const doc = apply({ name: 'test', kafka: { 'bootstrap.servers': LAB_BOOTSTRAP }, 'schema.registry.url': LAB_REGISTRY, connectors: [...connectors] }, top);
  return JSON.stringify(doc, null, 2);
}

/** The database connection of the connector at `index` (undefined for one without a database, such as an object-store sink). */
export function connectionAt(result: PipelineParseResult, index: number): ResolvedConnection | undefined {
  const connector = result.config?.connectors[index];
  return connector && hasDatabase(connector) ? connector.connection : undefined;
}

export function parse(connectors: readonly JsonValue[], top: Overrides = {}): PipelineParseResult {
  return parsePipelineFile(pipelineText(connectors, top), 'test.json');
}

export function rules(result: PipelineParseResult): string[] {
  return result.problems.map((p) => p.rule);
}

export function find(result: PipelineParseResult, rule: string): Problem[] {
  return result.problems.filter((p) => p.rule === rule);
}

export function only(result: PipelineParseResult, rule: string): Problem {
  const found = find(result, rule);
  if (found.length !== 1) throw new Error(`expected one ${rule}, got ${found.length}: ${JSON.stringify(result.problems, null, 2)}`);
  return found[0] as Problem;
}
