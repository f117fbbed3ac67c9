import avro from 'avsc';
import type { Type } from 'avsc';
import { bigintLongHook } from './avscTypes';
import type { CompatibilityLevel } from './registryClient';

/**
 * Avro compatibility as Confluent's registry decides it (AvroSchema.isBackwardCompatible →
 * Avro's SchemaCompatibility): "A is compatible with B" means a reader with schema A can read data written with
 * B. avsc's createResolver answers exactly that question. Schemas are parsed without logical types because
 * Avro's compatibility check ignores them too, and record names are matched without namespaces as Avro Java does.
 */

export interface VersionedType {
  version: number;
  type: Type;
}

/** Parses schema JSON into the plain avsc type used for compatibility checks; throws avsc's error if invalid. */
export function parseForCompatibility(schema: unknown): Type {
  // int64 defaults beyond 2^53 are legal Avro; avsc's number-based long would call them invalid.
  return avro.Type.forSchema(schema as Parameters<typeof avro.Type.forSchema>[0], { typeHook: bigintLongHook });
}

function canRead(reader: Type, writer: Type): string | undefined {
  try {
    reader.createResolver(writer, { ignoreNamespaces: true });
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * Problems that stop `candidate` from being registered after `previous` (ascending by version, live versions
 * only) under `level`; empty when it is compatible.
 */
export function compatibilityProblems(level: CompatibilityLevel, candidate: Type, previous: readonly VersionedType[]): string[] {
  if (level === 'NONE' || previous.length === 0) return [];
  const transitive = level.endsWith('_TRANSITIVE');
  const against = transitive ? previous : previous.slice(-1);
  const backward = level.startsWith('BACKWARD') || level.startsWith('FULL');
  const forward = level.startsWith('FORWARD') || level.startsWith('FULL');
  const problems: string[] = [];
  for (const old of against) {
    if (backward) {
      const problem = canRead(candidate, old.type);
      if (problem) problems.push(describe('the new schema cannot read data written with', old.version, problem, level));
    }
    if (forward) {
      const problem = canRead(old.type, candidate);
      if (problem) problems.push(describe('readers using', old.version, `${problem} (they cannot read data written with the new schema)`, level));
    }
  }
  return problems;
}

// Close to the registry's own wording ({errorType, description}, {oldSchemaVersion}, {compatibility}).
function describe(what: string, version: number, problem: string, level: CompatibilityLevel): string {
  return `{errorType:'INCOMPATIBLE', description:'${what} version ${version}: ${problem}'}, {oldSchemaVersion: ${version}}, {compatibility: '${level}'}`;
}
