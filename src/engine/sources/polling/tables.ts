import { type TableId, tableIdToString } from '../../model';
import { sourceError } from '../errors';
import type { ListedTable, PollingDialect } from './dialect';
import type { ResolvedPollingOptions } from './options';

/**
 * Table selection as kafka-connect-jdbc's TableMonitorThread does it:
 * - `table.whitelist` / `table.blacklist`: exact strings, each compared with the unquoted FQN (`db.table`,
 *   `public.orders`, `db.dbo.orders`), the quoted FQN, and the bare table name.
 * - `table.include.list` / `table.exclude.list`: regexes matched in full, case-sensitively, against the unquoted FQN.
 *   Upstream needs an include list for the exclude list to apply; Ferry lets an exclude list alone exclude from all.
 * Differences: a whitelist entry or include pattern that matches nothing, or a selection that is empty, is an error
 * naming what was asked for (upstream idles with a log line), so a typo cannot look like a quiet table.
 */
export function selectTables(listed: readonly ListedTable[], options: ResolvedPollingOptions, dialect: PollingDialect): TableId[] {
  const candidates = listed.filter((table) => options.tableTypes.includes(table.type)).map((table) => table.id);
  const names = (table: TableId): string[] => [tableIdToString(table), dialect.quoteTable(table), table.table];
  let selected: TableId[];

  if (options.tableWhitelist) {
    const missing = options.tableWhitelist.filter((wanted) => !candidates.some((table) => names(table).includes(wanted)));
    if (missing.length > 0) {
      throw sourceError(
        'SOURCE_TABLE_NOT_FOUND',
        `Table${missing.length === 1 ? '' : 's'} ${missing.map((name) => `"${name}"`).join(', ')} named in table.whitelist ${missing.length === 1 ? 'does' : 'do'} not exist ` +
          `(or ${missing.length === 1 ? 'is' : 'are'} not of table.types ${options.tableTypes.join(', ')}). ` +
          `Tables found: ${describeAvailable(candidates)}.`,
        { detail: { missing } },
      );
    }
    selected = candidates.filter((table) => names(table).some((name) => options.tableWhitelist?.includes(name)));
  } else if (options.tableBlacklist) {
    selected = candidates.filter((table) => !names(table).some((name) => options.tableBlacklist?.includes(name)));
  } else if (options.tableIncludeList || options.tableExcludeList) {
    const include = options.tableIncludeList;
    const exclude = options.tableExcludeList ?? [];
    // Like a whitelist entry: a pattern that matches no table is a typo until shown otherwise (upstream ignores it).
    const unmatched = (include ?? []).filter((re) => !candidates.some((table) => re.test(tableIdToString(table))));
    if (unmatched.length > 0) {
      throw sourceError(
        'SOURCE_TABLE_NOT_FOUND',
        `${unmatched.length === 1 ? 'Pattern' : 'Patterns'} ${unmatched.map((re) => `"${patternText(re)}"`).join(', ')} in table.include.list ${unmatched.length === 1 ? 'matches' : 'match'} no table ` +
          `(patterns match the whole qualified name, e.g. shop\\.orders; table.types ${options.tableTypes.join(', ')}). Tables found: ${describeAvailable(candidates)}.`,
        { detail: { unmatched: unmatched.map(patternText) } },
      );
    }
    selected = candidates.filter((table) => {
      const fqn = tableIdToString(table);
      return (include === undefined || include.some((re) => re.test(fqn))) && !exclude.some((re) => re.test(fqn));
    });
  } else {
    selected = candidates;
  }

  if (selected.length === 0) {
    throw sourceError(
      'SOURCE_TABLE_NOT_FOUND',
      `No table matches the table selection (${describeSelection(options)}, table.types ${options.tableTypes.join(', ')}). Tables found: ${describeAvailable(candidates)}.`,
    );
  }
  assertUniqueBareNames(selected);
  return selected;
}

/** Upstream refuses duplicate bare names: the topic is prefix + bare name, so two tables would share a topic. */
function assertUniqueBareNames(tables: readonly TableId[]): void {
  const byName = new Map<string, TableId[]>();
  for (const table of tables) byName.set(table.table, [...(byName.get(table.table) ?? []), table]);
  const duplicates = [...byName.values()].filter((group) => group.length > 1);
  if (duplicates.length > 0) {
    const list = duplicates.map((group) => group.map(tableIdToString).join(' and ')).join('; ');
    throw sourceError(
      'SOURCE_DUPLICATE_TABLE_NAME',
      `Topics are named topic.prefix + bare table name, so ${list} would write to the same topic. ` +
        'Narrow table.whitelist / table.include.list so each table name is selected once.',
      { detail: { duplicates } },
    );
  }
}

function describeSelection(options: ResolvedPollingOptions): string {
  if (options.tableWhitelist) return `table.whitelist ${options.tableWhitelist.join(', ')}`;
  if (options.tableBlacklist) return `table.blacklist ${options.tableBlacklist.join(', ')}`;
  const parts: string[] = [];
  if (options.tableIncludeList) parts.push(`table.include.list ${options.tableIncludeList.map(patternText).join(', ')}`);
  if (options.tableExcludeList) parts.push(`table.exclude.list ${options.tableExcludeList.map(patternText).join(', ')}`);
  return parts.length > 0 ? parts.join(', ') : 'all tables';
}

/** The pattern as the user wrote it, without the anchors options.ts added. */
function patternText(re: RegExp): string {
  return re.source.replace(/^\^\(\?:/, '').replace(/\)\$$/, '');
}

function describeAvailable(tables: readonly TableId[]): string {
  if (tables.length === 0) return 'none';
  const names = tables.slice(0, 20).map(tableIdToString);
  return tables.length > 20 ? `${names.join(', ')} and ${tables.length - 20} more` : names.join(', ');
}

/** Table mode: `topic.prefix` + bare table name (no separator added, as upstream). */
export function topicForTable(topicPrefix: string, table: TableId): string {
  return `${topicPrefix}${table.table}`;
}

/** Query mode: the prefix is the whole topic name. */
export function topicForQuery(topicPrefix: string): string {
  return topicPrefix;
}
