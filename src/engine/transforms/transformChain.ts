import { type ResolvedPredicate, type ResolvedTransform, SUPPORTED_PREDICATES } from '../config';
import { type ConnectRecord, partOf, type RecordPart, type RecordTransform, shortName, transformError } from './connectRecord';
import { EXTRACT_NEW_RECORD_STATE } from './extractNewRecordState';
import { cast, insertField, maskField, replaceField, valueToKey } from './fieldTransforms';
import { extractField, finishRecord, flatten, hoistField } from './structureTransforms';
import { dropHeaders, headerFrom, insertHeader, regexRouter, timestampConverter, timestampRouter } from './routingTransforms';

const T = 'org.apache.kafka.connect.transforms.';
const P = `${T}predicates.`;

/** Each class Ferry runs → its factory. Must list exactly config's SUPPORTED_TRANSFORMS (a unit test checks). */
export const TRANSFORM_FACTORIES: Readonly<Record<string, (transform: ResolvedTransform) => RecordTransform>> = {
  [`${T}ValueToKey`]: valueToKey,
  [`${T}ExtractField$Key`]: extractField,
  [`${T}ExtractField$Value`]: extractField,
  [`${T}HoistField$Key`]: hoistField,
  [`${T}HoistField$Value`]: hoistField,
  [`${T}RegexRouter`]: regexRouter,
  [`${T}InsertField$Key`]: insertField,
  [`${T}InsertField$Value`]: insertField,
  [`${T}ReplaceField$Key`]: replaceField,
  [`${T}ReplaceField$Value`]: replaceField,
  [`${T}MaskField$Key`]: maskField,
  [`${T}MaskField$Value`]: maskField,
  [`${T}Cast$Key`]: cast,
  [`${T}Cast$Value`]: cast,
  [`${T}TimestampConverter$Key`]: timestampConverter,
  [`${T}TimestampConverter$Value`]: timestampConverter,
  [`${T}Flatten$Key`]: flatten,
  [`${T}Flatten$Value`]: flatten,
  [`${T}TimestampRouter`]: timestampRouter,
  [`${T}Filter`]: () => () => null,
  [`${T}InsertHeader`]: insertHeader,
  [`${T}DropHeaders`]: dropHeaders,
  [`${T}HeaderFrom$Key`]: headerFrom,
  [`${T}HeaderFrom$Value`]: headerFrom,
  // Unwraps where the envelope is known (see extractNewRecordState.ts); flat records pass unchanged.
  [EXTRACT_NEW_RECORD_STATE]: () => (record) => record,
};

type Predicate = (record: ConnectRecord) => boolean;

const PREDICATE_FACTORIES: Readonly<Record<string, (predicate: ResolvedPredicate) => Predicate>> = {
  [`${P}TopicNameMatches`]: (predicate) => {
    const pattern = predicate.config.pattern;
    if (!pattern) throw new Error(`predicates.${predicate.alias}.pattern is required.`);
    const regex = new RegExp(`^(?:${pattern})$`);
    return (record) => regex.test(record.topic);
  },
  [`${P}HasHeaderKey`]: (predicate) => {
    const name = predicate.config.name;
    if (!name) throw new Error(`predicates.${predicate.alias}.name is required.`);
    return (record) => Object.prototype.hasOwnProperty.call(record.headers, name);
  },
  [`${P}RecordIsTombstone`]: () => (record) => record.value === null && (record.valueData === undefined || record.valueData.value === null),
};

/** One transform of a chain, ready to run: `applies` is its predicate (with `negate`), absent when it has none. */
interface ChainStep {
  transform: ResolvedTransform;
  /** Null for a class Ferry does not run (warned about at validation): records pass it unchanged. */
  run: RecordTransform | null;
  applies?: Predicate;
}

/** Transforms that work on Connect data of any shape; every other one reads flat structs. */
const SHAPE_TRANSFORMS = new Set(['HoistField', 'ExtractField', 'Flatten']);

/** The part of the record a transform reads as a flat struct, if any. */
function flatPartRead(type: string): RecordPart | undefined {
  const name = shortName(type);
  if (name === 'ValueToKey') return 'value';
  if (/\$(Key|Value)$/.test(name) && !SHAPE_TRANSFORMS.has(name.replace(/\$(Key|Value)$/, ''))) return partOf(type);
  return undefined;
}

/** A step that reads flat structs refuses a key or value an earlier step nested or made bare, saying how to flatten it. */
function guarded(transform: ResolvedTransform, run: RecordTransform): RecordTransform {
  const part = flatPartRead(transform.type);
  if (part === undefined) return run;
  return (record) => {
    const data = part === 'key' ? record.keyData : record.valueData;
    if (data === undefined) return run(record);
    const shape = data.schema?.type === 'struct' || (data.schema === null && typeof data.value === 'object' && data.value !== null) ? 'a nested struct' : 'a bare value';
    throw transformError(transform, `the ${part} is ${shape} after an earlier HoistField or ExtractField, and ${shortName(transform.type)} works on flat structs: put Flatten$${part === 'key' ? 'Key' : 'Value'} (or HoistField) before it.`);
  };
}

