import type { DeleteHandling } from '../schema';
import type { FieldType, FieldValue, RecordSchema, Row } from '../model';

/**
 * io.debezium.transforms.ExtractNewRecordState: turns Debezium change events into plain rows. It works where the
 * envelope is known, not in the chain of flat records: a sink reads events through it (SinkRecordDecoder), and a
 * log source with it on writes plain rows instead of events (SourceEncoder). In the chain it is a no-op step.
 */
export const EXTRACT_NEW_RECORD_STATE = 'io.debezium.transforms.ExtractNewRecordState';

export interface UnwrapOptions {
  deleteHandling: DeleteHandling;
  dropTombstones: boolean;
  /** `add.fields` (prefix `add.fields.prefix`, default `__`). */
  addFields: EnvelopeFieldReference[];
  /** `add.headers` (prefix `add.headers.prefix`, default `__`). */
  addHeaders: EnvelopeFieldReference[];
}

/** Its options in Debezium's spellings: `delete.tombstone.handling.mode` (2.5+) or `delete.handling.mode` + `drop.tombstones`. */
export function unwrapOptions(config: Readonly<Record<string, string>>): UnwrapOptions {
  return {
    ...deleteOptions(config),
    addFields: envelopeFieldReferences(config['add.fields.prefix'] ?? '__', config['add.fields'], 'add.fields'),
    addHeaders: envelopeFieldReferences(config['add.headers.prefix'] ?? '__', config['add.headers'], 'add.headers'),
  };
}

function deleteOptions(config: Readonly<Record<string, string>>): Pick<UnwrapOptions, 'deleteHandling' | 'dropTombstones'> {
  const tombstoneMode = config['delete.tombstone.handling.mode'];
  if (tombstoneMode !== undefined) {
    // tombstone (default): a delete becomes a tombstone; drop: removed; rewrite: a `__deleted` row, tombstones dropped.
    if (tombstoneMode === 'drop') return { deleteHandling: 'drop', dropTombstones: true };
    if (tombstoneMode === 'rewrite') return { deleteHandling: 'rewrite', dropTombstones: true };
    if (tombstoneMode === 'rewrite-with-tombstone') return { deleteHandling: 'rewrite', dropTombstones: false };
    return { deleteHandling: 'none', dropTombstones: false };
  }
  const mode = config['delete.handling.mode'];
  return {
    deleteHandling: mode === 'rewrite' ? 'rewrite' : mode === 'none' ? 'none' : 'drop',
    dropTombstones: (config['drop.tombstones'] ?? 'true').toLowerCase() !== 'false',
  };
}

const deletedSchemas = new WeakMap<RecordSchema, RecordSchema>();

/** The row schema plus rewrite's `__deleted` field, built once per schema. */
export function withDeletedField(schema: RecordSchema): RecordSchema {
  let out = deletedSchemas.get(schema);
  if (!out) {
    out = { name: schema.name, fields: [...schema.fields, { name: '__deleted', type: { kind: 'string' }, optional: true }] };
    deletedSchemas.set(schema, out);
  }
  return out;
}

/**
 * One entry of `add.fields` / `add.headers`: `op`, `ts_ms`, `source.lsn`, `transaction.id`, or `name:newName`.
 * As Debezium's FieldReference: a bare `op`/`ts_ms` is the envelope's own, `id`/`total_order`/`data_collection_order`
 * the transaction block's, anything else the source block's; a field its struct lacks is looked up on the envelope
 * itself, and one found nowhere is left out. The output is `<prefix><name>` (`<prefix><struct>_<name>` when
 * qualified) or `<prefix><newName>`.
 */
export interface EnvelopeFieldReference {
  /** `source`, `transaction`, or null for the envelope's top level. */
  struct: string | null;
  field: string;
  /** The field or header name it becomes. */
  name: string;
}

const TRANSACTION_FIELDS = new Set(['id', 'total_order', 'data_collection_order']);

