import { type ResolvedPredicate, type ResolvedTransform, SUPPORTED_PREDICATES } from '../config';
import { type ConnectRecord, type RecordTransform, shortName, transformError } from './connectRecord';
import { EXTRACT_NEW_RECORD_STATE } from './extractNewRecordState';
import { cast, extractKeyField, flatten, insertField, maskField, replaceField, valueToKey } from './fieldTransforms';
import { dropHeaders, headerFrom, insertHeader, regexRouter, timestampConverter, timestampRouter } from './routingTransforms';

const T = 'org.apache.kafka.connect.transforms.';
const P = `${T}predicates.`;

/** Each class Ferry runs → its factory. Must list exactly config's SUPPORTED_TRANSFORMS (a unit test checks). */
export const TRANSFORM_FACTORIES: Readonly<Record<string, (transform: ResolvedTransform) => RecordTransform>> = {
  [`${T}ValueToKey`]: valueToKey,
  [`${T}ExtractField$Key`]: extractKeyField,
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
  [`${P}RecordIsTombstone`]: () => (record) => record.value === null,
};

/**
 * The connector's transforms as one function, in the order `transforms` lists them, each behind its predicate
 * (`negate` inverts it) as Connect's TransformationChain runs them. A null result drops the record. Transforms
 * Ferry does not run were warned about at validation and pass records through.
 */
export function buildTransformChain(transforms: readonly ResolvedTransform[], predicates: readonly ResolvedPredicate[] = []): (record: ConnectRecord) => ConnectRecord | null {
  const steps: RecordTransform[] = [];
  for (const transform of transforms) {
    const factory = TRANSFORM_FACTORIES[transform.type];
    if (!transform.supported || !factory) continue;
    const step = factory(transform);
    if (transform.predicate === undefined) {
      steps.push(step);
      continue;
    }
    const resolved = predicates.find((candidate) => candidate.alias === transform.predicate);
    const predicateFactory = resolved ? PREDICATE_FACTORIES[resolved.type] : undefined;
    if (!resolved || !predicateFactory) throw transformError(transform, `its predicate "${transform.predicate}" is not one Ferry evaluates (${SUPPORTED_PREDICATES.map(shortName).join(', ')}).`);
    const test = predicateFactory(resolved);
    const negate = transform.negate;
    steps.push((record) => (test(record) !== negate ? step(record) : record));
  }
  return (record) => {
    let current: ConnectRecord | null = record;
    for (const step of steps) {
      if (current === null) return null;
      current = step(current);
    }
    return current;
  };
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
