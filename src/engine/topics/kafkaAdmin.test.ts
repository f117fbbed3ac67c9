import { describe, expect, it } from 'vitest';
import { EngineError, isEngineError } from '../../shared/errors';
import { groupStateOf, isInactive, partitionLag, planReset } from './consumerGroups';
import { avroFieldChanges, diffLines, prettySchema } from './schemaDiff';
import { checkCreateRequest, configEntryOf, mergeTopicConfigs } from './topicAdmin';
import { TopicsService } from './topicsService';

function codeOf(work: () => unknown): string | undefined {
  try {
    work();
  } catch (error) {
    return isEngineError(error) ? error.code : 'not an EngineError';
  }
  return undefined;
}

describe('topic configs', () => {
  it('keeps the other topic-level configs when one is set (AlterConfigs replaces the whole set)', () => {
    expect(mergeTopicConfigs({ 'cleanup.policy': 'compact', 'retention.ms': '1000' }, { 'retention.ms': '2000' }, undefined)).toEqual({ 'cleanup.policy': 'compact', 'retention.ms': '2000' });
  });

  it('drops a reset config so the broker default applies', () => {
    expect(mergeTopicConfigs({ 'cleanup.policy': 'compact', 'retention.ms': '1000' }, undefined, ['retention.ms'])).toEqual({ 'cleanup.policy': 'compact' });
  });

  it('refuses an empty change, a bad name, and a config both set and reset', () => {
    expect(codeOf(() => mergeTopicConfigs({}, {}, []))).toBe('TOPICS_BAD_REQUEST');
    expect(codeOf(() => mergeTopicConfigs({}, { 'Retention MS': '1' }, undefined))).toBe('TOPICS_BAD_REQUEST');
    expect(codeOf(() => mergeTopicConfigs({}, { 'retention.ms': '1' }, ['retention.ms']))).toBe('TOPICS_BAD_REQUEST');
  });

  it('hides sensitive values and names where a value comes from', () => {
    expect(configEntryOf({ configName: 'retention.ms', configValue: '5', configSource: 1, isSensitive: false, readOnly: false })).toMatchObject({ value: '5', source: 'topic' });
    expect(configEntryOf({ configName: 'x.password', configValue: 'secret', configSource: 5, isSensitive: true, readOnly: false })).toMatchObject({ value: null, source: 'default' });
  });

  it('checks a create request', () => {
    expect(checkCreateRequest({})).toEqual({ partitions: 1, replicationFactor: -1, configs: {} });
    expect(checkCreateRequest({ partitions: 3, replicationFactor: 1, configs: { 'retention.ms': '60000' } })).toEqual({ partitions: 3, replicationFactor: 1, configs: { 'retention.ms': '60000' } });
    expect(codeOf(() => checkCreateRequest({ partitions: 0 }))).toBe('TOPICS_BAD_REQUEST');
    expect(codeOf(() => checkCreateRequest({ partitions: 1.5 }))).toBe('TOPICS_BAD_REQUEST');
    expect(codeOf(() => checkCreateRequest({ replicationFactor: 0 }))).toBe('TOPICS_BAD_REQUEST');
  });
});

describe('consumer group lag and resets', () => {
  it('measures lag from the committed offset, or from the log start when nothing is committed', () => {
    expect(partitionLag('3', '0', '10')).toEqual({ committed: '3', lag: '7' });
    expect(partitionLag('-1', '2', '10')).toEqual({ committed: null, lag: '8' });
    expect(partitionLag('1', '4', '10')).toEqual({ committed: '1', lag: '6' });
    expect(partitionLag('10', '0', '10')).toEqual({ committed: '10', lag: '0' });
  });

  it('allows a reset only for a group without members', () => {
    expect(isInactive('Empty', 0)).toBe(true);
    expect(isInactive('Dead', 0)).toBe(true);
    expect(isInactive('Stable', 1)).toBe(false);
    expect(isInactive('PreparingRebalance', 0)).toBe(false);
    expect(groupStateOf('Whatever')).toBe('Unknown');
  });

  const ranges = [
    { partition: 0, low: 2n, high: 10n },
    { partition: 1, low: 0n, high: 4n },
  ];

  it('plans each target per partition, clamping an offset to the log', () => {
    expect(planReset(ranges, 'earliest')).toEqual([{ partition: 0, offset: '2' }, { partition: 1, offset: '0' }]);
    expect(planReset(ranges, 'latest')).toEqual([{ partition: 0, offset: '10' }, { partition: 1, offset: '4' }]);
    expect(planReset(ranges, 'offset', { offset: '5' })).toEqual([{ partition: 0, offset: '5' }, { partition: 1, offset: '4' }]);
    expect(planReset(ranges, 'offset', { offset: '1' })).toEqual([{ partition: 0, offset: '2' }, { partition: 1, offset: '1' }]);
    expect(planReset(ranges, 'timestamp', { timestampOffsets: new Map([[0, 7n], [1, -1n]]) })).toEqual([{ partition: 0, offset: '7' }, { partition: 1, offset: '4' }]);
  });

  it('refuses an offset that is not a whole number', () => {
    expect(codeOf(() => planReset(ranges, 'offset', { offset: '-3' }))).toBe('TOPICS_BAD_REQUEST');
    expect(codeOf(() => planReset(ranges, 'offset', {}))).toBe('TOPICS_BAD_REQUEST');
  });
});

