import type { FetchedMessage, KafkaAdmin, KafkaProducer, MessageHeaders, OutgoingMessage } from '../kafka';
import type { ResolvedDeadLetterQueue } from '../config';
import { EngineError } from '../../shared/errors';

/** Where a failing record came from and why, for Connect's `__connect.errors.*` headers. */
export interface DeadLetter {
  topic: string;
  partition: number;
  message: FetchedMessage;
  stage: 'KEY_CONVERTER' | 'VALUE_CONVERTER' | 'TRANSFORMATION' | 'TASK_PUT';
  error: Error & { code?: string };
}

/** The broker default of `max.message.bytes` (1 MiB + record batch overhead), when the topic's own cannot be read. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

/**
 * Most record bytes in one produce request: kafkajs sends a request's messages for a partition as one record batch,
 * which the broker refuses over the topic's `max.message.bytes`. A tenth is kept for what the estimate leaves out
 * (varints, batch header), and requests stay at most 256 KiB, like the replicator's (kafkajs encodes large ones slowly).
 */
export function deadLetterRequestBytes(maxMessageBytes: number): number {
  return Math.max(1, Math.min(262_144, Math.floor(maxMessageBytes * 0.9)));
}

/** The dead letter topic's `max.message.bytes` (the broker default when it cannot be read). */
export async function deadLetterMaxMessageBytes(admin: KafkaAdmin, topic: string): Promise<number> {
  try {
    const described = await admin.describeTopicConfigs([topic], ['max.message.bytes']);
    const value = Number(described[0]?.configEntries.find((entry) => entry.configName === 'max.message.bytes')?.configValue);
    return Number.isSafeInteger(value) && value > 0 ? value : DEFAULT_MAX_MESSAGE_BYTES;
  } catch {
    return DEFAULT_MAX_MESSAGE_BYTES;
  }
}

/** Context headers longer than this are cut: a deep stack trace must not push a dead letter over the topic's limit. */
const MAX_CONTEXT_HEADER_CHARS = 8192;

function cut(text: string): string {
  return text.length <= MAX_CONTEXT_HEADER_CHARS ? text : `${text.slice(0, MAX_CONTEXT_HEADER_CHARS - 1)}…`;
}

/**
 * One dead letter exactly as Connect's DeadLetterQueueReporter writes it: the original key, value, headers and
 * timestamp, plus the `__connect.errors.*` context headers when enabled (a header that already exists is not
 * overwritten).
 */
function toMessage(letter: DeadLetter, dlq: ResolvedDeadLetterQueue, connector: string): OutgoingMessage {
  const headers: MessageHeaders = { ...letter.message.headers };
  if (dlq.contextHeadersEnable) {
    const context: Record<string, string> = {
      '__connect.errors.topic': letter.topic,
      '__connect.errors.partition': String(letter.partition),
      '__connect.errors.offset': letter.message.offset,
      '__connect.errors.connector.name': connector,
      '__connect.errors.task.id': '0',
      '__connect.errors.stage': letter.stage,
      '__connect.errors.class.name': 'dev.ferry.sink.SqlSinkWriter',
      '__connect.errors.exception.class.name': letter.error.code ?? letter.error.name,
      '__connect.errors.exception.message': cut(letter.error.message),
      '__connect.errors.exception.stacktrace': cut(letter.error.stack ?? letter.error.message),
    };
    for (const [name, value] of Object.entries(context)) if (!(name in headers)) headers[name] = value;
  }
  return { key: letter.message.key, value: letter.message.value, headers, timestamp: letter.message.timestamp };
}

function byteLength(value: string | Buffer | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'string' ? Buffer.byteLength(value) : value.length;
}

/** A record's size in a v2 record batch, over-estimated: bodies plus a generous allowance for varints and attributes. */
export function estimateRecordBytes(message: OutgoingMessage): number {
  let bytes = 32 + byteLength(message.key) + byteLength(message.value);
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    const values = Array.isArray(value) ? value : [value];
    for (const one of values) bytes += 10 + Buffer.byteLength(name) + byteLength(one as string | Buffer | undefined);
  }
  return bytes;
}

/** Consecutive groups of messages whose estimated sizes add up to at most `budget` (a larger message goes alone). */
export function chunkBySize(messages: readonly OutgoingMessage[], budget: number): OutgoingMessage[][] {
  const chunks: OutgoingMessage[][] = [];
  let current: OutgoingMessage[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = estimateRecordBytes(message);
    if (current.length > 0 && bytes + size > budget) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * Sends records a sink could not apply to the dead letter topic, in produce requests that fit the topic's
 * `max.message.bytes` (all of a batch's letters in one request exceeded 1 MB at ~700 letters with context headers,
 * and the broker's "message larger than the max message size" then hid the records' own cause). `onAcknowledged` is
 * called after each request Kafka acknowledged, with how many letters it held: counters count only those.
 */
export async function sendToDeadLetterQueue(
  producer: KafkaProducer,
  dlq: ResolvedDeadLetterQueue,
  connector: string,
  letters: readonly DeadLetter[],
  options: { maxMessageBytes: number; onAcknowledged?: (count: number) => void },
): Promise<void> {
  if (letters.length === 0) return;
  const budget = deadLetterRequestBytes(options.maxMessageBytes);
  const messages = letters.map((letter) => toMessage(letter, dlq, connector));
  for (const chunk of chunkBySize(messages, budget)) {
    const [only] = chunk;
    if (chunk.length === 1 && only && estimateRecordBytes(only) > options.maxMessageBytes) {
      const letter = letters[messages.indexOf(only)];
      throw new EngineError(
        'PIPELINE_DEAD_LETTER_TOO_LARGE',
        `The dead letter for ${letter ? `${letter.topic}[${letter.partition}]@${letter.message.offset}` : 'a record'} is about ${estimateRecordBytes(only)} bytes, more than max.message.bytes=${options.maxMessageBytes} of dead letter topic ${dlq.topic}` +
          `${letter ? ` (it failed with: ${cut(letter.error.message)})` : ''}. Raise max.message.bytes of ${dlq.topic}, or turn errors.deadletterqueue.context.headers.enable off.`,
        { retriable: false },
      );
    }
    await producer.send({ topic: dlq.topic, acks: -1, messages: chunk });
    options.onAcknowledged?.(chunk.length);
  }
}
