import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as MessagesStoreModule from './messagesStore';
import { MAX_ROWS } from './rowBuffer';
import type { BrowseBatch, BrowsedRecord, BrowseRequest, BrowseSession, ClusterChoice, IEngineApi } from '../../../../shared/api';

/**
 * A fake engine for the pane's store: browse() answers only when a test says so, and the test sends record batches
 * whenever it wants, as the engine does under load (a read's batches can arrive before the answer naming its session).
 */
const fake = vi.hoisted(() => {
  const batchListeners = new Set<(batch: BrowseBatch) => void>();
  const browses: { request: BrowseRequest; answer(sessionId: string): void; fail(error: Error): void }[] = [];
  const stopped: string[] = [];
  return { batchListeners, browses, stopped };
});

vi.mock('../../engine', () => {
  const cluster: ClusterChoice = { ref: { kind: 'lab', cluster: 'a' }, label: 'Lab A', bootstrap: '127.0.0.1:9092', environment: 'dev' };
  const topics: Partial<IEngineApi['topics']> = {
    clusters: () => Promise.resolve([cluster]),
    list: () => Promise.resolve([]),
    browse: (request) =>
      new Promise<BrowseSession>((resolve, reject) => {
        fake.browses.push({ request, answer: (sessionId) => resolve({ sessionId, partitions: [] }), fail: reject });
      }),
    stop: (sessionId) => {
      fake.stopped.push(sessionId);
      return Promise.resolve();
    },
    onDidReceiveRecords: (listener) => {
      fake.batchListeners.add(listener);
      return { dispose: () => fake.batchListeners.delete(listener) };
    },
  };
  const connections: Partial<IEngineApi['connections']> = {
    list: () => Promise.resolve([]),
    onDidChangeProfiles: () => ({ dispose: () => {} }),
  };
  return { engine: { topics, connections } };
});

type StoreModule = typeof MessagesStoreModule;

const record = (sessionTag: string, offset: number): BrowsedRecord => ({
  partition: 0,
  offset: String(offset),
  timestamp: 0,
  key: { format: 'null', text: 'null', size: 0 },
  value: { format: 'text', text: `${sessionTag}-${offset}`, size: 4 },
  headers: [],
});

function send(sessionId: string, offsets: number[], state: BrowseBatch['state'] = 'reading'): void {
  const batch: BrowseBatch = { sessionId, state, scanned: offsets.at(-1) ?? 0, matched: offsets.length, bytes: 0, elapsedMs: 0, skipped: 0, records: offsets.map((offset) => record(sessionId, offset)) };
  for (const listener of fake.batchListeners) listener(batch);
}

/** Lets the store's awaits run (clusters(), stop(), browse()'s answer) without any timer. */
async function settle(): Promise<void> {
  for (let turn = 0; turn < 10; turn++) await Promise.resolve();
}

function shown(store: StoreModule): string[] {
  const values: string[] = [];
  for (let index = 0; index < store.rows.length; index++) values.push(store.rows.at(index, false)?.value.text ?? '?');
  return values;
}

/** Starts a read and waits until its browse() is asked: returns the answer to give it. */
async function startRead(store: StoreModule): Promise<{ started: Promise<void>; browse: (typeof fake.browses)[number] }> {
  const asked = fake.browses.length;
  const started = store.useMessagesStore.getState().start();
  await settle();
  const browse = fake.browses[asked];
  if (!browse) throw new Error('start() did not call browse()');
  return { started, browse };
}

