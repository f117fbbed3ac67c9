/**
 * The keys of each transform and predicate Ferry runs (`transforms.<alias>.<key>`), as Kafka Connect documents them:
 * what the editor completes once `transforms.<alias>.type` names a class, and what its hover shows. Keys shared by
 * the `$Key` and `$Value` variants are listed once per transform name.
 */
import { SUPPORTED_PREDICATES, SUPPORTED_TRANSFORMS } from './transforms';

export interface TransformKeyDoc {
  doc: string;
  /** Allowed values, when Connect restricts them. */
  values?: readonly string[];
  default?: string;
  example?: string;
}

/** By transform name without the package and without `$Key`/`$Value`. */
const BY_NAME: Readonly<Record<string, Readonly<Record<string, TransformKeyDoc>>>> = {
  InsertField: {
    'topic.field': { doc: 'Field for the record\'s topic; suffix `!` for required, `?` for optional.', example: 'kafka_topic' },
    'partition.field': { doc: 'Field for the record\'s Kafka partition.' },
    'offset.field': { doc: 'Field for the record\'s Kafka offset (sink records only).' },
    'timestamp.field': { doc: 'Field for the record\'s timestamp.' },
    'static.field': { doc: 'Field for a fixed value (`static.value`).', example: 'data_source' },
    'static.value': { doc: 'The fixed value of `static.field`.', example: 'orders-db' },
  },
  ReplaceField: {
    include: { doc: 'Fields to keep (all others dropped); takes precedence over `exclude`.', example: 'id,amount' },
    exclude: { doc: 'Fields to drop.', example: '_tidb_commit_ts' },
    renames: { doc: 'Renames as `old:new` pairs, comma-separated.', example: 'customer:customer_name' },
    whitelist: { doc: 'Old name of `include`.' },
    blacklist: { doc: 'Old name of `exclude`.' },
  },
  MaskField: {
    fields: { doc: 'Fields to mask with their type\'s empty value (0, false, "").', example: 'ssn,email' },
    replacement: { doc: 'Text to put instead of the type\'s empty value.', example: '****' },
  },
  Cast: { spec: { doc: 'Casts as `field:type` pairs; types int8, int16, int32, int64, float32, float64, boolean, string.', example: 'amount:float64,id:string' } },
  TimestampConverter: {
    field: { doc: 'The field to convert.', example: 'created_at' },
    'target.type': { doc: 'What the field becomes.', values: ['string', 'unix', 'Date', 'Time', 'Timestamp'] },
    format: { doc: 'SimpleDateFormat pattern, for strings in or out.', example: 'yyyy-MM-dd HH:mm:ss' },
    'unix.precision': { doc: 'Unit of unix timestamps.', values: ['seconds', 'milliseconds', 'microseconds', 'nanoseconds'], default: 'milliseconds' },
  },
  Flatten: { delimiter: { doc: 'Separator between the names of nested fields.', default: '.' } },
  HeaderFrom: {
    fields: { doc: 'Fields to copy or move into headers.', example: 'id,ts' },
    headers: { doc: 'Header names, one per field.', example: 'record_id,record_ts' },
    operation: { doc: 'Copy the fields or move them (removed from the record).', values: ['copy', 'move'] },
  },
  ValueToKey: { fields: { doc: 'Value fields that make the record key.', example: 'id' } },
  ExtractField: {
    field: { doc: 'The field to extract; the key or value becomes its value.', example: 'id' },
    'field.syntax.version': { doc: 'V2 reads `field` as a dotted path into nested structs (backquote a name that holds dots).', values: ['V1', 'V2'], default: 'V1' },
  },
  HoistField: { field: { doc: 'Name of the single field the key or value is wrapped in (a struct, or a map when schemaless).', example: 'line' } },
  RegexRouter: {
    regex: { doc: 'Regular expression the whole topic must match.', example: '(.*)\\.orders' },
    replacement: { doc: 'The new topic; `$1` … refer to the groups.', example: '$1_orders' },
  },
  TimestampRouter: {
    'topic.format': { doc: 'The new topic; `${topic}` and `${timestamp}` are replaced.', default: '${topic}-${timestamp}' },
    'timestamp.format': { doc: 'SimpleDateFormat pattern of `${timestamp}`.', default: 'yyyyMMdd' },
  },
  Filter: {},
  InsertHeader: {
    header: { doc: 'Name of the header to add.', example: 'source' },
    'value.literal': { doc: 'Its value.', example: 'orders-db' },
  },
  DropHeaders: { headers: { doc: 'Headers to remove.', example: 'trace_id' } },
  ExtractNewRecordState: {
    'drop.tombstones': { doc: 'Drop the tombstone that follows each delete.', values: ['true', 'false'], default: 'true' },
    'delete.handling.mode': { doc: 'What a delete event becomes: dropped, the row with `__deleted`, or a tombstone (`none` keeps deletes as tombstones for the sink).', values: ['drop', 'rewrite', 'none'], default: 'drop' },
    'delete.tombstone.handling.mode': { doc: 'Newer form of the two keys above.', values: ['drop', 'tombstone', 'rewrite', 'rewrite-with-tombstone', 'delete-to-tombstone'] },
    'add.fields': { doc: 'Envelope fields added as columns `<add.fields.prefix><name>` of the envelope\'s types: `op`, `ts_ms`, source fields (`table`, `db`, `lsn`, `file`, `pos`; a bare name other than op/ts_ms/transaction\'s id is the source\'s), `source.ts_ms` → `__source_ts_ms`, `transaction.id`; `field:newName` renames.', example: 'op,table,source.ts_ms' },
    'add.fields.prefix': { doc: 'Prefix of the `add.fields` columns.', default: '__' },
    'add.headers': { doc: 'Envelope fields added as Kafka headers `<add.headers.prefix><name>` (text), as `add.fields` names them; a tombstone gets `op` = d.', example: 'db,table' },
    'add.headers.prefix': { doc: 'Prefix of the `add.headers` headers.', default: '__' },
  },
};

