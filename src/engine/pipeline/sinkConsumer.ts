import type { ResolvedSinkBase } from '../connectors/port';
import { classifyKafkaError, createKafkaClient, type KafkaAdmin, type KafkaClient, type KafkaClientSettings, type KafkaConsumer } from '../kafka';
import { EngineError } from '../../shared/errors';
import { Backoff, type BackoffPolicy, sleep } from '../base/backoff';
import type { Logger } from '../base/logger';
import type { ConnectorLifecycle } from './connectorState';
import type { ConnectorMetrics } from './metrics';

/** Retrying the removal of a crashed consumer's group member while the coordinator is away or loading. */
const DEAD_MEMBER_BACKOFF: BackoffPolicy = { initialMs: 250, maxMs: 2_000, jitter: 'full' };

/** A sink's consumer, as Connect configures one: group `connect-<name>`, manual commits, earliest offsets. */
export function createSinkConsumer(kafka: KafkaClient, config: ResolvedSinkBase): KafkaConsumer {
  return kafka.consumer({
    groupId: config.groupId,
    allowAutoTopicCreation: false,
    // Short fetch waits keep end-to-end latency near poll.interval.ms; batches still fill under load.
    maxWaitMs: 200,
    // Fetches big enough for full batch.size chunks during a snapshot, small enough to keep RSS down.
    maxBytesPerPartition: 2 * 1024 * 1024,
    maxBytes: 16 * 1024 * 1024,
    // A restarted Ferry (after a crash or a kill) cannot join its group until the dead member's session expires:
    // with 30 s the restarted sink sat in STARTING for ~30 s. 10 s (Connect's consumer default before Kafka 3.0)
    // still tolerates three missed heartbeats; batches call heartbeat() between chunks.
    sessionTimeoutMs: 10_000,
    heartbeatIntervalMs: 3_000,
    // While the brokers are away kafkajs retries (and restarts the consumer) with pauses growing to maxRetryTime;
    // with the client's 10 s the sink came back up to ~10 s after the broker, long after the source (~1 s). Short
    // pauses (jittered by kafkajs) cost a few cheap connection attempts while Kafka is down.
    retry: { retries: 10, initialRetryTimeMs: 250, maxRetryTimeMs: 2_000 },
  });
}

export function describeTopics(config: ResolvedSinkBase): string {
  return config.topics.kind === 'list' ? config.topics.topics.join(', ') : `topics matching ${config.topics.regex}`;
}

/** The topics a sink reads now: its list, or those matching its regex. */
export async function assignedTopics(config: ResolvedSinkBase, admin: KafkaAdmin | undefined): Promise<string[]> {
  if (config.topics.kind === 'list') return [...config.topics.topics];
  const pattern = new RegExp(`^(?:${config.topics.regex})$`);
  return ((await admin?.listTopics()) ?? []).filter((topic) => pattern.test(topic));
}

/**
 * A sink may start before its source has created the topics (a fresh pipeline): wait for them, DEGRADED with the
 * names, instead of failing. Regex subscriptions pick topics up as they appear, so they need no wait.
 */
export async function waitForTopics(config: ResolvedSinkBase, admin: KafkaAdmin, lifecycle: ConnectorLifecycle, stopping: AbortSignal): Promise<void> {
  if (config.topics.kind !== 'list') return;
  const wanted = config.topics.topics;
  for (let attempt = 0; !stopping.aborted; attempt++) {
    const existing = new Set(await admin.listTopics());
    const missing = wanted.filter((topic) => !existing.has(topic));
    if (missing.length === 0) {
      if (attempt > 0) lifecycle.set('STARTING');
      return;
    }
    if (attempt === 3) {
      lifecycle.set(
        'DEGRADED',
        new EngineError('SINK_WAITING_FOR_TOPICS', `Waiting for topic${missing.length === 1 ? '' : 's'} ${missing.join(', ')} to exist (a source creates them with its first records; check the names in "topics").`, { retriable: true }),
      );
    }
    await sleep(500, stopping);
  }
}

