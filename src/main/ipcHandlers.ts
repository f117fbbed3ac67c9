import { toWireError } from '../shared/errors';
import type { IDisposable } from '../shared/lifecycle';
import { IPC_EVENT_CHANNEL, type IRpcHandler } from '../shared/rpc/protocol';

/** Electron turns thrown errors into bare strings, so results travel as an envelope that keeps the wire error. */
export type IpcResult = { ok: true; value: unknown } | { ok: false; error: ReturnType<typeof toWireError> };

/** What the handlers need of a sender (Electron's WebContents has all of it); no Electron import, so it is unit-tested. */
export interface IpcSender {
  isDestroyed(): boolean;
  send(channel: string, ...args: unknown[]): void;
  once(event: 'destroyed', listener: () => void): unknown;
}

export interface IpcHandlers<S extends IpcSender> extends IDisposable {
  invoke(sender: S, path: unknown, args: unknown): Promise<IpcResult>;
  subscribe(sender: S, id: unknown, path: unknown): IpcResult;
  unsubscribe(sender: S, id: unknown): IpcResult;
}

const REFUSED: IpcResult = {
  ok: false,
  error: { name: 'EngineError', code: 'RPC_FORBIDDEN', message: 'This window may not call the engine.', retriable: false },
};

/**
 * The `engine:` channels' logic. Every channel checks its sender first (a frame or window that is not one of the
 * app's gets RPC_FORBIDDEN); subscriptions are per sender and end when its contents are destroyed, so a closed window
 * leaves no listener behind in the engine.
 */
export function createIpcHandlers<S extends IpcSender>(handler: IRpcHandler, isTrustedSender: (sender: S) => boolean): IpcHandlers<S> {
  const subscriptions = new Map<S, Map<number, IDisposable>>();
  const forSender = (sender: S): Map<number, IDisposable> => {
    let map = subscriptions.get(sender);
    if (!map) {
      const created = new Map<number, IDisposable>();
      subscriptions.set(sender, created);
      sender.once('destroyed', () => {
        for (const subscription of created.values()) subscription.dispose();
        subscriptions.delete(sender);
      });
      map = created;
    }
    return map;
  };
  return {
    async invoke(sender, path, args) {
      if (!isTrustedSender(sender)) return REFUSED;
      try {
        const value = await handler.invoke(String(path), Array.isArray(args) ? args : []);
        return { ok: true, value: value ?? null };
      } catch (error) {
        return { ok: false, error: toWireError(error) };
      }
    },
    subscribe(sender, id, path) {
      if (!isTrustedSender(sender) || typeof id !== 'number') return REFUSED;
      try {
        const subscription = handler.subscribe(String(path), (payload) => {
          if (!sender.isDestroyed()) sender.send(IPC_EVENT_CHANNEL, id, payload);
        });
        forSender(sender).set(id, subscription);
        return { ok: true, value: null };
      } catch (error) {
        return { ok: false, error: toWireError(error) };
      }
    },
    unsubscribe(sender, id) {
      if (!isTrustedSender(sender)) return REFUSED;
      if (typeof id === 'number') {
        subscriptions.get(sender)?.get(id)?.dispose();
        subscriptions.get(sender)?.delete(id);
      }
      return { ok: true, value: null };
    },
    dispose() {
      for (const map of subscriptions.values()) for (const subscription of map.values()) subscription.dispose();
      subscriptions.clear();
    },
  };
}
