import type { FieldType } from '../../model';
import { type ColumnInfo, decimalType, mapNumeric, type TemporalKind } from '../polling/columns';
import type { NumericMapping } from '../polling/options';

/** A MySQL/MariaDB column as the catalog or a result's field packet describes it. */
export interface MySqlColumnDescription {
  name: string;
  /** information_schema DATA_TYPE, lower case: `int`, `decimal`, `datetime`, … */
  dataType: string;
  /** information_schema COLUMN_TYPE (`int(10) unsigned`, `tinyint(1)`), or rebuilt from a field packet. */
  columnType: string;
  unsigned: boolean;
  precision?: number;
  scale?: number;
  /** Display width / length in the declaration (`tinyint(1)`, `bit(8)`). */
  length?: number;
  nullable: boolean;
  autoIncrement: boolean;
  primaryKeyOrdinal?: number;
}

export interface MySqlTypeMapOptions {
  numericMapping: NumericMapping;
  /** Ferry's opt-in to apply numeric.mapping to DECIMAL too (upstream never does, see options.ts). */
  numericMappingForDecimal: boolean;
}

/**
 * MySQL/MariaDB column types → Ferry field types, following what Connector/J + kafka-connect-jdbc produce
 * (GenericDatabaseDialect) except where upstream loses data:
 *
 * | MySQL | Ferry | note |
 * |---|---|---|
 * | TINYINT / SMALLINT / MEDIUMINT / INT / BIGINT | int8 / int16 / int32 / int32 / int64 | |
 * | … UNSIGNED | int16 / int32 / int64 / int64 / **decimal(20,0)** | BIGINT UNSIGNED was int64 upstream and overflowed past 2^63 |
 * | TINYINT(1), BOOLEAN | int8 | as upstream (Connector/J reports BIT → INT8); the display width does not limit the values, so it is not a boolean |
 * | BIT(1) | int8 | as upstream |
 * | BIT(2…63) / BIT(64) | int64 / decimal(20,0) | upstream read one byte of it (getByte) and lost the rest |
 * | DECIMAL(p,s) / NUMERIC | decimal(p,s) | numeric.mapping does **not** apply (MySQL reports DECIMAL, not NUMERIC; kafka-connect-jdbc #563) unless numericMappingForDecimal |
 * | FLOAT / DOUBLE | float32 / float64 | |
 * | DATE / YEAR | date / date | YEAR is Connector/J's Date (January 1st of the year) |
 * | TIME | time | values outside 00:00–24:00 are kept as signed milliseconds |
 * | DATETIME | timestamp (zone-less, read in db.timezone) | |
 * | TIMESTAMP | timestamp (an instant) | |
 * | CHAR … LONGTEXT, ENUM, SET, JSON, UUID, INET | string | |
 * | BINARY … LONGBLOB, GEOMETRY | bytes | |
 */
export class MySqlTypeMap {
  constructor(private readonly options: MySqlTypeMapOptions) {}

  column(description: MySqlColumnDescription): ColumnInfo {
    const { type, temporal } = this.fieldType(description);
    const column: ColumnInfo = {
      name: description.name,
      sourceType: description.columnType,
      baseType: description.dataType.toLowerCase(),
      type,
      optional: description.nullable,
      autoIncrement: description.autoIncrement,
    };
    if (description.primaryKeyOrdinal !== undefined) column.primaryKeyOrdinal = description.primaryKeyOrdinal;
    if (temporal) column.temporal = temporal;
    if (description.unsigned) column.unsigned = true;
    return column;
  }

  fieldType(description: MySqlColumnDescription): { type: FieldType; temporal?: TemporalKind } {
    const unsigned = description.unsigned;
    switch (description.dataType.toLowerCase()) {
      case 'tinyint':
        return { type: { kind: unsigned ? 'int16' : 'int8' } };
      case 'smallint':
        return { type: { kind: unsigned ? 'int32' : 'int16' } };
      case 'mediumint':
        return { type: { kind: unsigned ? 'int64' : 'int32' } };
      case 'int':
      case 'integer':
        return { type: { kind: unsigned ? 'int64' : 'int32' } };
      case 'bigint':
        return { type: unsigned ? { kind: 'decimal', precision: 20, scale: 0 } : { kind: 'int64' } };
      case 'bit': {
        const bits = description.length ?? description.precision ?? 1;
        if (bits <= 1) return { type: { kind: 'int8' } };
        if (bits <= 63) return { type: { kind: 'int64' } };
        return { type: { kind: 'decimal', precision: 20, scale: 0 } };
      }
      case 'decimal':
      case 'numeric':
      case 'dec':
      case 'fixed': {
        const precision = description.precision ?? 10;
        const scale = description.scale ?? 0;
        return { type: this.options.numericMappingForDecimal ? mapNumeric(precision, scale, this.options.numericMapping) : decimalType(precision, scale) };
      }
      case 'float':
        return { type: { kind: 'float32' } };
      case 'double':
      case 'real':
      case 'double precision':
        return { type: { kind: 'float64' } };
      case 'date':
      case 'newdate':
      case 'year':
        return { type: { kind: 'date' }, temporal: 'local' };
      case 'time':
        return { type: { kind: 'time' }, temporal: 'local' };
      case 'datetime':
        return { type: { kind: 'timestamp' }, temporal: 'local' };
      case 'timestamp':
        return { type: { kind: 'timestamp' }, temporal: 'instant' };
      case 'binary':
      case 'varbinary':
      case 'tinyblob':
      case 'blob':
      case 'mediumblob':
      case 'longblob':
      case 'geometry':
      case 'point':
      case 'linestring':
      case 'polygon':
      case 'multipoint':
      case 'multilinestring':
      case 'multipolygon':
      case 'geometrycollection':
      case 'geomcollection':
        return { type: { kind: 'bytes' } };
      default:
        // char, varchar, *text, enum, set, json, MariaDB uuid/inet4/inet6: their text is the value.
        return { type: { kind: 'string' } };
    }
  }
}

