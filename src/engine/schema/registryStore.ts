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

interface StoredSchema {
  id: number;
  schema: string;
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
}

const subjectNotFound = (subject: string): RegistryRefusal => new RegistryRefusal(404, 40401, `Subject '${subject}' not found.`);
const versionNotFound = (version: number): RegistryRefusal => new RegistryRefusal(404, 40402, `Version ${version} not found.`);
const schemaNotFound = (id?: number | string): RegistryRefusal =>
  new RegistryRefusal(404, 40403, id === undefined ? 'Schema not found' : `Schema ${id} not found`);

/** MD5 of the schema text as a UUID: how Confluent derives a schema's GUID ([SR] storage/MD5.java). */
export function schemaGuid(schemaText: string): string {
  const hex = createHash('md5').update(schemaText, 'utf8').digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export class RegistryStore {
  private data: RegistryData;
  private readonly textById = new Map<number, string>();
  private readonly idByText = new Map<string, number>();
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
    const schema = this.textById.get(id);
    if (schema === undefined) throw schemaNotFound(id);
    return schema;
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
    const number = parseVersion(version);
    const versions = this.liveVersions(subject, includeDeleted);
    if (versions.length === 0) throw subjectNotFound(subject);
    const found = number === 'latest' ? versions[versions.length - 1] : versions.find((v) => v.version === number);
    if (found === undefined) throw versionNotFound(number as number);
    return { subject, version: found.version, id: found.id, schema: this.schemaById(found.id) };
  }

  subjectVersionsForId(id: number, includeDeleted = false): { subject: string; version: number }[] {
    this.schemaById(id);
    const result: { subject: string; version: number }[] = [];
    for (const [subject, stored] of Object.entries(this.data.subjects)) {
      for (const v of stored.versions) if (v.id === id && (includeDeleted || !v.deleted)) result.push({ subject, version: v.version });
    }
    return result;
  }

  /** POST /subjects/{subject}: the version holding this schema. */
  lookup(subject: string, schemaText: string, includeDeleted = false): SubjectVersionView {
    const canonical = this.canonical(schemaText).text;
    const versions = this.liveVersions(subject, includeDeleted);
    if (versions.length === 0) throw subjectNotFound(subject);
    const id = this.idByText.get(canonical);
    const found = id === undefined ? undefined : versions.find((v) => v.id === id);
    if (found === undefined) throw schemaNotFound();
    return { subject, version: found.version, id: found.id, schema: canonical };
  }

  compatibility(subject?: string): CompatibilityLevel | undefined {
    return subject === undefined ? this.data.compatibility : this.data.subjects[subject]?.compatibility;
  }

  mode(): RegistryMode {
    return this.data.mode;
  }

  /** POST /compatibility/subjects/{subject}/versions[/{version}]; `version` undefined = all the level requires. */
  testCompatibility(subject: string, schemaText: string, version: string | undefined): string[] {
    const candidate = this.canonical(schemaText).type;
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

  register(subject: string, schemaText: string): { id: number; version: number } {
    if (this.data.mode === 'READONLY') throw new RegistryRefusal(422, 42205, `Subject ${subject} is in read-only mode`);
    const { text, type } = this.canonical(schemaText);
    const existingId = this.idByText.get(text);
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
        data.schemas.push({ id, schema: text });
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
    if (permanent) {
      if (live.length > 0) {
        throw new RegistryRefusal(404, 40405, `Subject '${subject}' was not deleted first before being permanently deleted`);
      }
      return this.mutate((data) => {
        const versions = data.subjects[subject]?.versions.map((v) => v.version) ?? [];
        delete data.subjects[subject];
        // A schema no subject refers to any more goes with it, as in Confluent after a hard delete.
        const used = new Set(Object.values(data.subjects).flatMap((s) => s.versions.map((v) => v.id)));
        data.schemas = data.schemas.filter((s) => used.has(s.id));
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

  private effectiveLevel(subject: string): CompatibilityLevel {
    return this.data.subjects[subject]?.compatibility ?? this.data.compatibility;
  }

  private liveVersions(subject: string, includeDeleted: boolean): StoredVersion[] {
    return (this.data.subjects[subject]?.versions ?? []).filter((v) => includeDeleted || !v.deleted);
  }

  private versioned(version: StoredVersion): VersionedType {
    let type = this.types.get(version.id);
    if (type === undefined) {
      type = parseForCompatibility(parseAvroSchemaText(this.schemaById(version.id)));
      this.types.set(version.id, type);
    }
    return { version: version.version, type };
  }

  /** Parses and validates schema text; the canonical form is what ids are assigned to. */
  private canonical(schemaText: string): { text: string; type: Type } {
    try {
      const json = parseAvroSchemaText(schemaText);
      const type = parseForCompatibility(json);
      return { text: canonicalAvroString(json), type };
    } catch (error) {
      throw new RegistryRefusal(422, 42201, `Invalid schema ${schemaText.slice(0, 200)}, details: ${(error as Error).message}`);
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
    this.textById.clear();
    this.idByText.clear();
    this.idByGuid.clear();
    for (const { id, schema } of this.data.schemas) {
      this.textById.set(id, schema);
      this.idByText.set(schema, id);
      this.idByGuid.set(schemaGuid(schema), id);
    }
    for (const id of this.types.keys()) if (!this.textById.has(id)) this.types.delete(id);
  }
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
