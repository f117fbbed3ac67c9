import type { IHeaders, KafkaMessage, Producer } from 'kafkajs';
import type { ResolvedDeadLetterQueue } from '../config';

/** Where a failing record came from and why, for Connect's `__connect.errors.*` headers. */
export interface DeadLetter {
  topic: string;
  partition: number;
  message: KafkaMessage;
  stage: 'KEY_CONVERTER' | 'VALUE_CONVERTER' | 'TASK_PUT';
  error: Error & { code?: string };
}

/**
 * Sends records a sink could not apply to the dead letter topic exactly as Connect's DeadLetterQueueReporter does:
 * the original key, value, headers and timestamp, plus the `__connect.errors.*` context headers when enabled
 * (a header that already exists is not overwritten).
 */
export async function sendToDeadLetterQueue(
  producer: Producer,
  dlq: ResolvedDeadLetterQueue,
  connector: string,
  letters: readonly DeadLetter[],
): Promise<void> {
  if (letters.length === 0) return;
  await producer.send({
    topic: dlq.topic,
    acks: -1,
    messages: letters.map((letter) => {
      const headers: IHeaders = { ...(letter.message.headers ?? {}) };
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
          '__connect.errors.exception.message': letter.error.message,
          '__connect.errors.exception.stacktrace': letter.error.stack ?? letter.error.message,
        };
        for (const [name, value] of Object.entries(context)) if (!(name in headers)) headers[name] = value;
      }
      return { key: letter.message.key, value: letter.message.value, headers, timestamp: letter.message.timestamp };
    }),
  });
}