/**
 * kafkajs retries and restarts its consumer by itself when the brokers go away, which the status never showed: a
 * sink that could not reach Kafka stayed RUNNING. A crash it will restart from is DEGRADED (with the cause and the
 * brokers), one it will not restart from is FAILED (the consumer is gone, `onFatal`), and rejoining the group after a
 * restart is RUNNING again.
 */
export class ConsumerGroupWatch {
  private memberId: string | undefined;
  /** Group joins so far; a join ends the removal of a dead member (it has expired or was removed by then). */
  private joins = 0;

  constructor(
    private readonly config: ResolvedSinkBase,
    private readonly kafkaSettings: KafkaClientSettings,
    private readonly lifecycle: ConnectorLifecycle,
    private readonly metrics: ConnectorMetrics,
    private readonly log: Logger,
    private readonly stopping: AbortSignal,
    private readonly onFatal: () => void,
    /** The consumer (re)joined its group: what it fetches next starts at the committed offsets. */
    private readonly onJoin: () => void = () => {},
  ) {}

  watch(consumer: KafkaConsumer): void {
    const brokers = this.kafkaSettings.bootstrapServers;
    consumer.on('crash', (payload) => {
      // kafkajs restarts a crashed consumer as a new group member; the old one is removed so the rejoin need not wait
      // for its session to expire (see removeGroupMember).
      if (this.memberId !== undefined && payload.restart && !this.stopping.aborted) void this.removeDeadMember(this.memberId);
      this.memberId = undefined;
      if (this.stopping.aborted || this.lifecycle.state === 'FAILED') return;
      const failure = classifyKafkaError(payload.error, brokers, `consume ${describeTopics(this.config)}`);
      this.metrics.errors++;
      if (payload.restart) {
        this.log.warn('sink consumer restarting', { connector: this.config.name, error: failure.message });
        this.lifecycle.set('DEGRADED', failure);
      } else {
        this.log.error('sink consumer stopped', { connector: this.config.name, error: failure.message });
        this.lifecycle.set('FAILED', failure);
        this.onFatal();
      }
    });
    consumer.on('groupJoin', ({ memberId }) => {
      this.memberId = memberId;
      this.joins++;
      this.onJoin();
      if (this.lifecycle.state === 'DEGRADED' && !this.stopping.aborted) this.lifecycle.set('RUNNING');
    });
  }

  /**
   * Sends LeaveGroup for the crashed consumer's old member until the coordinator answers (it may be down or still
   * loading the group for a while): with the old member gone, the restarted consumer's join completes at once.
   */
  private async removeDeadMember(memberId: string): Promise<void> {
    const joinsBefore = this.joins;
    // No retries inside kafkajs (they grow to 10 s): each attempt fails fast while Kafka is away, the backoff paces them.
    const kafka = createKafkaClient({ ...this.kafkaSettings, retries: 0 });
    const backoff = new Backoff(DEAD_MEMBER_BACKOFF);
    while (!this.stopping.aborted && this.joins === joinsBefore) {
      try {
        const outcome = await kafka.removeGroupMember(this.config.groupId, memberId);
        this.log.debug('removed the crashed consumer from its group', { connector: this.config.name, memberId, outcome });
        return;
      } catch (error) {
        this.log.debug('could not remove the crashed consumer from its group yet', { connector: this.config.name, error: String(error) });
      }
      if (!(await backoff.wait(this.stopping))) return;
    }
  }
}

/** kafkajs errors after which the consumer must rejoin its group (its runner recognises them by type). */
export function isGroupMembershipError(error: unknown): boolean {
  const type = (error as { type?: unknown } | null)?.type;
  return type === 'UNKNOWN_MEMBER_ID' || type === 'ILLEGAL_GENERATION' || type === 'REBALANCE_IN_PROGRESS' || type === 'NOT_COORDINATOR_FOR_GROUP' || type === 'FENCED_INSTANCE_ID';
}
