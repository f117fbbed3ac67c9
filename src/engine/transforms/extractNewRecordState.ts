import type { DeleteHandling } from '../schema';
import type { RecordSchema } from '../model';

/**
 * io.debezium.transforms.ExtractNewRecordState: turns Debezium change events into plain rows. It works where the
 * envelope is known, not in the chain of flat records: a sink reads events through it (SinkRecordDecoder), and a
 * log source with it on writes plain rows instead of events (SourceEncoder). In the chain it is a no-op step.
 */
export const EXTRACT_NEW_RECORD_STATE = 'io.debezium.transforms.ExtractNewRecordState';

export interface UnwrapOptions {
  deleteHandling: DeleteHandling;
  dropTombstones: boolean;
}

/** Its options in Debezium's spellings: `delete.tombstone.handling.mode` (2.5+) or `delete.handling.mode` + `drop.tombstones`. */
export function unwrapOptions(config: Readonly<Record<string, string>>): UnwrapOptions {
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
