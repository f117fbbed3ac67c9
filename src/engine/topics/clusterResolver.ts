import type { KafkaProfile } from '../../shared/api/connections';
import type { ClusterChoice, ClusterRef, PipelineRegistry, RegistryRef } from '../../shared/api/topics';
import type { KafkaClientSettings } from '../kafka';
import { SchemaRegistryClient } from '../schema';
import { topicsError } from './errors';

/** What the topics service needs from the rest of the engine; createEngine wires it to the lab and the profiles. */
export interface TopicsContext {
  /** Bootstrap servers of the lab's cluster "a" or "b". */
  labBootstrap(cluster: 'a' | 'b'): Promise<string>;
  /** The registry records on the lab's clusters are decoded with by default (the demo's while it runs). */
  labRegistryUrl(): Promise<string>;
  kafkaProfiles(): KafkaProfile[];
  kafkaSettings(profileId: string, overrides: Partial<KafkaClientSettings>): KafkaClientSettings;
  registryOptions(profileId: string): ConstructorParameters<typeof SchemaRegistryClient>[0];
  profileEnvironment(profileId: string): 'dev' | 'test' | 'prod';
  /** Registries of running pipelines, the clusters they write to, and their topics. */
  pipelineRegistries?(): Promise<{ pipeline: string; bootstrap: readonly string[]; url: string; topics: string[] }[]>;
  /** Client options (with credentials) of a running pipeline's registry. */
  pipelineRegistryOptions?(pipeline: string): ConstructorParameters<typeof SchemaRegistryClient>[0] | undefined;
  /** Throws unless a write to this prod profile was confirmed. */
  requireWriteConfirmation(profileId: string, confirmed: boolean | undefined, action: string): void;
}

export interface ResolvedCluster {
  settings: KafkaClientSettings;
  label: string;
}

/** Maps the API's cluster and registry references onto client settings; registry clients are kept for their caches. */
export class ClusterResolver {
  private readonly registries = new Map<string, SchemaRegistryClient>();

  constructor(readonly context: TopicsContext) {}

  async clusters(): Promise<ClusterChoice[]> {
    const labRegistry: RegistryRef = { kind: 'url', url: await this.context.labRegistryUrl() };
    const lab: ClusterChoice[] = [];
    for (const cluster of ['a', 'b'] as const) {
      lab.push({ ref: { kind: 'lab', cluster }, label: `Lab cluster ${cluster}`, bootstrap: await this.context.labBootstrap(cluster), environment: 'dev', defaultRegistry: labRegistry });
    }
    const profiles = this.context.kafkaProfiles().map(
      (profile): ClusterChoice => ({
        ref: { kind: 'profile', profileId: profile.id },
        label: profile.name,
        bootstrap: profile.bootstrapServers,
        environment: profile.environment,
        ...(profile.schemaRegistryProfileId ? { defaultRegistry: { kind: 'profile', profileId: profile.schemaRegistryProfileId } } : {}),
      }),
    );
    // A topic a running pipeline writes is decoded with that pipeline's registry (a schema id means nothing elsewhere).
    const running = (await this.context.pipelineRegistries?.().catch(() => [])) ?? [];
    return [...lab, ...profiles].map((choice) => {
      const servers = new Set(choice.bootstrap.split(',').map((server) => server.trim()));
      const onCluster = running
        .filter((entry) => entry.bootstrap.some((server) => servers.has(server)))
        .map((entry): PipelineRegistry => ({ pipeline: entry.pipeline, ref: { kind: 'pipeline', pipeline: entry.pipeline }, url: entry.url, topics: entry.topics }));
      return onCluster.length > 0 ? { ...choice, pipelineRegistries: onCluster } : choice;
    });
  }

  async cluster(ref: ClusterRef, overrides: Partial<KafkaClientSettings> = {}): Promise<ResolvedCluster> {
    if (typeof ref !== 'object' || ref === null) throw topicsError('TOPICS_BAD_REQUEST', 'Choose a cluster: the lab\'s "a" or "b", or a Kafka connection profile.');
    if (ref.kind === 'lab') {
      if (ref.cluster !== 'a' && ref.cluster !== 'b') throw topicsError('TOPICS_BAD_REQUEST', 'The lab has clusters "a" and "b" only.');
      const bootstrap = await this.context.labBootstrap(ref.cluster);
      return { settings: { bootstrapServers: [bootstrap], clientId: 'ferry-workbench', ...overrides }, label: `lab cluster ${ref.cluster} (${bootstrap})` };
    }
    if (ref.kind === 'profile') {
      const settings = this.context.kafkaSettings(ref.profileId, overrides);
      return { settings, label: settings.bootstrapServers.join(',') };
    }
    throw topicsError('TOPICS_BAD_REQUEST', 'A cluster reference must be {kind:"lab", cluster} or {kind:"profile", profileId}.');
  }

  registry(ref: RegistryRef | undefined): SchemaRegistryClient | undefined {
    if (!ref) return undefined;
    const key = ref.kind === 'url' ? `url:${ref.url}` : ref.kind === 'profile' ? `profile:${ref.profileId}` : `pipeline:${ref.pipeline}`;
    let client = this.registries.get(key);
    if (!client) {
      const options =
        ref.kind === 'url'
          ? { url: ref.url }
          : ref.kind === 'profile'
            ? this.context.registryOptions(ref.profileId)
            : this.context.pipelineRegistryOptions?.(ref.pipeline);
      if (!options) throw topicsError('TOPICS_BAD_REQUEST', `Pipeline "${ref.kind === 'pipeline' ? ref.pipeline : ''}" is not running or has no Schema Registry: pick another registry.`);
      client = new SchemaRegistryClient({ ...options, requestTimeoutMs: 5_000 });
      if (this.registries.size >= 16) this.registries.clear();
      this.registries.set(key, client);
    }
    return client;
  }

  /** A profile edit (new password, other URL) must not keep using an old client. */
  forgetRegistries(): void {
    this.registries.clear();
  }
}
