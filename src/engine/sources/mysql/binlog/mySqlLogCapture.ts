import mysql from 'mysql2/promise';
import type { ChangeRecord, Position, TableId } from '../../../model';
import type { LogCapture, LogCaptureInit, LogCaptureStart, LogInspection, LogRecord, LogSourceFields, SchemaChangeRecord } from '../../logCapture';
import { capturedTable } from '../../capturedTable';
import { MySqlDialect } from '../mysqlDialect';
import { describeMySqlCatalogRow, MySqlTypeMap } from '../mysqlTypeMap';
import { binlogProblems, readBinlogServerFacts } from './binlogPreflight';
import { revealPassword } from '../../polling/pollingReader';
import { binlogPositionFromCheckpoint, binlogPositionToCheckpoint, describeBinlogPosition } from './binlogPosition';
import { takeBinlogSnapshot } from './binlogSnapshot';
import { KafkaSchemaHistoryStore } from './kafkaSchemaHistory';
import { MySqlBinlogReader } from './mySqlBinlogReader';
import { BinlogSchemaHistory, FileSchemaHistoryStore, MemorySchemaHistoryStore, type SchemaHistoryStore } from './schemaHistory';
import { type BinlogPosition } from './binlogPosition';
import { describeTableChange, tableChangeId } from './tableChanges';
import { SOURCE_PREPARED_STATEMENTS } from '../statementCache';

const SYSTEM_DATABASES = ['mysql', 'information_schema', 'performance_schema', 'sys'];

/** Log-based capture from MySQL or MariaDB: a consistent snapshot, then the binlog (see MySqlBinlogReader). */
export class MySqlLogCapture implements LogCapture {
  readonly connectorName: 'mysql' | 'mariadb';
  private reader: MySqlBinlogReader;
  private snapshotClose: (() => Promise<void>) | undefined;
  private readonly historyStore: SchemaHistoryStore;

  constructor(private readonly init: LogCaptureInit) {
    this.connectorName = init.connectorName === 'mariadb' ? 'mariadb' : 'mysql';
    const history = init.schemaHistory;
    this.historyStore =
      history === undefined ? new MemorySchemaHistoryStore() : history.kind === 'file' ? new FileSchemaHistoryStore(history.path) : new KafkaSchemaHistoryStore(history.kafka, history.topic);
    this.reader = this.newReader();
  }

  private newReader(): MySqlBinlogReader {
    const init = this.init;
    return new MySqlBinlogReader({
      connection: init.connection,
      replicaId: init.serverId,
      topicPrefix: init.topicPrefix,
      includeTable: init.includeTable,
      zone: init.zone,
      schemaHistory: new BinlogSchemaHistory(this.historyStore),
      includeSchemaChanges: init.includeSchemaChanges === true,
      ...(init.includeDatabase ? { includeDatabase: init.includeDatabase } : {}),
      ...(init.numericMapping ? { numericMapping: init.numericMapping } : {}),
      ...(init.types ? { types: init.types } : {}),
      ...(init.logger ? { logger: init.logger } : {}),
    });
  }

  async begin(checkpoint: Position | undefined, snapshot: boolean, replayFrom?: Position): Promise<LogCaptureStart> {
    // The task begins again after a retriable failure, having closed the capture: a closed reader cannot restart.
    await this.reader.close();
    this.reader = this.newReader();
    const tables = await this.listTables();
    if (checkpoint) {
      await this.reader.start(binlogPositionFromCheckpoint(checkpoint));
      return { tables };
    }
    if (!snapshot) {
      const from = await this.reader.start();
      await this.reader.recordLayouts(from, tables);
      return { tables };
    }
    // Where an interrupted snapshot began must still be in the binlog: refuse before locking tables for a new one.
    if (replayFrom) await this.reader.checkStartable(binlogPositionFromCheckpoint(replayFrom));
    const taken = await takeBinlogSnapshot({
      connection: this.init.connection,
      topicPrefix: this.init.topicPrefix,
      tables,
      zone: this.init.zone,
      chunkRows: this.init.snapshotFetchSize,
      ...(this.init.numericMapping ? { numericMapping: this.init.numericMapping } : {}),
      ...(this.init.types ? { types: this.init.types } : {}),
    });
    this.snapshotClose = () => taken.close();
    const created = this.init.includeSchemaChanges === true ? await this.snapshotSchemaChanges(taken.position, tables) : [];
    // The tables as the snapshot read them are their layouts from its position on (a history from an earlier run may hold older ones).
    await this.reader.recordLayouts(taken.position, tables);
    // Streaming starts at the snapshot's position now (or where an interrupted snapshot began: LogCapture.begin); its
    // events wait in the reader while the pages are read. Replayed events before the snapshot's position find the
    // layouts the interrupted run recorded, or today's catalog.
    const streamFrom = replayFrom ? binlogPositionFromCheckpoint(replayFrom) : taken.position;
    await this.reader.start(streamFrom);
    const close = (): Promise<void> => this.closeSnapshot();
    const pages = (async function* (): AsyncGenerator<LogRecord[], void, undefined> {
      try {
        if (created.length > 0) yield created;
        yield* taken.records();
      } finally {
        await close();
      }
    })();
    return { tables, snapshot: { position: binlogPositionToCheckpoint(streamFrom), pages } };
  }

