import { describe, expect, it } from 'vitest';
import type { ConnectLineage, ConnectorStatus, PipelineStatus, ReplicatorStatus } from '../../../../shared/api';
import { lineageOf, lineageOfConnect } from './lineageModel';

const metrics = (rowsPerSecond: number): ConnectorStatus['metrics'] => ({ rowsRead: 0, rowsProduced: 0, rowsApplied: 0, errors: 0, deadLettered: 0, lag: 0, rowsPerSecond });

const status: PipelineStatus = {
  name: 'p',
  state: 'RUNNING',
  connectors: [
    {
      name: 'src',
      role: 'source',
      state: 'RUNNING',
      caughtUp: false,
      kafka: '127.0.0.1:19092',
      metrics: metrics(12),
      tables: [
        { table: 'public.orders', topic: 'shop-orders', rows: 120, totalRows: 200, snapshotDone: false },
        { table: 'public.customers', topic: 'shop-customers', rows: 5, totalRows: 5, snapshotDone: true },
      ],
    },
    {
      name: 'snk',
      role: 'sink',
      state: 'RUNNING',
      caughtUp: false,
      kafka: '127.0.0.1:19092',
      metrics: metrics(0),
      // The sink reports topics in its own order; the model puts them back beside their source tables.
      tables: [
        { table: 'public.shop-customers', topic: 'shop-customers', rows: 5 },
        { table: 'public.shop-orders', topic: 'shop-orders', rows: 100 },
      ],
    },
  ],
};

describe('lineageOf', () => {
  it('links source tables to topics to target tables with the rows each hop carried', () => {
    const model = lineageOf(status);
    expect(model.edges.map((edge) => [edge.from, edge.to, edge.count])).toEqual([
      ['source:src:public.orders', 'topic:shop-orders', 120],
      ['source:src:public.customers', 'topic:shop-customers', 5],
      ['topic:shop-customers', 'target:snk:public.shop-customers', 5],
      ['topic:shop-orders', 'target:snk:public.shop-orders', 100],
    ]);
    expect(model.captions.topic).toBe('Kafka · 127.0.0.1:19092');
  });

  it('orders targets like their topics so edges do not cross, and marks edges of moving connectors active', () => {
    const model = lineageOf(status);
    expect(model.nodes.filter((node) => node.column === 'target').map((node) => node.label)).toEqual(['public.shop-orders', 'public.shop-customers']);
    expect(model.edges.filter((edge) => edge.active).map((edge) => edge.connector)).toEqual(['src', 'src']);
  });

  it('shows a topic read by a sink that no source of this pipeline produces', () => {
    const model = lineageOf({ ...status, connectors: status.connectors.filter((connector) => connector.role === 'sink') });
    expect(model.nodes.filter((node) => node.column === 'topic').map((node) => node.label)).toEqual(['shop-customers', 'shop-orders']);
  });

  it('adds a replicator hop for a topic of the pipeline copied to another cluster, and ignores other topics', () => {
    const replicator: ReplicatorStatus = {
      name: 'to-b',
      pipeline: 'r',
      state: 'RUNNING',
      delivery: 'at-least-once',
      source: '127.0.0.1:19092',
      destination: '127.0.0.1:29092',
      caughtUp: false,
      metrics: {
        recordsCopied: 130,
        bytesCopied: 0,
        recordsSkipped: 0,
        recordsPerSecond: 3,
        megabytesPerSecond: 0,
        lag: 0,
        partitions: [],
        translatedGroups: [],
        topics: [
          { source: 'shop-orders', destination: 'a.shop-orders', records: 120, bytes: 0, recordsPerSecond: 3, megabytesPerSecond: 0 },
          { source: 'unrelated', destination: 'a.unrelated', records: 10, bytes: 0, recordsPerSecond: 0, megabytesPerSecond: 0 },
        ],
      },
    };
    const model = lineageOf(status, [replicator]);
    expect(model.nodes.filter((node) => node.replica).map((node) => [node.label, node.group])).toEqual([['a.shop-orders', '127.0.0.1:29092']]);
    expect(model.edges.find((edge) => edge.to === 'replica:127.0.0.1:29092:a.shop-orders')).toMatchObject({ from: 'topic:shop-orders', count: 120, active: true });
    expect(model.captions.target).toBe('snk · replicated to 127.0.0.1:29092');
  });
});

