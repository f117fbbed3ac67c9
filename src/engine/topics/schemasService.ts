import type { CompatibilityLevel, ISchemasApi, SchemaDiff, SubjectCompatibility, SubjectVersion } from '../../shared/api/schemas';
import type { RegistryRef } from '../../shared/api/topics';
import { isEngineError } from '../../shared/errors';
import { isCompatibilityLevel, type SchemaRegistryClient } from '../schema';
import type { ClusterResolver } from './clusterResolver';
import { topicsError } from './errors';
import { avroFieldChanges, diffLines, prettySchema } from './schemaDiff';

function checkSubject(subject: unknown): string {
  if (typeof subject !== 'string' || subject.trim() === '') throw topicsError('TOPICS_BAD_REQUEST', 'Choose a subject (e.g. orders-value).');
  return subject;
}

function checkVersion(version: unknown, field: string): number {
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) throw topicsError('TOPICS_BAD_REQUEST', `${field} ${String(version)} must be a version number ≥ 1 of the subject.`);
  return version;
}

/** The `schemas` namespace: subjects, versions, diffs between versions and compatibility levels of a registry. */
export class SchemasService implements ISchemasApi {
  constructor(private readonly resolver: ClusterResolver) {}

  async subjects(registry: RegistryRef): Promise<string[]> {
    return (await this.client(registry).listSubjects()).sort();
  }

  async versions(registry: RegistryRef, subject: string): Promise<number[]> {
    return this.client(registry).listVersions(checkSubject(subject));
  }

  async get(registry: RegistryRef, subject: string, version?: number): Promise<SubjectVersion> {
    const found = await this.client(registry).getSchemaVersion(checkSubject(subject), version ?? 'latest');
    return { subject: found.subject, version: found.version, id: found.id, schema: found.schema, schemaType: found.schemaType };
  }

  async diff(registry: RegistryRef, subject: string, fromVersion: number, toVersion: number): Promise<SchemaDiff> {
    checkSubject(subject);
    checkVersion(fromVersion, 'From version');
    checkVersion(toVersion, 'To version');
    const [from, to] = await Promise.all([this.get(registry, subject, fromVersion), this.get(registry, subject, toVersion)]);
    return {
      subject,
      from,
      to,
      lines: diffLines(prettySchema(from.schema), prettySchema(to.schema)),
      changes: from.schemaType === 'AVRO' && to.schemaType === 'AVRO' ? avroFieldChanges(from.schema, to.schema) : [],
    };
  }

  async compatibility(registry: RegistryRef, subject: string): Promise<SubjectCompatibility> {
    checkSubject(subject);
    const client = this.client(registry);
    const global = await client.getCompatibility();
    const own = await this.ownLevel(client, subject);
    return { subject, level: own ?? global, own: own !== undefined, global };
  }

  async setCompatibility(registry: RegistryRef, subject: string, level: CompatibilityLevel): Promise<SubjectCompatibility> {
    checkSubject(subject);
    if (!isCompatibilityLevel(level)) {
      throw topicsError('TOPICS_BAD_REQUEST', `Compatibility level "${String(level)}" must be one of NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE.`);
    }
    await this.client(registry).setCompatibility(level, subject);
    return this.compatibility(registry, subject);
  }

  /** The subject's own level; undefined when it follows the global one (the registry answers 40408 then). */
  private async ownLevel(client: SchemaRegistryClient, subject: string): Promise<CompatibilityLevel | undefined> {
    try {
      return await client.getSubjectCompatibility(subject);
    } catch (error) {
      if (isEngineError(error) && error.code === 'SCHEMA_REGISTRY_REJECTED' && (error.detail as { errorCode?: number } | undefined)?.errorCode === 40408) return undefined;
      throw error;
    }
  }

  private client(registry: RegistryRef): SchemaRegistryClient {
    const client = this.resolver.registry(registry);
    if (!client) throw topicsError('TOPICS_SCHEMA', 'Choose a Schema Registry (a profile or a URL).');
    return client;
  }
}