  read(maxRecords: number, maxWaitMs: number, signal?: AbortSignal): Promise<LogRecord[]> {
    return this.reader.read(maxRecords, maxWaitMs, signal);
  }

  /** The binlog keeps no reader state on the server: the checkpoint alone says where to resume. */
  acknowledge(): Promise<void> {
    return Promise.resolve();
  }

  sourceFields(record: Pick<ChangeRecord, 'table' | 'position'>): LogSourceFields {
    const { file, pos, row, gtids, server_id: serverId } = record.position;
    // Runs for every streamed row: the checkpoint the reader wrote is read field by field; only a shape it would not
    // write goes through binlogPositionFromCheckpoint, which says what is wrong.
    if (typeof file === 'string' && file !== '' && typeof pos === 'number' && Number.isInteger(pos) && pos >= 4) {
      return {
        kind: 'binlog',
        db: record.table.catalog ?? this.init.connection.database,
        table: record.table.table,
        serverId: typeof serverId === 'number' ? serverId : 0,
        gtid: typeof gtids === 'string' ? gtids : null,
        file,
        pos,
        row: typeof row === 'number' && row > 0 ? row : 0,
      };
    }
    const position = binlogPositionFromCheckpoint(record.position);
    return {
      kind: 'binlog',
      db: record.table.catalog ?? this.init.connection.database,
      table: record.table.table,
      serverId: position.serverId ?? 0,
      gtid: position.gtids ?? null,
      file: position.file,
      pos: position.pos,
      row: position.row,
    };
  }

  describe(position: Position): string {
    return describeBinlogPosition(binlogPositionFromCheckpoint(position));
  }

  /** Binlog bytes written since the checkpoint: the rest of its file and every later file (SHOW BINARY LOGS). */
  async lag(position: Position): Promise<{ position: string; behindBytes?: number }> {
    const at = binlogPositionFromCheckpoint(position);
    const control = await this.controlConnection();
    try {
      const [files] = await control.query<mysql.RowDataPacket[]>('SHOW BINARY LOGS');
      const index = files.findIndex((file) => String(file.Log_name) === at.file);
      if (index < 0) return { position: this.describe(position) };
      let behind = Math.max(0, Number(files[index]?.File_size ?? 0) - at.pos);
      for (const file of files.slice(index + 1)) behind += Number(file.File_size ?? 0);
      return { position: this.describe(position), behindBytes: behind };
    } finally {
      await control.end().catch(() => control.destroy());
    }
  }

