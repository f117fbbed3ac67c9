/**
 * Where a task's chunks go: a DestinationWriter in a worker thread (the default: fetching and producing then use
 * both cores), or in the task's own thread when a worker cannot start. Both report acknowledgements and failures
 * the same way. From the sources (CLI, tests) the worker loads writerWorker.ts through tsx; in the desktop build
 * electron-vite bundles it as its own entry, `replicatorWriter.js` beside the main bundle (electron.vite.config.ts).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { EngineError } from '../../shared/errors';
import { createLogger } from '../base/logger';
import { type CompressionType, createKafkaClient, type KafkaClientSettings, type KafkaProducer } from '../kafka';
import { type AckedChunk, type Chunk, DestinationWriter, type OutRecord } from './destinationWriter';
import type { WriterEvent, WriterRequest, WriterWorkerData } from './writerWorker';

export interface ChunkWriter {
  /** Chunks submitted and not yet acknowledged. */
  readonly pending: number;
  /** Queues a chunk; resolves once there is room for more (backpressure). */
  submit(chunk: Chunk): Promise<void>;
  drain(): Promise<void>;
  seedDestinationOffsets(entries: { topic: string; partition: number; offset: number }[]): void;
  close(): Promise<void>;
}

export interface ChunkWriterOptions {
  kafka: KafkaClientSettings;
  transactionalId: string | undefined;
  requestBytes: number;
  lingerMs: number;
  compression: CompressionType;
  checkpointGroup: string | undefined;
  onAcked(acked: AckedChunk[]): void;
  onFailed(error: unknown): void;
}

const log = createLogger('replicator');

class LocalWriter implements ChunkWriter {
  private constructor(
    private readonly producer: KafkaProducer,
    private readonly writer: DestinationWriter,
  ) {}

  static async start(options: ChunkWriterOptions): Promise<LocalWriter> {
    const transactional = options.transactionalId !== undefined;
    const producer = createKafkaClient(options.kafka).producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      compression: options.compression,
      ...(transactional ? { transactionalId: options.transactionalId, transactionTimeoutMs: 60_000 } : {}),
      // After a commit the coordinator answers CONCURRENT_TRANSACTIONS until its markers are written; retry that soon.
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTimeMs: transactional ? 20 : 100, maxRetryTimeMs: 5_000 },
    });
    await producer.connect();
    return new LocalWriter(producer, new DestinationWriter({ producer, requestBytes: options.requestBytes, lingerMs: options.lingerMs, checkpointGroup: options.checkpointGroup, onAcked: options.onAcked, onFailed: options.onFailed }));
  }

  get pending(): number {
    return this.writer.pending;
  }

  submit(chunk: Chunk): Promise<void> {
    return this.writer.submit(chunk);
  }

  drain(): Promise<void> {
    return this.writer.drain();
  }

  seedDestinationOffsets(entries: { topic: string; partition: number; offset: number }[]): void {
    this.writer.seedDestinationOffsets(entries);
  }

  async close(): Promise<void> {
    this.writer.dispose();
    await this.producer.disconnect().catch(() => undefined);
  }
}

/** Loads writerWorker.ts through tsx in the worker, as bin/ferry.mjs does for the CLI. */
function bootCode(): string | undefined {
  try {
    // The package's `import` entry: require.resolve gives the CommonJS one, which cannot register ESM hooks.
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
    return `const { workerData } = require('node:worker_threads'); import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(workerData.entry); });`;
  } catch {
    return undefined;
  }
}

class WorkerWriter implements ChunkWriter {
  private nextId = 1;
  private readonly inFlight = new Map<number, Chunk>();
  private queuedBytes = 0;
  private failed: EngineError | undefined;
  private waiters: (() => void)[] = [];
  private closed = false;

  private constructor(
    private readonly worker: Worker,
    private readonly options: ChunkWriterOptions,
  ) {}

