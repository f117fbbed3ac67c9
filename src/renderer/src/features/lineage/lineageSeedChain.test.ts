import { describe, expect, it } from 'vitest';
import type { ConnectorStatus, PipelineStatus, ReplicatorStatus } from '../../../../shared/api';
import { lineageOf } from './lineageModel';

// Seed 001's whole chain as `ferry run --json` reports it (test/integration/seedChain.int.test.ts runs it): capture on
// cluster a, a replicator to b, and two sinks reading the copy on b, PostgreSQL and the ADLS Gen2 lake (whose
// "table" is <file system>/<topics.dir>/<topic>).

const metrics = (rowsPerSecond: number): ConnectorStatus['metrics'] => ({ rowsRead: 0, rowsProduced: 0, rowsApplied: 0, errors: 0, deadLettered: 0, lag: 0, rowsPerSecond });
const topic = 'onprem.ferry.sales_order_details';

const chain: PipelineStatus = {
  name: 'lab-bridge',
  state: 'RUNNING',
  connectors: [
    { name: 'onprem-capture', role: 'source', state: 'RUNNING', caughtUp: true, kafka: '127.0.0.1:19092', metrics: metrics(0), tables: [{ table: 'ferry.sales_order_details', topic, rows: 36 }] },
    { name: 'cloud-sales-sink', role: 'sink', state: 'RUNNING', caughtUp: true, kafka: '127.0.0.1:29092', metrics: metrics(0), tables: [{ table: 'sales_order_details', topic, rows: 36 }] },
    { name: 'cloud-sales-lake', role: 'sink', state: 'RUNNING', caughtUp: true, kafka: '127.0.0.1:29092', metrics: metrics(3), tables: [{ table: `sales/raw/${topic}`, topic, rows: 36 }] },
  ],
};

const replicator: ReplicatorStatus = {
  name: 'replicator-onprem-to-cloud',
  pipeline: 'lab-bridge',
  state: 'RUNNING',
  delivery: 'at-least-once',
  source: '127.0.0.1:19092',
  destination: '127.0.0.1:29092',
  caughtUp: true,
  metrics: {
    recordsCopied: 39,
    bytesCopied: 0,
    recordsSkipped: 0,
    recordsPerSecond: 0,
    megabytesPerSecond: 0,
    lag: 0,
    partitions: [],
    translatedGroups: [],
    topics: [{ source: topic, destination: topic, records: 39, bytes: 0, recordsPerSecond: 0, megabytesPerSecond: 0 }],
  },
};

describe('lineage of seed 001 in one file', () => {
  it('draws every hop with its count, both sinks fed by the copy on b', () => {
    const model = lineageOf(chain, [replicator]);
    expect(model.chained).toBe(true);
    const copy = `replica:127.0.0.1:29092:${topic}`;
    expect(model.nodes.map((node) => [node.column, node.label])).toEqual([
      ['source', 'ferry.sales_order_details'],
      ['topic', topic],
      ['replica', topic],
      ['target', 'sales_order_details'],
      ['target', `sales/raw/${topic}`],
    ]);
    expect(model.edges.map((edge) => [edge.from, edge.to, edge.count, edge.connector, edge.active])).toEqual([
      ['source:onprem-capture:ferry.sales_order_details', `topic:${topic}`, 36, 'onprem-capture', false],
      [copy, 'target:cloud-sales-sink:sales_order_details', 36, 'cloud-sales-sink', false],
      [copy, `target:cloud-sales-lake:sales/raw/${topic}`, 36, 'cloud-sales-lake', true],
      [`topic:${topic}`, copy, 39, 'replicator-onprem-to-cloud', false],
    ]);
    expect(model.captions).toMatchObject({ replica: 'replicated to 127.0.0.1:29092', target: 'cloud-sales-sink, cloud-sales-lake' });
  });
});
