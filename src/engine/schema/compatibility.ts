import avro from 'avsc';
import type { Type } from 'avsc';
import { bigintLongHook } from './avscTypes';
import type { CompatibilityLevel } from './registryClient';

/**
 * Avro compatibility as Confluent's registry decides it (AvroSchema.isBackwardCompatible → Avro's
 * SchemaCompatibility.checkReaderWriterCompatibility): "A is compatible with B" means a reader with schema A can
 * read data written with B. Every incompatibility is reported with Avro's SchemaIncompatibilityType
 * (NAME_MISMATCH, FIXED_SIZE_MISMATCH, MISSING_ENUM_SYMBOLS, READER_FIELD_MISSING_DEFAULT_VALUE, TYPE_MISMATCH,
 * MISSING_UNION_BRANCH), the JSON-pointer-like path Avro gives (`/fields/2/type`) and the description Confluent's
 * registry writes for it, so a client that parses `errorType` finds what it expects. Schemas are parsed without
 * logical types because Avro's check ignores them too, and record names are compared without namespaces as Avro
 * Java does.
 */

export interface VersionedType {
  version: number;
  type: Type;
  /** The stored schema text, quoted in the message as Confluent's `oldSchema`. */
  schema?: string;
}

export type IncompatibilityType =
  | 'NAME_MISMATCH'
  | 'FIXED_SIZE_MISMATCH'
  | 'MISSING_ENUM_SYMBOLS'
  | 'READER_FIELD_MISSING_DEFAULT_VALUE'
  | 'TYPE_MISMATCH'
  | 'MISSING_UNION_BRANCH';

export interface Incompatibility {
  type: IncompatibilityType;
  /** Where in the reader schema (Avro's location: `/fields/1/type`). */
  location: string;
  /** The field name, the missing symbols, … as Avro reports them. */
  additionalInfo: string;
}

/**
 * Parses schema JSON into the plain avsc type used for compatibility checks; throws avsc's error if invalid.
 * `named` collects named types across calls, so a schema may use the names of schemas parsed before it (references).
 */
export function parseForCompatibility(schema: unknown, named?: Record<string, Type>): Type {
  // int64 defaults beyond 2^53 are legal Avro; avsc's number-based long would call them invalid.
  return avro.Type.forSchema(schema as Parameters<typeof avro.Type.forSchema>[0], { typeHook: bigintLongHook, ...(named ? { registry: named } : {}) });
}

interface RecordField {
  name: string;
  type: Type;
  aliases: string[];
  defaultValue(): unknown;
}

interface TypeShape {
  typeName: string;
  name?: string;
  aliases?: string[];
  fields?: RecordField[];
  symbols?: string[];
  default?: unknown;
  size?: number;
  types?: Type[];
  itemsType?: Type;
  valuesType?: Type;
}

function shape(type: Type): TypeShape {
  return type as unknown as TypeShape;
}

/** union:wrapped and union:unwrapped are both "union" for compatibility. */
function kind(type: Type): string {
  const name = shape(type).typeName;
  return name.startsWith('union') ? 'union' : name;
}

function unqualified(name: string | undefined): string {
  if (name === undefined) return '';
  const dot = name.lastIndexOf('.');
  return dot < 0 ? name : name.slice(dot + 1);
}

/** Avro's promotions: a reader of the left type reads data written with any type on the right. */
const PROMOTIONS: Record<string, readonly string[]> = {
  long: ['int'],
  float: ['int', 'long'],
  double: ['int', 'long', 'float'],
  string: ['bytes'],
  bytes: ['string'],
};

/**
 * Every reason a reader with `reader` cannot read data written with `writer`, as Avro's
 * ReaderWriterCompatibilityChecker finds them (it collects all of them, not only the first).
 */
