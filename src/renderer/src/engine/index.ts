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

const connected = connect();
export const engine: IEngineApi = connected.engine;
export const engineConnection: EngineConnection = connected.connection;
