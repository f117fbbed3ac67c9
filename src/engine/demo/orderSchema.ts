/**
 * The demo's order-processing schema, after the second seed's "orders" database (customers, products, sales orders
 * and their lines). Every table has a bigserial id and an updated_at column.
 *
 * How the demo captures: PGlite serves no logical replication (no walsender behind its socket server, and its SQL
 * decoding functions return no changes), so it cannot be read from its log. Deletes (cancelled orders) would then be
 * invisible to a poller. Instead triggers keep a change log in schema `ferry_changes`: one table per captured table,
 * same columns and key, holding each row's latest change with `op` c/u/d (a deleted row stays, stamped with the
 * delete's time). The source polls those tables in timestamp+incrementing mode with `ferry.changelog.op.column`, so
 * a `d` row reaches Kafka as a tombstone and the sink deletes the row — trigger-based capture, as databases without
 * log access do it.
 */
export const ORDER_TABLES = ['customers', 'products', 'sales_orders', 'sales_order_details'] as const;
export type OrderTable = (typeof ORDER_TABLES)[number];

export const ORDER_SCHEMA_DDL = `
CREATE TABLE IF NOT EXISTS customers (
  id BIGSERIAL PRIMARY KEY,
  name VARCHAR(100) NOT NULL,
  email VARCHAR(200) NOT NULL,
  country CHAR(2) NOT NULL,
  created_at TIMESTAMP(3) NOT NULL DEFAULT now(),
  updated_at TIMESTAMP(3) NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS products (
  id BIGSERIAL PRIMARY KEY,
  sku VARCHAR(32) NOT NULL UNIQUE,
  name VARCHAR(100) NOT NULL,
  unit_price NUMERIC(10,2) NOT NULL,
  in_stock INTEGER NOT NULL,
  updated_at TIMESTAMP(3) NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS sales_orders (
  id BIGSERIAL PRIMARY KEY,
  customer_id BIGINT NOT NULL REFERENCES customers(id),
  status VARCHAR(20) NOT NULL,
  order_date DATE NOT NULL DEFAULT CURRENT_DATE,
  total NUMERIC(12,2) NOT NULL DEFAULT 0,
  note TEXT,
  created_at TIMESTAMP(3) NOT NULL DEFAULT now(),
  updated_at TIMESTAMP(3) NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS sales_order_details (
  id BIGSERIAL PRIMARY KEY,
  sales_order_id BIGINT NOT NULL REFERENCES sales_orders(id),
  product_id BIGINT NOT NULL REFERENCES products(id),
  quantity INTEGER NOT NULL,
  unit_price NUMERIC(10,2) NOT NULL,
  discount NUMERIC(4,3),
  updated_at TIMESTAMP(3) NOT NULL DEFAULT now()
);
`;

/** How the demo captures, as the app and `ferry demo` say it. */
export const DEMO_CAPTURE =
  'Triggers write every insert, update and delete to a change log (schema ferry_changes) that the source polls, because PGlite serves no logical replication to read its log from. Cancelled orders reach the target as deletes.';

/** Where the triggers write each table's change log (same table names, so topics stay `<prefix><table>`). */
export const CHANGELOG_SCHEMA = 'ferry_changes';
export const CHANGELOG_OP_COLUMN = 'op';

/**
 * The change log and its triggers. A change replaces the row's entry (delete + insert in the same transaction); a
 * delete keeps the old image with op 'd' and updated_at set to the delete's time, so the timestamp poller sees it.
 * PGlite runs one transaction at a time, so timestamps are never committed out of order.
 */
export const CHANGELOG_DDL = `
CREATE SCHEMA IF NOT EXISTS ${CHANGELOG_SCHEMA};
${ORDER_TABLES.map(
  (table) => `CREATE TABLE IF NOT EXISTS ${CHANGELOG_SCHEMA}.${table} (LIKE public.${table});
ALTER TABLE ${CHANGELOG_SCHEMA}.${table} ADD COLUMN IF NOT EXISTS ${CHANGELOG_OP_COLUMN} CHAR(1) NOT NULL DEFAULT 'c';
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = '${table}_changes_pk') THEN
    ALTER TABLE ${CHANGELOG_SCHEMA}.${table} ADD CONSTRAINT ${table}_changes_pk PRIMARY KEY (id);
  END IF;
END $$;`,
).join('\n')}
CREATE OR REPLACE FUNCTION ${CHANGELOG_SCHEMA}.capture() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    EXECUTE format('DELETE FROM ${CHANGELOG_SCHEMA}.%I WHERE id = $1', TG_TABLE_NAME) USING OLD.id;
    EXECUTE format('INSERT INTO ${CHANGELOG_SCHEMA}.%I SELECT ($1).*, ''d''', TG_TABLE_NAME) USING OLD;
    EXECUTE format('UPDATE ${CHANGELOG_SCHEMA}.%I SET updated_at = now() WHERE id = $1', TG_TABLE_NAME) USING OLD.id;
    RETURN OLD;
  END IF;
  EXECUTE format('DELETE FROM ${CHANGELOG_SCHEMA}.%I WHERE id = $1', TG_TABLE_NAME) USING NEW.id;
  EXECUTE format('INSERT INTO ${CHANGELOG_SCHEMA}.%I SELECT ($1).*, %L', TG_TABLE_NAME, CASE TG_OP WHEN 'INSERT' THEN 'c' ELSE 'u' END) USING NEW;
  RETURN NEW;
END $$;
${ORDER_TABLES.map(
  (table) => `DROP TRIGGER IF EXISTS ${table}_capture ON public.${table};
CREATE TRIGGER ${table}_capture AFTER INSERT OR UPDATE OR DELETE ON public.${table} FOR EACH ROW EXECUTE FUNCTION ${CHANGELOG_SCHEMA}.capture();`,
).join('\n')}
`;
