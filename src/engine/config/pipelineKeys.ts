/** Top-level keys of a pipeline file besides `kafka` and `connectors`. */
import { intKey, listKey, passwordKey, stringKey } from './keys';

const GROUP = 'Pipeline';

export const PIPELINE_KEYS = [
  stringKey('name', {
    doc: 'Name of the pipeline, shown in the app and in status lines. Defaults to the file name.',
    group: GROUP,
    example: 'orders-to-postgres',
  }),
  stringKey('description', {
    doc: 'Free text for people reading the file (JSON has no comments).',
    group: GROUP,
  }),
  stringKey('$schema', {
    doc: 'JSON Schema of this file, for editors (`docs/connectors/pipeline.schema.json`); ignored by Ferry.',
    group: GROUP,
  }),
  listKey('schema.registry.url', {
    doc: 'Schema Registry used by every connector with AVRO data unless its converter names another. Confluent Cloud: `https://psrc-….<region>.<cloud>.confluent.cloud`.',
    group: GROUP,
    example: ['http://127.0.0.1:8081'],
  }),
  passwordKey('schema.registry.basic.auth.user.info', {
    aliases: ['basic.auth.user.info'],
    doc: 'Schema Registry credentials as `<api key>:<api secret>`. In Confluent Cloud this is a Schema Registry API key, not the Kafka one.',
    group: GROUP,
  }),
  intKey('offset.flush.interval.ms', {
    doc: "How often (ms) source positions acknowledged by Kafka are written to disk, as Kafka Connect's worker key of that name (Connect's default is 60000). Positions are never written before Kafka's acknowledgement; a crash re-reads at most this much, at-least-once.",
    group: GROUP,
    default: 1000,
    min: 10,
    max: 3_600_000,
  }),
] as const;

/** Structural top-level keys handled outside the key toolkit. */
export const STRUCTURAL_KEYS = ['kafka', 'connectors'] as const;
