import type { ReplicatorTopicSelection } from '../config';

/** Kafka's and Confluent's internal topics: never replicated, whatever the patterns say (reference §5.1). */
const INTERNAL = new Set(['__consumer_offsets', '__transaction_state', '__consumer_timestamps', '__share_group_state', '_schemas', '_confluent-command']);

export function isInternalTopic(topic: string): boolean {
  return INTERNAL.has(topic) || topic.startsWith('__') || topic.startsWith('_confluent');
}

/** Decides which source topics a replicator copies: blacklist first, then whitelist ∪ regex (whole-name match). */
export class TopicSelector {
  private readonly include: ReadonlySet<string>;
  private readonly exclude: ReadonlySet<string>;
  private readonly regex: RegExp | undefined;

  constructor(selection: ReplicatorTopicSelection) {
    this.include = new Set(selection.include);
    this.exclude = new Set(selection.exclude);
    this.regex = selection.regex === undefined ? undefined : new RegExp(`^(?:${selection.regex})$`);
  }

  matches(topic: string): boolean {
    if (isInternalTopic(topic) || this.exclude.has(topic)) return false;
    return this.include.has(topic) || (this.regex?.test(topic) ?? false);
  }

  /** Whitelisted topics missing from the source: Replicator refuses to start without them. */
  missing(existing: readonly string[]): string[] {
    const present = new Set(existing);
    return [...this.include].filter((topic) => !present.has(topic) && !this.exclude.has(topic));
  }

  select(existing: readonly string[]): string[] {
    return existing.filter((topic) => this.matches(topic)).sort();
  }
}