  static start(options: ChunkWriterOptions, launch: WriterLaunch): Promise<WorkerWriter> {
    const data: WriterWorkerData = { entry: launch.entry, kafka: options.kafka, transactionalId: options.transactionalId, requestBytes: options.requestBytes, lingerMs: options.lingerMs, compression: options.compression, checkpointGroup: options.checkpointGroup };
    const worker = launch.boot === undefined ? new Worker(new URL(launch.entry), { workerData: data }) : new Worker(launch.boot, { eval: true, workerData: data });
    const writer = new WorkerWriter(worker, options);
    return new Promise((resolve, reject) => {
      let ready = false;
      worker.on('message', (event: WriterEvent) => {
        if (event.type === 'ready') {
          ready = true;
          resolve(writer);
        } else if (event.type === 'failed' && !ready) {
          void worker.terminate();
          reject(new EngineError(event.error.code ?? 'REPLICATOR_FAILED', event.error.message, { retriable: event.error.retriable }));
        } else writer.handle(event);
      });
      worker.on('error', (error) => (ready ? writer.fail(error) : reject(error)));
      worker.on('exit', (code) => {
        if (!ready) reject(new Error(`the writer thread exited with code ${code} before it was ready`));
        else if (!writer.closed) writer.fail(new Error(`the writer thread exited with code ${code}`));
      });
    });
  }

  get pending(): number {
    return this.inFlight.size;
  }

  private wake(): void {
    for (const resolve of this.waiters.splice(0)) resolve();
  }

  private fail(error: unknown): void {
    if (this.failed) return;
    this.failed = error instanceof EngineError ? error : new EngineError('REPLICATOR_FAILED', error instanceof Error ? error.message : String(error), { retriable: true, cause: error });
    this.wake();
    this.options.onFailed(this.failed);
  }

  private handle(event: WriterEvent): void {
    if (event.type === 'acked') {
      const acked: AckedChunk[] = [];
      for (const { id, destinationOffset, ackedAt } of event.acked) {
        const chunk = this.inFlight.get(id);
        if (!chunk) continue;
        this.inFlight.delete(id);
        this.queuedBytes -= chunk.bytes;
        acked.push({ chunk, destinationOffset, ackedAt });
      }
      this.wake();
      this.options.onAcked(acked);
    } else if (event.type === 'failed') {
      this.fail(new EngineError(event.error.code ?? 'REPLICATOR_FAILED', event.error.message, { retriable: event.error.retriable }));
    } else this.wake();
  }

  async submit(chunk: Chunk): Promise<void> {
    if (this.failed) throw this.failed;
    const id = this.nextId++;
    if (chunk.batch) {
      // A prebuilt batch has an ArrayBuffer of its own (buildRecordBatch): moved to the worker, not copied.
      const bytes = chunk.batch.bytes;
      this.worker.postMessage({ type: 'submit', id, chunk } satisfies WriterRequest, [bytes.buffer as ArrayBuffer]);
      this.inFlight.set(id, { ...chunk, batch: { bytes: Buffer.alloc(0), recordCount: chunk.batch.recordCount } });
    } else {
      const { records, transfer } = packRecords(chunk.records);
      this.worker.postMessage({ type: 'submit', id, chunk: { ...chunk, records } } satisfies WriterRequest, transfer);
      // Keep what acknowledgements need, not the records themselves (the worker has its own copy).
      this.inFlight.set(id, { ...chunk, records: chunk.records.length === 0 ? [] : new Array<OutRecord>(chunk.records.length) });
    }
    this.queuedBytes += chunk.bytes;
    while (this.queuedBytes > this.options.requestBytes * 2 && !this.failed) await new Promise<void>((resolve) => this.waiters.push(resolve));
    if (this.failed) throw this.failed;
  }

