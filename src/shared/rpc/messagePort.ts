import { fromWireError, isWireError, toWireError } from '../errors';
import { type IDisposable, toDisposable } from '../lifecycle';
import type { IRpcServerTransport, ITransport, RpcClientMessage, RpcServerMessage } from './protocol';

/**
 * A bidirectional message channel carrying JSON text (a WebSocket, a MessagePort). Keeping the RPC logic on
 * top of this one shape means the WebSocket host and any future channel share the same, tested code.
 */
export interface IMessagePort {
  send(text: string): void;
  onMessage(listener: (text: string) => void): IDisposable;
  onClose(listener: () => void): IDisposable;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isClientMessage(value: unknown): value is RpcClientMessage {
  if (typeof value !== 'object' || value === null) return false;
  const message = value as Record<string, unknown>;
  if (typeof message.id !== 'number') return false;
  switch (message.type) {
    case 'invoke':
      return typeof message.path === 'string' && Array.isArray(message.args);
    case 'subscribe':
      return typeof message.path === 'string';
    case 'unsubscribe':
      return true;
    default:
      return false;
  }
}

function isServerMessage(value: unknown): value is RpcServerMessage {
  if (typeof value !== 'object' || value === null) return false;
  const message = value as Record<string, unknown>;
  return typeof message.id === 'number' && (message.type === 'result' || message.type === 'event');
}

/** Serves calls arriving on one port; subscriptions end when the port closes or the server is disposed. */
export function createMessagePortServerTransport(port: IMessagePort): IRpcServerTransport {
  return {
    listen(handler) {
      const subscriptions = new Map<number, IDisposable>();
      const reply = (message: RpcServerMessage): void => port.send(JSON.stringify(message));
      const disposeAll = (): void => {
        for (const subscription of subscriptions.values()) subscription.dispose();
        subscriptions.clear();
      };
      const messageListener = port.onMessage((text) => {
        const message = parse(text);
        if (!isClientMessage(message)) return;
        switch (message.type) {
          case 'invoke':
            handler.invoke(message.path, message.args).then(
              (value) => reply({ type: 'result', id: message.id, ok: true, value: value ?? null }),
              (error: unknown) => reply({ type: 'result', id: message.id, ok: false, error: toWireError(error) }),
            );
            break;
          case 'subscribe':
            try {
              subscriptions.set(
                message.id,
                handler.subscribe(message.path, (payload) => reply({ type: 'event', id: message.id, payload })),
              );
              reply({ type: 'result', id: message.id, ok: true, value: null });
            } catch (error) {
              reply({ type: 'result', id: message.id, ok: false, error: toWireError(error) });
            }
            break;
          case 'unsubscribe':
            subscriptions.get(message.id)?.dispose();
            subscriptions.delete(message.id);
            break;
        }
      });
      const closeListener = port.onClose(disposeAll);
      return toDisposable(() => {
        messageListener.dispose();
        closeListener.dispose();
        disposeAll();
      });
    },
  };
}

/** Client over one port. Pending calls reject when the port closes, so no caller waits forever. */
export function createMessagePortClientTransport(port: IMessagePort): ITransport & IDisposable {
  let nextId = 1;
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: unknown): void }>();
  const listeners = new Map<number, (payload: unknown) => void>();

  const messageListener = port.onMessage((text) => {
    const message = parse(text);
    if (!isServerMessage(message)) return;
    if (message.type === 'event') {
      listeners.get(message.id)?.(message.payload);
      return;
    }
    const call = pending.get(message.id);
    if (!call) return;
    pending.delete(message.id);
    if (message.ok) call.resolve(message.value);
    else call.reject(isWireError(message.error) ? fromWireError(message.error) : new Error('Malformed engine error'));
  });
  const closeListener = port.onClose(() => {
    for (const call of pending.values()) {
      call.reject(fromWireError({ name: 'EngineError', code: 'RPC_DISCONNECTED', message: 'The connection to the Ferry engine was lost. Restart `ferry web` and reload the page.', retriable: true }));
    }
    pending.clear();
  });

  const send = (message: RpcClientMessage): void => port.send(JSON.stringify(message));

  return {
    invoke(path, args) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        send({ type: 'invoke', id, path, args: [...args] });
      });
    },
    subscribe(path, listener) {
      const id = nextId++;
      listeners.set(id, listener);
      pending.set(id, {
        resolve: () => {},
        reject: (error) => {
          listeners.delete(id);
          queueMicrotask(() => {
            throw error;
          });
        },
      });
      send({ type: 'subscribe', id, path });
      return toDisposable(() => {
        listeners.delete(id);
        pending.delete(id);
        send({ type: 'unsubscribe', id });
      });
    },
    dispose() {
      messageListener.dispose();
      closeListener.dispose();
      pending.clear();
      listeners.clear();
    },
  };
}
