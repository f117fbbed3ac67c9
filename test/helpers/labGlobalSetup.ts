import type { TestProject } from 'vitest/node';
import type { LabEndpoints } from '../../src/shared/api';
import { createLab } from '../../src/engine/lab';

declare module 'vitest' {
  export interface ProvidedContext {
    labEndpoints: LabEndpoints;
    labStartedBySetup: boolean;
  }
}

/**
 * Integration and end-to-end tests run against the real lab. A lab the developer already runs is reused and left
 * running; a lab this setup starts is stopped again when the run ends.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const lab = createLab();
  const before = await lab.status();
  let startedHere = false;
  if (!before.running) {
    process.stderr.write(`[lab] starting the lab in ${before.dir} for the ${project.name} tests…\n`);
    const result = await lab.up();
    // Only a lab this run found entirely stopped is stopped again at the end. A lab that was up but missing a service
    // (one added by a newer checkout, e.g. a new default service) is the shared lab others are using: `down` would
    // stop all of it under them.
    const wasDown = before.services.every((service) => service.state !== 'running');
    startedHere = wasDown && result.started.length > 0;
    process.stderr.write(`[lab] up in ${result.seconds.toFixed(1)} s (started ${result.started.join(', ') || 'none'})\n`);
  }
  const status = await lab.status();
  project.provide('labEndpoints', status.endpoints);
  project.provide('labStartedBySetup', startedHere);
  return async () => {
    if (startedHere) {
      process.stderr.write('[lab] stopping the lab this run started…\n');
      await lab.down();
    }
    lab.dispose();
  };
}
