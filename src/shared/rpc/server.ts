import { EngineError } from '../errors';
import type { Event } from '../event';
import type { IDisposable } from '../lifecycle';
import { type IRpcHandler, type IRpcServerTransport, parseRpcPath, type RpcMembers } from './protocol';

type MemberKind = 'method' | 'event';
type AllowList = Readonly<Record<string, Readonly<Record<string, MemberKind>>>>;

function ownValue<V>(record: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

/**
 * Finds the implementation of `namespace.member` only when the allow-list declares it with the expected kind. The
 * implementation objects carry more than the API (helpers other engine parts use, `dispose`, settings holding secrets):
 * reflection over them would serve all of that, so the allow-list, derived from the interfaces, is the only way in.
 */
function lookup(impl: object, allowList: AllowList, path: string, kind: MemberKind): { target: object; value: (...params: unknown[]) => unknown } {
  const unknown = (): EngineError =>
    kind === 'method'
      ? new EngineError('RPC_UNKNOWN_METHOD', `"${path}" is not a method of the engine API. Update the app and the engine together.`)
      : new EngineError('RPC_UNKNOWN_EVENT', `"${path}" is not an event of the engine API. Update the app and the engine together.`);
  const parsed = parseRpcPath(path);
  if (!parsed) throw unknown();
  const namespaceMembers = ownValue(allowList, parsed.namespace);
  if (!namespaceMembers || ownValue(namespaceMembers, parsed.member) !== kind) throw unknown();
  const target = ownValue(impl as Record<string, unknown>, parsed.namespace);
  if (typeof target !== 'object' || target === null) throw unknown();
  const value: unknown = (target as Record<string, unknown>)[parsed.member];
  if (typeof value !== 'function') throw unknown();
  return { target, value: value as (...params: unknown[]) => unknown };
}

/** Builds the handler a transport calls: dispatches `namespace.member` to the implementation, for listed members only. */
export function createRpcHandler<T extends object>(impl: T, members: RpcMembers<T>): IRpcHandler {
  const allowList = members as unknown as AllowList;
  return {
    async invoke(path, args) {
      const { target, value } = lookup(impl, allowList, path, 'method');
      return value.apply(target, [...args]);
    },
    subscribe(path, listener) {
      const { value } = lookup(impl, allowList, path, 'event');
      return (value as Event<unknown>)(listener);
    },
  };
}

/** Serves the listed members of `impl` over one transport until the returned disposable is disposed. */
export function serveRpc<T extends object>(impl: T, members: RpcMembers<T>, transport: IRpcServerTransport): IDisposable {
  return transport.listen(createRpcHandler(impl, members));
}
