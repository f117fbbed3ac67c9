import type { Type } from 'avsc';
import type { ProduceProblem, ProduceRequest, ProduceResult } from '../../shared/api/topics';
import { isEngineError } from '../../shared/errors';
import { classifyKafkaError, type KafkaClient } from '../kafka';
import { encodeFrame, type SchemaRegistryClient } from '../schema';
import { inputTypeFor } from './avroValues';
import { topicsError } from './errors';

interface Encoded {
  problems: ProduceProblem[];
  value?: Buffer;
  schemaId?: number;
}

function describeAvroType(type: Type): string {
  const name = type.typeName;
  if (name === 'union:unwrapped' || name === 'union:wrapped') {
    return (type as unknown as { types: Type[] }).types.map((branch) => branch.typeName).join(' | ');
  }
  return name === 'logical:decimal' ? 'decimal (a number or a decimal string)' : name;
}

/** Every place a JSON value does not fit the Avro schema, as field paths ("customer.email: expected string"). */
export function avroProblems(type: Type, value: unknown): ProduceProblem[] {
  const problems: ProduceProblem[] = [];
  type.isValid(value, {
    errorHook(path: string[], found: unknown, expected: Type) {
      const shown = found === undefined ? 'missing' : JSON.stringify(found)?.slice(0, 40) ?? String(found);
      problems.push({ path: path.length === 0 ? '$' : path.join('.'), message: `expected ${describeAvroType(expected)}, found ${shown}` });
    },
  });
  return problems;
}

function parseJson(text: string): { value?: unknown; problem?: ProduceProblem } {
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    return { problem: { path: '$', message: `not JSON: ${(error as Error).message}` } };
  }
}

/** Encodes the value as asked; Avro is checked against the chosen schema before anything is sent. */
export async function encodeValue(request: ProduceRequest, registry: SchemaRegistryClient | undefined): Promise<Encoded> {
  switch (request.format) {
    case 'text':
      return { problems: [], value: Buffer.from(request.value, 'utf8') };
    case 'json': {
      const parsed = parseJson(request.value);
      return parsed.problem ? { problems: [parsed.problem] } : { problems: [], value: Buffer.from(JSON.stringify(parsed.value), 'utf8') };
    }
    case 'avro': {
      if (!registry) throw topicsError('TOPICS_SCHEMA', 'An Avro record needs a Schema Registry: choose one (a profile, or the lab registry URL).');
      const subject = request.subject?.trim() || `${request.topic}-value`;
      const found = await registry.getSchemaVersion(subject, request.version ?? 'latest');
      if (found.schemaType !== 'AVRO') throw topicsError('TOPICS_SCHEMA', `Subject ${subject} version ${found.version} is ${found.schemaType}, not Avro. Choose an Avro subject.`);
      const parsed = parseJson(request.value);
      if (parsed.problem) return { problems: [parsed.problem], schemaId: found.id };
      const type = inputTypeFor(found.schema);
      const problems = avroProblems(type, parsed.value);
      if (problems.length > 0) return { problems, schemaId: found.id };
      return { problems: [], value: encodeFrame(found.id, type.toBuffer(parsed.value)), schemaId: found.id };
    }
    default:
      throw topicsError('TOPICS_BAD_REQUEST', 'Record format must be avro, json or text.');
  }
}

/** Validates, then (unless a dry run) sends one record and returns where it landed. */
export async function produceRecord(kafka: KafkaClient, brokers: readonly string[], request: ProduceRequest, registry: SchemaRegistryClient | undefined): Promise<ProduceResult> {
  let encoded: Encoded;
  try {
    encoded = await encodeValue(request, registry);
  } catch (error) {
    if (isEngineError(error) && error.code.startsWith('SCHEMA_REGISTRY_')) return { valid: false, problems: [{ path: '$', message: error.message }] };
    throw error;
  }
  const base = { ...(encoded.schemaId !== undefined ? { schemaId: encoded.schemaId } : {}) };
  if (encoded.problems.length > 0 || !encoded.value) return { valid: false, problems: encoded.problems, ...base };
  if (request.dryRun) return { valid: true, problems: [], ...base };
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  try {
    await producer.connect();
    const [metadata] = await producer.send({
      topic: request.topic,
      acks: -1,
      messages: [
        {
          key: request.key === undefined || request.key === '' ? null : Buffer.from(request.key, 'utf8'),
          value: encoded.value,
          ...(request.partition !== undefined ? { partition: request.partition } : {}),
          headers: Object.fromEntries((request.headers ?? []).filter((header) => header.name !== '').map((header) => [header.name, header.value])),
        },
      ],
    });
    return { valid: true, problems: [], partition: metadata?.partition, offset: metadata?.baseOffset, ...base };
  } catch (error) {
    const text = String((error as { type?: unknown }).type ?? (error as Error).message);
    if (/UNKNOWN_TOPIC_OR_PARTITION|does not host this topic-partition/i.test(text)) {
      throw topicsError('TOPICS_NOT_FOUND', `Topic ${request.topic} does not exist${request.partition !== undefined ? ` or has no partition ${request.partition}` : ''}. Create it first, or check the name.`, { cause: error });
    }
    throw classifyKafkaError(error, brokers, `produce to ${request.topic}`);
  } finally {
    await producer.disconnect().catch(() => {});
  }
}
