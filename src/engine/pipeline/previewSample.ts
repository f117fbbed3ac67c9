import type { ResolvedPredicate, ResolvedTransform } from '../config';
import type { FieldType, FieldValue, RecordSchema, Row } from '../model';
import { describeFieldType } from '../schema/avroMapping';
import { type ConnectData, type ConnectRecord, displayFields, traceTransformChain, type TransformStepTrace } from '../transforms';
import { shortName } from '../transforms/connectRecord';
import type { PreviewField, PreviewRecord, PreviewTransformSample, PreviewTransformStep } from '../../shared/api/pipelines';

/** Bytes beyond this are cut in the preview (a BLOB would flood the panel). */
const MAX_BYTES_SHOWN = 32;
/** Text beyond this is cut in the preview. */
const MAX_TEXT_SHOWN = 200;

function typeText(type: FieldType): string {
  const base = describeFieldType(type);
  return 'semantic' in type && type.semantic ? `${base} (${type.semantic.name})` : base;
}

/** A field value as text: instants in ISO-8601 UTC, int64 exactly, bytes in hex, long text cut. */
export function valueText(value: FieldValue): string | null {
  if (value === null) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (value instanceof Uint8Array) {
    const hex = Buffer.from(value.subarray(0, MAX_BYTES_SHOWN)).toString('hex');
    return `0x${hex}${value.length > MAX_BYTES_SHOWN ? `… (${value.length} bytes)` : ''}`;
  }
  const text = String(value);
  return text.length > MAX_TEXT_SHOWN ? `${text.slice(0, MAX_TEXT_SHOWN)}… (${text.length} characters)` : text;
}

function fieldsOf(schema: RecordSchema | null, row: Row): PreviewField[] {
  if (schema) return schema.fields.map((field) => ({ name: field.name, type: typeText(field.type), value: valueText(row[field.name] ?? null) }));
  return Object.entries(row).map(([name, value]) => ({ name, type: '', value: valueText(value) }));
}

/** A key or value an earlier step nested (HoistField) or made bare (ExtractField): nested fields as `parent.child`. */
function dataFieldsOf(data: ConnectData): PreviewField[] | null {
  if (data.value === null) return null;
  return displayFields(data).map((field) => ({ name: field.name === '' ? '(bare value)' : field.name, type: field.type, value: field.value !== null && typeof field.value === 'object' && !(field.value instanceof Date) && !(field.value instanceof Uint8Array) ? JSON.stringify(field.value) : valueText(field.value) }));
}

/** A record as Preview shows it. */
export function previewRecord(record: ConnectRecord): PreviewRecord {
  return {
    topic: record.topic,
    key: record.keyData ? dataFieldsOf(record.keyData) : record.key === null ? null : fieldsOf(record.keySchema, record.key),
    value: record.valueData ? dataFieldsOf(record.valueData) : record.value === null ? null : fieldsOf(record.valueSchema, record.value),
    headers: Object.entries(record.headers).map(([name, value]) => ({ name, value: typeof value === 'string' ? value : Buffer.from(value).toString('utf8') })),
  };
}

function stepNote(step: TransformStepTrace, before: ConnectRecord): string | undefined {
  switch (step.outcome) {
    case 'dropped':
      return `${step.alias} dropped the record: it is not written${step.type.endsWith('.Filter') ? ' (Filter)' : ''}, and the steps after it do not run.`;
    case 'failed':
      return `${step.alias} failed on this record: ${step.error ?? 'unknown error'}. The connector would fail (or send it to the dead letter queue with errors.tolerance=all).`;
    case 'skipped':
      return `${step.alias}'s predicate does not match this record, so it passes unchanged.`;
    case 'not-run':
      return `Ferry does not run ${shortName(step.type)}; the record passes unchanged.`;
    case 'applied': {
      const after = step.record;
      if (after && after.topic !== before.topic) return `Topic renamed: ${before.topic} → ${after.topic}.`;
      return undefined;
    }
  }
}

/** The sample record before the chain and after each of its steps. */
export function transformSample(origin: string, transforms: readonly ResolvedTransform[], predicates: readonly ResolvedPredicate[], record: ConnectRecord): PreviewTransformSample {
  let trace: TransformStepTrace[];
  try {
    trace = traceTransformChain(transforms, predicates, record);
  } catch (error) {
    return { origin, before: previewRecord(record), steps: [], missing: `The chain cannot be built: ${error instanceof Error ? error.message : String(error)}` };
  }
  const steps: PreviewTransformStep[] = [];
  let previous = record;
  for (const step of trace) {
    const note = stepNote(step, previous);
    steps.push({ alias: step.alias, type: shortName(step.type), outcome: step.outcome, record: step.record ? previewRecord(step.record) : null, ...(note ? { note } : {}) });
    if (step.record) previous = step.record;
  }
  return { origin, before: previewRecord(record), steps };
}
