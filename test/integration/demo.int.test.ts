import { describe, expect, it } from 'vitest';
import { runDemo } from '../../src/engine/demo/demo';
import { createLab } from '../../src/engine/lab';
import { holdLabServicesLockForFile } from '../helpers/labServicesLock';

// runDemo runs `lab up kafka-a` on the shared lab: not while another file starts or counts its services.
holdLabServicesLockForFile();

describe('ferry demo (the embedded default)', () => {
  it('replicates the simulated order database through the lab Kafka and finds source and target equal', async () => {
    const lab = createLab();
    try {
      const steps: string[] = [];
      // The default's 500 orders: their ~1,500 lines reach the sink in batches of more than 1,000 rows, which a
      // PostgreSQL server would take by COPY and PGlite must take with unnest (CI's e2e demo hung there once).
      const report = await runDemo(lab, { rows: 500, simulateSeconds: 2, onStep: (step) => steps.push(step) });
      expect(report.tables.map((table) => table.table)).toEqual(['customers', 'products', 'sales_orders', 'sales_order_details']);
      for (const table of report.tables) {
        expect(table.sourceRows, table.table).toBeGreaterThan(0);
        expect(table.targetRows, table.table).toBe(table.sourceRows);
        expect(table.targetChecksum, table.table).toBe(table.sourceChecksum);
      }
      expect(report.equal).toBe(true);
      // The simulator really changed the source while the pipeline ran: more orders than seeded, and updates.
      expect(report.simulated.orders).toBeGreaterThan(500);
      // Cancelled orders were deleted at the source (with their lines); equal counts above mean the deletes reached the
      // target through the trigger-written change log (a poller of the tables themselves leaves them in the target).
      expect(report.simulated.cancellations).toBeGreaterThan(0);
      expect(steps).toContain('inserting 500 orders into the source… 100/500');
      expect(steps).toContain('inserting 500 orders into the source… 500/500');
      expect(report.pipeline.connectors.every((connector) => connector.state === 'RUNNING')).toBe(true);
      expect(steps.some((step) => step.includes('comparing'))).toBe(true);
    } finally {
      lab.dispose();
    }
  }, 180_000);
});
