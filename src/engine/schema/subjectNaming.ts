import { schemaError } from './errors';

/**
 * Subject name strategies of Confluent's serializers (`key.subject.name.strategy` /
 * `value.subject.name.strategy`, classes in io.confluent.kafka.serializers.subject): which registry subject a
 * record's schema is registered and checked under.
 */
export type SubjectNameStrategy = 'TopicNameStrategy' | 'RecordNameStrategy' | 'TopicRecordNameStrategy';

export const DEFAULT_SUBJECT_NAME_STRATEGY: SubjectNameStrategy = 'TopicNameStrategy';

const STRATEGIES: readonly SubjectNameStrategy[] = ['TopicNameStrategy', 'RecordNameStrategy', 'TopicRecordNameStrategy'];
const CLASS_PREFIX = 'io.confluent.kafka.serializers.subject.';

/** Accepts the short names and the full class names users paste from Connect configs. */
export function parseSubjectNameStrategy(value: string | undefined): SubjectNameStrategy {
  if (value === undefined || value.trim() === '') return DEFAULT_SUBJECT_NAME_STRATEGY;
  const trimmed = value.trim();
  const short = trimmed.startsWith(CLASS_PREFIX) ? trimmed.slice(CLASS_PREFIX.length) : trimmed;
  const found = STRATEGIES.find((strategy) => strategy === short);
  if (found) return found;
  throw schemaError(
    'SCHEMA_BAD_STRATEGY',
    `Unknown subject name strategy '${value}'. Use one of ${STRATEGIES.join(', ')} ` +
      `(or the full class name, e.g. ${CLASS_PREFIX}TopicNameStrategy).`,
    { detail: { value } },
  );
}

export interface SubjectContext {
  topic: string;
  isKey: boolean;
  /** The Avro record's full name (namespace.name), needed by the record-based strategies. */
  recordName?: string;
}

export function subjectName(strategy: SubjectNameStrategy, context: SubjectContext): string {
  switch (strategy) {
    case 'TopicNameStrategy':
      return `${context.topic}${context.isKey ? '-key' : '-value'}`;
    case 'RecordNameStrategy':
      return requireRecordName(strategy, context);
    case 'TopicRecordNameStrategy':
      return `${context.topic}-${requireRecordName(strategy, context)}`;
  }
}

function requireRecordName(strategy: SubjectNameStrategy, context: SubjectContext): string {
  if (context.recordName) return context.recordName;
  throw schemaError(
    'SCHEMA_BAD_STRATEGY',
    `${strategy} names subjects after the record, but the ${context.isKey ? 'key' : 'value'} schema for topic '${context.topic}' has no record name. ` +
      'Use TopicNameStrategy, or give the schema a name.',
  );
}