  /** Preview: the binlog's end, format and row image, unmet prerequisites, and the captured tables with estimated rows. */
  async inspect(): Promise<LogInspection> {
    const all = await this.listAllTables();
    const tables = all.filter((table) => this.init.includeTable(table));
    const control = await this.controlConnection();
    try {
      const facts = await readBinlogServerFacts(control);
      const problems = binlogProblems(facts, `'${this.init.connection.user}'`, this.init.serverId).map((problem) => `${problem.what}: ${problem.fix}`);
      const typeMap = new MySqlTypeMap({ numericMapping: this.init.numericMapping ?? 'none', numericMappingForDecimal: false });
      const dialect = new MySqlDialect();
      const inspected: LogInspection['tables'] = [];
      for (const id of tables) {
        const statement = dialect.describeColumns(id);
        const [rows] = await control.query<mysql.RowDataPacket[]>({ sql: statement.sql, values: statement.params, rowsAsArray: true });
        const columns = (rows as unknown as unknown[][]).map((row) => typeMap.column(describeMySqlCatalogRow(row)));
        const [estimate] = await control.query<mysql.RowDataPacket[]>('SELECT TABLE_ROWS AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?', [id.catalog ?? '', id.table]);
        const rowsEstimate = estimate[0]?.n;
        inspected.push({
          table: capturedTable(id, `${this.init.topicPrefix}.${id.catalog ?? ''}.${id.table}`, columns, this.init.types),
          estimatedRows: rowsEstimate === null || rowsEstimate === undefined ? null : Number(rowsEstimate),
        });
      }
      return {
        log: {
          kind: 'binlog',
          binlog: { file: facts.current.file, position: facts.current.pos, gtid: facts.current.gtids ?? null, format: facts.binlogFormat, rowImage: facts.binlogRowImage, serverId: facts.serverId, version: facts.version },
          problems,
        },
        tables: inspected,
        excludedTables: all.filter((table) => !this.init.includeTable(table)).map((table) => `${table.catalog ?? ''}.${table.table}`),
      };
    } finally {
      await control.end().catch(() => control.destroy());
    }
  }

  /**
   * What Debezium's snapshot writes to the schema change topic before the rows: each captured table's CREATE TABLE
   * (as SHOW CREATE TABLE prints it) with its structure, at the snapshot's position.
   */
  private async snapshotSchemaChanges(at: BinlogPosition, tables: readonly TableId[]): Promise<SchemaChangeRecord[]> {
    const control = await this.controlConnection();
    try {
      const records: SchemaChangeRecord[] = [];
      for (const table of tables) {
        const db = table.catalog ?? '';
        const structure = await describeTableChange(control, db, table.table);
        if (!structure) continue;
        const [rows] = await control.query<mysql.RowDataPacket[]>(`SHOW CREATE TABLE \`${db.replace(/`/g, '``')}\`.\`${table.table.replace(/`/g, '``')}\``);
        const ddl = String(rows[0]?.['Create Table'] ?? '');
        records.push({
          kind: 'schemaChange',
          table,
          databaseName: db,
          ddl,
          tableChange: { type: 'CREATE', id: tableChangeId(db, table.table), table: structure },
          position: binlogPositionToCheckpoint(at),
          sourceTimestampMs: Date.now(),
        });
      }
      return records;
    } finally {
      await control.end().catch(() => control.destroy());
    }
  }

  private async controlConnection(): Promise<mysql.Connection> {
    const { connection } = this.init;
    const control = await mysql.createConnection({
      maxPreparedStatements: SOURCE_PREPARED_STATEMENTS,
      host: connection.host,
      port: connection.port,
      user: connection.user,
      password: revealPassword(connection.password),
      connectTimeout: connection.connectTimeoutMs ?? 15_000,
    });
    control.on('error', () => undefined);
    return control;
  }

  async close(): Promise<void> {
    await this.closeSnapshot();
    await this.reader.close();
    await this.historyStore.close();
  }

  private async closeSnapshot(): Promise<void> {
    const close = this.snapshotClose;
    this.snapshotClose = undefined;
    await close?.();
  }

  private async listTables(): Promise<TableId[]> {
    return (await this.listAllTables()).filter((table) => this.init.includeTable(table));
  }

  /** Every base table outside the system databases, captured or not. */
  private async listAllTables(): Promise<TableId[]> {
    const { connection } = this.init;
    const control = await mysql.createConnection({
      maxPreparedStatements: SOURCE_PREPARED_STATEMENTS,
      host: connection.host,
      port: connection.port,
      user: connection.user,
      password: revealPassword(connection.password),
      connectTimeout: connection.connectTimeoutMs ?? 15_000,
    });
    control.on('error', () => undefined);
    try {
      const [rows] = await control.query<mysql.RowDataPacket[]>(
        `SELECT TABLE_SCHEMA AS db, TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE' AND TABLE_SCHEMA NOT IN (${SYSTEM_DATABASES.map(() => '?').join(', ')}) ORDER BY TABLE_SCHEMA, TABLE_NAME`,
        SYSTEM_DATABASES,
      );
      return rows.map((row): TableId => ({ catalog: String(row.db), table: String(row.name) }));
    } finally {
      await control.end().catch(() => control.destroy());
    }
  }
}
