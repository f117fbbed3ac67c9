import type { RpcMembers } from '../rpc/protocol';
import type { IEngineApi } from './index';

/**
 * Every member of `IEngineApi` the hosts serve, and nothing else: the WebSocket host and Electron IPC both dispatch
 * through this list, so a helper on a service object (a settings getter returning a password, `dispose`, a runner)
 * can never be reached from a page. `satisfies RpcMembers<IEngineApi>` makes the compiler reject a list that misses
 * or adds a member: a new API member is one interface edit plus one line here.
 */
export const ENGINE_API_MEMBERS = {
  connect: { clusters: 'method', test: 'method', connectors: 'method', config: 'method', pause: 'method', resume: 'method', restart: 'method', deploy: 'method', lineage: 'method' },
  connections: {
    list: 'method',
    save: 'method',
    delete: 'method',
    test: 'method',
    export: 'method',
    import: 'method',
    secretStorage: 'method',
    setSecretStorage: 'method',
    checkWrite: 'method',
    onDidChangeProfiles: 'event',
  },
  demo: { status: 'method', start: 'method', stop: 'method', onDidChangeStatus: 'event' },
  lab: { status: 'method', up: 'method', cancel: 'method', down: 'method', reset: 'method', onDidChangeStatus: 'event' },
  pipelines: {
    validate: 'method',
    start: 'method',
    stop: 'method',
    pause: 'method',
    resume: 'method',
    list: 'method',
    restartConnector: 'method',
    history: 'method',
    schema: 'method',
    preview: 'method',
    replicationSlots: 'method',
    dropReplicationSlots: 'method',
    listFiles: 'method',
    readFile: 'method',
    saveFile: 'method',
    deleteFile: 'method',
    onDidChangeStatus: 'event',
  },
  query: { databases: 'method', run: 'method', cancel: 'method', compare: 'method' },
  replicators: { start: 'method', stop: 'method', list: 'method', status: 'method', onDidChangeStatus: 'event' },
  schemas: { subjects: 'method', versions: 'method', get: 'method', diff: 'method', compatibility: 'method', setCompatibility: 'method' },
  system: { info: 'method' },
  topics: {
    clusters: 'method',
    list: 'method',
    describe: 'method',
    browse: 'method',
    pause: 'method',
    resume: 'method',
    stop: 'method',
    export: 'method',
    produce: 'method',
    overview: 'method',
    create: 'method',
    delete: 'method',
    alterConfigs: 'method',
    groups: 'method',
    group: 'method',
    resetOffsets: 'method',
    onDidReceiveRecords: 'event',
  },
  trace: { row: 'method' },
  verify: { run: 'method', cancel: 'method', onDidProgress: 'event' },
} as const satisfies RpcMembers<IEngineApi>;