describe('schema diff', () => {
  const v1 = JSON.stringify({ type: 'record', name: 'Order', fields: [{ name: 'id', type: 'long' }, { name: 'status', type: 'string' }] });
  const v2 = JSON.stringify({ type: 'record', name: 'Order', fields: [{ name: 'id', type: 'long' }, { name: 'status', type: 'string' }, { name: 'email', type: ['null', 'string'], default: null }] });

  it('diffs pretty-printed schemas line by line', () => {
    const lines = diffLines(prettySchema(v1), prettySchema(v2));
    const added = lines.filter((line) => line.kind === 'added').map((line) => line.text.trim());
    expect(added).toContain('"name": "email",');
    // Adding a field is a pure insertion once the texts are aligned.
    expect(lines.filter((line) => line.kind === 'removed')).toEqual([]);
    // Every line of both texts appears once, in order.
    expect(lines.filter((line) => line.kind !== 'added').map((line) => line.text)).toEqual(prettySchema(v1).split('\n'));
    expect(lines.filter((line) => line.kind !== 'removed').map((line) => line.text)).toEqual(prettySchema(v2).split('\n'));
  });

  it('says nothing changed for equal texts', () => {
    expect(diffLines('a\nb', 'a\nb').every((line) => line.kind === 'same')).toBe(true);
  });

  it('summarises field changes of Avro records', () => {
    expect(avroFieldChanges(v1, v2)).toEqual(['added field email (["null","string"], default null)']);
    expect(avroFieldChanges(v2, v1)).toEqual(['removed field email (["null","string"])']);
    const retyped = JSON.stringify({ type: 'record', name: 'Order', fields: [{ name: 'id', type: 'int' }, { name: 'status', type: 'string' }] });
    expect(avroFieldChanges(v1, retyped)).toEqual(['field id changed type from "long" to "int"']);
    expect(avroFieldChanges('"string"', v1)).toEqual([]);
  });
});

describe('writes through a profile', () => {
  it('are refused before anything connects unless the user confirmed (a prod profile)', async () => {
    const refusal = (): never => {
      throw new EngineError('PROFILE_WRITE_NOT_CONFIRMED', 'confirm first');
    };
    const service = new TopicsService({
      labBootstrap: async () => '127.0.0.1:1',
      labRegistryUrl: async () => 'http://127.0.0.1:1',
      kafkaProfiles: () => [],
      kafkaSettings: () => {
        throw new Error('must not resolve the cluster before the confirmation');
      },
      registryOptions: () => ({ url: 'http://127.0.0.1:1' }),
      profileEnvironment: () => 'prod',
      requireWriteConfirmation: (_id, confirmed) => {
        if (!confirmed) refusal();
      },
    });
    const cluster = { kind: 'profile', profileId: 'prod-kafka' } as const;
    try {
      for (const write of [
        () => service.create({ cluster, topic: 'orders' }),
        () => service.delete({ cluster, topic: 'orders' }),
        () => service.alterConfigs({ cluster, topic: 'orders', set: { 'retention.ms': '1' } }),
        () => service.resetOffsets({ cluster, groupId: 'g', topic: 'orders', to: 'earliest' }),
      ]) {
        await expect(write()).rejects.toMatchObject({ code: 'PROFILE_WRITE_NOT_CONFIRMED' });
      }
    } finally {
      service.dispose();
    }
  });
});
