import type { TopicConfigEntry, TopicConfigSource } from '../../shared/api/topics';
import { topicsError } from './errors';

/** DescribeConfigs `configSource` numbers (kafkajs ConfigSource) to the API's words. */
const SOURCES: Record<number, TopicConfigSource> = { 1: 'topic', 2: 'broker', 3: 'broker', 4: 'broker', 5: 'default' };

export interface RawConfigEntry {
  configName: string;
  configValue: string | null;
  configSource: number;
  isSensitive: boolean;
  readOnly: boolean;
}

export function configEntryOf(entry: RawConfigEntry): TopicConfigEntry {
  return {
    name: entry.configName,
    value: entry.isSensitive ? null : entry.configValue,
    source: SOURCES[entry.configSource] ?? 'other',
    readOnly: entry.readOnly,
    sensitive: entry.isSensitive,
  };
}

/** Kafka config names: lower-case words joined by dots (`retention.ms`, `min.insync.replicas`). */
const CONFIG_NAME = /^[a-z][a-z0-9]*(?:[._-][a-z0-9]+)*$/;

function checkConfigs(configs: unknown, field: string): Record<string, string> {
  if (configs === undefined) return {};
  if (typeof configs !== 'object' || configs === null || Array.isArray(configs)) {
    throw topicsError('TOPICS_BAD_REQUEST', `${field} must be an object of config names to string values, e.g. {"retention.ms": "86400000"}.`);
  }
  const checked: Record<string, string> = {};
  for (const [name, value] of Object.entries(configs)) {
    if (!CONFIG_NAME.test(name)) throw topicsError('TOPICS_BAD_REQUEST', `Config name "${name}" in ${field} is not a Kafka config name (lower-case words joined by dots, e.g. retention.ms).`);
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw topicsError('TOPICS_BAD_REQUEST', `Config ${name} in ${field} needs a text value (e.g. "86400000").`);
    }
    checked[name] = String(value);
  }
  return checked;
}

/**
 * The whole set of topic-level configs to send with AlterConfigs. Kafka's (non-incremental) AlterConfigs — the one
 * kafkajs offers — replaces every topic-level config with the set it is given, so an edit of one config must carry
 * the others the topic had, or they would silently fall back to the broker defaults.
 */
export function mergeTopicConfigs(current: Readonly<Record<string, string>>, set: unknown, reset: unknown): Record<string, string> {
  const changes = checkConfigs(set, 'set');
  if (reset !== undefined && (!Array.isArray(reset) || !reset.every((name) => typeof name === 'string'))) {
    throw topicsError('TOPICS_BAD_REQUEST', 'reset must be a list of config names, e.g. ["retention.ms"].');
  }
  const resets = (reset as string[] | undefined) ?? [];
  const both = resets.filter((name) => name in changes);
  if (both.length > 0) throw topicsError('TOPICS_BAD_REQUEST', `Config ${both.join(', ')} is both set and reset; keep one of the two.`);
  if (Object.keys(changes).length === 0 && resets.length === 0) throw topicsError('TOPICS_BAD_REQUEST', 'Nothing to change: give configs to set or to reset.');
  const merged: Record<string, string> = { ...current, ...changes };
  for (const name of resets) delete merged[name];
  return merged;
}

export interface CheckedCreate {
  partitions: number;
  replicationFactor: number;
  configs: Record<string, string>;
}

export function checkCreateRequest(request: { partitions?: unknown; replicationFactor?: unknown; configs?: unknown }): CheckedCreate {
  const partitions = request.partitions ?? 1;
  if (typeof partitions !== 'number' || !Number.isInteger(partitions) || partitions < 1 || partitions > 10_000) {
    throw topicsError('TOPICS_BAD_REQUEST', `Partitions ${String(partitions)} must be a whole number from 1 to 10000.`);
  }
  const replicationFactor = request.replicationFactor ?? -1;
  if (typeof replicationFactor !== 'number' || !Number.isInteger(replicationFactor) || (replicationFactor < 1 && replicationFactor !== -1) || replicationFactor > 32) {
    throw topicsError('TOPICS_BAD_REQUEST', `Replication factor ${String(replicationFactor)} must be a whole number from 1 to the number of brokers (leave it empty for the cluster default).`);
  }
  return { partitions, replicationFactor, configs: checkConfigs(request.configs, 'configs') };
}
