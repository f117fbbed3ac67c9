import type { IDemoApi } from './demo';
import type { ILabApi } from './lab';
import type { IPipelinesApi } from './pipelines';
import type { IReplicatorsApi } from './replicators';
import type { ISystemApi } from './system';
import type { IVerifyApi } from './verify';

export type * from './demo';
export type * from './lab';
export type * from './pipelines';
export type * from './replicators';
export type * from './system';
export type * from './verify';
export { LAB_SERVICE_NAMES } from './lab';

/**
 * The one contract between the engine and every host. Namespaces are added here as features land
 * (connections, topics, schemas, replicators, verify); both sides fail to compile until they agree.
 */
export interface IEngineApi {
  demo: IDemoApi;
  lab: ILabApi;
  pipelines: IPipelinesApi;
  replicators: IReplicatorsApi;
  system: ISystemApi;
  verify: IVerifyApi;
}

export type EngineNamespace = keyof IEngineApi;
