import { describe, expect, it } from 'vitest';
import { find, jdbcSink, jdbcSource, parse } from './testing';

const RULE = 'pipeline.topic-name-collision';

describe('validation warns when topic names would collide through "." and "_"', () => {
  it('two sources whose prefixes differ only by "." versus "_" and capture a table of the same name', () => {
    const result = parse([
      jdbcSource({ name: 'a', 'topic.prefix': 'src.', 'table.whitelist': 'orderdetails' }),
      jdbcSource({ name: 'b', 'topic.prefix': 'src_', 'table.whitelist': 'orderdetails' }),
      jdbcSink({ topics: 'src.orderdetails' }),
    ]);
    const [problem, ...rest] = find(result, RULE);
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ severity: 'warning', path: "$.connectors[1]['topic.prefix']" });
    expect(problem?.message).toContain('"src_orderdetails"');
    expect(problem?.message).toContain('"src.orderdetails"');
    expect(problem?.message).toContain('collides with existing topic');
  });

  it('a sink that spells the source\'s topic with the other character', () => {
    const result = parse([jdbcSource({ 'topic.prefix': 'lab.', 'table.whitelist': 'order_lines' }), jdbcSink({ topics: 'lab_order.lines' })]);
    expect(find(result, RULE).map((p) => p.path)).toEqual(["$.connectors[1].topics"]);
  });

  it('the same name twice, or names that differ otherwise, are no collision', () => {
    const result = parse([jdbcSource({ 'topic.prefix': 'lab.', 'table.whitelist': 'customers' }), jdbcSink({ topics: 'lab.customers' }), jdbcSink({ name: 'other', topics: 'lab-customers' })]);
    expect(find(result, RULE)).toEqual([]);
  });
});
