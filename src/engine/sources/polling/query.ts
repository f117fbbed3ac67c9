import type { ColumnInfo } from './columns';
import type { PollingDialect, SqlParam, SqlStatement } from './dialect';
import type { PreciseInstant } from './instant';
import type { PollingMode } from './options';
import type { PollingPosition } from './position';
import type { Zone } from './zone';

/**
 * The incremental query of kafka-connect-jdbc's TimestampIncrementingCriteria (connectors reference §1.3), with
 * these deliberate differences, each fixing an upstream bug:
 *
 * - No stored position means no lower bound. Upstream binds id -1 and epoch 0, so negative ids and rows stamped
 *   at or before 1970-01-01 are never read.
 * - A LIMIT of batch.max.rows is part of the query. Upstream keeps one result set open across polls instead; a
 *   LIMIT lets Ferry hold no cursor between polls. In timestamp+incrementing and incrementing modes the order is
 *   total, so a LIMIT cannot lose rows; in timestamp-only mode the reader completes the last timestamp with
 *   `buildTimestampTieQuery` (see PollingReader), which upstream's own `query.suffix` LIMIT advice gets wrong.
 * - Parameters are cast to the columns' own types (`dialect.timestampParameter`), so a SQL Server `datetime`
 *   column is compared with a `datetime` value: upstream binds a datetime2-precision value, which never equals the
 *   1/300 s-rounded column and re-reads the last row forever (and newer upstream refuses such columns outright).
 * - A custom query is wrapped as a subquery before the WHERE is appended, so a query with its own WHERE works.
 * - In timestamp+incrementing mode a position with a timestamp but no id (timestamp.initial, or an offset pasted
 *   from a timestamp-only connector) reads from that timestamp inclusive: upstream compares with id -1, which is
 *   the same except for negative ids.
 */
export interface IncrementalQueryInput {
  dialect: PollingDialect;
  /** A quoted table or a wrapped query. */
  from: string;
  /** The source's current columns, for the select list. */
  columns: readonly ColumnInfo[];
  mode: Exclude<PollingMode, 'bulk'>;
  incrementing?: ColumnInfo;
  timestamps: readonly ColumnInfo[];
  position: PollingPosition;
  /**
   * The position's timestamp is a start (timestamp.initial), not the last row read: rows stamped exactly then
   * are wanted, so timestamp mode compares with >=.
   */
  lowerBoundInclusive?: boolean;
  /** now_on_db − timestamp.delay.interval.ms; required in the timestamp modes. */
  upperBound?: PreciseInstant;
  zone: Zone;
  limit: number;
}

export function timestampExpression(dialect: PollingDialect, timestamps: readonly ColumnInfo[]): string {
  const quoted = timestamps.map((column) => dialect.quoteIdentifier(column.name));
  if (quoted.length === 1) return quoted[0] as string;
  return `COALESCE(${quoted.join(', ')})`;
}

class Params {
  readonly values: SqlParam[] = [];
  constructor(private readonly dialect: PollingDialect) {}
  add(value: SqlParam): string {
    this.values.push(value);
    return this.dialect.placeholder(this.values.length);
  }
}

