import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EngineError } from '../../shared/errors';
import { assertPortsFree, DEFAULT_LAB_PORTS, findBusyPorts, isPortFree, resolvePorts, servicePorts } from './ports';

/** The EngineError a promise rejects with; fails the test if it resolves or rejects with something else. */
async function failure(promise: Promise<unknown>): Promise<EngineError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof EngineError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}


const servers: Server[] = [];

function listen(host: string, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    servers.push(server);
    server.once('error', reject);
    server.listen({ host, port }, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

describe('resolvePorts', () => {
  it('uses the documented defaults', () => {
    expect(resolvePorts({})).toEqual({ kafkaA: 19092, kafkaAController: 19093, kafkaB: 29092, kafkaBController: 29093, mariadb: 13306, postgres: 15432, connect: 18083, registryA: 18081, registryB: 28081, azurite: 10100 });
  });

  it('shifts every default by FERRY_LAB_PORT_OFFSET so two labs can coexist', () => {
    const ports = resolvePorts({ FERRY_LAB_PORT_OFFSET: '100' });
    for (const key of Object.keys(DEFAULT_LAB_PORTS) as (keyof typeof DEFAULT_LAB_PORTS)[]) {
      expect(ports[key]).toBe(DEFAULT_LAB_PORTS[key] + 100);
    }
  });

  it('takes explicit ports as given, offset or not', () => {
    expect(resolvePorts({ FERRY_LAB_PORT_OFFSET: '100' }, { mariadb: 3407 }).mariadb).toBe(3407);
  });

  it('rejects a non-numeric offset, ports out of range and duplicates with LAB_BAD_CONFIG', () => {
    expect(() => resolvePorts({ FERRY_LAB_PORT_OFFSET: 'ten' })).toThrow(expect.objectContaining({ code: 'LAB_BAD_CONFIG' }));
    expect(() => resolvePorts({ FERRY_LAB_PORT_OFFSET: '60000' })).toThrow(/outside 1-65535/);
    expect(() => resolvePorts({}, { mariadb: 15432 })).toThrow(/both 15432/);
  });

  it('lists the broker port first, then its controller port', () => {
    const ports = resolvePorts({});
    expect(servicePorts(ports, 'kafka-b')).toEqual([29092, 29093]);
    expect(servicePorts(ports, 'postgres')).toEqual([15432]);
  });
});

describe('port conflict detection', () => {
  it('sees a listener on 127.0.0.1', async () => {
    const port = await listen('127.0.0.1');
    expect(await isPortFree(port)).toBe(false);
  });

  it('sees a listener on all interfaces, which also blocks loopback', async () => {
    const port = await listen('0.0.0.0');
    expect(await isPortFree(port)).toBe(false);
  });

  it('reports a free port as free and leaves it free', async () => {
    const port = await listen('127.0.0.1');
    await new Promise<void>((resolve) => servers.pop()?.close(() => resolve()));
    expect(await isPortFree(port)).toBe(true);
    expect(await isPortFree(port)).toBe(true);
  });

  it('names every busy port with its service and says how to move the lab', async () => {
    const busy = await listen('127.0.0.1');
    const free = await listen('127.0.0.1');
    await new Promise<void>((resolve) => servers.pop()?.close(() => resolve()));
    const wanted = [
      { port: busy, service: 'mariadb' },
      { port: free, service: 'postgres' },
    ];
    expect(await findBusyPorts(wanted)).toEqual([{ port: busy, service: 'mariadb' }]);
    const error = await failure(assertPortsFree(wanted));
    expect(error).toMatchObject({ code: 'LAB_PORT_BUSY', retriable: true });
    expect(error.message).toContain(`127.0.0.1:${busy} (mariadb)`);
    expect(error.message).toContain('FERRY_LAB_PORT_OFFSET');
  });
});
