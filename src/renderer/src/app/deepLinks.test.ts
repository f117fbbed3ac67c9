import { describe, expect, it } from 'vitest';
import { parseQueryLink, pipelineDatabaseId, queryLink } from './deepLinks';

describe('deep links between panes', () => {
  it('round-trips a pipeline database id with slashes and a hyphenated table', () => {
    const link = queryLink(pipelineDatabaseId('demo orders', 'orders-sink'), 'public.poc-customers');
    expect(parseQueryLink(link)).toEqual({ database: 'pipeline/demo orders/orders-sink', table: 'public.poc-customers' });
  });

  it('ignores hashes that are not query links', () => {
    expect(parseQueryLink('#query')).toBeUndefined();
    expect(parseQueryLink('#messages/orders')).toBeUndefined();
    expect(parseQueryLink('#query/%E0%A4%A/x')).toBeUndefined();
  });
});
