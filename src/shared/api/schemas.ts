import type { RegistryRef } from './topics';

export interface SubjectVersion {
  subject: string;
  version: number;
  id: number;
  /** The schema text (Avro JSON). */
  schema: string;
  schemaType: 'AVRO' | 'JSON' | 'PROTOBUF';
}

/** Confluent Schema Registry compatibility levels. */
export type CompatibilityLevel = 'NONE' | 'BACKWARD' | 'BACKWARD_TRANSITIVE' | 'FORWARD' | 'FORWARD_TRANSITIVE' | 'FULL' | 'FULL_TRANSITIVE';
export const COMPATIBILITY_LEVEL_NAMES: readonly CompatibilityLevel[] = ['NONE', 'BACKWARD', 'BACKWARD_TRANSITIVE', 'FORWARD', 'FORWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE'];

export interface SubjectCompatibility {
  subject: string;
  /** The level checks of this subject use: its own when set, else the registry's global level. */
  level: CompatibilityLevel;
  /** True when the subject has a level of its own. */
  own: boolean;
  global: CompatibilityLevel;
}

/** One line of a schema diff; line numbers are 1-based in the pretty-printed schema they come from. */
export interface SchemaDiffLine {
  kind: 'same' | 'added' | 'removed';
  text: string;
  fromLine?: number;
  toLine?: number;
}

export interface SchemaDiff {
  subject: string;
  from: SubjectVersion;
  to: SubjectVersion;
  /** Both schemas pretty-printed (2-space JSON), compared line by line. */
  lines: SchemaDiffLine[];
  /** Field-level summary for Avro records, e.g. `added field email (["null","string"], default null)`. */
  changes: string[];
}

/** Views of a Schema Registry: subjects, versions, diffs, and each subject's compatibility level. */
export interface ISchemasApi {
  subjects(registry: RegistryRef): Promise<string[]>;
  versions(registry: RegistryRef, subject: string): Promise<number[]>;
  get(registry: RegistryRef, subject: string, version?: number): Promise<SubjectVersion>;
  /** Line diff and field summary between two versions of a subject. */
  diff(registry: RegistryRef, subject: string, fromVersion: number, toVersion: number): Promise<SchemaDiff>;
  compatibility(registry: RegistryRef, subject: string): Promise<SubjectCompatibility>;
  /** Sets the subject's own level. */
  setCompatibility(registry: RegistryRef, subject: string, level: CompatibilityLevel): Promise<SubjectCompatibility>;
}