export function buildIncrementalQuery(input: IncrementalQueryInput): SqlStatement {
  const { dialect, position } = input;
  const params = new Params(dialect);
  const where: string[] = [];
  const orderBy: string[] = [];
  const ts = input.timestamps.length > 0 ? timestampExpression(dialect, input.timestamps) : undefined;
  const inc = input.incrementing ? dialect.quoteIdentifier(input.incrementing.name) : undefined;
  const tsParam = (instant: PreciseInstant): string =>
    dialect.timestampParameter(params.add(dialect.timestampValue(instant, input.timestamps, input.zone)), input.timestamps);
  const incParam = (value: bigint): string => dialect.incrementingParameter(params.add(value.toString()), input.incrementing as ColumnInfo);

  const requireUpperBound = (): PreciseInstant => {
    if (!input.upperBound) throw new Error(`buildIncrementalQuery: mode ${input.mode} needs an upper bound`);
    return input.upperBound;
  };

  switch (input.mode) {
    case 'incrementing': {
      if (!inc) throw new Error('buildIncrementalQuery: incrementing mode needs the incrementing column');
      if (position.incrementing !== undefined) where.push(`${inc} > ${incParam(position.incrementing)}`);
      orderBy.push(`${inc} ASC`);
      break;
    }
    case 'timestamp': {
      if (!ts) throw new Error('buildIncrementalQuery: timestamp mode needs timestamp columns');
      // Upstream's order of parameters: lower bound first, then the upper bound.
      if (position.timestamp !== undefined) where.push(`${ts} ${input.lowerBoundInclusive ? '>=' : '>'} ${tsParam(position.timestamp)}`);
      where.push(`${ts} < ${tsParam(requireUpperBound())}`);
      orderBy.push(`${ts} ASC`);
      break;
    }
    case 'timestamp+incrementing': {
      if (!ts || !inc) throw new Error('buildIncrementalQuery: timestamp+incrementing mode needs both columns');
      // Upstream: TS < ? AND ((TS = ? AND inc > ?) OR TS > ?), parameters (upper, ts, id, ts).
      where.push(`${ts} < ${tsParam(requireUpperBound())}`);
      if (position.timestamp !== undefined && position.incrementing !== undefined) {
        const equal = tsParam(position.timestamp);
        const id = incParam(position.incrementing);
        const after = tsParam(position.timestamp);
        where.push(`((${ts} = ${equal} AND ${inc} > ${id}) OR ${ts} > ${after})`);
      } else if (position.timestamp !== undefined) {
        where.push(`${ts} >= ${tsParam(position.timestamp)}`);
      }
      orderBy.push(`${ts} ASC`, `${inc} ASC`);
      break;
    }
  }

  const sql = dialect.select({
    columns: dialect.selectList(input.columns),
    from: input.from,
    where: where.length > 0 ? where.join(' AND ') : undefined,
    orderBy,
    limit: input.limit,
  });
  return { sql, params: params.values };
}

/**
 * Every row stamped exactly `at`, for timestamp-only mode: when a batch fills up, the rows sharing its last
 * timestamp may continue past the LIMIT, and the next poll's `TS > last` would skip them. Ordered by the key so a
 * retry emits them in the same order.
 */
export function buildTimestampTieQuery(input: {
  dialect: PollingDialect;
  from: string;
  columns: readonly ColumnInfo[];
  timestamps: readonly ColumnInfo[];
  orderBy: readonly ColumnInfo[];
  at: PreciseInstant;
  zone: Zone;
}): SqlStatement {
  const { dialect } = input;
  const params = new Params(dialect);
  const ts = timestampExpression(dialect, input.timestamps);
  const where = `${ts} = ${dialect.timestampParameter(params.add(dialect.timestampValue(input.at, input.timestamps, input.zone)), input.timestamps)}`;
  const sql = dialect.select({
    columns: dialect.selectList(input.columns),
    from: input.from,
    where,
    orderBy: input.orderBy.map((column) => `${dialect.quoteIdentifier(column.name)} ASC`),
  });
  return { sql, params: params.values };
}

/**
 * One page of a bulk pass. With a single integer key the pages are keyset pages (`key > last`), which stay cheap on
 * big tables; otherwise OFFSET pages ordered by the key when there is one. Upstream reads the whole table through
 * one open result set instead.
 */
export function buildBulkPageQuery(input: {
  dialect: PollingDialect;
  from: string;
  columns: readonly ColumnInfo[];
  key: readonly ColumnInfo[];
  /** Keyset paging: the last key value of the previous page. */
  after?: bigint;
  /** Offset paging: rows already read in this pass. */
  offset?: number;
  limit: number;
}): SqlStatement {
  const { dialect } = input;
  const params = new Params(dialect);
  const orderBy = input.key.map((column) => `${dialect.quoteIdentifier(column.name)} ASC`);
  let where: string | undefined;
  const single = input.key.length === 1 ? input.key[0] : undefined;
  if (input.after !== undefined && single) {
    where = `${dialect.quoteIdentifier(single.name)} > ${dialect.incrementingParameter(params.add(input.after.toString()), single)}`;
  }
  const sql = dialect.select({
    columns: dialect.selectList(input.columns),
    from: input.from,
    where,
    orderBy,
    limit: input.limit,
    offset: input.after === undefined && input.offset !== undefined && input.offset > 0 ? input.offset : undefined,
  });
  return { sql, params: params.values };
}
