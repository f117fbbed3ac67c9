import { pg } from '../db/drivers';
import type { IDisposable } from '../../shared/lifecycle';
import { createLogger } from '../base/logger';
import { CHANGELOG_DDL, ORDER_SCHEMA_DDL } from './orderSchema';

const log = createLogger('demo.simulator');

export interface DatabaseAddress {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

/** A small deterministic generator, so a demo run with the same seed tells the same story. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
}

const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Margaret', 'Ken', 'Frances', 'Tim'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Hamilton', 'Thompson', 'Allen', 'Berners-Lee'];
const COUNTRIES = ['GB', 'US', 'NL', 'DE', 'FR', 'NG', 'IN', 'BR', 'JP', 'ZA'];
const PRODUCTS = ['Espresso beans', 'Pour-over kettle', 'Burr grinder', 'Milk jug', 'Tamper', 'Scale', 'Filter papers', 'Cold brew jar'];
const STATUSES = ['NEW', 'PAID', 'PACKED', 'SHIPPED', 'DELIVERED'] as const;

export interface SimulatorCounts {
  customers: number;
  products: number;
  orders: number;
  orderLines: number;
  updates: number;
  /** Orders cancelled: deleted with their lines. */
  cancellations: number;
}

/** Creates the schema and the reference data (customers, products). */
export async function createOrderSchema(address: DatabaseAddress, options: { customers?: number; seed?: number } = {}): Promise<void> {
  const client = new pg.Client(address);
  await client.connect();
  try {
    await client.query(ORDER_SCHEMA_DDL);
    // The triggers that keep the change log the demo captures from (see orderSchema.ts).
    await client.query(CHANGELOG_DDL);
    const random = seededRandom(options.seed ?? 42);
    const customers = options.customers ?? 50;
    const existing = await client.query<{ n: string }>('SELECT count(*) AS n FROM customers');
    if (Number(existing.rows[0]?.n ?? 0) > 0) return;
    await client.query('BEGIN');
    for (let i = 0; i < customers; i++) {
      const first = FIRST[Math.floor(random() * FIRST.length)] ?? 'Ada';
      const last = LAST[Math.floor(random() * LAST.length)] ?? 'Lovelace';
      await client.query('INSERT INTO customers (name, email, country) VALUES ($1, $2, $3)', [
        `${first} ${last}`,
        `${first}.${last}.${i}@example.com`.toLowerCase(),
        COUNTRIES[Math.floor(random() * COUNTRIES.length)],
      ]);
    }
    for (const [index, name] of PRODUCTS.entries()) {
      await client.query('INSERT INTO products (sku, name, unit_price, in_stock) VALUES ($1, $2, $3, $4)', [
        `SKU-${String(index + 1).padStart(4, '0')}`,
        name,
        (4 + random() * 120).toFixed(2),
        Math.floor(random() * 500),
      ]);
    }
    await client.query('COMMIT');
  } finally {
    await client.end();
  }
}

/**
 * Keeps the source busy like an order-processing application: new orders with lines, status changes of recent orders
 * (updates that bump updated_at) and now and then a cancelled order (deleted with its lines), which the demo's
 * trigger-written change log carries to the target as deletes.
 */
export class OrderSimulator implements IDisposable {
  private readonly random: () => number;
  private client: pg.Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  readonly counts: SimulatorCounts = { customers: 0, products: 0, orders: 0, orderLines: 0, updates: 0, cancellations: 0 };
  private ticks = 0;
  /** Ids of the orders cancelled so far (the demo checks that each is gone from the target too). */
  readonly cancelledOrderIds: string[] = [];

  constructor(
    private readonly address: DatabaseAddress,
    private readonly options: { ordersPerTick?: number; tickMs?: number; seed?: number; cancelEveryTicks?: number } = {},
  ) {
    this.random = seededRandom(options.seed ?? 7);
  }

  async start(): Promise<void> {
    await this.connect();
    const schedule = (): void => {
      if (this.stopped) return;
      this.timer = setTimeout(() => {
        this.running = this.tick()
          .catch((error: unknown) => log.warn('simulator tick failed', { error: String(error) }))
          .finally(schedule);
      }, this.options.tickMs ?? 200);
    };
    schedule();
  }

  /** Inserts `count` orders right now (used to seed a demo run with a known number of rows). */
  /** Inserts `count` orders in batches of 100; `onProgress` hears the count inserted after each batch. */
  async insertOrders(count: number, onProgress?: (inserted: number, total: number) => void): Promise<void> {
    const client = this.client ?? new pg.Client(this.address);
    const own = this.client === undefined;
    if (own) await client.connect();
    try {
      for (let done = 0; done < count; done += 100) {
        await this.insertOrderBatch(client, Math.min(100, count - done));
        onProgress?.(Math.min(done + 100, count), count);
      }
    } finally {
      if (own) await client.end();
    }
  }

