import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Type } from 'avsc';
import { canonicalAvroString, parseAvroSchemaText } from './avroJson';
import { compatibilityProblems, parseForCompatibility, type VersionedType } from './compatibility';
import { schemaError } from './errors';
import { type CompatibilityLevel, isCompatibilityLevel } from './registryClient';

/**
 * The state behind Ferry's embedded Schema Registry, with Confluent's semantics ([SR] KafkaSchemaRegistry.register,
 * Errors.java): ids are global and stable (the same canonical schema text gets the same id under every subject),
 * re-registering a schema already in a subject returns its id, versions only grow (soft-deleted ones keep their
 * numbers), and every change is written to the store file before it is acknowledged.
 */

/** A refusal with the registry's HTTP status and error_code; the HTTP layer sends it as {error_code, message}. */
export class RegistryRefusal extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'RegistryRefusal';
  }
}

export type RegistryMode = 'READWRITE' | 'READONLY';

/** A named type the schema uses from another subject's version ([SR] SchemaReference). */
export interface SchemaReference {
  name: string;
  subject: string;
  version: number;
}

interface StoredSchema {
  id: number;
  schema: string;
  /** Absent when the schema stands alone (stores written before references were supported have none). */
  references?: SchemaReference[];
}

interface StoredVersion {
  version: number;
  id: number;
  deleted: boolean;
}

interface StoredSubject {
  versions: StoredVersion[];
  compatibility?: CompatibilityLevel;
}

interface RegistryData {
  format: 1;
  nextId: number;
  compatibility: CompatibilityLevel;
  mode: RegistryMode;
  schemas: StoredSchema[];
  subjects: Record<string, StoredSubject>;
}

export interface SubjectVersionView {
  subject: string;
  version: number;
  id: number;
  schema: string;
  /** Only present when the schema has references, as Confluent omits the empty list. */
  references?: SchemaReference[];
}

/** One schema as a client sends it: text plus the references its named types come from. */
export interface SchemaInput {
  schema: string;
  references: SchemaReference[];
}

/** The key ids are assigned to: the same text with other references is another schema, as in Confluent. */
function identity(text: string, references: readonly SchemaReference[] | undefined): string {
  return references && references.length > 0 ? `${text}\u0000${JSON.stringify(references)}` : text;
}

const subjectNotFound = (subject: string): RegistryRefusal => new RegistryRefusal(404, 40401, `Subject '${subject}' not found.`);
const versionNotFound = (version: number): RegistryRefusal => new RegistryRefusal(404, 40402, `Version ${version} not found.`);
const versionSoftDeleted = (subject: string, version: number): RegistryRefusal =>
  new RegistryRefusal(404, 40406, `Subject '${subject}' Version ${version} was soft deleted.Set permanent=true to delete permanently`);
const schemaNotFound = (id?: number | string): RegistryRefusal =>
  new RegistryRefusal(404, 40403, id === undefined ? 'Schema not found' : `Schema ${id} not found`);

