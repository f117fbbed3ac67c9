/** Pure helpers for the editor's text: templates and the wrapping of a pasted connector config. */

export interface KafkaDefaults {
  bootstrap: string;
  registry: string;
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A connector config pasted from Confluent Cloud or Kafka Connect (a bare config, or a REST body `{name, config}`)
 * as a pipeline file around it, so it validates and runs as is; undefined when the text is not such a config.
 */
export function wrapPastedConnector(text: string, defaults: KafkaDefaults): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(parsed) || 'connectors' in parsed) return undefined;
  const config = isObject(parsed.config) ? parsed.config : parsed;
  if (typeof config['connector.class'] !== 'string') return undefined;
  const named = typeof parsed.name === 'string' ? parsed.name : typeof config.name === 'string' ? config.name : 'pasted-connector';
  return JSON.stringify(
    {
      name: named,
      kafka: { 'bootstrap.servers': defaults.bootstrap },
      'schema.registry.url': defaults.registry,
      connectors: [parsed],
    },
    null,
    2,
  );
}

/** The starting point of a new pipeline: the lab's MariaDB into its PostgreSQL, with the lab's Kafka and a local registry. */
export function newPipelineText(defaults: KafkaDefaults, lab?: { mariadb: { host: string; port: number; user: string; database: string }; postgres: { host: string; port: number; user: string; database: string } }): string {
  const mariadb = lab?.mariadb ?? { host: '127.0.0.1', port: 13306, user: 'ferry', database: 'ferry' };
  const postgres = lab?.postgres ?? { host: '127.0.0.1', port: 15432, user: 'ferry', database: 'ferry' };
  return JSON.stringify(
    {
      name: 'orders-to-postgres',
      kafka: { 'bootstrap.servers': defaults.bootstrap },
      'schema.registry.url': defaults.registry,
      connectors: [
        {
          name: 'orders-source',
          'connector.class': 'MySqlSource',
          'connection.host': mariadb.host,
          'connection.port': String(mariadb.port),
          'connection.user': mariadb.user,
          'connection.password': '<lab password: ferry lab status --json>',
          'db.name': mariadb.database,
          mode: 'timestamp+incrementing',
          'timestamp.column.name': 'updated_at',
          'incrementing.column.name': 'id',
          'table.whitelist': 'orders',
          'topic.prefix': 'shop-',
          'output.data.format': 'AVRO',
        },
        {
          name: 'orders-sink',
          'connector.class': 'PostgresSink',
          topics: 'shop-orders',
          'connection.host': postgres.host,
          'connection.port': String(postgres.port),
          'connection.user': postgres.user,
          'connection.password': '<lab password: ferry lab status --json>',
          'db.name': postgres.database,
          'input.data.format': 'AVRO',
          'insert.mode': 'UPSERT',
          'pk.mode': 'record_value',
          'pk.fields': 'id',
          'auto.create': 'true',
        },
      ],
    },
    null,
    2,
  );
}

/** The pipeline's `name`, read leniently (the text may not be valid JSON while the user types). */
export function pipelineNameOf(text: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return isObject(parsed) && typeof parsed.name === 'string' && parsed.name.trim() !== '' ? parsed.name.trim() : undefined;
  } catch {
    return /"name"\s*:\s*"([^"]+)"/.exec(text)?.[1];
  }
}
