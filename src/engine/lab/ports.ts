import { createServer } from 'node:net';
import type { LabServiceName } from '../../shared/api/lab';
import { type BusyPort, labError, portBusyError } from './errors';
import type { Env } from './paths';

export interface LabPorts {
  kafkaA: number;
  kafkaAController: number;
  kafkaB: number;
  kafkaBController: number;
  mariadb: number;
  postgres: number;
  /** Kafka Connect's REST API. */
  connect: number;
  /** The Schema Registries of cluster a and b (registryService.ts). */
  registryA: number;
  registryB: number;
  /** Azurite's Blob endpoint (not its usual 10000, which a developer's own Azurite may hold). */
  azurite: number;
}

export const DEFAULT_LAB_PORTS: Readonly<LabPorts> = {
  kafkaA: 19092,
  kafkaAController: 19093,
  kafkaB: 29092,
  kafkaBController: 29093,
  mariadb: 13306,
  postgres: 15432,
  connect: 18083,
  registryA: 18081,
  registryB: 28081,
  azurite: 10100,
};

export const LAB_HOST = '127.0.0.1';

/**
 * FERRY_LAB_PORT_OFFSET shifts the defaults so a second lab (another checkout, a CI job) can run beside the first.
 * Ports given explicitly in options are taken as they are.
 */
export function resolvePorts(env: Env, explicit: Partial<LabPorts> = {}): LabPorts {
  const raw = env.FERRY_LAB_PORT_OFFSET?.trim();
  const offset = raw ? Number(raw) : 0;
  if (!Number.isInteger(offset)) {
    throw labError('LAB_BAD_CONFIG', `FERRY_LAB_PORT_OFFSET must be a whole number, got "${raw ?? ''}". Unset it or set e.g. FERRY_LAB_PORT_OFFSET=100.`);
  }
  const ports = { ...DEFAULT_LAB_PORTS };
  for (const key of Object.keys(ports) as (keyof LabPorts)[]) {
    const given = explicit[key];
    ports[key] = given ?? ports[key] + offset;
    if (!Number.isInteger(ports[key]) || ports[key] < 1 || ports[key] > 65535) {
      throw labError(
        'LAB_BAD_CONFIG',
        `Lab port ${key}=${ports[key]} is outside 1-65535${given === undefined ? ` (FERRY_LAB_PORT_OFFSET=${offset})` : ''}. Choose a smaller offset or port.`,
      );
    }
  }
  const seen = new Map<number, keyof LabPorts>();
  for (const key of Object.keys(ports) as (keyof LabPorts)[]) {
    const other = seen.get(ports[key]);
    if (other) throw labError('LAB_BAD_CONFIG', `Lab ports ${other} and ${key} are both ${ports[key]}; give each service its own port.`);
    seen.set(ports[key], key);
  }
  return ports;
}

/** Every port a service listens on; the first is the one clients use. */
export function servicePorts(ports: LabPorts, name: LabServiceName): number[] {
  switch (name) {
    case 'kafka-a':
      return [ports.kafkaA, ports.kafkaAController];
    case 'kafka-b':
      return [ports.kafkaB, ports.kafkaBController];
    case 'mariadb':
      return [ports.mariadb];
    case 'postgres':
      return [ports.postgres];
    case 'connect':
      return [ports.connect];
    case 'registry-a':
      return [ports.registryA];
    case 'registry-b':
      return [ports.registryB];
    case 'azurite':
      return [ports.azurite];
  }
}

/**
 * Binding is the only honest test: a connect probe misses listeners that refuse connections, and a listener on
 * 0.0.0.0 or [::] also blocks 127.0.0.1. Only EADDRINUSE/EACCES mean busy; anything else is left to the service.
 */
export function isPortFree(port: number, host: string = LAB_HOST): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => {
      resolvePromise(!(error.code === 'EADDRINUSE' || error.code === 'EACCES'));
    });
    server.listen({ host, port, exclusive: true }, () => {
      server.close(() => resolvePromise(true));
    });
  });
}

export async function findBusyPorts(wanted: readonly BusyPort[], host: string = LAB_HOST): Promise<BusyPort[]> {
  const results = await Promise.all(wanted.map(async (w) => ({ ...w, free: await isPortFree(w.port, host) })));
  return results.filter((r) => !r.free).map(({ port, service }) => ({ port, service }));
}

export async function assertPortsFree(wanted: readonly BusyPort[], host: string = LAB_HOST): Promise<void> {
  const busy = await findBusyPorts(wanted, host);
  if (busy.length > 0) throw portBusyError(busy);
}
