/**
 * Per-stage CPU split from V8 CPU profiles (node:inspector, one per thread): each sample is charged to the stage of
 * the nearest frame on its stack that belongs to one (source read, Avro, Kafka encode/send, Kafka fetch/decode, sink
 * apply, …), garbage collection to `gc`, the rest to `other`. Idle samples are left out, so the split is of CPU time.
 */
import { Session } from 'node:inspector/promises';

export interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

export interface CpuProfile {
  nodes: CpuProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
  startTime: number;
  endTime: number;
}

export const STAGES = ['source_read', 'avro', 'kafka_encode_send', 'kafka_fetch_decode', 'kafka_network', 'sink_apply', 'transforms', 'gc', 'other'] as const;
export type Stage = (typeof STAGES)[number];

/** The stage a frame belongs to by its file, or undefined for frames that count for their caller (Node, Buffer, …). */
export function stageOfFrame(url: string, functionName: string): Stage | undefined {
  if (functionName === '(garbage collector)') return 'gc';
  if (url === '') return undefined;
  const path = url.replace(/\\/g, '/');
  const kafkajs = /\/kafkajs\/src\/(.*)$/.exec(path)?.[1];
  if (kafkajs !== undefined) {
    if (/^(producer\/|protocol\/(encoder|crc32|recordBatch\/crc32C|recordBatch\/v0\/index|recordBatch\/record\/v0\/index|recordBatch\/header\/v0\/index|requests\/produce\/))/.test(kafkajs)) return 'kafka_encode_send';
    if (/^(consumer\/|protocol\/(decoder|recordBatch\/.*decoder|messageSet|message\/|requests\/fetch\/))/.test(kafkajs)) return 'kafka_fetch_decode';
    return 'kafka_network';
  }
  // The consumer's own reader of fetched v2 batches (kafkajs's per-record decoder replaced): all of it is fetch/decode.
  if (/\/src\/engine\/kafka\/fetchBatches/.test(path)) return 'kafka_fetch_decode';
  // The replicator's batch forwarding: reading fetched batches is fetch/decode, building and stamping them encode.
  if (/\/src\/engine\/kafka\/(recordBatches|rawBatchPath)/.test(path)) return /^(read|committed|isAbort|decode)/.test(functionName) ? 'kafka_fetch_decode' : 'kafka_encode_send';
  if (/\/src\/engine\/replicator\/(destinationWriter|chunkWriter|writerWorker)/.test(path)) return 'kafka_encode_send';
  if (/\/src\/engine\/kafka\/(producePath|codecs|messageBatches)/.test(path) || /\/node_modules\/(@node-rs\/crc32|snappy|lz4-napi|@mongodb-js\/zstd)\//.test(path)) return 'kafka_encode_send';
  if (/\/node_modules\/(mysql2|@vlasky\/zongji|pg-logical-replication)\//.test(path) || /\/src\/engine\/(sources|connectors\/(pollingSource|logSource))/.test(path)) return 'source_read';
  if (/\/node_modules\/avsc\//.test(path) || /\/src\/engine\/(schema\/|pipeline\/(sourceEncoder|sinkDecoder|converters|jsonConverter|connectJson))/.test(path)) return 'avro';
  if (/\/src\/engine\/transforms\//.test(path)) return 'transforms';
  if (/\/node_modules\/(pg|pg-protocol|pg-types|postgres-array|pg-cursor)\//.test(path) || /\/src\/engine\/(sinks\/|connectors\/sqlSink|pipeline\/sinkTask)/.test(path)) return 'sink_apply';
  if (/\/src\/engine\/db\/mysql\//.test(path)) return 'source_read';
  if (/\/src\/engine\/db\/postgres\//.test(path)) return 'sink_apply';
  return undefined;
}

/**
 * CPU milliseconds per stage of one profile (idle and program samples excluded); with `window` (microseconds of the
 * monotonic clock, which V8's profile timestamps and `process.hrtime` share on Linux) only the samples inside it.
 */
export function splitProfile(profile: CpuProfile, window?: { fromMicros: number; toMicros: number }): Record<Stage, number> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const stageCache = new Map<number, Stage | 'idle'>();
  const stageOf = (id: number): Stage | 'idle' => {
    const cached = stageCache.get(id);
    if (cached !== undefined) return cached;
    const node = byId.get(id);
    let stage: Stage | 'idle';
    const name = node?.callFrame.functionName ?? '';
    if (name === '(idle)' || name === '(program)' || name === '(root)') stage = 'idle';
    else {
      const own = node ? stageOfFrame(node.callFrame.url, name) : undefined;
      const up = parent.get(id);
      stage = own ?? (up === undefined ? 'other' : stageOf(up));
      if (stage === 'idle') stage = 'other';
    }
    stageCache.set(id, stage);
    return stage;
  };
  const out = Object.fromEntries(STAGES.map((stage) => [stage, 0])) as Record<Stage, number>;
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let at = profile.startTime;
  for (let i = 0; i < samples.length; i++) {
    at += deltas[i] ?? 0;
    if (window && (at < window.fromMicros || at > window.toMicros)) continue;
    const stage = stageOf(samples[i] ?? 0);
    // A sample's time is the delta to the next sample.
    const micros = deltas[i + 1] ?? 0;
    if (stage !== 'idle') out[stage] += micros / 1000;
  }
  return out;
}

/**
 * The process's measured CPU per row divided among the stages by their share of the profiles' samples. The profiler
 * samples on a wall clock, so on a loaded machine a thread waiting for a core is charged where it stands; shares are
 * what the profile tells reliably, the process's CPU time (getrusage) what the total is.
 */
export function stageMicrosPerRow(splits: Record<Stage, number>[], cpuMicrosPerRow: number): Record<Stage, number> {
  const out = Object.fromEntries(STAGES.map((stage) => [stage, 0])) as Record<Stage, number>;
  for (const split of splits) for (const stage of STAGES) out[stage] += split[stage];
  const total = STAGES.reduce((sum, stage) => sum + out[stage], 0);
  for (const stage of STAGES) out[stage] = total === 0 ? 0 : Number(((out[stage] / total) * cpuMicrosPerRow).toFixed(2));
  return out;
}

/**
 * Sampling CPU profiles of this thread and of every worker thread of the process (those running now and those started
 * later), through the inspector's NodeWorker domain: what the per-stage split of a pipeline whose tasks run in worker
 * threads needs. `stop` returns one profile per thread, named.
 */
export async function startProcessProfile(intervalMicros = 1000): Promise<{ stop(): Promise<{ thread: string; profile: CpuProfile; heapMbMax: number }[]> }> {
  const session = new Session();
  session.connect();
  const workers = new Map<string, { title: string; pending: Map<number, (result: unknown) => void>; started: Promise<unknown> }>();
  let nextId = 1;
  const send = (sessionId: string, method: string, params: Record<string, unknown> = {}): Promise<unknown> => {
    const worker = workers.get(sessionId);
    if (!worker) return Promise.resolve(undefined);
    const id = nextId++;
    return new Promise((resolve) => {
      worker.pending.set(id, resolve);
      void session.post('NodeWorker.sendMessageToWorker', { sessionId, message: JSON.stringify({ id, method, params }) }).catch(() => resolve(undefined));
    });
  };
  session.on('NodeWorker.receivedMessageFromWorker', (message: { params: { sessionId: string; message: string } }) => {
    const parsed = JSON.parse(message.params.message) as { id?: number; result?: unknown };
    if (parsed.id === undefined) return;
    const worker = workers.get(message.params.sessionId);
    worker?.pending.get(parsed.id)?.(parsed.result);
    worker?.pending.delete(parsed.id);
  });
  session.on('NodeWorker.attachedToWorker', (message: { params: { sessionId: string; workerInfo: { title: string } } }) => {
    const { sessionId, workerInfo } = message.params;
    const entry = { title: workerInfo.title, pending: new Map<number, (result: unknown) => void>(), started: Promise.resolve() as Promise<unknown> };
    workers.set(sessionId, entry);
    entry.started = send(sessionId, 'Profiler.enable')
      .then(() => send(sessionId, 'Profiler.setSamplingInterval', { interval: intervalMicros }))
      .then(() => send(sessionId, 'Profiler.start'));
  });
  // Each thread's V8 heap in use, sampled every 500 ms (max kept): what of the RSS is JavaScript objects.
  const heapMax = new Map<string, number>();
  const sampleHeaps = async (): Promise<void> => {
    const main = (await session.post('Runtime.getHeapUsage').catch(() => undefined)) as { usedSize?: number } | undefined;
    heapMax.set('main', Math.max(heapMax.get('main') ?? 0, main?.usedSize ?? 0));
    for (const sessionId of workers.keys()) {
      const usage = (await send(sessionId, 'Runtime.getHeapUsage')) as { usedSize?: number } | undefined;
      heapMax.set(sessionId, Math.max(heapMax.get(sessionId) ?? 0, usage?.usedSize ?? 0));
    }
  };
  const heapTimer = setInterval(() => void sampleHeaps(), 500);
  await session.post('NodeWorker.enable', { waitForDebuggerOnStart: false });
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: intervalMicros });
  await session.post('Profiler.start');
  return {
    async stop(): Promise<{ thread: string; profile: CpuProfile; heapMbMax: number }[]> {
      clearInterval(heapTimer);
      const mb = (bytes: number | undefined): number => Math.round((bytes ?? 0) / 1024 / 1024);
      const out: { thread: string; profile: CpuProfile; heapMbMax: number }[] = [];
      const { profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile };
      out.push({ thread: 'main', profile, heapMbMax: mb(heapMax.get('main')) });
      for (const [sessionId, worker] of workers) {
        await worker.started;
        const result = (await send(sessionId, 'Profiler.stop')) as { profile?: CpuProfile } | undefined;
        if (result?.profile) out.push({ thread: worker.title, profile: result.profile, heapMbMax: mb(heapMax.get(sessionId)) });
      }
      await session.post('NodeWorker.disable').catch(() => undefined);
      session.disconnect();
      return out;
    },
  };
}
