/**
 * Consumer group offset translation. For each source group that matches the patterns, its committed source
 * offsets are translated through the replicator's sync points and committed on the destination — only for groups
 * that are empty or absent there (never touching an active group), and only when that moves an offset forward
 * (MirrorMaker 2's sync.group.offsets rules). A consumer that fails over then resumes near where it left off.
 *
 * The commit is a TxnOffsetCommit from a transactional producer: it needs no group membership, as Java's
 * AdminClient.alterConsumerGroupOffsets does not. kafkajs's admin.setOffsets instead joins the group with a
 * consumer and waits for a fetch (seconds per call), and leaves the group looking active meanwhile.
 */
import type { ResolvedReplicator } from '../config';
import type { KafkaAdmin, KafkaProducer } from '../kafka';
import { createLogger } from '../base/logger';
import type { OffsetSyncs } from './offsetSyncs';

export interface TranslatedGroup {
  group: string;
  partitions: number;
  at: string;
}

export class GroupTranslator {
  private readonly include: RegExp[];
  private readonly exclude: RegExp[];
  readonly translated = new Map<string, TranslatedGroup>();
  private readonly log = createLogger('replicator');

  constructor(
    private readonly config: ResolvedReplicator,
    /** The replicator's own groups (source progress, destination checkpoint): never translated. */
    private readonly ownGroups: ReadonlySet<string>,
  ) {
    this.include = config.offsetTranslation.groups.map((p) => new RegExp(`^(?:${p})$`));
    this.exclude = config.offsetTranslation.groupsExclude.map((p) => new RegExp(`^(?:${p})$`));
  }

  matches(group: string): boolean {
    if (this.ownGroups.has(group) || group.startsWith('ferry-replicator-')) return false;
    return this.include.some((r) => r.test(group)) && !this.exclude.some((r) => r.test(group));
  }

  /** One pass over every matching group; returns the groups whose destination offsets moved. */
  async translate(source: KafkaAdmin, destination: KafkaAdmin, committer: KafkaProducer, topics: ReadonlyMap<string, string>, syncs: OffsetSyncs): Promise<string[]> {
    if (topics.size === 0) return [];
    const listed = await source.listGroups();
    const groups = listed.filter((g) => (g.protocolType === 'consumer' || g.protocolType === '') && this.matches(g.groupId)).map((g) => g.groupId);
    const moved: string[] = [];
    for (const group of groups) {
      try {
        if (await this.translateGroup(group, source, destination, committer, topics, syncs)) moved.push(group);
      } catch (error) {
        // One group's failure (e.g. it became active meanwhile) must not stop the others.
        this.log.debug('offset translation skipped a group', { group, error: error instanceof Error ? error.message : String(error) });
      }
    }
    return moved;
  }

  private async translateGroup(group: string, source: KafkaAdmin, destination: KafkaAdmin, committer: KafkaProducer, topics: ReadonlyMap<string, string>, syncs: OffsetSyncs): Promise<boolean> {
    const committed = await source.fetchOffsets({ groupId: group, topics: [...topics.keys()] });
    const wanted = new Map<string, { partition: number; offset: number }[]>();
    for (const { topic, partitions } of committed) {
      const destinationTopic = topics.get(topic);
      if (destinationTopic === undefined) continue;
      for (const { partition, offset } of partitions) {
        const at = Number(offset);
        if (at < 0) continue;
        const translated = syncs.translate(topic, partition, at);
        if (translated === undefined) continue;
        let list = wanted.get(destinationTopic);
        if (!list) wanted.set(destinationTopic, (list = []));
        list.push({ partition, offset: translated });
      }
    }
    if (wanted.size === 0) return false;
    const described = await destination.describeGroups([group]);
    const state = described[0]?.state ?? 'Dead';
    if (state !== 'Empty' && state !== 'Dead') return false; // active on the destination: its own commits rule
    const current = await destination.fetchOffsets({ groupId: group, topics: [...wanted.keys()] });
    const currentOf = new Map<string, number>();
    for (const { topic, partitions } of current) for (const { partition, offset } of partitions) currentOf.set(`${topic}:${partition}`, Number(offset));
    const topicsForward: { topic: string; partitions: { partition: number; offset: string }[] }[] = [];
    let count = 0;
    for (const [topic, list] of wanted) {
      const forward = list.filter(({ partition, offset }) => offset > (currentOf.get(`${topic}:${partition}`) ?? -1));
      if (forward.length === 0) continue;
      topicsForward.push({ topic, partitions: forward.map(({ partition, offset }) => ({ partition, offset: String(offset) })) });
      count += forward.length;
    }
    if (count === 0) return false;
    const transaction = await committer.transaction();
    try {
      await transaction.sendOffsets({ consumerGroupId: group, topics: topicsForward });
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      throw error;
    }
    this.translated.set(group, { group, partitions: count, at: new Date().toISOString() });
    return true;
  }
}