/** mysql2 field-packet type codes (protocol ColumnType) → DATA_TYPE names, for query mode. */
const FIELD_TYPE_NAMES: Record<number, string> = {
  0: 'decimal',
  1: 'tinyint',
  2: 'smallint',
  3: 'int',
  4: 'float',
  5: 'double',
  6: 'null',
  7: 'timestamp',
  8: 'bigint',
  9: 'mediumint',
  10: 'date',
  11: 'time',
  12: 'datetime',
  13: 'year',
  14: 'date',
  15: 'varchar',
  16: 'bit',
  245: 'json',
  246: 'decimal',
  247: 'enum',
  248: 'set',
  249: 'tinyblob',
  250: 'mediumblob',
  251: 'longblob',
  252: 'blob',
  253: 'varchar',
  254: 'char',
  255: 'geometry',
};

const FLAG_NOT_NULL = 1;
const FLAG_PRI_KEY = 2;
const FLAG_UNSIGNED = 32;
const FLAG_BINARY = 128;
const FLAG_AUTO_INCREMENT = 512;
const BINARY_CHARSET = 63;

/** The part of a mysql2 FieldPacket query mode needs. */
export interface MySqlFieldPacket {
  name: string;
  columnType?: number;
  type?: number;
  flags?: number;
  decimals?: number;
  columnLength?: number;
  characterSet?: number;
}

/** A result column (query mode) → the same description the catalog gives for a table column. */
export function describeMySqlField(field: MySqlFieldPacket, keyOrdinal?: number): MySqlColumnDescription {
  const code = field.columnType ?? field.type ?? 253;
  const flags = field.flags ?? 0;
  const unsigned = (flags & FLAG_UNSIGNED) !== 0;
  let dataType = FIELD_TYPE_NAMES[code] ?? 'varchar';
  const binary = field.characterSet === BINARY_CHARSET && (flags & FLAG_BINARY) !== 0;
  if (binary && (dataType === 'varchar' || dataType === 'char')) dataType = 'varbinary';
  if (!binary && dataType.endsWith('blob')) dataType = 'text';
  const description: MySqlColumnDescription = {
    name: field.name,
    dataType,
    columnType: dataType,
    unsigned,
    nullable: (flags & FLAG_NOT_NULL) === 0,
    autoIncrement: (flags & FLAG_AUTO_INCREMENT) !== 0,
  };
  if (dataType === 'decimal') {
    const scale = field.decimals ?? 0;
    // The packet's length counts the digits plus a point (when scale > 0) and a sign (when signed).
    const precision = (field.columnLength ?? 11) - (scale > 0 ? 1 : 0) - (unsigned ? 0 : 1);
    description.precision = precision;
    description.scale = scale;
    description.columnType = `decimal(${precision},${scale})${unsigned ? ' unsigned' : ''}`;
  } else if (dataType === 'bit') {
    description.length = field.columnLength ?? 1;
    description.columnType = `bit(${description.length})`;
  } else if (unsigned) {
    description.columnType = `${dataType} unsigned`;
  }
  if ((flags & FLAG_PRI_KEY) !== 0 && keyOrdinal !== undefined) description.primaryKeyOrdinal = keyOrdinal;
  return description;
}

/** DATA_TYPE + COLUMN_TYPE from information_schema → a description. */
export function describeMySqlCatalogColumn(row: {
  name: string;
  dataType: string;
  columnType: string;
  nullable: string;
  precision: unknown;
  scale: unknown;
  extra: string;
  pkOrdinal: unknown;
}): MySqlColumnDescription {
  const columnType = row.columnType.toLowerCase();
  const width = /\((\d+)/.exec(columnType);
  const description: MySqlColumnDescription = {
    name: row.name,
    dataType: row.dataType.toLowerCase(),
    columnType: row.columnType,
    unsigned: /\bunsigned\b/.test(columnType),
    nullable: row.nullable.toUpperCase() === 'YES',
    autoIncrement: /auto_increment/i.test(row.extra),
  };
  const precision = optionalNumber(row.precision);
  const scale = optionalNumber(row.scale);
  if (precision !== undefined) description.precision = precision;
  if (scale !== undefined) description.scale = scale;
  if (width?.[1] !== undefined) description.length = Number(width[1]);
  const pk = optionalNumber(row.pkOrdinal);
  if (pk !== undefined) description.primaryKeyOrdinal = pk;
  return description;
}

/** A row of MySqlDialect.describeColumns (in its column order, rows as arrays) as a column description. */
export function describeMySqlCatalogRow(row: readonly unknown[]): MySqlColumnDescription {
  return describeMySqlCatalogColumn({
    name: String(row[0]),
    dataType: String(row[1]),
    columnType: String(row[2]),
    nullable: String(row[3]),
    precision: row[4],
    scale: row[5],
    extra: String(row[7] ?? ''),
    pkOrdinal: row[8],
  });
}

function optionalNumber(value: unknown): number | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}
