import { describe, expect, it } from 'vitest';
import { applyProfile, fillFromLab, labServiceFor, profileSlots } from './profileText';

const REPLICATOR = JSON.stringify({
  name: 'copy',
  connectors: [
    {
      name: 'to-b',
      'connector.class': 'io.confluent.connect.replicator.ReplicatorSourceConnector',
      'src.kafka.bootstrap.servers': '127.0.0.1:19092',
      'dest.kafka.bootstrap.servers': '127.0.0.1:29092',
      'dest.kafka.security.protocol': 'PLAINTEXT',
      'topic.whitelist': 'orders',
    },
  ],
});

describe("the editor's Connections tab and a replicator", () => {
  it('offers a Kafka profile for the replicator\'s source and destination clusters', () => {
    const slots = profileSlots(REPLICATOR) ?? [];
    expect(slots.filter((slot) => slot.id.startsWith('replicator:')).map((slot) => [slot.id, slot.label, slot.kind])).toEqual([
      ['replicator:0:src', 'to-b (source cluster)', 'kafka'],
      ['replicator:0:dest', 'to-b (destination cluster)', 'kafka'],
    ]);
  });

  it('naming a profile replaces that side\'s cluster keys; removing it keeps the rest', () => {
    const named = JSON.parse(applyProfile(REPLICATOR, 'replicator:0:dest', 'cloud') ?? '{}') as { connectors: Record<string, string>[] };
    const config = named.connectors[0] ?? {};
    expect(config['dest.kafka.ferry.profile']).toBe('cloud');
    expect(config['dest.kafka.bootstrap.servers']).toBeUndefined();
    expect(config['dest.kafka.security.protocol']).toBeUndefined();
    expect(config['src.kafka.bootstrap.servers']).toBe('127.0.0.1:19092');
    expect(profileSlots(JSON.stringify(named))?.find((slot) => slot.id === 'replicator:0:dest')?.current).toBe('cloud');
    const removed = JSON.parse(applyProfile(JSON.stringify(named), 'replicator:0:dest', undefined) ?? '{}') as { connectors: Record<string, string>[] };
    expect(removed.connectors[0]?.['dest.kafka.ferry.profile']).toBeUndefined();
  });

  it('fill from the lab copies from the lab\'s cluster a to its cluster b', () => {
    const slots = profileSlots(REPLICATOR) ?? [];
    expect(slots.filter((slot) => slot.id.startsWith('replicator:')).map(labServiceFor)).toEqual(['lab:kafka-a', 'lab:kafka-b']);
    const filled = JSON.parse(fillFromLab(REPLICATOR)?.text ?? '{}') as { connectors: Record<string, string>[] };
    expect(filled.connectors[0]).toMatchObject({ 'src.kafka.ferry.profile': 'lab:kafka-a', 'dest.kafka.ferry.profile': 'lab:kafka-b' });
    expect(filled.connectors[0]?.['src.kafka.bootstrap.servers']).toBeUndefined();
  });
});
