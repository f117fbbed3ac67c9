import { createLab } from '../lab';
import { runDemo, type DemoReport } from '../demo/demo';
import { progressLine } from './cliRun';

function table(report: DemoReport): string {
  const rows = report.tables.map(
    (entry) =>
      `  ${entry.table.padEnd(20)} ${String(entry.sourceRows).padStart(7)} ${String(entry.targetRows).padStart(7)}  ${entry.sourceChecksum.slice(0, 12)}  ${entry.targetChecksum.slice(0, 12)}  ${entry.equal ? 'equal' : 'DIFFERENT'}`,
  );
  return [`  ${'table'.padEnd(20)} ${'source'.padStart(7)} ${'target'.padStart(7)}  ${'source sum'.padEnd(12)}  ${'target sum'.padEnd(12)}`, ...rows].join('\n');
}

/** `ferry demo`: the embedded default pipeline end to end, then a source/target comparison. Exit 0 when equal. */
export async function runDemoCommand(options: { rows: number; seconds: number; json: boolean }): Promise<number> {
  const lab = createLab();
  try {
    const report = await runDemo(lab, {
      rows: options.rows,
      simulateSeconds: options.seconds,
      onStep: (step) => process.stderr.write(`${step}\n`),
      onStatus: options.json || !process.stderr.isTTY ? undefined : (status) => process.stderr.write(`\r\x1b[2K${progressLine(status).slice(0, 150)}`),
    });
    if (!options.json && process.stderr.isTTY) process.stderr.write('\n');
    if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else {
      process.stdout.write(
        `${report.equal ? 'Source and target are equal' : 'Source and target DIFFER'} after ${report.seconds.toFixed(1)} s ` +
          `(${report.simulated.orders} orders, ${report.simulated.orderLines} lines, ${report.simulated.updates} updates, ${report.simulated.cancellations} cancellations (deletes) simulated; Kafka ${report.kafka}).\n${table(report)}\n` +
          `${progressLine(report.pipeline)}\n`,
      );
    }
    return report.equal ? 0 : 1;
  } finally {
    lab.dispose();
  }
}
