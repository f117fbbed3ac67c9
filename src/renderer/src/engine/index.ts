import type { IEngineApi } from '../../../shared/api';
import { createRpcClient } from '../../../shared/rpc';
import { createIpcTransport } from './ipcTransport';
import { createWebSocketTransport } from './wsTransport';

export type EngineConnection = 'electron' | 'web';

/**
 * The only place in the renderer that knows how it reaches the engine: the preload bridge in the desktop app,
 * the token-guarded WebSocket in a browser. Everything else uses the typed `engine` client.
 */
function connect(): { engine: IEngineApi; connection: EngineConnection } {
  if (window.ferry) return { engine: createRpcClient<IEngineApi>(createIpcTransport(window.ferry)), connection: 'electron' };
  const transport = createWebSocketTransport(window.location, () => {
    for (const listener of disconnectListeners) listener();
  });
  return { engine: createRpcClient<IEngineApi>(transport), connection: 'web' };
}

const disconnectListeners = new Set<() => void>();

export function onEngineDisconnected(listener: () => void): () => void {
  disconnectListeners.add(listener);
  return () => void disconnectListeners.delete(listener);
}

/**
 * Web host only: whether the host answers this page's token again (it keeps its port and token per workspace across
 * restarts). Opens and closes one socket; the app reloads when it answers, which reconnects everything at once.
 */
export function probeEngine(): Promise<boolean> {
  if (window.ferry) return Promise.resolve(false);
  return new Promise((resolve) => {
    const token = new URLSearchParams(window.location.search).get('token') ?? '';
    const socket = new WebSocket(`ws://${window.location.host}/rpc?token=${encodeURIComponent(token)}`);
    socket.addEventListener('open', () => {
      socket.close();
      resolve(true);
    });
    socket.addEventListener('error', () => resolve(false));
  });
}

const connected = connect();
export const engine: IEngineApi = connected.engine;
export const engineConnection: EngineConnection = connected.connection;
