import { LAB_DEFAULT_SERVICES, type LabServiceStatus, type LabStatus, type LabUpResult } from '../../shared/api';
import type { Engine } from '../index';

export type LabCommand = 'up' | 'down' | 'status' | 'reset';
export const LAB_COMMANDS: readonly LabCommand[] = ['up', 'down', 'status', 'reset'];

/** The JSON scripts rely on: endpoint keys at the top level, then where the lab lives and each service's state. */
export function labJson(status: LabStatus | LabUpResult): Record<string, unknown> {
  const { endpoints, ...rest } = status;
  return { ...endpoints, lab: rest };
}

function serviceLine(service: LabServiceStatus): string {
  const pid = service.pid === undefined ? '' : `pid ${service.pid}`;
  return `  ${service.name.padEnd(10)} ${service.state.padEnd(8)} ${service.endpoint.padEnd(16)} ${pid.padEnd(11)} log ${service.logFile}`;
}

export function formatLabStatus(status: LabStatus): string {
  const lines = [`Lab directory: ${status.dir}`, ...status.services.map(serviceLine)];
  for (const service of status.services) {
    if (service.error) lines.push(`  ${service.name}: ${service.error}`);
  }
  if (status.running) {
    const { kafka, mariadb, postgres } = status.endpoints;
    lines.push(
      '',
      `Kafka a:    ${kafka.a.bootstrap}${kafka.a.schemaRegistry ? `  Schema Registry ${kafka.a.schemaRegistry.url}` : ''}`,
      `Kafka b:    ${kafka.b.bootstrap}${kafka.b.schemaRegistry ? `  Schema Registry ${kafka.b.schemaRegistry.url}` : ''}`,
      `MariaDB:    mysql://${mariadb.user}@${mariadb.host}:${mariadb.port}/${mariadb.database}`,
      `PostgreSQL: postgres://${postgres.user}@${postgres.host}:${postgres.port}/${postgres.database}`,
      ...(status.services.some((service) => service.name === 'connect' && service.state === 'running') ? [`Connect:    ${status.endpoints.connect.url}`] : []),
      'Passwords: `ferry lab status --json`.',
    );
  }
  return lines.join('\n');
}

function formatUp(result: LabUpResult): string {
  const started = result.started.length > 0 ? result.started.join(', ') : 'none';
  const reused = result.reused.length > 0 ? result.reused.join(', ') : 'none';
  const headline =
    result.started.length === 0
      ? `Lab already running; reused ${reused}.`
      : `Lab up in ${result.seconds.toFixed(1)} s (started ${started}; reused ${reused}).`;
  return `${headline}\n${formatLabStatus(result)}`;
}

/** Runs one `ferry lab …` command; progress goes to stderr so stdout stays clean JSON with --json. */
export async function runLabCommand(engine: Engine, command: LabCommand, json: boolean, options: { connect?: boolean } = {}): Promise<number> {
  const print = (text: string): void => void process.stdout.write(`${text}\n`);
  // Each event carries the whole lab; print only the services whose state changed since the last one.
  const lastState = new Map<string, string>();
  const initial = await engine.lab.status();
  for (const service of initial.services) lastState.set(service.name, service.state);
  const progress = engine.lab.onDidChangeStatus((status) => {
    for (const service of status.services) {
      if (lastState.get(service.name) === service.state) continue;
      lastState.set(service.name, service.state);
      const suffix = service.state === 'starting' || service.state === 'stopping' ? '…' : '';
      process.stderr.write(`${service.name.padEnd(9)} ${service.state}${suffix}\n`);
    }
  });
  try {
    switch (command) {
      case 'up': {
        // Ctrl-C while services start: stop what this command started instead of leaving it half up.
        const interrupt = (): void => {
          process.stderr.write('\nInterrupted: stopping the services this command started…\n');
          void engine.lab.cancel();
        };
        process.once('SIGINT', interrupt);
        let result: LabUpResult;
        try {
          result = await engine.lab.up(options.connect ? { services: [...LAB_DEFAULT_SERVICES, 'connect'] } : {});
        } finally {
          process.off('SIGINT', interrupt);
        }
        print(json ? JSON.stringify(labJson(result), null, 2) : formatUp(result));
        return 0;
      }
      case 'status': {
        const status = await engine.lab.status();
        print(json ? JSON.stringify(labJson(status), null, 2) : formatLabStatus(status));
        return 0;
      }
      case 'down': {
        const status = await engine.lab.down();
        print(json ? JSON.stringify(labJson(status), null, 2) : 'Lab stopped.');
        return 0;
      }
      case 'reset': {
        const status = await engine.lab.reset();
        print(json ? JSON.stringify(labJson(status), null, 2) : `Lab stopped and ${status.dir} wiped.`);
        return 0;
      }
    }
  } finally {
    progress.dispose();
  }
}
