import { describe, expect, it } from 'vitest';
import { sinkGroupOf, sinkTopicsOf, sourceTableOf, targetTableOf } from './connectLineage';

describe('Connect lineage: what a connector reads and writes', () => {
  it("names a sink's consumer group as Connect does, unless the config overrides it", () => {
    expect(sinkGroupOf('orders-sink', {})).toBe('connect-orders-sink');
    expect(sinkGroupOf('orders-sink', { 'consumer.override.group.id': 'mine' })).toBe('mine');
  });

  it("reads a sink's topics from its list, or matches topics.regex against the cluster's topics", () => {
    expect(sinkTopicsOf({ topics: ' a , b,' }, ['x'])).toEqual(['a', 'b']);
    expect(sinkTopicsOf({ 'topics.regex': 'shop\\..*' }, ['shop.b', 'other', 'shop.a', 'xshop.c'])).toEqual(['shop.a', 'shop.b']);
    expect(sinkTopicsOf({ 'topics.regex': '(' }, ['a'])).toEqual([]);
  });

  it("finds a Debezium topic's table after the prefix (the prefix's own topic holds schema changes) and a JDBC source's after its prefix", () => {
    const debezium = { 'connector.class': 'io.debezium.connector.mariadb.MariaDbConnector', 'topic.prefix': 'shop' };
    expect(sourceTableOf('shop.ferry.orders', debezium)).toBe('ferry.orders');
    expect(sourceTableOf('shop', debezium)).toBe('schema changes');
    expect(sourceTableOf('jdbc-orders', { 'connector.class': 'io.confluent.connect.jdbc.JdbcSourceConnector', 'topic.prefix': 'jdbc-' })).toBe('orders');
    expect(sourceTableOf('elsewhere', debezium)).toBe('elsewhere');
  });

  it("names a sink's target table with table.name.format", () => {
    expect(targetTableOf('shop.ferry.orders', {})).toBe('shop.ferry.orders');
    expect(targetTableOf('orders', { 'table.name.format': 'kafka_${topic}' })).toBe('kafka_orders');
  });
});