function buildSteps(transforms: readonly ResolvedTransform[], predicates: readonly ResolvedPredicate[]): ChainStep[] {
  return transforms.map((transform) => {
    const factory = TRANSFORM_FACTORIES[transform.type];
    const run = transform.supported && factory ? guarded(transform, factory(transform)) : null;
    if (run === null || transform.predicate === undefined) return { transform, run };
    const resolved = predicates.find((candidate) => candidate.alias === transform.predicate);
    const predicateFactory = resolved ? PREDICATE_FACTORIES[resolved.type] : undefined;
    if (!resolved || !predicateFactory) throw transformError(transform, `its predicate "${transform.predicate}" is not one Ferry evaluates (${SUPPORTED_PREDICATES.map(shortName).join(', ')}).`);
    const test = predicateFactory(resolved);
    const negate = transform.negate;
    return { transform, run, applies: (record: ConnectRecord) => test(record) !== negate };
  });
}

/**
 * The connector's transforms as one function, in the order `transforms` lists them, each behind its predicate
 * (`negate` inverts it) as Connect's TransformationChain runs them. A null result drops the record. Transforms
 * Ferry does not run were warned about at validation and pass records through.
 */
export function buildTransformChain(transforms: readonly ResolvedTransform[], predicates: readonly ResolvedPredicate[] = []): (record: ConnectRecord) => ConnectRecord | null {
  const steps: RecordTransform[] = [];
  for (const { run, applies } of buildSteps(transforms, predicates)) {
    if (run === null) continue;
    steps.push(applies ? (record) => (applies(record) ? run(record) : record) : run);
  }
  return (record) => {
    let current: ConnectRecord | null = record;
    for (const step of steps) {
      if (current === null) return null;
      current = step(current);
    }
    return current === null ? null : finishRecord(current);
  };
}

/** What one transform did to a record, for Preview. */
export interface TransformStepTrace {
  alias: string;
  /** The class as configured. */
  type: string;
  /**
   * `applied`: it ran (the record may be unchanged); `skipped`: its predicate did not match; `not-run`: a class
   * Ferry does not run; `dropped`: it dropped the record (Filter); `failed`: it threw (`error` says why).
   */
  outcome: 'applied' | 'skipped' | 'not-run' | 'dropped' | 'failed';
  /** The record after this step; null once dropped or failed. */
  record: ConnectRecord | null;
  error?: string;
}

/**
 * Runs the chain on one record step by step, as buildTransformChain would, keeping the record after each step. The
 * steps after a drop or a failure are not run and not listed.
 */
export function traceTransformChain(transforms: readonly ResolvedTransform[], predicates: readonly ResolvedPredicate[], record: ConnectRecord): TransformStepTrace[] {
  const trace: TransformStepTrace[] = [];
  let current: ConnectRecord = record;
  for (const { transform, run, applies } of buildSteps(transforms, predicates)) {
    const base = { alias: transform.alias, type: transform.type };
    if (run === null) {
      trace.push({ ...base, outcome: 'not-run', record: current });
      continue;
    }
    try {
      if (applies && !applies(current)) {
        trace.push({ ...base, outcome: 'skipped', record: current });
        continue;
      }
      const next = run(current);
      if (next === null) {
        trace.push({ ...base, outcome: 'dropped', record: null });
        return trace;
      }
      trace.push({ ...base, outcome: 'applied', record: next });
      current = next;
    } catch (error) {
      trace.push({ ...base, outcome: 'failed', record: null, error: error instanceof Error ? error.message : String(error) });
      return trace;
    }
  }
  // The record leaves the chain flat (a bare extracted value as its one-field struct); a nested one fails there.
  const last = trace[trace.length - 1];
  if (last && last.record && (last.record.keyData || last.record.valueData)) {
    try {
      last.record = finishRecord(last.record);
    } catch (error) {
      trace[trace.length - 1] = { ...last, outcome: 'failed', record: null, error: error instanceof Error ? error.message : String(error) };
    }
  }
  return trace;
}

/** The classes this module runs, for the check that config's SUPPORTED_TRANSFORMS says the same. */
export function runnableTransformClasses(): string[] {
  return Object.keys(TRANSFORM_FACTORIES);
}

export function runnablePredicateClasses(): string[] {
  return Object.keys(PREDICATE_FACTORIES);
}


/**
 * The topic a stream's records will go to, before any record exists (to create topics up front and to show them
 * in Preview): the chain runs on an empty probe record; a chain that drops or cannot route it keeps the topic.
 */
export function probeTopic(chain: (record: ConnectRecord) => ConnectRecord | null, topic: string): string {
  try {
    return chain({ topic, partition: null, timestampMs: Date.now(), keySchema: null, key: null, valueSchema: null, value: null, headers: {} })?.topic ?? topic;
  } catch {
    return topic;
  }
}
