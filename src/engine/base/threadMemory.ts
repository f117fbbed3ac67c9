/**
 * One thread's share of the process's memory, for accounting a pipeline's peak RSS by thread (bench:pipeline):
 * `process.memoryUsage().rss` is the whole process's, but its heap and external figures are the calling thread's.
 */
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { type ResourceLimits, resourceLimits } from 'node:worker_threads';

/** One thread's memory (bytes): its V8 heap (committed and in use, by space) and the native memory its objects hold. */
export interface ThreadMemory {
  heapCommitted: number;
  heapUsed: number;
  /** Committed bytes per V8 space (new_space, old_space, code_space, large_object_space, …). */
  spaces: Record<string, number>;
  /** Native memory held by this thread's JavaScript objects (Buffers and ArrayBuffers included). */
  external: number;
  arrayBuffers: number;
  /** The limits the thread was started with (Worker resourceLimits; empty for the main thread). */
  limits: ResourceLimits;
}

/** This thread's memory; `process.memoryUsage()` gives the process's RSS but this isolate's heap and external. */
export function threadMemory(): ThreadMemory {
  const heap = getHeapStatistics();
  const usage = process.memoryUsage();
  return {
    heapCommitted: heap.total_heap_size,
    heapUsed: heap.used_heap_size,
    spaces: Object.fromEntries(getHeapSpaceStatistics().map((space) => [space.space_name, space.space_size])),
    external: usage.external,
    arrayBuffers: usage.arrayBuffers,
    limits: { ...resourceLimits },
  };
}
