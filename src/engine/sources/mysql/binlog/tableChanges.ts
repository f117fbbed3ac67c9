import type mysql from 'mysql2/promise';
import type { TableChange, TableChangeColumn, TableChangeTable } from '../../../schema';

/**
 * A table's structure as Debezium's schema change events describe it (`tableChanges[].table`), read from the
 * catalog right after the DDL. Debezium gets the same facts by parsing the DDL (its MySQL grammar's data type
 * resolver gives the java.sql.Types below); the catalog is what the server made of the statement, so both agree on
 * names, types, lengths, charsets, defaults, comments and the key.
 */

/** java.sql.Types per MySQL/MariaDB data type, as Debezium's MySqlAntlrDdlParser resolves them. */
const JDBC_TYPES: Record<string, number> = {
  bit: -7,
  tinyint: 5,
  smallint: 5,
  mediumint: 4,
  int: 4,
  integer: 4,
  bigint: -5,
  real: 7,
  double: 8,
  float: 6,
  decimal: 3,
  numeric: 2,
  date: 91,
  time: 92,
  timestamp: 2014,
  datetime: 93,
  year: 4,
  char: 1,
  varchar: 12,
  tinytext: 12,
  text: 12,
  mediumtext: 12,
  longtext: 12,
  binary: -2,
  varbinary: -3,
  tinyblob: 2004,
  blob: 2004,
  mediumblob: 2004,
  longblob: 2004,
  enum: 1,
  set: 1,
  bool: 16,
  boolean: 16,
};
const OTHER = 1111;

/** One row of information_schema.COLUMNS, as `describeTableChange` reads it. */
export interface CatalogColumn {
  name: string;
  dataType: string;
  columnType: string;
  nullable: boolean;
  charset: string | null;
  extra: string;
  comment: string;
  default: string | null;
  position: number;
}

/** Splits `enum('a','b,c','it''s')` into its options as written (quotes kept, as Debezium 3.5 writes enumValues). */
export function enumOptions(columnType: string): string[] {
  const open = columnType.indexOf('(');
  const body = columnType.slice(open + 1, columnType.lastIndexOf(')'));
  const options: string[] = [];
  let current = '';
  let quoted = false;
  for (let index = 0; index < body.length; index += 1) {
    const char = body[index] as string;
    if (char === "'") {
      if (quoted && body[index + 1] === "'") {
        current += "''";
        index += 1;
        continue;
      }
      quoted = !quoted;
      current += char;
    } else if (char === ',' && !quoted) {
      options.push(current.trim());
      current = '';
    } else {
      current += char;
    }
  }
  if (current.trim() !== '') options.push(current.trim());
  return options;
}

/** A catalog default as Debezium's defaultValueExpression: string literals unquoted, NULL as none. */
export function defaultExpression(raw: string | null): string | null {
  if (raw === null || raw === 'NULL') return null;
  if (raw.length >= 2 && raw.startsWith("'") && raw.endsWith("'")) return raw.slice(1, -1).replace(/''/g, "'").replace(/\\\\/g, '\\');
  return raw;
}

export function tableChangeColumn(column: CatalogColumn): TableChangeColumn {
  const dataType = column.dataType.toLowerCase();
  const suffix = `${/\bunsigned\b/i.test(column.columnType) ? ' UNSIGNED' : ''}${/\bzerofill\b/i.test(column.columnType) ? ' ZEROFILL' : ''}`;
  const typeName = `${dataType.toUpperCase()}${suffix}`;
  let length: number | null = null;
  let scale: number | null = null;
  let enumValues: string[] | null = null;
  if (dataType === 'enum' || dataType === 'set') {
    enumValues = enumOptions(column.columnType);
    // Debezium: an ENUM holds one option, a SET up to every option and the commas between them.
    length = dataType === 'enum' ? 1 : Math.max(0, enumValues.length * 2 - 1);
  } else {
    const dimensions = /^[a-z ]+\((\d+)(?:,(\d+))?\)/i.exec(column.columnType);
    if (dimensions?.[1] !== undefined) length = Number(dimensions[1]);
    if (dimensions?.[2] !== undefined) scale = Number(dimensions[2]);
  }
  const extra = column.extra.toLowerCase();
  const autoIncremented = extra.includes('auto_increment');
  return {
    name: column.name,
    jdbcType: JDBC_TYPES[dataType] ?? OTHER,
    nativeType: null,
    typeName,
    typeExpression: typeName,
    charsetName: column.charset,
    length,
    scale,
    position: column.position,
    optional: column.nullable,
    autoIncremented,
    generated: autoIncremented || /\b(virtual|stored|persistent)\b/.test(extra),
    comment: column.comment === '' ? null : column.comment,
    defaultValueExpression: autoIncremented ? null : defaultExpression(column.default),
    enumValues,
  };
}

/** `"db"."table"`, Debezium's TableId in double quotes. */
export function tableChangeId(db: string, table: string): string {
  return `"${db}"."${table}"`;
}

/** The table's structure now, or null when it does not exist (dropped). */
export async function describeTableChange(connection: mysql.Connection, db: string, table: string): Promise<TableChangeTable | null> {
  const [tables] = await connection.query<mysql.RowDataPacket[]>(
    'SELECT t.TABLE_COMMENT AS comment, c.CHARACTER_SET_NAME AS charset FROM information_schema.TABLES t LEFT JOIN information_schema.COLLATIONS c ON c.COLLATION_NAME = t.TABLE_COLLATION WHERE t.TABLE_SCHEMA = ? AND t.TABLE_NAME = ?',
    [db, table],
  );
  const info = tables[0];
  if (!info) return null;
  const [columns] = await connection.query<mysql.RowDataPacket[]>(
    'SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE, CHARACTER_SET_NAME, EXTRA, COLUMN_COMMENT, COLUMN_DEFAULT, ORDINAL_POSITION FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
    [db, table],
  );
  const [keys] = await connection.query<mysql.RowDataPacket[]>(
    "SELECT COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE WHERE CONSTRAINT_NAME = 'PRIMARY' AND TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION",
    [db, table],
  );
  return {
    defaultCharsetName: info.charset === null || info.charset === undefined ? null : String(info.charset),
    primaryKeyColumnNames: keys.map((row) => String(row.COLUMN_NAME)),
    columns: columns.map((row) =>
      tableChangeColumn({
        name: String(row.COLUMN_NAME),
        dataType: String(row.DATA_TYPE),
        columnType: String(row.COLUMN_TYPE),
        nullable: String(row.IS_NULLABLE) === 'YES',
        charset: row.CHARACTER_SET_NAME === null ? null : String(row.CHARACTER_SET_NAME),
        extra: String(row.EXTRA ?? ''),
        comment: String(row.COLUMN_COMMENT ?? ''),
        default: row.COLUMN_DEFAULT === null || row.COLUMN_DEFAULT === undefined ? null : String(row.COLUMN_DEFAULT),
        position: Number(row.ORDINAL_POSITION),
      }),
    ),
    comment: info.comment === null || info.comment === undefined || info.comment === '' ? null : String(info.comment),
  };
}

/** The change a DDL made to one table: CREATE/ALTER/RENAME become CREATE or ALTER with the table as it is now, DROP has no table. */
export function tableChangeOf(ddl: string, db: string, table: string, structure: TableChangeTable | null): TableChange {
  const id = tableChangeId(db, table);
  if (structure === null) return { type: 'DROP', id, table: null };
  return { type: /^\s*CREATE\s/i.test(ddl) ? 'CREATE' : 'ALTER', id, table: structure };
}
