import { describe, expect, it } from 'vitest';
import { decodeProvenance, encodeProvenance, cameFromDestination } from './provenance';
import { TopicSelector } from './topicSelection';

describe('TopicSelector', () => {
  it('applies the blacklist first, then whitelist ∪ regex, never internal topics', () => {
    const selector = new TopicSelector({ include: ['test-topic', 'gone'], regex: 'orders\\..*', exclude: ['orders.secret'] });
    const existing = ['test-topic', 'orders.eu', 'orders.secret', 'ordersX', '__consumer_offsets', 'other'];
    expect(selector.select(existing)).toEqual(['orders.eu', 'test-topic']);
    expect(selector.missing(existing)).toEqual(['gone']);
    expect(new TopicSelector({ include: [], regex: '.*', exclude: [] }).select(['__transaction_state', '_schemas', 'a'])).toEqual(['a']);
  });
});

describe('provenance header', () => {
  it('round-trips and recognises a record that came from the destination', () => {
    const header = encodeProvenance({ clusterId: 'abc', topic: 't', timestamp: 42 });
    const decoded = decodeProvenance(header);
    expect(decoded).toEqual({ clusterId: 'abc', topic: 't', timestamp: 42 });
    expect(cameFromDestination(decoded, 'abc', 't')).toBe(true);
    expect(cameFromDestination(decoded, 'abc', 't.replica')).toBe(false);
    expect(cameFromDestination(decoded, 'xyz', 't')).toBe(false);
    expect(decodeProvenance(Buffer.from('garbage'))).toBeUndefined();
  });
});
