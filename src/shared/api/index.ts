import type { IConnectApi } from './connect';
import type { IConnectionsApi } from './connections';
import type { IDemoApi } from './demo';
import type { ILabApi } from './lab';
import type { IPipelinesApi } from './pipelines';
import type { IQueryApi } from './query';
import type { IReplicatorsApi } from './replicators';
import type { ISchemasApi } from './schemas';
import type { ISystemApi } from './system';
import type { ITopicsApi } from './topics';
import type { ITraceApi } from './trace';
import type { IVerifyApi } from './verify';

export type * from './connect';
export type * from './connections';
export type * from './demo';
export type * from './lab';
export type * from './pipelines';
export type * from './query';
export type * from './replicators';
export type * from './schemas';
export type * from './system';
export type * from './topics';
export type * from './trace';
export type * from './verify';
export { PROFILE_ENVIRONMENTS } from './connections';
export { LAB_DEFAULT_SERVICES, LAB_OPTIONAL_SERVICES, LAB_SERVICE_NAMES } from './lab';
export { ENGINE_API_MEMBERS } from './members';
export { COMPATIBILITY_LEVEL_NAMES } from './schemas';
export { OFFSET_RESET_TARGETS, START_MODES } from './topics';

/**
 * The one contract between the engine and every host. Namespaces are added here as features land
 * (connections, topics, schemas, replicators, verify); both sides fail to compile until they agree.
 */
export interface IEngineApi {
  connect: IConnectApi;
  connections: IConnectionsApi;
  demo: IDemoApi;
  lab: ILabApi;
  pipelines: IPipelinesApi;
  query: IQueryApi;
  replicators: IReplicatorsApi;
  schemas: ISchemasApi;
  system: ISystemApi;
  topics: ITopicsApi;
  trace: ITraceApi;
  verify: IVerifyApi;
}

export type EngineNamespace = keyof IEngineApi;