/** MD5 of the schema text as a UUID: how Confluent derives a schema's GUID ([SR] storage/MD5.java). */
export function schemaGuid(schemaText: string): string {
  const hex = createHash('md5').update(schemaText, 'utf8').digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export class RegistryStore {
  private data: RegistryData;
  private readonly byId = new Map<number, StoredSchema>();
  private readonly idByIdentity = new Map<string, number>();
  private readonly idByGuid = new Map<string, number>();
  private readonly types = new Map<number, Type>();

  constructor(
    private readonly file: string | undefined,
    defaultCompatibility: CompatibilityLevel,
  ) {
    this.data = (file && loadData(file)) || {
      format: 1,
      nextId: 1,
      compatibility: defaultCompatibility,
      mode: 'READWRITE',
      schemas: [],
      subjects: {},
    };
    this.reindex();
  }

  // ------------------------------------------------------------------------------------------- reads

  schemaById(id: number): string {
    return this.storedById(id).schema;
  }

  /** GET /schemas/ids/{id}: the text, and the references when there are any. */
  schemaViewById(id: number): { schema: string; references?: SchemaReference[] } {
    const stored = this.storedById(id);
    return stored.references && stored.references.length > 0 ? { schema: stored.schema, references: stored.references } : { schema: stored.schema };
  }

  schemaByGuid(guid: string): string {
    const id = this.idByGuid.get(guid.toLowerCase());
    if (id === undefined) throw schemaNotFound(guid);
    return this.schemaById(id);
  }

  subjects(includeDeleted: boolean, prefix = ''): string[] {
    return Object.entries(this.data.subjects)
      .filter(([name, subject]) => name.startsWith(prefix) && subject.versions.some((v) => includeDeleted || !v.deleted))
      .map(([name]) => name)
      .sort();
  }

  versions(subject: string, includeDeleted = false): number[] {
    const versions = this.liveVersions(subject, includeDeleted).map((v) => v.version);
    if (versions.length === 0) throw subjectNotFound(subject);
    return versions;
  }

  /** `version` is a number, "latest" or "-1". */
  version(subject: string, version: string, includeDeleted = false): SubjectVersionView {
    return this.view(subject, this.findVersion(subject, version, includeDeleted));
  }

  /** GET /schemas: every subject version (the newest only with `latestOnly`), by subject then version. */
  allSchemas(options: { prefix: string; includeDeleted: boolean; latestOnly: boolean; offset: number; limit: number }): SubjectVersionView[] {
    const views: SubjectVersionView[] = [];
    for (const subject of this.subjects(options.includeDeleted, options.prefix)) {
      const versions = this.liveVersions(subject, options.includeDeleted);
      for (const stored of options.latestOnly ? versions.slice(-1) : versions) views.push(this.view(subject, stored));
    }
    const from = views.slice(Math.max(0, options.offset));
    return options.limit > 0 ? from.slice(0, options.limit) : from;
  }

  subjectVersionsForId(id: number, includeDeleted = false): { subject: string; version: number }[] {
    this.schemaById(id);
    const result: { subject: string; version: number }[] = [];
    for (const [subject, stored] of Object.entries(this.data.subjects)) {
      for (const v of stored.versions) if (v.id === id && (includeDeleted || !v.deleted)) result.push({ subject, version: v.version });
    }
    return result;
  }

  /** GET /subjects/{subject}/versions/{version}/referencedby: ids of schemas whose references name this version. */
  referencedBy(subject: string, version: string): number[] {
    const found = this.findVersion(subject, version, false);
    return this.data.schemas.filter((s) => (s.references ?? []).some((r) => r.subject === subject && r.version === found.version)).map((s) => s.id);
  }

  /** POST /subjects/{subject}: the version holding this schema. */
  lookup(subject: string, input: SchemaInput, includeDeleted = false): SubjectVersionView {
    const canonical = this.canonical(input).text;
    const versions = this.liveVersions(subject, includeDeleted);
    if (versions.length === 0) throw subjectNotFound(subject);
    const id = this.idByIdentity.get(identity(canonical, input.references));
    const found = id === undefined ? undefined : versions.find((v) => v.id === id);
    if (found === undefined) throw schemaNotFound();
    return this.view(subject, found);
  }

  compatibility(subject?: string): CompatibilityLevel | undefined {
    return subject === undefined ? this.data.compatibility : this.data.subjects[subject]?.compatibility;
  }

  mode(): RegistryMode {
    return this.data.mode;
  }

  /** POST /compatibility/subjects/{subject}/versions[/{version}]; `version` undefined = all the level requires. */
  testCompatibility(subject: string, input: SchemaInput, version: string | undefined): string[] {
    const candidate = this.canonical(input).type;
    const level = this.effectiveLevel(subject);
    const live = this.liveVersions(subject, false);
    if (version === undefined) return compatibilityProblems(level, candidate, live.map((v) => this.versioned(v)));
    const number = parseVersion(version);
    if (live.length === 0) {
      if (number === 'latest') return [];
      throw subjectNotFound(subject);
    }
    const found = number === 'latest' ? live[live.length - 1] : live.find((v) => v.version === number);
    if (found === undefined) throw versionNotFound(number as number);
    return compatibilityProblems(level, candidate, [this.versioned(found)]);
  }

  // ------------------------------------------------------------------------------------------- writes

  register(subject: string, input: SchemaInput): { id: number; version: number } {
    if (this.data.mode === 'READONLY') throw new RegistryRefusal(422, 42205, `Subject ${subject} is in read-only mode`);
    const { text, type } = this.canonical(input);
    const key = identity(text, input.references);
    const existingId = this.idByIdentity.get(key);
    const live = this.liveVersions(subject, false);
    const already = existingId === undefined ? undefined : live.find((v) => v.id === existingId);
    if (already) return { id: already.id, version: already.version };
    const problems = compatibilityProblems(
      this.effectiveLevel(subject),
      type,
      live.map((v) => this.versioned(v)),
    );
    if (problems.length > 0) {
      throw new RegistryRefusal(
        409,
        40901,
        `Schema being registered is incompatible with an earlier schema for subject "${subject}", details: [${problems.join(', ')}]`,
      );
    }
    return this.mutate((data) => {
      let id = existingId;
      if (id === undefined) {
        id = data.nextId;
        data.nextId += 1;
        data.schemas.push(input.references.length > 0 ? { id, schema: text, references: input.references } : { id, schema: text });
      }
      const stored = (data.subjects[subject] ??= { versions: [] });
      const version = stored.versions.reduce((max, v) => Math.max(max, v.version), 0) + 1;
      stored.versions.push({ version, id, deleted: false });
      return { id, version };
    });
  }

  /** DELETE /subjects/{subject}: soft by default; `permanent` only after a soft delete, as Confluent requires. */
  deleteSubject(subject: string, permanent: boolean): number[] {
    const stored = this.data.subjects[subject];
    if (stored === undefined || stored.versions.length === 0) throw subjectNotFound(subject);
    const live = stored.versions.filter((v) => !v.deleted);
    for (const v of stored.versions) this.refuseIfReferenced(subject, v.version);
    if (permanent) {
      if (live.length > 0) {
        throw new RegistryRefusal(404, 40405, `Subject '${subject}' was not deleted first before being permanently deleted`);
      }
      return this.mutate((data) => {
        const versions = data.subjects[subject]?.versions.map((v) => v.version) ?? [];
        delete data.subjects[subject];
        dropUnusedSchemas(data);
        return versions;
      });
    }
    if (live.length === 0) {
      throw new RegistryRefusal(404, 40404, `Subject '${subject}' was soft deleted.Set permanent=true to delete permanently`);
    }
    return this.mutate((data) => {
      const versions: number[] = [];
      for (const v of data.subjects[subject]?.versions ?? []) {
        if (!v.deleted) versions.push(v.version);
        v.deleted = true;
      }
      return versions;
    });
  }

  /**
   * DELETE /subjects/{subject}/versions/{version} ([SR] SubjectVersionsResource.deleteSchemaVersion): soft by
   * default; `permanent` only for a version soft-deleted before. The version is looked up among deleted ones too
   * ("latest" is the newest, deleted or not), so a second soft delete answers 40406 as Confluent's does. A version
   * another schema references cannot be deleted. Returns the version number.
   */
  deleteVersion(subject: string, version: string, permanent: boolean): number {
    const found = this.findVersion(subject, version, true);
    this.refuseIfReferenced(subject, found.version);
    if (permanent) {
      if (!found.deleted) {
        throw new RegistryRefusal(404, 40407, `Subject '${subject}' Version ${found.version} was not deleted first before being permanently deleted`);
      }
      return this.mutate((data) => {
        const stored = data.subjects[subject];
        if (stored) {
          stored.versions = stored.versions.filter((v) => v.version !== found.version);
          if (stored.versions.length === 0 && stored.compatibility === undefined) delete data.subjects[subject];
        }
        dropUnusedSchemas(data);
        return found.version;
      });
    }
    if (found.deleted) throw versionSoftDeleted(subject, found.version);
    return this.mutate((data) => {
      const stored = data.subjects[subject]?.versions.find((v) => v.version === found.version);
      if (stored) stored.deleted = true;
      return found.version;
    });
  }

  setCompatibility(level: string, subject?: string): CompatibilityLevel {
    const normalized = level.toUpperCase();
    if (!isCompatibilityLevel(normalized)) {
      throw new RegistryRefusal(
        422,
        42203,
        'Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive',
      );
    }
    this.mutate((data) => {
      if (subject === undefined) data.compatibility = normalized;
      else (data.subjects[subject] ??= { versions: [] }).compatibility = normalized;
    });
    return normalized;
  }

  /** DELETE /config/{subject}: back to the global level; returns the level it had. */
  deleteCompatibility(subject: string): CompatibilityLevel {
    const previous = this.data.subjects[subject]?.compatibility;
    if (previous === undefined) throw subjectNotFound(subject);
    this.mutate((data) => {
      const stored = data.subjects[subject];
      if (stored) delete stored.compatibility;
    });
    return previous;
  }

  setMode(mode: string): RegistryMode {
    if (mode !== 'READWRITE' && mode !== 'READONLY') {
      throw new RegistryRefusal(422, 42204, "Invalid mode. Ferry's embedded registry supports READWRITE and READONLY.");
    }
    this.mutate((data) => {
      data.mode = mode;
    });
    return mode;
  }

  // ------------------------------------------------------------------------------------------- internals

  private storedById(id: number): StoredSchema {
    const stored = this.byId.get(id);
    if (stored === undefined) throw schemaNotFound(id);
    return stored;
  }

  private view(subject: string, version: StoredVersion): SubjectVersionView {
    const stored = this.storedById(version.id);
    const view: SubjectVersionView = { subject, version: version.version, id: version.id, schema: stored.schema };
    if (stored.references && stored.references.length > 0) view.references = stored.references;
    return view;
  }

  private findVersion(subject: string, version: string, includeDeleted: boolean): StoredVersion {
    const number = parseVersion(version);
    const versions = this.liveVersions(subject, includeDeleted);
    if (versions.length === 0) throw subjectNotFound(subject);
    const found = number === 'latest' ? versions[versions.length - 1] : versions.find((v) => v.version === number);
    if (found === undefined) throw versionNotFound(number as number);
    return found;
  }

  private refuseIfReferenced(subject: string, version: number): void {
    const users = this.data.schemas.filter((s) => (s.references ?? []).some((r) => r.subject === subject && r.version === version));
    if (users.length > 0) {
      throw new RegistryRefusal(422, 42206, `One or more references exist to the schema {magic=1,keytype=SCHEMA,subject=${subject},version=${version}}.`);
    }
  }

  private effectiveLevel(subject: string): CompatibilityLevel {
    return this.data.subjects[subject]?.compatibility ?? this.data.compatibility;
  }

  private liveVersions(subject: string, includeDeleted: boolean): StoredVersion[] {
    return (this.data.subjects[subject]?.versions ?? []).filter((v) => includeDeleted || !v.deleted);
  }

  private versioned(version: StoredVersion): VersionedType {
    const stored = this.storedById(version.id);
    let type = this.types.get(version.id);
    if (type === undefined) {
      type = this.canonical({ schema: stored.schema, references: stored.references ?? [] }).type;
      this.types.set(version.id, type);
    }
    return { version: version.version, type, schema: stored.schema };
  }

  /**
   * Parses and validates schema text; the canonical form is what ids are assigned to. Referenced schemas are
   * parsed first into one name registry, as Confluent's AvroSchema does, so the main schema may use their names.
   */
  private canonical(input: SchemaInput): { text: string; type: Type } {
    const named: Record<string, Type> = {};
    const seen = new Set<string>();
    const load = (references: readonly SchemaReference[], depth: number): void => {
      for (const reference of references) {
        const key = `${reference.subject}\u0000${reference.version}`;
        if (seen.has(key)) continue;
        seen.add(key);
        if (depth > 32) throw new RegistryRefusal(422, 42201, `Invalid schema: references nest deeper than 32 levels at ${reference.subject} version ${reference.version}`);
        let referenced: StoredVersion;
        try {
          referenced = this.findVersion(reference.subject, String(reference.version), false);
        } catch {
          throw new RegistryRefusal(422, 42201, `Invalid schema: reference '${reference.name}' names subject '${reference.subject}' version ${reference.version}, which is not registered`);
        }
        const stored = this.storedById(referenced.id);
        load(stored.references ?? [], depth + 1);
        parseForCompatibility(parseAvroSchemaText(stored.schema), named);
      }
    };
    try {
      load(input.references, 0);
      const json = parseAvroSchemaText(input.schema);
      const type = parseForCompatibility(json, named);
      return { text: canonicalAvroString(json), type };
    } catch (error) {
      if (error instanceof RegistryRefusal) throw error;
      throw new RegistryRefusal(422, 42201, `Invalid schema ${input.schema.slice(0, 200)}, details: ${(error as Error).message}`);
    }
  }

  /** Applies a change to a copy, persists the copy, and only then makes it the state: a failed write changes nothing. */
  private mutate<T>(change: (data: RegistryData) => T): T {
    const next = structuredClone(this.data);
    const result = change(next);
    if (this.file) saveData(this.file, next);
    this.data = next;
    this.reindex();
    return result;
  }

  private reindex(): void {
    this.byId.clear();
    this.idByIdentity.clear();
    this.idByGuid.clear();
    for (const stored of this.data.schemas) {
      this.byId.set(stored.id, stored);
      this.idByIdentity.set(identity(stored.schema, stored.references), stored.id);
      this.idByGuid.set(schemaGuid(stored.schema), stored.id);
    }
    for (const id of this.types.keys()) if (!this.byId.has(id)) this.types.delete(id);
  }
}

/** A schema no subject version refers to any more goes with it, as in Confluent after a hard delete. */
function dropUnusedSchemas(data: RegistryData): void {
  const used = new Set(Object.values(data.subjects).flatMap((s) => s.versions.map((v) => v.id)));
  data.schemas = data.schemas.filter((s) => used.has(s.id));
}

function parseVersion(version: string): number | 'latest' {
  if (version === 'latest' || version === '-1') return 'latest';
  const number = /^\d+$/.test(version) ? Number(version) : NaN;
  if (!Number.isSafeInteger(number) || number < 1 || number > 2 ** 31 - 1) {
    throw new RegistryRefusal(
      422,
      42202,
      `The specified version '${version}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`,
    );
  }
  return number;
}

// ------------------------------------------------------------------------------------------- persistence

function loadData(file: string): RegistryData | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw schemaError('SCHEMA_REGISTRY_STORE', `Cannot read the embedded Schema Registry store ${file}: ${(error as Error).message}. Check its permissions.`, {
      cause: error,
    });
  }
  try {
    const data = JSON.parse(text) as RegistryData;
    if (data.format !== 1 || !Array.isArray(data.schemas) || typeof data.subjects !== 'object' || typeof data.nextId !== 'number') {
      throw new Error('unexpected layout');
    }
    return data;
  } catch (error) {
    // Never start empty over a damaged store: schema ids already written to Kafka would be handed out again.
    throw schemaError(
      'SCHEMA_REGISTRY_STORE',
      `The embedded Schema Registry store ${file} is damaged (${(error as Error).message}). ` +
        'Restore it from a backup, or move it aside to start an empty registry (records already in Kafka then refer to unknown schema ids).',
      { cause: error },
    );
  }
}

/** Write to a temp file, fsync, rename: a crash leaves the old or the new store, never half of one. */
function saveData(file: string, data: RegistryData): void {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    const fd = openSync(temp, 'w', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(data, null, 1)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // Nothing was written, or it is already gone.
    }
    throw schemaError(
      'SCHEMA_REGISTRY_STORE',
      `Cannot write the embedded Schema Registry store ${file}: ${(error as Error).message}. Free disk space or fix the directory's permissions.`,
      { cause: error, retriable: true },
    );
  }
}
