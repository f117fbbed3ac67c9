import type { WireError } from '../errors';
import type { IDisposable } from '../lifecycle';

/**
 * What a host transport hands to the RPC server: a call and a subscription, both addressed by a dotted
 * path `namespace.member` (e.g. `lab.up`, `lab.onDidChangeStatus`). Arguments and results are plain JSON.
 */
export interface IRpcHandler {
  invoke(path: string, args: readonly unknown[]): Promise<unknown>;
  subscribe(path: string, listener: (payload: unknown) => void): IDisposable;
}

/** Server side of a transport: delivers incoming calls and subscriptions to the handler until disposed. */
export interface IRpcServerTransport {
  listen(handler: IRpcHandler): IDisposable;
}

/**
 * Client side of a transport. `invoke` rejects with an EngineError rebuilt from the wire error.
 * Electron IPC and WebSocket both implement this; nothing else in the renderer knows which one is in use.
 */
export interface ITransport {
  invoke(path: string, args: readonly unknown[]): Promise<unknown>;
  subscribe(path: string, listener: (payload: unknown) => void): IDisposable;
}

/** Messages of the WebSocket transport (Electron IPC uses its own channels with the same payloads). */
export type RpcClientMessage =
  | { type: 'invoke'; id: number; path: string; args: unknown[] }
  | { type: 'subscribe'; id: number; path: string }
  | { type: 'unsubscribe'; id: number };

export type RpcServerMessage =
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; error: WireError }
  | { type: 'event'; id: number; payload: unknown };

/** Electron IPC channel names. The preload refuses any channel that does not start with `engine:`. */
export const IPC_CHANNEL_PREFIX = 'engine:';
export const IPC_INVOKE_CHANNEL = 'engine:invoke';
export const IPC_SUBSCRIBE_CHANNEL = 'engine:subscribe';
export const IPC_UNSUBSCRIBE_CHANNEL = 'engine:unsubscribe';
export const IPC_EVENT_CHANNEL = 'engine:event';

const PATH_PATTERN = /^([a-z][A-Za-z0-9]*)\.([a-z][A-Za-z0-9]*)$/;

export interface RpcPath {
  namespace: string;
  member: string;
}

/** Parses `namespace.member`; rejects anything else so a caller can never reach prototypes or internals. */
export function parseRpcPath(path: string): RpcPath | undefined {
  const match = PATH_PATTERN.exec(path);
  if (!match || match[1] === undefined || match[2] === undefined) return undefined;
  // Members every object inherits (constructor, toString, __proto__ getters…) are never part of the API.
  if (match[2] in Object.prototype) return undefined;
  return { namespace: match[1], member: match[2] };
}

/**
 * The members a namespace serves: every member of its interface, each marked as a call or an event by the same naming
 * rule the client uses. Written as `{ … } as const satisfies RpcMembers<IMyApi>` the compiler refuses a list that
 * misses a member, names one the interface lacks, or calls an event a method, so the allow-list cannot drift from
 * the interface: adding a member is one interface edit, and the build fails until it is listed.
 */
export type RpcNamespaceMembers<N> = { readonly [K in keyof N]-?: K extends `onDid${string}` ? 'event' : 'method' };
/** The allow-list of a whole API, namespace by namespace. The RPC server dispatches nothing else. */
export type RpcMembers<T> = { readonly [N in keyof T]-?: RpcNamespaceMembers<T[N]> };

export function isEventMember(member: string): boolean {
  return /^onDid[A-Z]/.test(member);
}