export function readerWriterIncompatibilities(reader: Type, writer: Type): Incompatibility[] {
  const found: Incompatibility[] = [];
  const inProgress = new Set<string>();
  const visit = (r: Type, w: Type, location: string): void => {
    const rk = kind(r);
    const wk = kind(w);
    const rs = shape(r);
    const ws = shape(w);
    // Named types may refer to themselves; a pair already being checked is assumed compatible, as Avro does.
    if (rs.name !== undefined && ws.name !== undefined) {
      const key = `${rs.name}\u0000${ws.name}`;
      if (inProgress.has(key)) return;
      inProgress.add(key);
    }
    if (wk === 'union' && rk !== 'union') {
      (ws.types ?? []).forEach((branch) => visit(r, branch, location));
      return;
    }
    if (rk === 'union') {
      if (wk === 'union') {
        (ws.types ?? []).forEach((branch, index) => {
          if (!(rs.types ?? []).some((candidate) => readerWriterIncompatibilities(candidate, branch).length === 0)) {
            found.push({ type: 'MISSING_UNION_BRANCH', location: `${location}/${index}`, additionalInfo: `reader union lacking writer type: ${kind(branch).toUpperCase()}` });
          }
        });
        return;
      }
      if (!(rs.types ?? []).some((candidate) => readerWriterIncompatibilities(candidate, w).length === 0)) {
        found.push({ type: 'MISSING_UNION_BRANCH', location, additionalInfo: `reader union lacking writer type: ${wk.toUpperCase()}` });
      }
      return;
    }
    if (rk !== wk) {
      if (!(PROMOTIONS[rk] ?? []).includes(wk)) found.push({ type: 'TYPE_MISMATCH', location, additionalInfo: `reader type: ${rk.toUpperCase()} not compatible with writer type: ${wk.toUpperCase()}` });
      return;
    }
    switch (rk) {
      case 'record': {
        if (!namesMatch(rs, ws)) found.push({ type: 'NAME_MISMATCH', location: `${location}/name`, additionalInfo: `expected: ${ws.name ?? ''}` });
        (rs.fields ?? []).forEach((field, index) => {
          const written = (ws.fields ?? []).find((candidate) => candidate.name === field.name || field.aliases.includes(candidate.name));
          if (written) visit(field.type, written.type, `${location}/fields/${index}/type`);
          else if (field.defaultValue() === undefined) found.push({ type: 'READER_FIELD_MISSING_DEFAULT_VALUE', location: `${location}/fields/${index}`, additionalInfo: field.name });
        });
        return;
      }
      case 'enum': {
        if (!namesMatch(rs, ws)) found.push({ type: 'NAME_MISMATCH', location: `${location}/name`, additionalInfo: `expected: ${ws.name ?? ''}` });
        const missing = (ws.symbols ?? []).filter((symbol) => !(rs.symbols ?? []).includes(symbol));
        if (missing.length > 0 && rs.default === undefined) found.push({ type: 'MISSING_ENUM_SYMBOLS', location: `${location}/symbols`, additionalInfo: `[${missing.join(', ')}]` });
        return;
      }
      case 'fixed': {
        if (!namesMatch(rs, ws)) found.push({ type: 'NAME_MISMATCH', location: `${location}/name`, additionalInfo: `expected: ${ws.name ?? ''}` });
        if (rs.size !== ws.size) found.push({ type: 'FIXED_SIZE_MISMATCH', location: `${location}/size`, additionalInfo: `expected: ${ws.size ?? 0}, found: ${rs.size ?? 0}` });
        return;
      }
      case 'array':
        if (rs.itemsType && ws.itemsType) visit(rs.itemsType, ws.itemsType, `${location}/items`);
        return;
      case 'map':
        if (rs.valuesType && ws.valuesType) visit(rs.valuesType, ws.valuesType, `${location}/values`);
        return;
      default:
        return;
    }
  };
  visit(reader, writer, '');
  // Avro reports the root as "/".
  return found.map((item) => ({ ...item, location: item.location === '' ? '/' : item.location }));
}

function namesMatch(reader: TypeShape, writer: TypeShape): boolean {
  const writerName = unqualified(writer.name);
  return unqualified(reader.name) === writerName || (reader.aliases ?? []).some((alias) => unqualified(alias) === writerName);
}

/** Confluent's description of one incompatibility (AvroSchema.isCompatible), with "new"/"old" for reader/writer. */
export function describeIncompatibility(item: Incompatibility, readerIsNew: boolean): string {
  const reader = readerIsNew ? 'new' : 'old';
  const writer = readerIsNew ? 'old' : 'new';
  switch (item.type) {
    case 'NAME_MISMATCH':
      return `The name of the schema has changed (path '${item.location}')`;
    case 'FIXED_SIZE_MISMATCH':
      return `The size of FIXED type field at path '${item.location}' in the ${reader} schema does not match with the ${writer} schema`;
    case 'MISSING_ENUM_SYMBOLS':
      return `The ${reader} schema is missing enum symbols '${item.additionalInfo}' at path '${item.location}' in the ${writer} schema`;
    case 'READER_FIELD_MISSING_DEFAULT_VALUE':
      return `The field '${item.additionalInfo}' at path '${item.location}' in the ${reader} schema has no default value and is missing in the ${writer} schema`;
    case 'TYPE_MISMATCH':
      return `The type (path '${item.location}') of a field in the ${reader} schema does not match with the ${writer} schema`;
    case 'MISSING_UNION_BRANCH':
      return `The ${reader} schema is missing a type inside a union field at path '${item.location}' in the ${writer} schema`;
  }
}

/**
 * Problems that stop `candidate` from being registered after `previous` (ascending by version, live versions
 * only) under `level`; empty when it is compatible. Each problem is one of Confluent's message strings:
 * `{errorType:'…', description:'…', additionalInfo:'…'}`, then `{oldSchemaVersion: n}`, `{oldSchema: '…'}` and
 * `{validateFields: 'false', compatibility: '…'}`, in that order, as its registry lists them.
 */
export function compatibilityProblems(level: CompatibilityLevel, candidate: Type, previous: readonly VersionedType[]): string[] {
  if (level === 'NONE' || previous.length === 0) return [];
  const transitive = level.endsWith('_TRANSITIVE');
  // Confluent checks the newest first for transitive levels and stops at the first incompatible version.
  const against = transitive ? [...previous].reverse() : previous.slice(-1);
  const backward = level.startsWith('BACKWARD') || level.startsWith('FULL');
  const forward = level.startsWith('FORWARD') || level.startsWith('FULL');
  for (const old of against) {
    const messages: string[] = [];
    if (backward) for (const item of readerWriterIncompatibilities(candidate, old.type)) messages.push(errorMessage(item, true));
    if (forward) for (const item of readerWriterIncompatibilities(old.type, candidate)) messages.push(errorMessage(item, false));
    if (messages.length === 0) continue;
    messages.push(`{oldSchemaVersion: ${old.version}}`);
    if (old.schema !== undefined) messages.push(`{oldSchema: '${old.schema}'}`);
    messages.push(`{validateFields: 'false', compatibility: '${level}'}`);
    return messages;
  }
  return [];
}

function errorMessage(item: Incompatibility, readerIsNew: boolean): string {
  return `{errorType:'${item.type}', description:'${describeIncompatibility(item, readerIsNew)}', additionalInfo:'${item.additionalInfo}'}`;
}