describe('messages store: batches that arrive before browse() names the session', () => {
  let store: StoreModule;
  let disconnect: () => void;

  beforeEach(async () => {
    vi.resetModules();
    fake.batchListeners.clear();
    fake.browses.length = 0;
    fake.stopped.length = 0;
    store = await import('./messagesStore');
    disconnect = store.useMessagesStore.getState().connect();
    await settle();
    store.useMessagesStore.getState().setQuery({ topic: 'orders' });
  });

  afterEach(() => disconnect());

  it("shows a read's early batches in order once its session is named, and never an older session's", async () => {
    const first = await startRead(store);
    first.browse.answer('s1');
    await first.started;
    send('s1', [1, 2]);
    expect(shown(store)).toEqual(['s1-1', 's1-2']);

    const second = await startRead(store);
    expect(fake.stopped).toEqual(['s1']);
    // s2's whole short read, and s1's last batch after its stop, all before browse() answers.
    send('s2', [10, 11]);
    send('s1', [3], 'stopped');
    send('s2', [12], 'done');
    expect(shown(store)).toEqual([]);
    second.browse.answer('s2');
    await second.started;

    expect(shown(store)).toEqual(['s2-10', 's2-11', 's2-12']);
    const { sessionId, progress } = store.useMessagesStore.getState();
    expect(sessionId).toBe('s2');
    expect(progress).toMatchObject({ sessionId: 's2', state: 'done', scanned: 12, matched: 1 });
    // Later batches of the old session change nothing either.
    send('s1', [4]);
    expect(shown(store)).toEqual(['s2-10', 's2-11', 's2-12']);
    expect(store.earlyBatches.heldSessions).toBe(0);
  });

  it("clears the previous read's rows and counts the moment a new read is started, before anything is awaited", async () => {
    const first = await startRead(store);
    first.browse.answer('s1');
    await first.started;
    send('s1', [1, 2, 3], 'done');
    expect(store.useMessagesStore.getState().progress).toMatchObject({ sessionId: 's1', state: 'done', scanned: 3 });

    // No await between the click and these checks: the pane must not show s1's counts as if they were the new read's.
    const restarted = store.useMessagesStore.getState().start();
    expect(store.useMessagesStore.getState().progress).toBeUndefined();
    expect(shown(store)).toEqual([]);
    await settle();
    fake.browses.at(-1)?.answer('s2');
    await restarted;
    expect(store.useMessagesStore.getState()).toMatchObject({ sessionId: 's2', progress: { sessionId: 's2', state: 'starting' } });
    // s1 had finished: nothing to stop.
    expect(fake.stopped).toEqual([]);
  });

  it("keeps a later read's early batches apart from an earlier read still waiting for its answer", async () => {
    const first = await startRead(store);
    send('s1', [1]);
    // The user starts another read before the first one's answer came.
    const second = await startRead(store);
    send('s2', [20]);
    send('s1', [2]);
    first.browse.answer('s1');
    await first.started;
    // The first read was replaced: nothing of it is shown, and the engine is told to stop it.
    expect(shown(store)).toEqual([]);
    expect(store.useMessagesStore.getState().sessionId).toBeUndefined();
    expect(fake.stopped).toContain('s1');
    send('s1', [3]);
    send('s2', [21]);
    second.browse.answer('s2');
    await second.started;

    expect(shown(store)).toEqual(['s2-20', 's2-21']);
    expect(store.useMessagesStore.getState()).toMatchObject({ sessionId: 's2', problem: undefined });
    expect(store.earlyBatches.heldSessions).toBe(0);
  });

  it('drops held batches that no answer claims: after a failed browse, and within a bound while one is awaited', async () => {
    const failing = await startRead(store);
    send('s1', [1, 2]);
    expect(store.earlyBatches.heldRecords).toBe(2);
    failing.browse.fail(Object.assign(new Error('Kafka is not reachable'), { code: 'KAFKA_UNAVAILABLE' }));
    await failing.started;
    expect(store.useMessagesStore.getState().problem?.code).toBe('KAFKA_UNAVAILABLE');
    expect(store.earlyBatches.heldRecords).toBe(0);
    // With no read being started, a stranger's batches are not held at all.
    send('s1', [3]);
    expect(store.earlyBatches.heldRecords).toBe(0);

    // An answer that takes long while other reads of the engine keep sending: what is held stays bounded.
    const slow = await startRead(store);
    for (let session = 0; session < 20; session++) for (let batch = 0; batch < 30; batch++) send(`other-${session}`, Array.from({ length: 500 }, (_, index) => batch * 500 + index));
    expect(store.earlyBatches.heldSessions).toBeLessThanOrEqual(4);
    expect(store.earlyBatches.heldRecords).toBeLessThanOrEqual(4 * MAX_ROWS);
    send('s2', [1, 2, 3]);
    slow.browse.answer('s2');
    await slow.started;
    expect(shown(store)).toEqual(['s2-1', 's2-2', 's2-3']);
    expect(store.earlyBatches.heldSessions).toBe(0);
  });

  it("keeps the newest rows of a long early read, as the row buffer would, and counts the others as dropped", async () => {
    const read = await startRead(store);
    const total = MAX_ROWS + 7;
    for (let from = 0; from < total; from += 1000) send('s1', Array.from({ length: Math.min(1000, total - from) }, (_, index) => from + index));
    read.browse.answer('s1');
    await read.started;
    expect(store.rows.length).toBe(MAX_ROWS);
    expect(store.rows.dropped).toBe(7);
    expect(store.rows.at(0, false)?.value.text).toBe('s1-7');
    expect(store.rows.at(0, true)?.value.text).toBe(`s1-${total - 1}`);
  });
});
