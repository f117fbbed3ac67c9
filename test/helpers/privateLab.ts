import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createLab, type Lab } from '../../src/engine/lab';
import { isPidAlive } from '../../src/engine/lab/processes';
import { isEngineError } from '../../src/shared/errors';
import type { LabEndpoints, LabServiceName } from '../../src/shared/api';
import { freeLabPortOffset, releaseLabPortOffset } from './labPorts';
import { until } from './until';

// A lab of a test's own, for faults that would disturb everyone else's tests on the shared lab: pausing, killing
// and restarting a broker or a database. Ports come from freeLabPortOffset (a claimed, free FERRY_LAB_PORT_OFFSET);
// the services are the lab's real processes, signalled by the pids the lab recorded (never by name).

export interface PrivateLab {
  readonly lab: Lab;
  readonly offset: number;
  readonly endpoints: LabEndpoints;
  /** The pid of a running service, as the lab recorded it. */
  pid(service: LabServiceName): Promise<number>;
  /** SIGSTOP: the process stays, its sockets stay open, nothing answers (a hung broker or database). */
  pause(service: LabServiceName): Promise<void>;
  /** SIGCONT after `pause`. */
  resume(service: LabServiceName): Promise<void>;
  /** Ends a service with `signal` (SIGKILL: a crash; SIGTERM or, for PostgreSQL, SIGINT: a clean shutdown) and waits until its process is gone. */
  kill(service: LabServiceName, signal: 'SIGKILL' | 'SIGTERM' | 'SIGINT'): Promise<void>;
  /** Starts a stopped service again, same data, same ports, same passwords. */
  start(service: LabServiceName): Promise<void>;
  /** Stops every service, removes the lab's directory. */
  close(): Promise<void>;
}

/**
 * Starts `services` on a free, claimed FERRY_LAB_PORT_OFFSET (labPorts.ts); `up` is tried again at another offset
 * when something else took a port between the probe and the start.
 */
export async function startPrivateLab(services: LabServiceName[], label: string): Promise<PrivateLab> {
  for (let attempt = 1; ; attempt++) {
    const offset = await freeLabPortOffset();
    const dir = mkdtempSync(`/var/tmp/ferry-lab-${label}-`);
    // The lab's services may run as another user (PostgreSQL refuses root); they need to reach their directory.
    chmodSync(dir, 0o755);
    const lab = createLab({ dir, env: { ...process.env, FERRY_LAB_PORT_OFFSET: String(offset) } });
    try {
      const up = await lab.up({ services });
      return privateLab(lab, dir, offset, up.endpoints);
    } catch (error) {
      await lab.down().catch(() => undefined);
      lab.dispose();
      rmSync(dir, { recursive: true, force: true });
      releaseLabPortOffset(offset);
      if (isEngineError(error) && error.code === 'LAB_PORT_BUSY' && attempt < 3) continue;
      throw error;
    }
  }
}

function privateLab(lab: Lab, dir: string, offset: number, endpoints: LabEndpoints): PrivateLab {
  const paused = new Set<number>();
  const pid = async (service: LabServiceName): Promise<number> => {
    const status = (await lab.status()).services.find((s) => s.name === service);
    if (status?.state !== 'running' || status.pid === undefined) throw new Error(`private lab service ${service} is not running (${status?.state ?? 'unknown'})`);
    return status.pid;
  };
  return {
    lab,
    offset,
    endpoints,
    pid,
    async pause(service) {
      const id = await pid(service);
      process.kill(id, 'SIGSTOP');
      paused.add(id);
    },
    async resume(service) {
      const id = await pid(service);
      process.kill(id, 'SIGCONT');
      paused.delete(id);
    },
    async kill(service, signal) {
      const id = await pid(service);
      if (paused.delete(id)) process.kill(id, 'SIGCONT');
      process.kill(id, signal);
      // A zombie still answers kill(0); its /proc state says it is dead.
      const gone = (): boolean => !isPidAlive(id) || /\)\s+[ZX]\s/.test(readFileSync(`/proc/${id}/stat`, 'utf8'));
      await until(async () => {
        try {
          return gone();
        } catch {
          return true;
        }
      }, `${service} (pid ${id}) to exit after ${signal}`, 60_000);
    },
    async start(service) {
      await lab.up({ services: [service] });
    },
    async close() {
      for (const id of paused) {
        try {
          process.kill(id, 'SIGCONT');
        } catch {
          // already gone
        }
      }
      paused.clear();
      await lab.down().catch(() => undefined);
      lab.dispose();
      rmSync(dir, { recursive: true, force: true });
      releaseLabPortOffset(offset);
    },
  };
}
