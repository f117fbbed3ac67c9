/**
 * The destination side of a replicator task in its own thread. kafkajs spends most of a copy's CPU building
 * produce requests (record encoding, buffer copies, CRC32C) and about as much again decoding fetches; one Node
 * thread does both in turn, so a task used one core of two. Here the DestinationWriter and its producer run in a
 * worker thread while the task's thread fetches: both halves of the copy work at once.
 *
 * Messages: in `submit` (a chunk), `drain`, `seed`, `close`; out `acked`, `drained`, `failed`, `ready`, `closed`.
 * Buffers arrive as plain Uint8Arrays (structured clone) and are wrapped back into Buffers without copying.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { classifyKafkaError, type CompressionType, createKafkaClient, type KafkaClientSettings, type MessageHeaders } from '../kafka';
import { type Chunk, DestinationWriter } from './destinationWriter';

export interface WriterWorkerData {
  entry: string;
  kafka: KafkaClientSettings;
  transactionalId: string | undefined;
  requestBytes: number;
  lingerMs: number;
  compression: CompressionType;
  checkpointGroup: string | undefined;
}

export type WriterRequest =
  | { type: 'submit'; id: number; chunk: Chunk }
  | { type: 'drain' }
  | { type: 'seed'; entries: { topic: string; partition: number; offset: number }[] }
  | { type: 'close' };

export type WriterEvent =
  | { type: 'ready' }
  | { type: 'acked'; acked: { id: number; destinationOffset: number | undefined; ackedAt: number }[] }
  | { type: 'drained' }
  | { type: 'failed'; error: { message: string; code: string | undefined; retriable: boolean } }
  | { type: 'closed' };

function buffer(bytes: Uint8Array | null): Buffer | null {
  return bytes === null ? null : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function headers(value: MessageHeaders | undefined): MessageHeaders | undefined {
  if (!value) return undefined;
  const out: MessageHeaders = {};
  for (const [name, item] of Object.entries(value)) {
    if (Array.isArray(item)) out[name] = item.map((v) => (typeof v === 'string' ? v : (buffer(v) ?? Buffer.alloc(0))));
    else if (item !== undefined) out[name] = typeof item === 'string' ? item : (buffer(item) ?? undefined);
  }
  return out;
}

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) return;
  const data = workerData as WriterWorkerData;
  const post = (event: WriterEvent): void => port.postMessage(event);
  const transactional = data.transactionalId !== undefined;
  const producer = createKafkaClient(data.kafka).producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    compression: data.compression,
    ...(transactional ? { transactionalId: data.transactionalId, transactionTimeoutMs: 60_000 } : {}),
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTimeMs: transactional ? 20 : 100, maxRetryTimeMs: 5_000 },
  });
  const ids = new Map<Chunk, number>();
  const writer = new DestinationWriter({
    producer,
    requestBytes: data.requestBytes,
    lingerMs: data.lingerMs,
    checkpointGroup: data.checkpointGroup,
    onAcked: (acked) =>
      post({
        type: 'acked',
        acked: acked.map(({ chunk, destinationOffset, ackedAt }) => {
          const id = ids.get(chunk) ?? -1;
          ids.delete(chunk);
          return { id, destinationOffset, ackedAt };
        }),
      }),
    onFailed: (error) => {
      const failure = classifyKafkaError(error, data.kafka.bootstrapServers, 'copy records to the destination');
      post({ type: 'failed', error: { message: failure.message, code: failure.code, retriable: failure.retriable } });
    },
  });
  try {
    await producer.connect();
  } catch (error) {
    post({ type: 'failed', error: { message: error instanceof Error ? error.message : String(error), code: undefined, retriable: true } });
    return;
  }
  port.on('message', (request: WriterRequest) => {
    switch (request.type) {
      case 'submit': {
        const chunk = request.chunk;
        if (chunk.batch) chunk.batch = { bytes: buffer(chunk.batch.bytes) ?? Buffer.alloc(0), recordCount: chunk.batch.recordCount };
        for (const record of chunk.records) {
          record.key = buffer(record.key);
          record.value = buffer(record.value);
          record.headers = headers(record.headers);
        }
        ids.set(chunk, request.id);
        // Backpressure is the task's: it counts unacknowledged bytes itself.
        writer.submit(chunk).catch(() => undefined);
        break;
      }
      case 'drain':
        void writer.drain().then(() => post({ type: 'drained' }));
        break;
      case 'seed':
        writer.seedDestinationOffsets(request.entries);
        break;
      case 'close':
        writer.dispose();
        void producer
          .disconnect()
          .catch(() => undefined)
          .then(() => post({ type: 'closed' }));
        break;
    }
  });
  post({ type: 'ready' });
}

void main();
