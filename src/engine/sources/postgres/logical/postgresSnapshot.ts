import { pg } from '../../../db/drivers';
import type { ChangeRecord, Position, Row, TableId } from '../../../model';
import type { DebeziumTypeOptions } from '../../debeziumTypes';
import { capturedTable, capturedValue, keyOf } from '../../capturedTable';
import { causeText, sourceError } from '../../errors';
import type { ColumnInfo } from '../../polling/columns';
import type { NumericMapping } from '../../polling/options';
import { revealPassword, type SourceConnectionOptions } from '../../polling/pollingReader';
import type { Zone } from '../../polling/zone';
import { PostgresDialect } from '../postgresDialect';
import { RAW_TEXT_TYPES } from '../postgresPollingReader';
import { describePostgresCatalogColumn, PostgresTypeMap } from '../postgresTypeMap';
import { PostgresValueReader } from '../postgresValues';
import { quoteIdent } from './replicationSetup';

export interface PostgresSnapshotInit {
  connection: SourceConnectionOptions;
  topicPrefix: string;
  tables: readonly TableId[];
  zone: Zone;
  numericMapping?: NumericMapping;
  /** Debezium's column types (time.precision.mode, decimal.handling.mode); Ferry's reader types when absent. */
  types?: DebeziumTypeOptions;
  chunkRows?: number;
  /** The position the snapshot records carry: the slot's, so a checkpoint after them resumes the stream there. */
  position: Position;
}

/**
 * Reads the captured tables in one REPEATABLE READ transaction, in keyset pages by primary key, as `op` r
 * records. Taken after the replication slot exists, so every change after the slot's position is streamed as
 * well: a row changed while the snapshot runs arrives twice (as Debezium's PostgreSQL connector does without an
 * exported snapshot), and the later change wins at an upserting target.
 */
export async function* postgresSnapshot(init: PostgresSnapshotInit): AsyncGenerator<ChangeRecord[], void, undefined> {
  const client = new pg.Client({
    host: init.connection.host,
    port: init.connection.port,
    user: init.connection.user,
    password: revealPassword(init.connection.password),
    database: init.connection.database,
    connectionTimeoutMillis: init.connection.connectTimeoutMs ?? 15_000,
    application_name: 'ferry-snapshot',
    types: RAW_TEXT_TYPES,
  });
  client.on('error', () => undefined); // a lost connection fails the next query, which the task retries
  try {
    await client.connect();
    await client.query("SET TIME ZONE 'UTC'");
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const typeMap = new PostgresTypeMap(init.numericMapping ?? 'none');
    const values = new PostgresValueReader(init.zone);
    const dialect = new PostgresDialect();
    const chunkRows = init.chunkRows ?? 10_000;
    for (const table of init.tables) {
      const statement = dialect.describeColumns(table);
      const described = await client.query<unknown[]>({ text: statement.sql, values: statement.params, rowMode: 'array' });
      const columns = described.rows.map((row) => typeMap.column(describePostgresCatalogColumn(row)));
      if (columns.length === 0) throw sourceError('SOURCE_TABLE_NOT_FOUND', `The table ${table.schema ?? 'public'}.${table.table} does not exist.`);
      const topic = `${init.topicPrefix}.${table.schema ?? 'public'}.${table.table}`;
      const shape = capturedTable(table, topic, columns, init.types);
      const keyColumns = shape.keyColumns;
      const from = `${quoteIdent(table.schema ?? 'public')}.${quoteIdent(table.table)}`;
      const list = columns.map((column) => quoteIdent(column.name)).join(', ');
      const keys = keyColumns.map((column) => quoteIdent(column.name));
      let last: unknown[] | undefined;
      for (;;) {
        const where = last && keys.length > 0 ? `WHERE (${keys.join(', ')}) > (${keys.map((_, index) => `$${index + 1}`).join(', ')})` : '';
        const order = keys.length > 0 ? `ORDER BY ${keys.join(', ')} LIMIT ${chunkRows}` : '';
        const page = await client.query<Record<string, unknown>>({ text: `SELECT ${list} FROM ${from} ${where} ${order}`, values: last ?? [] });
        if (page.rows.length === 0) break;
        yield page.rows.map((raw): ChangeRecord => {
          const after: Row = {};
          for (const column of columns) after[column.name] = capturedValue((value, type) => values.fieldValue(value, type), raw[column.name], column, shape);
          return { table, op: 'r', keySchema: shape.keySchema, key: keyOf(shape, after), valueSchema: shape.valueSchema, before: null, after, position: { ...init.position, snapshot: true } };
        });
        if (keys.length === 0 || page.rows.length < chunkRows) break;
        const tail = page.rows[page.rows.length - 1];
        last = keyColumns.map((column: ColumnInfo) => tail?.[column.name]);
      }
    }
    await client.query('COMMIT');
  } catch (error) {
    if ((error as { code?: string }).code?.startsWith('SOURCE_')) throw error;
    throw sourceError('SOURCE_QUERY_FAILED', `Taking a snapshot of ${init.connection.host}:${init.connection.port} failed: ${causeText(error)}.`, { retriable: true, cause: error });
  } finally {
    await client.end().catch(() => undefined);
  }
}
