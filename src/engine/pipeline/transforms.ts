import type { ResolvedTransform } from '../config';
import type { FieldSchema, RecordSchema, Row } from '../model';
import { pipelineError } from './errors';

/** A record between capture and conversion: the part single message transforms may change. */
export interface TransformableRecord {
  topic: string;
  keySchema: RecordSchema | null;
  key: Row | null;
  valueSchema: RecordSchema;
  value: Row | null;
}

type Transform = (record: TransformableRecord) => TransformableRecord;

function fieldList(config: Readonly<Record<string, string>>, key: string, alias: string): string[] {
  const raw = config[key];
  if (!raw) throw pipelineError('PIPELINE_INVALID', `transforms.${alias}.${key} is required.`);
  return raw.split(',').map((part) => part.trim()).filter(Boolean);
}

/** ValueToKey: the key becomes a record of the listed value fields (how JDBC sources get keys for upserts). */
function valueToKey(transform: ResolvedTransform): Transform {
  const fields = fieldList(transform.config, 'fields', transform.alias);
  const schemas = new WeakMap<RecordSchema, RecordSchema>();
  return (record) => {
    let keySchema = schemas.get(record.valueSchema);
    if (!keySchema) {
      const picked: FieldSchema[] = fields.map((name) => {
        const field = record.valueSchema.fields.find((candidate) => candidate.name === name);
        if (!field) throw pipelineError('PIPELINE_INVALID', `transforms.${transform.alias} (ValueToKey) names field "${name}", which ${record.topic}'s value does not have.`);
        return field;
      });
      keySchema = { name: `${record.valueSchema.name}Key`, fields: picked };
      schemas.set(record.valueSchema, keySchema);
    }
    const key: Row | null = record.value ? Object.fromEntries(fields.map((name) => [name, record.value?.[name] ?? null])) : null;
    return { ...record, keySchema, key };
  };
}

/** ExtractField$Key: a single-field key record becomes... kept as a one-field record, since Ferry keys are records. */
function extractKeyField(transform: ResolvedTransform): Transform {
  const name = transform.config.field;
  if (!name) throw pipelineError('PIPELINE_INVALID', `transforms.${transform.alias}.field is required.`);
  return (record) => {
    if (!record.keySchema || !record.key) return record;
    const field = record.keySchema.fields.find((candidate) => candidate.name === name);
    if (!field) throw pipelineError('PIPELINE_INVALID', `transforms.${transform.alias} (ExtractField$Key) names "${name}", which the key does not have.`);
    return { ...record, keySchema: { name: record.keySchema.name, fields: [field] }, key: { [name]: record.key[name] ?? null } };
  };
}

function regexRouter(transform: ResolvedTransform): Transform {
  const regex = transform.config.regex;
  const replacement = transform.config.replacement ?? '';
  if (!regex) throw pipelineError('PIPELINE_INVALID', `transforms.${transform.alias}.regex is required.`);
  // Java's Matcher.matches(): the whole topic must match; $1 style groups work the same in JavaScript.
  const pattern = new RegExp(`^(?:${regex})$`);
  return (record) => (pattern.test(record.topic) ? { ...record, topic: record.topic.replace(pattern, replacement) } : record);
}

/** Builds the chain of supported transforms, in the order `transforms` lists them; the rest were warned about at validation. */
export function buildTransformChain(transforms: readonly ResolvedTransform[]): Transform {
  const chain: Transform[] = [];
  for (const transform of transforms) {
    if (!transform.supported) continue;
    switch (transform.type) {
      case 'org.apache.kafka.connect.transforms.ValueToKey':
        chain.push(valueToKey(transform));
        break;
      case 'org.apache.kafka.connect.transforms.ExtractField$Key':
        chain.push(extractKeyField(transform));
        break;
      case 'org.apache.kafka.connect.transforms.RegexRouter':
        chain.push(regexRouter(transform));
        break;
      default:
        // ExtractField$Value would turn a record into a primitive, which a JDBC sink cannot write: not applied.
        break;
    }
  }
  return (record) => chain.reduce((current, step) => step(current), record);
}
