import type { ResolvedSinkBase } from '../connectors/port';
import type { KafkaAdmin, KafkaClientSettings } from '../kafka';
import { EngineError } from '../../shared/errors';
import type { Logger } from '../base/logger';
import type { ConnectorLifecycle } from './connectorState';
import type { ConnectorMetrics } from './metrics';
import type { ConnectorMetricsDto } from './status';

/** A lag measured longer ago than this (the refresh runs every second) is shown as stale. */
const LAG_STALE_MS = 5_000;
/** Kafka not answering a lag refresh for this long makes a RUNNING sink DEGRADED. */
const KAFKA_SILENT_MS = 10_000;

/** A sink's lag (end offsets − committed offsets), refreshed every second, and what it says about Kafka answering. */
export class SinkLag {
  /** Measured at least once: before that a sink is not caught up. */
  known = false;
  /** When the lag shown was measured (ms since epoch); older than LAG_STALE_MS, the status marks it stale. */
  private asOf: number | undefined;
  /** The refresh under way: a broker that does not answer must not pile up one request per second. */
  private refreshing: Promise<boolean> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: ResolvedSinkBase,
    private readonly kafkaSettings: KafkaClientSettings,
    private readonly lifecycle: ConnectorLifecycle,
    private readonly metrics: ConnectorMetrics,
    private readonly log: Logger,
    /** Announces a topic present in Kafka (the status lists it before its first record). */
    private readonly topicSeen: (topic: string) => void,
  ) {}

  start(admin: () => KafkaAdmin | undefined, quiet: () => boolean): void {
    this.timer = setInterval(() => {
      void this.refresh(admin(), quiet());
      this.noticeSilentKafka(quiet());
    }, 1000);
    void this.refresh(admin(), quiet());
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  statusFields(now: number): Pick<ConnectorMetricsDto, 'lagAsOf' | 'lagStale'> {
    return this.asOf === undefined ? {} : { lagAsOf: this.asOf, lagStale: now - this.asOf > LAG_STALE_MS };
  }

  refresh(admin: KafkaAdmin | undefined, stopped: boolean): Promise<boolean> {
    this.refreshing ??= this.measure(admin, stopped).finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  /**
   * Kafka stopped answering (a paused or overloaded broker, a cut network) while nothing failed yet: requests just
   * wait, up to the request timeout and then through kafkajs's retries. Without this the sink said RUNNING with the
   * last lag it measured, for as long as that took. The lag itself is marked stale in the status.
   */
  private noticeSilentKafka(quiet: boolean): void {
    if (this.asOf === undefined || quiet || this.lifecycle.state !== 'RUNNING') return;
    const silentMs = Date.now() - this.asOf;
    if (silentMs <= KAFKA_SILENT_MS) return;
    this.metrics.errors++;
    this.lifecycle.set(
      'DEGRADED',
      new EngineError(
        'SINK_KAFKA_SILENT',
        `No answer from Kafka at ${this.kafkaSettings.bootstrapServers.join(',')} for ${Math.round(silentMs / 1000)} s (lag and offsets cannot be read; the lag shown is the last one measured). The sink resumes by itself when the brokers answer.`,
        { retriable: true },
      ),
    );
  }

  private async measure(admin: KafkaAdmin | undefined, stopped: boolean): Promise<boolean> {
    if (!admin || stopped) return false;
    try {
      const topics = this.config.topics.kind === 'list' ? [...this.config.topics.topics] : (await admin.listTopics()).filter((topic) => new RegExp(`^(?:${(this.config.topics as { regex: string }).regex})$`).test(topic));
      const existing = new Set(await admin.listTopics());
      const present = topics.filter((topic) => existing.has(topic));
      for (const topic of present) this.topicSeen(topic);
      const committed = await admin.fetchOffsets({ groupId: this.config.groupId, topics: present });
      let lag = 0;
      for (const topic of present) {
        const ends = await admin.fetchTopicOffsets(topic);
        const done = committed.find((entry) => entry.topic === topic);
        for (const end of ends) {
          const at = done?.partitions.find((partition) => partition.partition === end.partition)?.offset ?? '-1';
          const start = Number(at) < 0 ? Number(end.low) : Number(at);
          lag += Math.max(0, Number(end.high) - start);
        }
      }
      this.metrics.lag = lag;
      this.known = true;
      this.asOf = Date.now();
      if (this.lifecycle.state === 'DEGRADED' && this.lifecycle.error?.code === 'SINK_KAFKA_SILENT') this.lifecycle.set('RUNNING');
      return true;
    } catch (error) {
      this.log.debug('lag refresh failed', { error: String(error) });
      return false;
    }
  }
}
