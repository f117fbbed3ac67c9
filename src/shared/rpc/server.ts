import { EngineError } from '../errors';
import type { Event } from '../event';
import type { IDisposable } from '../lifecycle';
import { type IRpcHandler, type IRpcServerTransport, isEventMember, parseRpcPath } from './protocol';

type Namespaces = { [namespace: string]: object };

function lookup(impl: Namespaces, path: string): { target: object; member: string; value: unknown } {
  const parsed = parseRpcPath(path);
  if (!parsed || !Object.prototype.hasOwnProperty.call(impl, parsed.namespace)) {
    throw new EngineError('RPC_UNKNOWN_METHOD', `The engine has no API member "${path}". Update the app and the engine together.`);
  }
  const target = impl[parsed.namespace];
  if (typeof target !== 'object' || target === null) {
    throw new EngineError('RPC_UNKNOWN_METHOD', `The engine has no API namespace "${parsed.namespace}".`);
  }
  const value: unknown = (target as Record<string, unknown>)[parsed.member];
  return { target, member: parsed.member, value };
}

/** Builds the handler a transport calls: dispatches `namespace.member` to the implementation. */
export function createRpcHandler<T extends object>(impl: T): IRpcHandler {
  const namespaces = impl as unknown as Namespaces;
  return {
    async invoke(path, args) {
      const { target, member, value } = lookup(namespaces, path);
      if (isEventMember(member) || typeof value !== 'function') {
        throw new EngineError('RPC_UNKNOWN_METHOD', `"${path}" is not a method of the engine API.`);
      }
      return (value as (...params: unknown[]) => unknown).apply(target, [...args]);
    },
    subscribe(path, listener) {
      const { member, value } = lookup(namespaces, path);
      if (!isEventMember(member) || typeof value !== 'function') {
        throw new EngineError('RPC_UNKNOWN_EVENT', `"${path}" is not an event of the engine API.`);
      }
      return (value as Event<unknown>)(listener);
    },
  };
}

/** Serves `impl` over one transport until the returned disposable is disposed. */
export function serveRpc<T extends object>(impl: T, transport: IRpcServerTransport): IDisposable {
  return transport.listen(createRpcHandler(impl));
}
