import type { FieldType } from '../../model';
import { type ColumnInfo, decimalType, mapNumeric, type TemporalKind } from '../polling/columns';
import type { NumericMapping } from '../polling/options';

/** A SQL Server column as sys.columns (or a result's metadata) describes it. */
export interface SqlServerColumnDescription {
  name: string;
  /** The system base type (`TYPE_NAME(system_type_id)`), lower case. */
  typeName: string;
  /** The declared type when it is a user alias type, for the source type text. */
  declaredType?: string;
  /** sys.columns.max_length in bytes; -1 for (max). */
  maxLength?: number;
  precision?: number;
  scale?: number;
  nullable: boolean;
  identity: boolean;
  primaryKeyOrdinal?: number;
}

export interface SqlServerTypeMapOptions {
  numericMapping: NumericMapping;
  numericMappingForDecimal: boolean;
}

/**
 * SQL Server types → Ferry field types, following mssql-jdbc + kafka-connect-jdbc's SqlServerDatabaseDialect:
 *
 * | SQL Server | Ferry | note |
 * |---|---|---|
 * | bit | int8 (0/1) | as upstream (JDBC reports BIT → INT8) |
 * | tinyint | int16 | unsigned 0–255 in SQL Server, so it widens (upstream too) |
 * | smallint / int / bigint | int16 / int32 / int64 | |
 * | numeric(p,s) | numeric.mapping applies (JDBC NUMERIC) | |
 * | decimal(p,s) | decimal(p,s) | numeric.mapping does **not** apply (JDBC DECIMAL; kafka-connect-jdbc #563) unless numericMappingForDecimal |
 * | money / smallmoney | decimal(19,4) / decimal(10,4) | |
 * | real / float | float32 / float64 | |
 * | date / time | date / time | |
 * | datetime, datetime2, smalldatetime | timestamp (zone-less, read in db.timezone) | `datetime` works as a timestamp column (see SqlServerDialect) |
 * | datetimeoffset | timestamp (an instant) | |
 * | char … ntext, xml, uniqueidentifier, sql_variant | string | |
 * | binary, varbinary, image, rowversion, geometry, geography, hierarchyid | bytes | upstream drops the CLR types |
 */
export class SqlServerTypeMap {
  constructor(private readonly options: SqlServerTypeMapOptions) {}

  column(description: SqlServerColumnDescription): ColumnInfo {
    const { type, temporal } = this.fieldType(description);
    const column: ColumnInfo = {
      name: description.name,
      sourceType: sourceTypeOf(description),
      baseType: description.typeName.toLowerCase(),
      type,
      optional: description.nullable,
      autoIncrement: description.identity,
    };
    if (description.primaryKeyOrdinal !== undefined) column.primaryKeyOrdinal = description.primaryKeyOrdinal;
    if (temporal) column.temporal = temporal;
    return column;
  }

  fieldType(description: SqlServerColumnDescription): { type: FieldType; temporal?: TemporalKind } {
    const precision = description.precision ?? 18;
    const scale = description.scale ?? 0;
    switch (description.typeName.toLowerCase()) {
      case 'bit':
      case 'bitn':
        return { type: { kind: 'int8' } };
      case 'tinyint':
        return { type: { kind: 'int16' } };
      case 'smallint':
        return { type: { kind: 'int16' } };
      case 'int':
        return { type: { kind: 'int32' } };
      case 'bigint':
        return { type: { kind: 'int64' } };
      case 'numeric':
        return { type: mapNumeric(precision, scale, this.options.numericMapping) };
      case 'decimal':
        return { type: this.options.numericMappingForDecimal ? mapNumeric(precision, scale, this.options.numericMapping) : decimalType(precision, scale) };
      case 'money':
        return { type: decimalType(19, 4) };
      case 'smallmoney':
        return { type: decimalType(10, 4) };
      case 'real':
        return { type: { kind: 'float32' } };
      case 'float':
        return { type: { kind: 'float64' } };
      case 'date':
        return { type: { kind: 'date' }, temporal: 'local' };
      case 'time':
        return { type: { kind: 'time' }, temporal: 'local' };
      case 'datetime':
      case 'datetime2':
      case 'smalldatetime':
        return { type: { kind: 'timestamp' }, temporal: 'local' };
      case 'datetimeoffset':
        return { type: { kind: 'timestamp' }, temporal: 'instant' };
      case 'binary':
      case 'varbinary':
      case 'image':
      case 'timestamp':
      case 'rowversion':
      case 'geometry':
      case 'geography':
      case 'hierarchyid':
      case 'udt':
        return { type: { kind: 'bytes' } };
      default:
        return { type: { kind: 'string' } };
    }
  }
}

/** `decimal(18,2)`, `nvarchar(50)`, `varbinary(max)`, `datetime2(7)`: the declaration as SSMS prints it. */
export function sourceTypeOf(description: SqlServerColumnDescription): string {
  const base = description.typeName.toLowerCase();
  const declared = description.declaredType && description.declaredType.toLowerCase() !== base ? description.declaredType : undefined;
  if (declared) return declared;
  const length = description.maxLength;
  switch (base) {
    case 'decimal':
    case 'numeric':
      return `${base}(${description.precision ?? 18},${description.scale ?? 0})`;
    case 'varchar':
    case 'char':
    case 'varbinary':
    case 'binary':
      return `${base}(${length === -1 ? 'max' : (length ?? 1)})`;
    case 'nvarchar':
    case 'nchar':
      return `${base}(${length === -1 ? 'max' : Math.floor((length ?? 2) / 2)})`;
    case 'datetime2':
    case 'time':
    case 'datetimeoffset':
      return `${base}(${description.scale ?? 7})`;
    default:
      return base;
  }
}
