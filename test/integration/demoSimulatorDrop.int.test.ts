import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createOrderSchema, OrderSimulator } from '../../src/engine/demo/orderSimulator';
import { uniqueName } from '../helpers/names';
import { openDb, type TestDb } from '../helpers/pipelineDb';
import { until } from '../helpers/until';

// The demo's order simulator keeps one connection for as long as the demo runs. The database dropping it (here
// pg_terminate_backend from a second connection, in a database made for this test) made the client emit 'error',
// which ended the process; now the simulator reconnects at its next tick and goes on inserting.

const endpoints = inject('labEndpoints');
const database = uniqueName('sim').toLowerCase();
let admin: TestDb;
const uncaught: unknown[] = [];
const onUncaught = (error: unknown): void => void uncaught.push(error);

beforeAll(async () => {
  process.on('uncaughtException', onUncaught);
  admin = await openDb('postgres', endpoints.postgres);
  await admin.exec(`CREATE DATABASE ${admin.q(database)}`);
});

afterAll(async () => {
  await admin.exec(`DROP DATABASE IF EXISTS ${admin.q(database)} WITH (FORCE)`).catch(() => {});
  await admin.close();
  process.off('uncaughtException', onUncaught);
});

describe('demo order simulator', () => {
  it('survives its connection being terminated by the server and goes on inserting', async () => {
    const address = { ...endpoints.postgres, database };
    await createOrderSchema(address, { customers: 5 });
    const simulator = new OrderSimulator(address, { tickMs: 100, ordersPerTick: 1 });
    await simulator.start();
    try {
      await until(async () => simulator.counts.orders > 0, 'the simulator inserting');
      const ended = await admin.exec('SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()', [database]);
      expect(ended.filter((row) => row.ended === true).length).toBeGreaterThan(0);
      const before = simulator.counts.orders;
      await until(async () => simulator.counts.orders > before + 3, () => `the simulator inserting again (orders ${simulator.counts.orders})`);
    } finally {
      await simulator.stop();
    }
    expect(uncaught.map(String)).toEqual([]);
  });
});
