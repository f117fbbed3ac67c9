import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isPortFree } from '../../src/engine/lab/ports';
import { freeLabPortOffset, labPortOffsetCandidates, labPortsAt, releaseLabPortOffset } from '../helpers/labPorts';

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('freeLabPortOffset (test helper for private labs)', () => {
  const offsets: number[] = [];
  const servers: Server[] = [];
  afterEach(async () => {
    for (const offset of offsets.splice(0)) releaseLabPortOffset(offset);
    await Promise.all(servers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  });

  it('returns offsets whose every lab port is free, never the same one twice while claimed', async () => {
    for (let i = 0; i < 5; i += 1) offsets.push(await freeLabPortOffset());
    expect(new Set(offsets).size).toBe(5);
    const ports = offsets.flatMap(labPortsAt);
    // Claimed offsets never share a port, even before anything binds them.
    expect(new Set(ports).size).toBe(ports.length);
    for (const port of ports) expect(await isPortFree(port)).toBe(true);
  });

  it('gives labs at any two candidate offsets no port in common', () => {
    // With offsets 10 apart, a lab's Kafka controller (19093) met the Connect port (18083) of a lab 1,010 above it.
    const ports = labPortOffsetCandidates().flatMap(labPortsAt);
    expect(new Set(ports).size).toBe(ports.length);
  });

  it('skips every offset one of whose ports is taken', async () => {
    const candidates = labPortOffsetCandidates();
    const kept = await freeLabPortOffset();
    releaseLabPortOffset(kept);
    // One port of every other offset taken (some may be taken already): only `kept` is left to return.
    for (const offset of candidates.filter((o) => o !== kept)) {
      const port = labPortsAt(offset)[candidates.indexOf(offset) % 6] as number;
      const server = await listen(port).catch(() => undefined);
      if (server) servers.push(server);
    }
    const offset = await freeLabPortOffset();
    offsets.push(offset);
    expect(offset).toBe(kept);
  });
});
