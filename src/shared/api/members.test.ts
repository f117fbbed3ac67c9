import { describe, expect, it } from 'vitest';
import type { RpcMembers } from '../rpc/protocol';
import type { IEngineApi } from './index';
import { ENGINE_API_MEMBERS } from './members';

describe('the engine API allow-list', () => {
  it('is checked by the compiler against the interfaces', () => {
    // Type-level checks (npm test type-checks this file): each line must fail to compile, or tsc reports the
    // unused @ts-expect-error.
    // @ts-expect-error a namespace member missing from the list
    const missing = { ...ENGINE_API_MEMBERS, system: {} } satisfies RpcMembers<IEngineApi>;
    // @ts-expect-error a member the interface does not declare (a settings getter holding a password)
    const extra = { ...ENGINE_API_MEMBERS, connections: { ...ENGINE_API_MEMBERS.connections, sqlSettings: 'method' } } satisfies RpcMembers<IEngineApi>;
    // @ts-expect-error an event listed as a method
    const wrongKind = { ...ENGINE_API_MEMBERS, verify: { ...ENGINE_API_MEMBERS.verify, onDidProgress: 'method' } } satisfies RpcMembers<IEngineApi>;
    expect([missing, extra, wrongKind]).toHaveLength(3);
  });

  it('marks exactly the onDid… members as events', () => {
    for (const [namespace, members] of Object.entries(ENGINE_API_MEMBERS)) {
      for (const [member, kind] of Object.entries(members)) expect(kind, `${namespace}.${member}`).toBe(/^onDid[A-Z]/.test(member) ? 'event' : 'method');
    }
  });
});
