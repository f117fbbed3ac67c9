import { describe, expect, it } from 'vitest';
import { EngineError } from '../errors';
import { Emitter, type Event } from '../event';
import { type IDisposable, toDisposable } from '../lifecycle';
import { createMessagePortClientTransport, createMessagePortServerTransport, type IMessagePort } from './messagePort';
import { createRpcClient } from './client';
import type { RpcMembers } from './protocol';
import { createRpcHandler, serveRpc } from './server';

interface ICounterApi {
  add(a: number, b: number): Promise<number>;
  fail(): Promise<void>;
  readonly onDidTick: Event<{ n: number }>;
}
interface ITestApi {
  counter: ICounterApi;
}
const TEST_API_MEMBERS = { counter: { add: 'method', fail: 'method', onDidTick: 'event' } } as const satisfies RpcMembers<ITestApi>;

/** Two ends of an in-memory channel, asynchronous like a real socket. */
function createPortPair(): { client: IMessagePort; server: IMessagePort; close(): void } {
  const make = (deliverTo: () => Set<(text: string) => void>, closers: Set<() => void>): IMessagePort => ({
    send: (text) => queueMicrotask(() => deliverTo().forEach((listener) => listener(text))),
    onMessage(listener) {
      own.get(this)?.add(listener);
      return toDisposable(() => own.get(this)?.delete(listener));
    },
    onClose(listener) {
      closers.add(listener);
      return toDisposable(() => closers.delete(listener));
    },
  });
  const own = new Map<IMessagePort, Set<(text: string) => void>>();
  const closers = new Set<() => void>();
  const clientListeners = new Set<(text: string) => void>();
  const serverListeners = new Set<(text: string) => void>();
  const client = make(() => serverListeners, closers);
  const server = make(() => clientListeners, closers);
  own.set(client, clientListeners);
  own.set(server, serverListeners);
  return { client, server, close: () => closers.forEach((listener) => listener()) };
}

function setup(): { api: ITestApi; ticks: Emitter<{ n: number }>; pair: ReturnType<typeof createPortPair>; serving: IDisposable } {
  const ticks = new Emitter<{ n: number }>();
  const impl: ITestApi = {
    counter: {
      add: async (a, b) => a + b,
      fail: async () => {
        throw new EngineError('LAB_PORT_BUSY', 'Port 19092 is busy', { retriable: true, detail: { port: 19092 } });
      },
      onDidTick: ticks.event,
    },
  };
  const pair = createPortPair();
  const serving = serveRpc(impl, TEST_API_MEMBERS, createMessagePortServerTransport(pair.server));
  const api = createRpcClient<ITestApi>(createMessagePortClientTransport(pair.client));
  return { api, ticks, pair, serving };
}

describe('rpc over a message port', () => {
  it('returns results of calls', async () => {
    const { api } = setup();
    await expect(api.counter.add(2, 3)).resolves.toBe(5);
  });

  it('carries engine errors with code, retriable and detail', async () => {
    const { api } = setup();
    const error = await api.counter.fail().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EngineError);
    expect(error).toMatchObject({ code: 'LAB_PORT_BUSY', message: 'Port 19092 is busy', retriable: true, detail: { port: 19092 } });
  });

  it('delivers events until the subscription is disposed', async () => {
    const { api, ticks } = setup();
    const seen: number[] = [];
    const subscription = api.counter.onDidTick((tick) => seen.push(tick.n));
    await api.counter.add(0, 0); // a round trip guarantees the subscription reached the server
    expect(ticks.listenerCount).toBe(1);
    ticks.fire({ n: 1 });
    ticks.fire({ n: 2 });
    await api.counter.add(0, 0);
    subscription.dispose();
    await api.counter.add(0, 0);
    ticks.fire({ n: 3 });
    await api.counter.add(0, 0);
    expect(seen).toEqual([1, 2]);
    expect(ticks.listenerCount).toBe(0);
  });

  it('refuses paths outside the API, including prototype members and events called as methods', async () => {
    const { pair } = setup();
    const transport = createMessagePortClientTransport(pair.client);
    for (const path of ['counter.constructor', 'counter.toString', 'counter.hasOwnProperty', 'missing.add', 'counter.onDidTick', 'counter', '__proto__.x', 'counter.add.call']) {
      await expect(transport.invoke(path, []), path).rejects.toMatchObject({ code: 'RPC_UNKNOWN_METHOD' });
    }
  });

  it('serves only listed members: helpers on the implementation object stay unreachable', async () => {
    const ticks = new Emitter<{ n: number }>();
    let disposed = false;
    const counter = {
      add: async (a: number, b: number) => a + b,
      fail: async () => {},
      onDidTick: ticks.event,
      // What a real service object carries beside its API: a secret getter, a lifecycle method, an event not in the API.
      settings: () => ({ password: 'hunter2' }),
      dispose: () => {
        disposed = true;
      },
      onDidLeak: ticks.event,
    };
    const pair = createPortPair();
    serveRpc({ counter } as ITestApi, TEST_API_MEMBERS, createMessagePortServerTransport(pair.server));
    const transport = createMessagePortClientTransport(pair.client);
    await expect(transport.invoke('counter.add', [1, 2])).resolves.toBe(3);
    for (const path of ['counter.settings', 'counter.dispose']) {
      await expect(transport.invoke(path, []), path).rejects.toMatchObject({ code: 'RPC_UNKNOWN_METHOD' });
    }
    expect(disposed).toBe(false);
    const handler = createRpcHandler({ counter } as ITestApi, TEST_API_MEMBERS);
    expect(() => handler.subscribe('counter.onDidLeak', () => {})).toThrow(expect.objectContaining({ code: 'RPC_UNKNOWN_EVENT' }));
    expect(ticks.listenerCount).toBe(0);
  });

  it('rejects pending calls and drops subscriptions when the connection closes', async () => {
    const { api, ticks, pair } = setup();
    api.counter.onDidTick(() => {});
    await api.counter.add(0, 0);
    expect(ticks.listenerCount).toBe(1);
    const call = api.counter.add(1, 1);
    pair.close();
    await expect(call).rejects.toMatchObject({ code: 'RPC_DISCONNECTED', retriable: true });
    expect(ticks.listenerCount).toBe(0);
  });

  it('is not mistaken for a promise when awaited', async () => {
    const { api } = setup();
    const awaited = await Promise.resolve(api);
    expect(awaited).toBe(api);
  });
});
