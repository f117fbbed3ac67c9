import type { Event } from '../event';
import { isEventMember, type ITransport } from './protocol';

/**
 * A typed proxy over a transport: `client.lab.up()` becomes `invoke('lab.up', [])`, and
 * `client.lab.onDidChangeStatus(fn)` becomes `subscribe('lab.onDidChangeStatus', fn)`.
 * Only plain serialisable values cross, so T must be an API of data-in, data-out methods and events.
 */
export function createRpcClient<T extends object>(transport: ITransport): T {
  const namespaces = new Map<string, object>();
  const namespaceProxy = (namespace: string): object =>
    new Proxy(
      {},
      {
        get(_target, member) {
          if (typeof member !== 'string' || member === 'then') return undefined;
          const path = `${namespace}.${member}`;
          if (isEventMember(member)) {
            const event: Event<unknown> = (listener) => transport.subscribe(path, listener);
            return event;
          }
          return (...args: unknown[]) => transport.invoke(path, args);
        },
      },
    );
  return new Proxy({} as T, {
    get(_target, namespace) {
      // `then` must stay undefined so the client is not mistaken for a promise when awaited or returned.
      if (typeof namespace !== 'string' || namespace === 'then') return undefined;
      let proxy = namespaces.get(namespace);
      if (!proxy) {
        proxy = namespaceProxy(namespace);
        namespaces.set(namespace, proxy);
      }
      return proxy;
    },
  });
}
