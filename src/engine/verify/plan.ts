import type { DialectName } from '../sinks/sql/dialects/dialect';
import type { VerifyColumnRule } from '../../shared/api/verify';
import { verifyError } from './errors';
import { type ColumnInfo, type ColumnRender, isFreeText, type SidePlan, type TableInfo, type ValueKind } from './model';

export interface PlanInput {
  source: { dialect: DialectName; info: TableInfo; zone: string; where: string | undefined; label: string };
  target: { dialect: DialectName; info: TableInfo; zone: string; where: string | undefined; label: string };
  key: readonly string[] | undefined;
  columns: readonly string[] | undefined;
}

export interface ComparisonPlan {
  source: SidePlan;
  target: SidePlan;
  /** Names as the source spells them. */
  keyNames: string[];
  columnNames: string[];
  rules: VerifyColumnRule[];
  notes: string[];
}

const TEMPORAL: ReadonlySet<ValueKind> = new Set(['time', 'timestamp', 'timestamptz']);
const NUMERIC: ReadonlySet<ValueKind> = new Set(['integer', 'boolean', 'decimal', 'float']);
const TEXTUAL: ReadonlySet<ValueKind> = new Set(['string', 'fixedString', 'uuid', 'text']);

function find(info: TableInfo, name: string): ColumnInfo | undefined {
  return info.columns.find((column) => column.name === name) ?? info.columns.find((column) => column.name.toLowerCase() === name.toLowerCase());
}

function requireColumn(info: TableInfo, name: string, label: string, what: string): ColumnInfo {
  const column = find(info, name);
  if (!column) {
    throw verifyError(
      'VERIFY_COLUMN_MISSING',
      `The ${what} column "${name}" is not in the ${label} table ${info.ref.schema}.${info.ref.name} (it has ${info.columns.map((c) => c.name).join(', ')}). Check the spelling or choose other columns.`,
    );
  }
  return column;
}

function kindsCompatible(a: ValueKind, b: ValueKind): boolean {
  if (a === b) return true;
  if (NUMERIC.has(a) && NUMERIC.has(b)) return true;
  if (TEXTUAL.has(a) && TEXTUAL.has(b)) return true;
  return (a === 'timestamp' || a === 'timestamptz') && (b === 'timestamp' || b === 'timestamptz');
}

function ruleText(kind: ValueKind, fraction: number, lowercase: boolean, source: ColumnInfo, target: ColumnInfo, zones: [string, string]): string {
  switch (kind) {
    case 'integer':
    case 'boolean':
      return source.kind === 'boolean' || target.kind === 'boolean' ? 'integer text, booleans as 1/0' : 'integer text';
    case 'decimal':
      return source.kind === 'decimal' && target.kind === 'decimal' && source.scale !== undefined && source.scale === target.scale
        ? `decimal at scale ${source.scale}`
        : 'exact decimal, trailing fractional zeros dropped';
    case 'float':
      return '15 significant digits, plain notation';
    case 'binary':
      return 'lower-case hex';
    case 'date':
      return 'YYYY-MM-DD';
    case 'time':
      return `HH:MM:SS with ${fraction} fractional digits (truncated)`;
    case 'timestamp':
    case 'timestamptz': {
      const zoneNote = zones[0] === 'UTC' && zones[1] === 'UTC' ? '' : ` (zone-less values read in ${zones[0]} / ${zones[1]})`;
      return `UTC YYYY-MM-DD HH:MM:SS with ${fraction} fractional digits (truncated)${zoneNote}`;
    }
    case 'uuid':
      return 'lower-case text';
    case 'string':
    case 'fixedString':
      return `UTF-8 text, compared byte for byte${lowercase ? ', lower-cased (uuid on one side)' : ''}${source.kind === 'fixedString' || target.kind === 'fixedString' ? ', CHAR padding dropped' : ''}`;
    case 'text':
      return "the engine's own text (not normalised)";
  }
}

/**
 * Pairs the two tables' columns and decides how each pair is rendered: the common fractional precision of
 * temporal pairs, lower-casing for uuid pairs. Everything a DBA should know about the comparison goes to `notes`.
 */
