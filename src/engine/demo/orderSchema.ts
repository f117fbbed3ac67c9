/**
 * The demo's order-processing schema, after the second seed's "orders" database (customers, products, sales orders
 * and their lines). Every table has a bigserial id and an updated_at column, so the JDBC-style source can run in
 * timestamp+incrementing mode and pick up both inserts and updates.
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