const COMMON: Readonly<Record<string, TransformKeyDoc>> = {
  predicate: { doc: 'Alias of a predicate (listed in `predicates`): the transform applies only to records it matches.' },
  negate: { doc: 'Apply the transform to the records the predicate does not match.', values: ['true', 'false'], default: 'false' },
};

const PREDICATE_KEYS: Readonly<Record<string, Readonly<Record<string, TransformKeyDoc>>>> = {
  TopicNameMatches: { pattern: { doc: 'Regular expression the whole topic must match.', example: 'shop\\..*' } },
  HasHeaderKey: { name: { doc: 'The header name.', example: 'trace_id' } },
  RecordIsTombstone: {},
};

function shortName(type: string): string {
  return type.replace(/^.*\./, '').replace(/\$(Key|Value)$/, '');
}

/** Every class Ferry runs → its keys (type-specific and the predicate keys every transform takes). */
export function transformKeyCatalog(): Record<string, Record<string, TransformKeyDoc>> {
  const catalog: Record<string, Record<string, TransformKeyDoc>> = {};
  for (const type of SUPPORTED_TRANSFORMS) catalog[type] = { ...(BY_NAME[shortName(type)] ?? {}), ...COMMON };
  return catalog;
}

export function predicateKeyCatalog(): Record<string, Record<string, TransformKeyDoc>> {
  const catalog: Record<string, Record<string, TransformKeyDoc>> = {};
  for (const type of SUPPORTED_PREDICATES) catalog[type] = { ...(PREDICATE_KEYS[shortName(type)] ?? {}) };
  return catalog;
}

/** One-line descriptions of the classes, for the completion of `transforms.<alias>.type`. */
export function transformClassSummary(type: string): string {
  const keys = Object.keys(BY_NAME[shortName(type)] ?? {});
  const part = type.endsWith('$Key') ? ' on the record key' : type.endsWith('$Value') ? ' on the record value' : '';
  return `${shortName(type)}${part}${keys.length > 0 ? `: ${keys.map((key) => `\`${key}\``).join(', ')}` : ''}.`;
}
