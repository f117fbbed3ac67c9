import { describe, expect, it } from 'vitest';
import { withTransformKeys } from './transformSchema';

// The editor's completion of transform keys. The schema here has the shape the engine generates
// (src/engine/config/transformKeys.test.ts checks the engine's side): connector items and per-class key catalogs.

const MASK = 'org.apache.kafka.connect.transforms.MaskField$Value';
const ROUTER = 'org.apache.kafka.connect.transforms.RegexRouter';
const TOPIC_MATCHES = 'org.apache.kafka.connect.transforms.predicates.TopicNameMatches';
const schema = {
  definitions: {
    transformKeys: {
      [MASK]: { fields: { type: 'string' }, replacement: { type: 'string' } },
      [ROUTER]: { regex: { type: 'string' }, replacement: { type: 'string' } },
    },
    predicateKeys: { [TOPIC_MATCHES]: { pattern: { type: 'string' } } },
  },
  properties: { connectors: { type: 'array', items: { $ref: '#/definitions/connector' } } },
};

type Added = { allOf: [unknown, { properties: Record<string, unknown> }] };

function items(result: unknown): unknown[] {
  return (result as { properties: { connectors: { items: unknown[] } } }).properties.connectors.items;
}

describe('withTransformKeys', () => {
  it('adds transforms.<alias>.<key> for each listed alias whose type is set, per connector (REST bodies too)', () => {
    const text = JSON.stringify({
      connectors: [
        { 'connector.class': 'PostgresSink', transforms: 'mask,route', 'transforms.mask.type': MASK, 'transforms.route.type': ROUTER },
        { name: 'rest', config: { 'connector.class': 'MySqlSource', transforms: ['route'], 'transforms.route.type': ROUTER, predicates: 'isShop', 'predicates.isShop.type': TOPIC_MATCHES } },
        { 'connector.class': 'MySqlSource' },
      ],
    });
    const [first, second, third] = items(withTransformKeys(schema, text)) as [Added, Added, unknown];
    expect(Object.keys(first.allOf[1].properties).sort()).toEqual(['transforms.mask.fields', 'transforms.mask.replacement', 'transforms.route.regex', 'transforms.route.replacement']);
    const rest = (second.allOf[1].properties.config as { properties: Record<string, unknown> }).properties;
    expect(Object.keys(rest).sort()).toEqual(['predicates.isShop.pattern', 'transforms.route.regex', 'transforms.route.replacement']);
    expect(third).toEqual({ $ref: '#/definitions/connector' });
  });

  it('keeps the schema it has while the text is not JSON (mid-typing)', () => {
    expect(withTransformKeys(schema, '{ "connectors": [ { "transforms.')).toBeUndefined();
  });
});
