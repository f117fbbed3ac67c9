import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { toDisposable } from '../shared/lifecycle';
import { IPC_INVOKE_CHANNEL, IPC_SUBSCRIBE_CHANNEL, IPC_UNSUBSCRIBE_CHANNEL, type IRpcServerTransport } from '../shared/rpc/protocol';
import { createIpcHandlers } from './ipcHandlers';

export type { IpcResult } from './ipcHandlers';

/** Serves the API to the app's windows over the `engine:` IPC channels (logic and sender checks in ipcHandlers.ts). */
export function createIpcServerTransport(isTrustedSender: (sender: WebContents) => boolean): IRpcServerTransport {
  return {
    listen(handler) {
      const handlers = createIpcHandlers<WebContents>(handler, isTrustedSender);
      ipcMain.handle(IPC_INVOKE_CHANNEL, (event: IpcMainInvokeEvent, path: unknown, args: unknown) => handlers.invoke(event.sender, path, args));
      ipcMain.handle(IPC_SUBSCRIBE_CHANNEL, (event: IpcMainInvokeEvent, id: unknown, path: unknown) => handlers.subscribe(event.sender, id, path));
      ipcMain.handle(IPC_UNSUBSCRIBE_CHANNEL, (event: IpcMainInvokeEvent, id: unknown) => handlers.unsubscribe(event.sender, id));
      return toDisposable(() => {
        ipcMain.removeHandler(IPC_INVOKE_CHANNEL);
        ipcMain.removeHandler(IPC_SUBSCRIBE_CHANNEL);
        ipcMain.removeHandler(IPC_UNSUBSCRIBE_CHANNEL);
        handlers.dispose();
      });
    },
  };
}
