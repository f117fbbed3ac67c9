import type { ILabApi } from './lab';
import type { ISystemApi } from './system';

export type * from './lab';
export type * from './system';
export { LAB_SERVICE_NAMES } from './lab';

/**
 * The one contract between the engine and every host. Namespaces are added here as features land
 * (connections, pipelines, topics, schemas, replicators, verify); both sides fail to compile until they agree.
 */
export interface IEngineApi {
  lab: ILabApi;
  system: ISystemApi;
}

export type EngineNamespace = keyof IEngineApi;