export function planComparison(input: PlanInput): ComparisonPlan {
  const { source, target } = input;
  const notes: string[] = [];
  const keyNames = input.key && input.key.length > 0 ? [...input.key] : source.info.primaryKey;
  if (keyNames.length === 0) {
    throw verifyError(
      'VERIFY_NO_KEY',
      `The source table ${source.info.ref.schema}.${source.info.ref.name} has no primary key. Name the columns that identify a row with --key (e.g. --key id or --key region,code).`,
    );
  }
  const keyPairs = keyNames.map((name) => ({
    source: requireColumn(source.info, name, source.label, 'key'),
    target: requireColumn(target.info, name, target.label, 'key'),
  }));
  const keySet = new Set(keyPairs.map((pair) => pair.source.name.toLowerCase()));

  let columnPairs: { source: ColumnInfo; target: ColumnInfo }[];
  if (input.columns && input.columns.length > 0) {
    columnPairs = input.columns
      .filter((name) => !keySet.has(name.toLowerCase()))
      .map((name) => ({ source: requireColumn(source.info, name, source.label, 'compared'), target: requireColumn(target.info, name, target.label, 'compared') }));
  } else {
    columnPairs = [];
    for (const column of source.info.columns) {
      if (keySet.has(column.name.toLowerCase())) continue;
      const other = find(target.info, column.name);
      if (other) columnPairs.push({ source: column, target: other });
      else notes.push(`Column "${column.name}" is only in the source table; it is not compared.`);
    }
    for (const column of target.info.columns) {
      if (!find(source.info, column.name)) notes.push(`Column "${column.name}" is only in the target table; it is not compared.`);
    }
  }

  const rules: VerifyColumnRule[] = [];
  const sourcePlan: SidePlan = { dialect: source.dialect, table: source.info.ref, keys: [], columns: [], conditions: [], position: { mode: 'hash' } };
  const targetPlan: SidePlan = { dialect: target.dialect, table: target.info.ref, keys: [], columns: [], conditions: [], position: { mode: 'hash' } };
  const addPair = (pair: { source: ColumnInfo; target: ColumnInfo }, isKey: boolean): void => {
    const a = pair.source;
    const b = pair.target;
    let fraction = 0;
    if (TEMPORAL.has(a.kind) && TEMPORAL.has(b.kind)) {
      fraction = Math.min(a.fraction ?? 6, b.fraction ?? 6, 6);
      if ((a.fraction ?? 6) !== (b.fraction ?? 6)) {
        notes.push(
          `"${a.name}": the source keeps ${a.fraction ?? 6} fractional second digits, the target ${b.fraction ?? 6}; both are compared at ${fraction} (truncated), so differences below that are not seen.`,
        );
      }
    }
    if (a.kind === 'decimal' && b.kind === 'decimal' && a.scale !== b.scale) {
      notes.push(`"${a.name}": decimal scale ${a.scale ?? 'unconstrained'} in the source, ${b.scale ?? 'unconstrained'} in the target; compared as exact values (1.50 = 1.5000).`);
    }
    if (a.kind === 'float' || b.kind === 'float') notes.push(`"${a.name}": floating point, compared at 15 significant digits, values within 2e-14 of each other as equal (magnitudes beyond 1e-15…1e30 are not compared reliably).`);
    if (a.kind === 'text' || b.kind === 'text') notes.push(`"${a.name}" (${a.declared} / ${b.declared}) is compared as each engine prints it, without normalisation; equal values may show as different.`);
    if (!kindsCompatible(a.kind, b.kind)) notes.push(`"${a.name}": ${a.declared} in the source and ${b.declared} in the target have different kinds; every non-null value will differ.`);
    const lowercase = a.kind === 'uuid' || b.kind === 'uuid';
    const lengthPrefix = isFreeText(a.kind) || isFreeText(b.kind);
    const sameScale = a.kind === 'decimal' && b.kind === 'decimal' && a.scale !== undefined && a.scale === b.scale;
    const floatUnits = a.kind === 'float' && b.kind === 'float';
    const render = (zone: string): ColumnRender => ({ fraction, lowercase, zone, lengthPrefix, sameScale, ...(floatUnits ? { floatUnits } : {}) });
    const list = isKey ? 'keys' : 'columns';
    sourcePlan[list].push({ column: a, render: render(source.zone) });
    targetPlan[list].push({ column: b, render: render(target.zone) });
    rules.push({ name: a.name, sourceType: a.declared, targetType: b.declared, rule: ruleText(a.kind === 'boolean' ? b.kind : a.kind, fraction, lowercase, a, b, [source.zone, target.zone]) });
  };
  for (const pair of keyPairs) addPair(pair, true);
  for (const pair of columnPairs) addPair(pair, false);
  if (source.where) sourcePlan.conditions.push(source.where);
  if (target.where) targetPlan.conditions.push(target.where);
  return {
    source: sourcePlan,
    target: targetPlan,
    keyNames: keyPairs.map((pair) => pair.source.name),
    columnNames: columnPairs.map((pair) => pair.source.name),
    rules,
    notes: [...new Set(notes)],
  };
}