  async drain(): Promise<void> {
    while (this.inFlight.size > 0 && !this.failed) {
      this.worker.postMessage({ type: 'drain' } satisfies WriterRequest);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  seedDestinationOffsets(entries: { topic: string; partition: number; offset: number }[]): void {
    this.worker.postMessage({ type: 'seed', entries } satisfies WriterRequest);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.failed ??= new EngineError('REPLICATOR_FAILED', 'writer closed', { retriable: true });
    this.wake();
    const closedEvent = new Promise<void>((resolve) => {
      this.worker.on('message', (event: WriterEvent) => event.type === 'closed' && resolve());
      this.worker.once('exit', () => resolve());
      setTimeout(resolve, 10_000).unref();
    });
    this.worker.postMessage({ type: 'close' } satisfies WriterRequest);
    await closedEvent;
    await this.worker.terminate();
  }
}

/**
 * The chunk's bytes copied into one fresh ArrayBuffer that is moved (not copied) to the worker. Keys and values are
 * views into kafkajs's fetch response; posting them as they are would clone the whole response buffer (megabytes)
 * with every chunk.
 */
function packRecords(records: readonly OutRecord[]): { records: OutRecord[]; transfer: ArrayBuffer[] } {
  let size = 0;
  const headerSize = (value: Buffer | string | undefined): number => (value === undefined || typeof value === 'string' ? 0 : value.length);
  for (const record of records) {
    size += (record.key?.length ?? 0) + (record.value?.length ?? 0);
    for (const value of Object.values(record.headers ?? {})) {
      if (Array.isArray(value)) for (const item of value) size += headerSize(item);
      else size += headerSize(value);
    }
  }
  const target = Buffer.from(new ArrayBuffer(Math.max(1, size)));
  let at = 0;
  const copy = (bytes: Buffer): Buffer => {
    bytes.copy(target, at);
    const view = target.subarray(at, at + bytes.length);
    at += bytes.length;
    return view;
  };
  const copyHeader = (value: Buffer | string | undefined): Buffer | string | undefined => (value === undefined || typeof value === 'string' ? value : copy(value));
  const packed = records.map((record): OutRecord => {
    let headers: OutRecord['headers'];
    if (record.headers) {
      headers = {};
      for (const [name, value] of Object.entries(record.headers)) {
        if (Array.isArray(value)) headers[name] = value.map((item) => copyHeader(item) ?? '');
        else headers[name] = copyHeader(value);
      }
    }
    return { partition: record.partition, key: record.key === null ? null : copy(record.key), value: record.value === null ? null : copy(record.value), headers, timestamp: record.timestamp };
  });
  return { records: packed, transfer: [target.buffer as ArrayBuffer] };
}

/** The bundled writer's file name (electron.vite.config.ts names the entry). */
export const BUNDLED_WRITER_FILE = 'replicatorWriter.js';

/** How to start the writer thread: a bundled entry file as it is, or the TypeScript source through tsx (`boot`). */
interface WriterLaunch {
  entry: string;
  boot?: string;
}

/**
 * The writer thread's entry for code running from `moduleUrl`: writerWorker.ts beside this file when running from the
 * sources, else the bundled `replicatorWriter.js` in the bundle's folder (or the one above, when this code sits in a
 * shared chunk). Undefined when neither is there.
 */
export function writerLaunch(moduleUrl: string): WriterLaunch | undefined {
  const here = new URL(moduleUrl);
  if (here.protocol !== 'file:') return undefined;
  if (here.pathname.endsWith('.ts')) {
    const boot = bootCode();
    return boot === undefined ? undefined : { entry: new URL('./writerWorker.ts', here).href, boot };
  }
  for (const candidate of [`./${BUNDLED_WRITER_FILE}`, `../${BUNDLED_WRITER_FILE}`]) {
    const entry = new URL(candidate, here);
    if (existsSync(fileURLToPath(entry))) return { entry: entry.href };
  }
  return undefined;
}

/** A writer in a worker thread when its entry can be loaded there; otherwise in this thread (with a warning). */
export async function startChunkWriter(options: ChunkWriterOptions): Promise<ChunkWriter> {
  const launch = process.env.FERRY_REPLICATOR_WRITER_THREAD !== '0' ? writerLaunch(import.meta.url) : undefined;
  if (!launch && process.env.FERRY_REPLICATOR_WRITER_THREAD !== '0') log.warn('writer thread entry not found; writing from the task thread (one core)', { module: import.meta.url });
  if (launch) {
    try {
      return await WorkerWriter.start(options, launch);
    } catch (error) {
      if (error instanceof EngineError) throw error;
      log.warn('writer thread unavailable; writing from the task thread', { error: error instanceof Error ? error.message : String(error) });
    }
  }
  return LocalWriter.start(options);
}
