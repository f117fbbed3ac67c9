import { type Lab, LabImpl, type LabOptions } from './lab';

export type { Lab, LabOptions } from './lab';
export type { LabPorts } from './ports';
export { DEFAULT_LAB_PORTS } from './ports';
export type { LabErrorCode } from './errors';

/** The local real services (two Kafka clusters, MariaDB, PostgreSQL). Disposing it never stops them. */
export function createLab(options?: LabOptions): Lab {
  return new LabImpl(options);
}
