import type { ClusterChoice, ClusterRef } from '../../../../shared/api';

export type KafkaTab = 'topics' | 'groups' | 'schemas';
export const KAFKA_TABS: readonly { id: KafkaTab; label: string }[] = [
  { id: 'topics', label: 'Topics' },
  { id: 'groups', label: 'Consumer groups' },
  { id: 'schemas', label: 'Schema Registry' },
];

/** `#kafka/<tab>/<item>`: the tab and the topic, group or subject open in it. */
export function parseKafkaHash(hash: string): { tab: KafkaTab; item?: string } {
  const [pane, tab, ...rest] = hash.replace(/^#/, '').split('/');
  const found = KAFKA_TABS.find((entry) => entry.id === tab)?.id;
  if (pane !== 'kafka' || !found) return { tab: 'topics' };
  return rest.length > 0 && rest.join('/') !== '' ? { tab: found, item: decodeURIComponent(rest.join('/')) } : { tab: found };
}

export function kafkaHash(tab: KafkaTab, item?: string): string {
  return item === undefined ? `kafka/${tab}` : `kafka/${tab}/${encodeURIComponent(item)}`;
}

export function clusterRefKey(ref: ClusterRef): string {
  return ref.kind === 'lab' ? `lab:${ref.cluster}` : `profile:${ref.profileId}`;
}

export function findCluster(clusters: readonly ClusterChoice[], key: string): ClusterChoice | undefined {
  return clusters.find((choice) => clusterRefKey(choice.ref) === key);
}

/**
 * Topic configs typed one per line as `name=value` (blank lines and `#` comments ignored), as kafka-topics
 * `--config` takes them. Returns the configs, or the first line that does not parse.
 */
export function parseConfigLines(text: string): { configs: Record<string, string> } | { error: string } {
  const configs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = (lines[index] as string).trim();
    if (line === '' || line.startsWith('#')) continue;
    const equals = line.indexOf('=');
    if (equals <= 0) return { error: `Line ${index + 1} ("${line}") must be name=value, e.g. retention.ms=86400000.` };
    const name = line.slice(0, equals).trim();
    if (name in configs) return { error: `Line ${index + 1}: ${name} is given twice.` };
    configs[name] = line.slice(equals + 1).trim();
  }
  return { configs };
}

/** Thousands separators for offsets and lags, which arrive as decimal strings (they can exceed 2^53). */
export function formatOffset(value: string | null | undefined): string {
  if (value === null || value === undefined) return '–';
  return /^\d+$/.test(value) ? value.replace(/\B(?=(\d{3})+(?!\d))/g, ',') : value;
}
