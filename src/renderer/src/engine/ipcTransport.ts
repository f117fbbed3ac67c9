import type { FerryBridge } from '../../../preload/bridge';
import { fromWireError, isWireError } from '../../../shared/errors';
import { toDisposable } from '../../../shared/lifecycle';
import {
  IPC_EVENT_CHANNEL,
  IPC_INVOKE_CHANNEL,
  IPC_SUBSCRIBE_CHANNEL,
  IPC_UNSUBSCRIBE_CHANNEL,
  type ITransport,
} from '../../../shared/rpc';

type Envelope = { ok: true; value: unknown } | { ok: false; error: unknown };

function unwrap(envelope: unknown): unknown {
  const result = envelope as Envelope;
  if (result.ok) return result.value;
  throw isWireError(result.error) ? fromWireError(result.error) : new Error('Malformed engine error');
}

/** The desktop app's transport, over the preload bridge's `engine:` channels. */
export function createIpcTransport(bridge: FerryBridge): ITransport {
  let nextId = 1;
  const listeners = new Map<number, (payload: unknown) => void>();
  bridge.subscribe(IPC_EVENT_CHANNEL, (id, payload) => {
    if (typeof id === 'number') listeners.get(id)?.(payload);
  });
  return {
    async invoke(path, args) {
      return unwrap(await bridge.invoke(IPC_INVOKE_CHANNEL, path, [...args]));
    },
    subscribe(path, listener) {
      const id = nextId++;
      listeners.set(id, listener);
      bridge.invoke(IPC_SUBSCRIBE_CHANNEL, id, path).then(unwrap).catch((error: unknown) => {
        listeners.delete(id);
        console.error(error);
      });
      return toDisposable(() => {
        listeners.delete(id);
        void bridge.invoke(IPC_UNSUBSCRIBE_CHANNEL, id);
      });
    },
  };
}
