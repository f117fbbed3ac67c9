import { describe, expect, it } from 'vitest';
import { Emitter, type Event } from '../shared/event';
import { IPC_EVENT_CHANNEL, type RpcMembers } from '../shared/rpc/protocol';
import { createRpcHandler } from '../shared/rpc/server';
import { createIpcHandlers, type IpcSender } from './ipcHandlers';

interface IClockApi {
  now(): Promise<number>;
  readonly onDidTick: Event<number>;
}
interface ITestApi {
  clock: IClockApi;
}
const MEMBERS = { clock: { now: 'method', onDidTick: 'event' } } as const satisfies RpcMembers<ITestApi>;

/** A window's contents as the handlers see them: what it was sent, and its `destroyed` event. */
class FakeContents implements IpcSender {
  readonly sent: unknown[][] = [];
  private destroyed = false;
  private readonly onDestroyed: (() => void)[] = [];
  isDestroyed(): boolean {
    return this.destroyed;
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push([channel, ...args]);
  }
  once(_event: 'destroyed', listener: () => void): void {
    this.onDestroyed.push(listener);
  }
  destroy(): void {
    this.destroyed = true;
    for (const listener of this.onDestroyed.splice(0)) listener();
  }
}

function setup(): { ticks: Emitter<number>; app: FakeContents; stranger: FakeContents; handlers: ReturnType<typeof createIpcHandlers<FakeContents>> } {
  const ticks = new Emitter<number>();
  const app = new FakeContents();
  const stranger = new FakeContents();
  const handler = createRpcHandler<ITestApi>({ clock: { now: async () => 42, onDidTick: ticks.event } }, MEMBERS);
  return { ticks, app, stranger, handlers: createIpcHandlers<FakeContents>(handler, (sender) => sender === app) };
}

// Issue 11, item 4: `engine:unsubscribe` answered any sender, unlike the other channels.
describe('the engine IPC channels', () => {
  it('refuse every channel, unsubscribe included, to a sender that is not an app window', async () => {
    const { handlers, stranger, app, ticks } = setup();
    const forbidden = { ok: false, error: { code: 'RPC_FORBIDDEN' } };
    await expect(handlers.invoke(stranger, 'clock.now', [])).resolves.toMatchObject(forbidden);
    expect(handlers.subscribe(stranger, 1, 'clock.onDidTick')).toMatchObject(forbidden);
    expect(handlers.subscribe(app, 1, 'clock.onDidTick')).toEqual({ ok: true, value: null });
    expect(handlers.unsubscribe(stranger, 1)).toMatchObject(forbidden);
    // The app's subscription is untouched by the stranger's attempt.
    ticks.fire(7);
    expect(app.sent).toEqual([[IPC_EVENT_CHANNEL, 1, 7]]);
    expect(stranger.sent).toEqual([]);
  });

  it('serve an app window, and drop its subscriptions when it unsubscribes or is destroyed', async () => {
    const { handlers, app, ticks } = setup();
    await expect(handlers.invoke(app, 'clock.now', [])).resolves.toEqual({ ok: true, value: 42 });
    await expect(handlers.invoke(app, 'clock.dispose', [])).resolves.toMatchObject({ ok: false, error: { code: 'RPC_UNKNOWN_METHOD' } });
    handlers.subscribe(app, 1, 'clock.onDidTick');
    handlers.subscribe(app, 2, 'clock.onDidTick');
    expect(ticks.listenerCount).toBe(2);
    expect(handlers.unsubscribe(app, 1)).toEqual({ ok: true, value: null });
    expect(ticks.listenerCount).toBe(1);
    app.destroy();
    expect(ticks.listenerCount).toBe(0);
  });
});
