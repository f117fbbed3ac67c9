import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { toWireError } from '../shared/errors';
import { type IDisposable, toDisposable } from '../shared/lifecycle';
import {
  IPC_EVENT_CHANNEL,
  IPC_INVOKE_CHANNEL,
  IPC_SUBSCRIBE_CHANNEL,
  IPC_UNSUBSCRIBE_CHANNEL,
  type IRpcServerTransport,
} from '../shared/rpc/protocol';

/** Electron turns thrown errors into bare strings, so results travel as an envelope that keeps the wire error. */
export type IpcResult = { ok: true; value: unknown } | { ok: false; error: ReturnType<typeof toWireError> };

/**
 * Serves the API to windows over `engine:` IPC channels. Subscriptions are per window and end when its
 * contents are destroyed, so a closed window leaves no listener behind in the engine.
 */
export function createIpcServerTransport(isTrustedSender: (sender: WebContents) => boolean): IRpcServerTransport {
  return {
    listen(handler) {
      const subscriptions = new Map<WebContents, Map<number, IDisposable>>();
      const forSender = (sender: WebContents): Map<number, IDisposable> => {
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
      const refuse = (): IpcResult => ({
        ok: false,
        error: { name: 'EngineError', code: 'RPC_FORBIDDEN', message: 'This window may not call the engine.', retriable: false },
      });

      ipcMain.handle(IPC_INVOKE_CHANNEL, async (event: IpcMainInvokeEvent, path: unknown, args: unknown): Promise<IpcResult> => {
        if (!isTrustedSender(event.sender)) return refuse();
        try {
          const value = await handler.invoke(String(path), Array.isArray(args) ? args : []);
          return { ok: true, value: value ?? null };
        } catch (error) {
          return { ok: false, error: toWireError(error) };
        }
      });
      ipcMain.handle(IPC_SUBSCRIBE_CHANNEL, (event: IpcMainInvokeEvent, id: unknown, path: unknown): IpcResult => {
        if (!isTrustedSender(event.sender) || typeof id !== 'number') return refuse();
        try {
          const sender = event.sender;
          const subscription = handler.subscribe(String(path), (payload) => {
            if (!sender.isDestroyed()) sender.send(IPC_EVENT_CHANNEL, id, payload);
          });
          forSender(sender).set(id, subscription);
          return { ok: true, value: null };
        } catch (error) {
          return { ok: false, error: toWireError(error) };
        }
      });
      ipcMain.handle(IPC_UNSUBSCRIBE_CHANNEL, (event: IpcMainInvokeEvent, id: unknown): IpcResult => {
        if (typeof id === 'number') {
          subscriptions.get(event.sender)?.get(id)?.dispose();
          subscriptions.get(event.sender)?.delete(id);
        }
        return { ok: true, value: null };
      });

      return toDisposable(() => {
        ipcMain.removeHandler(IPC_INVOKE_CHANNEL);
        ipcMain.removeHandler(IPC_SUBSCRIBE_CHANNEL);
        ipcMain.removeHandler(IPC_UNSUBSCRIBE_CHANNEL);
        for (const map of subscriptions.values()) for (const subscription of map.values()) subscription.dispose();
        subscriptions.clear();
      });
    },
  };
}
