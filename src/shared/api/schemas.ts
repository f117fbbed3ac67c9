import type { RegistryRef } from './topics';

export interface SubjectVersion {
  subject: string;
  version: number;
  id: number;
  /** The schema text (Avro JSON). */
  schema: string;
  schemaType: 'AVRO' | 'JSON' | 'PROTOBUF';
}

/** Read-only views of a Schema Registry, for choosing the schema a test record is encoded with. */
export interface ISchemasApi {
  subjects(registry: RegistryRef): Promise<string[]>;
  versions(registry: RegistryRef, subject: string): Promise<number[]>;
  get(registry: RegistryRef, subject: string, version?: number): Promise<SubjectVersion>;
}
