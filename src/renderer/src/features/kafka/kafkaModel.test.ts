import { describe, expect, it } from 'vitest';
import { formatOffset, kafkaHash, parseConfigLines, parseKafkaHash } from './kafkaModel';

describe('kafka pane model', () => {
  it('reads and writes the tab and item of the URL hash', () => {
    expect(parseKafkaHash('#kafka')).toEqual({ tab: 'topics' });
    expect(parseKafkaHash('#kafka/groups')).toEqual({ tab: 'groups' });
    expect(parseKafkaHash(`#${kafkaHash('schemas', 'orders-value')}`)).toEqual({ tab: 'schemas', item: 'orders-value' });
    expect(parseKafkaHash(`#${kafkaHash('topics', 'a/b c')}`)).toEqual({ tab: 'topics', item: 'a/b c' });
    expect(parseKafkaHash('#kafka/nonsense')).toEqual({ tab: 'topics' });
  });

  it('parses name=value config lines and names the line that does not parse', () => {
    expect(parseConfigLines('cleanup.policy=compact\n\n# comment\n retention.ms = 1000 ')).toEqual({ configs: { 'cleanup.policy': 'compact', 'retention.ms': '1000' } });
    expect(parseConfigLines('retention.ms')).toEqual({ error: 'Line 1 ("retention.ms") must be name=value, e.g. retention.ms=86400000.' });
    expect(parseConfigLines('a=1\na=2')).toEqual({ error: 'Line 2: a is given twice.' });
  });

  it('formats big offsets without losing digits', () => {
    expect(formatOffset('12345678901234567890')).toBe('12,345,678,901,234,567,890');
    expect(formatOffset(null)).toBe('–');
  });
});