  /**
   * The simulator's connection lives as long as the demo. A database that drops it (PGlite stopped, a restart) makes
   * the client emit 'error', which unheard ended the process: the client is let go and the next tick reconnects.
   */
  private async connect(): Promise<pg.Client> {
    const client = new pg.Client(this.address);
    client.on('error', (error) => {
      log.warn('simulator connection lost; the next tick reconnects', { error: error.message });
      if (this.client === client) this.client = undefined;
      void client.end().catch(() => {});
    });
    await client.connect();
    this.client = client;
    return client;
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    if (!this.client) await this.connect();
    if (!this.client) return;
    await this.insertOrderBatch(this.client, this.options.ordersPerTick ?? 3);
    // Move a few recent orders one status further.
    const updated = await this.client.query(
      `UPDATE sales_orders SET status = CASE status WHEN 'NEW' THEN 'PAID' WHEN 'PAID' THEN 'PACKED' WHEN 'PACKED' THEN 'SHIPPED' ELSE 'DELIVERED' END,
              updated_at = now()
        WHERE id IN (SELECT id FROM sales_orders WHERE status <> 'DELIVERED' ORDER BY random() LIMIT 2)`,
    );
    this.counts.updates += updated.rowCount ?? 0;
    // The first tick and every fourth after it a customer cancels an order that has not been packed: the order and its
    // lines are deleted (from the first tick on, so even a short run shows a delete arriving).
    const every = this.options.cancelEveryTicks ?? 4;
    if (this.ticks++ % every === 0) await this.cancelOrder(this.client);
  }

  /** Deletes one unshipped order and its lines in one transaction; returns the order's id, or undefined when none. */
  async cancelOrder(client: pg.Client): Promise<string | undefined> {
    await client.query('BEGIN');
    try {
      const picked = await client.query<{ id: string }>(`SELECT id FROM sales_orders WHERE status IN ('NEW', 'PAID') ORDER BY random() LIMIT 1`);
      const id = picked.rows[0]?.id;
      if (id !== undefined) {
        await client.query('DELETE FROM sales_order_details WHERE sales_order_id = $1', [id]);
        await client.query('DELETE FROM sales_orders WHERE id = $1', [id]);
      }
      await client.query('COMMIT');
      if (id !== undefined) {
        this.counts.cancellations++;
        this.cancelledOrderIds.push(id);
      }
      return id;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    }
  }

  /**
   * Inserts `orders` orders with 1–3 lines each in one transaction of three statements (ids taken from the sequence
   * first, then all orders, all lines, all totals): a statement per row made the first start's 1,000 orders the
   * slowest step, each a round trip into WebAssembly PostgreSQL.
   */
  private async insertOrderBatch(client: pg.Client, orders: number): Promise<void> {
    if (orders <= 0) return;
    const customers = await client.query<{ n: string }>('SELECT count(*) AS n FROM customers');
    const customerCount = Math.max(1, Number(customers.rows[0]?.n ?? 1));
    await client.query('BEGIN');
    try {
      const ids = (await client.query<{ id: string }>("SELECT nextval('sales_orders_id_seq')::text AS id FROM generate_series(1, $1)", [orders])).rows.map((row) => row.id);
      const customerIds: number[] = [];
      const notes: (string | null)[] = [];
      const lineOrders: string[] = [];
      const lineProducts: number[] = [];
      const lineQuantities: number[] = [];
      const lineDiscounts: (string | null)[] = [];
      for (const id of ids) {
        customerIds.push(1 + Math.floor(this.random() * customerCount));
        notes.push(this.random() < 0.2 ? 'gift wrap, please' : null);
        const lines = 1 + Math.floor(this.random() * 3);
        for (let line = 0; line < lines; line++) {
          lineOrders.push(id);
          lineProducts.push(1 + Math.floor(this.random() * PRODUCTS.length));
          lineQuantities.push(1 + Math.floor(this.random() * 5));
          lineDiscounts.push(this.random() < 0.3 ? (this.random() * 0.25).toFixed(3) : null);
        }
      }
      await client.query(
        `INSERT INTO sales_orders (id, customer_id, status, note)
         SELECT o.id, o.customer_id, $4, o.note FROM unnest($1::bigint[], $2::bigint[], $3::text[]) WITH ORDINALITY AS o(id, customer_id, note, n) ORDER BY o.n`,
        [ids, customerIds, notes, STATUSES[0]],
      );
      const lines = await client.query(
        `INSERT INTO sales_order_details (sales_order_id, product_id, quantity, unit_price, discount)
         SELECT l.order_id, p.id, l.quantity, p.unit_price, l.discount
           FROM unnest($1::bigint[], $2::bigint[], $3::int[], $4::numeric[]) WITH ORDINALITY AS l(order_id, product_id, quantity, discount, n)
           JOIN products p ON p.id = l.product_id
          ORDER BY l.n`,
        [lineOrders, lineProducts, lineQuantities, lineDiscounts],
      );
      await client.query(
        `UPDATE sales_orders s SET total = t.total
           FROM (SELECT sales_order_id, sum(quantity * unit_price * (1 - coalesce(discount, 0))) AS total
                   FROM sales_order_details WHERE sales_order_id = ANY($1::bigint[]) GROUP BY sales_order_id) t
          WHERE s.id = t.sales_order_id`,
        [ids],
      );
      await client.query('COMMIT');
      this.counts.orders += ids.length;
      this.counts.orderLines += lines.rowCount ?? 0;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    await this.client?.end();
    this.client = undefined;
  }

  dispose(): void {
    void this.stop();
  }
}
