import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_CHANNEL_PREFIX } from '../shared/rpc/protocol';
import type { FerryBridge } from './bridge';

function assertEngineChannel(channel: string): void {
  if (typeof channel !== 'string' || !channel.startsWith(IPC_CHANNEL_PREFIX)) {
    throw new Error(`Ferry's preload refuses channel "${String(channel)}": only "${IPC_CHANNEL_PREFIX}" channels reach the engine.`);
  }
}

const bridge: FerryBridge = {
  invoke(channel, ...args) {
    assertEngineChannel(channel);
    return ipcRenderer.invoke(channel, ...args);
  },
  subscribe(channel, listener) {
    assertEngineChannel(channel);
    // The IPC event object carries the sender and must not leak into the page, so only the payload is passed.
    const wrapped = (_event: IpcRendererEvent, ...args: unknown[]): void => listener(...args);
    ipcRenderer.on(channel, wrapped);
    return () => void ipcRenderer.removeListener(channel, wrapped);
  },
};

contextBridge.exposeInMainWorld('ferry', bridge);
