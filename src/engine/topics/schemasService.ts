import type { ISchemasApi, SubjectVersion } from '../../shared/api/schemas';
import type { RegistryRef } from '../../shared/api/topics';
import type { ClusterResolver } from './clusterResolver';
import { topicsError } from './errors';

/** The `schemas` namespace: what the produce form needs to pick a subject and version. */
export class SchemasService implements ISchemasApi {
  constructor(private readonly resolver: ClusterResolver) {}

  async subjects(registry: RegistryRef): Promise<string[]> {
    return (await this.client(registry).listSubjects()).sort();
  }

  async versions(registry: RegistryRef, subject: string): Promise<number[]> {
    return this.client(registry).listVersions(subject);
  }

  async get(registry: RegistryRef, subject: string, version?: number): Promise<SubjectVersion> {
    const found = await this.client(registry).getSchemaVersion(subject, version ?? 'latest');
    return { subject: found.subject, version: found.version, id: found.id, schema: found.schema, schemaType: found.schemaType };
  }

  private client(registry: RegistryRef) {
    const client = this.resolver.registry(registry);
    if (!client) throw topicsError('TOPICS_SCHEMA', 'Choose a Schema Registry (a profile or a URL).');
    return client;
  }
}