describe('lineageOf, a pipeline spanning clusters (seed 001)', () => {
  it('draws every hop with its count: source table → topic on a → copy on b → target table', () => {
    const chain: PipelineStatus = {
      name: 'bridge',
      state: 'RUNNING',
      connectors: [
        { name: 'capture', role: 'source', state: 'RUNNING', caughtUp: true, kafka: '127.0.0.1:19092', metrics: metrics(0), tables: [{ table: 'ferry.sales_order_details', topic: 'onprem.ferry.sales_order_details', rows: 31 }] },
        { name: 'cloud-sink', role: 'sink', state: 'RUNNING', caughtUp: true, kafka: '127.0.0.1:29092', metrics: metrics(0), tables: [{ table: 'sales_order_details', topic: 'onprem.ferry.sales_order_details', rows: 31 }] },
      ],
    };
    const replicator: ReplicatorStatus = {
      name: 'to-cloud',
      pipeline: 'bridge',
      state: 'RUNNING',
      delivery: 'at-least-once',
      source: '127.0.0.1:19092',
      destination: '127.0.0.1:29092',
      caughtUp: true,
      metrics: {
        recordsCopied: 33,
        bytesCopied: 0,
        recordsSkipped: 0,
        recordsPerSecond: 0,
        megabytesPerSecond: 0,
        lag: 0,
        partitions: [],
        translatedGroups: [],
        topics: [{ source: 'onprem.ferry.sales_order_details', destination: 'onprem.ferry.sales_order_details', records: 33, bytes: 0, recordsPerSecond: 0, megabytesPerSecond: 0 }],
      },
    };
    const model = lineageOf(chain, [replicator]);
    expect(model.chained).toBe(true);
    expect(model.nodes.map((node) => [node.column, node.label, node.group])).toEqual([
      ['source', 'ferry.sales_order_details', 'capture'],
      ['topic', 'onprem.ferry.sales_order_details', '127.0.0.1:19092'],
      ['replica', 'onprem.ferry.sales_order_details', '127.0.0.1:29092'],
      ['target', 'sales_order_details', 'cloud-sink'],
    ]);
    expect(model.edges.map((edge) => [edge.from, edge.to, edge.count, edge.connector])).toEqual([
      ['source:capture:ferry.sales_order_details', 'topic:onprem.ferry.sales_order_details', 31, 'capture'],
      ['replica:127.0.0.1:29092:onprem.ferry.sales_order_details', 'target:cloud-sink:sales_order_details', 31, 'cloud-sink'],
      ['topic:onprem.ferry.sales_order_details', 'replica:127.0.0.1:29092:onprem.ferry.sales_order_details', 33, 'to-cloud'],
    ]);
    expect(model.captions).toMatchObject({ topic: 'Kafka · 127.0.0.1:19092', replica: 'replicated to 127.0.0.1:29092', target: 'cloud-sink' });
  });
});

describe('Kafka Connect lineage', () => {
  const lineage: ConnectLineage = {
    connect: 'http://127.0.0.1:18083',
    kafkaClusterId: 'abc',
    kafka: 'lab kafka-a',
    connectors: [
      // Sinks first, as Connect lists them by name: the model still draws sources on the left.
      { name: 'orders-sink', type: 'sink', state: 'RUNNING', group: 'connect-orders-sink', topics: [{ topic: 'shop.ferry.orders', records: 10, committed: 7, lag: 3, targetTable: 'orders' }] },
      {
        name: 'shop-cdc',
        type: 'source',
        state: 'RUNNING',
        topics: [
          { topic: 'shop.ferry.customers', records: 4, table: 'ferry.customers' },
          { topic: 'shop.ferry.orders', records: 10, table: 'ferry.orders' },
        ],
      },
    ],
  };

  it('draws source tables → topics (end offsets) → sink targets (committed offsets), like a pipeline', () => {
    const model = lineageOfConnect(lineage);
    expect(model.nodes.map((node) => [node.column, node.label])).toEqual([
      ['source', 'ferry.customers'],
      ['topic', 'shop.ferry.customers'],
      ['source', 'ferry.orders'],
      ['topic', 'shop.ferry.orders'],
      ['target', 'orders'],
    ]);
    expect(model.edges.map((edge) => [edge.from, edge.to, edge.count])).toEqual([
      ['source:shop-cdc:ferry.customers', 'topic:shop.ferry.customers', 4],
      ['source:shop-cdc:ferry.orders', 'topic:shop.ferry.orders', 10],
      ['topic:shop.ferry.orders', 'target:orders-sink:orders', 7],
    ]);
    expect(model.captions).toMatchObject({ source: 'shop-cdc', topic: 'Kafka · lab kafka-a', target: 'orders-sink' });
    expect(model.edges.some((edge) => edge.active)).toBe(false);
  });

  it('marks an edge active when its count moved since the last model, and only for a running connector', () => {
    const previous = new Map(lineageOfConnect(lineage).edges.map((edge) => [edge.id, edge.count]));
    const moved: ConnectLineage = {
      ...lineage,
      connectors: lineage.connectors.map((connector) => (connector.type === 'sink' ? { ...connector, topics: [{ ...connector.topics[0]!, committed: 9 }] } : { ...connector, state: 'PAUSED' as const, topics: connector.topics.map((t) => ({ ...t, records: t.records + 1 })) })),
    };
    const model = lineageOfConnect(moved, previous);
    expect(model.edges.filter((edge) => edge.active).map((edge) => edge.connector)).toEqual(['orders-sink']);
  });
});