/** Parses `add.fields` / `add.headers`; throws a message naming the entry when it is not `[struct.]field[:newName]`. */
export function envelopeFieldReferences(prefix: string, list: string | undefined, key: string): EnvelopeFieldReference[] {
  if (list === undefined || list.trim() === '') return [];
  return list
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      const parts = entry.split(':');
      const path = (parts[0] ?? '').split('.');
      if (parts.length > 2 || path.length > 2 || path.some((part) => part === '') || (parts.length === 2 && parts[1] === '')) {
        throw new Error(`\`${key}\` entry "${entry}" is not a field: write op, ts_ms, table, source.ts_ms or transaction.id, optionally with :newName`);
      }
      const field = path.length === 1 ? (path[0] ?? '') : (path[1] ?? '');
      const struct = path.length === 1 ? (field === 'op' || field === 'ts_ms' ? null : TRANSACTION_FIELDS.has(field) ? 'transaction' : 'source') : (path[0] ?? '');
      const name = parts.length === 2 ? `${prefix}${parts[1] ?? ''}` : `${prefix}${path.length === 1 ? field : `${struct ?? ''}_${field}`}`;
      return { struct, field, name };
    });
}

/** The change event's envelope around the row images, as add.fields / add.headers read it. */
export interface EnvelopeFields {
  /** The Connect type of `struct.field` (struct null: the top level); undefined when the envelope has no such field. */
  type(struct: string | null, field: string): FieldType | undefined;
  /** Its value; null when the struct is null (no transaction block) or the field is. */
  value(struct: string | null, field: string): FieldValue;
}

interface Resolved {
  ref: EnvelopeFieldReference;
  struct: string | null;
  type: FieldType;
}

/** Where each reference is found in this envelope (its struct, else the top level), as Debezium's getField. */
function resolve(refs: readonly EnvelopeFieldReference[], envelope: EnvelopeFields): Resolved[] {
  const out: Resolved[] = [];
  for (const ref of refs) {
    const own = envelope.type(ref.struct, ref.field);
    if (own) out.push({ ref, struct: ref.struct, type: own });
    else {
      const top = ref.struct === null ? undefined : envelope.type(null, ref.field);
      if (top) out.push({ ref, struct: null, type: top });
    }
  }
  return out;
}

const addedSchemas = new WeakMap<RecordSchema, Map<string, RecordSchema>>();

/**
 * ExtractNewRecordState's `add.fields` on an unwrapped row: the envelope fields appended (optional, of the
 * envelope's types), then rewrite's `__deleted` last, as Debezium orders them. Schemas are built once per shape.
 */
export function withEnvelopeFields(schema: RecordSchema, row: Row, refs: readonly EnvelopeFieldReference[], envelope: EnvelopeFields | undefined): { schema: RecordSchema; row: Row } {
  const deleted = row.__deleted !== undefined;
  const resolved = envelope && refs.length > 0 ? resolve(refs, envelope) : [];
  if (resolved.length === 0) return { schema: deleted ? withDeletedField(schema) : schema, row };
  const out: Row = {};
  for (const name in row) if (name !== '__deleted') out[name] = row[name] ?? null;
  for (const { ref, struct } of resolved) out[ref.name] = envelope?.value(struct, ref.field) ?? null;
  if (deleted) out.__deleted = row.__deleted ?? null;
  const key = `${deleted ? 'd' : ''}|${resolved.map(({ ref, type }) => `${ref.name}=${JSON.stringify(type)}`).join(',')}`;
  let bySchema = addedSchemas.get(schema);
  if (!bySchema) {
    bySchema = new Map();
    addedSchemas.set(schema, bySchema);
  }
  let built = bySchema.get(key);
  if (!built) {
    const added = resolved.map(({ ref, type }) => ({ name: ref.name, type, optional: true }));
    const fields = [...schema.fields.filter((field) => !added.some((a) => a.name === field.name)), ...added];
    built = { name: schema.name, fields: deleted ? [...fields, { name: '__deleted', type: { kind: 'string' }, optional: true }] : fields };
    bySchema.set(key, built);
  }
  return { schema: built, row: out };
}

/**
 * `add.headers` as header bytes, each value written as Connect's SimpleHeaderConverter writes it (text; null
 * values are left out). A tombstone (no envelope) gets only `op` = `d`, as Debezium adds it.
 */
export function envelopeHeaders(refs: readonly EnvelopeFieldReference[], envelope: EnvelopeFields | null): Record<string, string> {
  const out: Record<string, string> = {};
  if (refs.length === 0) return out;
  if (envelope === null) {
    for (const ref of refs) if (ref.field === 'op') out[ref.name] = 'd';
    return out;
  }
  for (const { ref, struct } of resolve(refs, envelope)) {
    const value = envelope.value(struct, ref.field);
    if (value === null) continue;
    out[ref.name] = value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value instanceof Date ? value.toISOString() : String(value);
  }
  return out;
}
