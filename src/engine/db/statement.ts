/** The databases Ferry connects to; each has its folder here (db/<db>/). */
export type DatabaseKind = 'mysql' | 'postgres' | 'sqlserver';

/**
 * What a driver accepts as a bind value. Each dialect returns the subset its driver binds exactly (see the
 * `toDriverValue` notes on each dialect); nothing here is a Date because every driver would re-interpret a Date in a
 * zone of its own configuration, which is exactly what `db.timezone` must control.
 */
export type DriverValue = null | boolean | number | bigint | string | Buffer;

/** One bound parameter: a value, or (PostgreSQL's columnar statements) one column's values for every row. */
export type DriverParam = DriverValue | readonly DriverValue[];

/**
 * How a SQL Server parameter must be declared; the names are keys of the `mssql` package's `sql.TYPES`. Needed
 * because mssql declares an untyped null as NVARCHAR, and SQL Server refuses to convert NVARCHAR to VARBINARY
 * implicitly, so a null bytes value would fail without it.
 */
export interface SqlServerParamType {
  type: 'Bit' | 'SmallInt' | 'Int' | 'BigInt' | 'Real' | 'Float' | 'NVarChar' | 'VarBinary';
}

/** One statement ready for the driver. */
export interface SqlStatement {
  sql: string;
  /** In placeholder order: `?` by position, `$n` is `params[n-1]`, `@pn` is `params[n-1]`. */
  params: DriverParam[];
  /** SQL Server only: the declaration of each parameter, parallel to `params`. */
  types?: SqlServerParamType[];
  /**
   * The text does not depend on how many rows the statement carries (PostgreSQL's columnar insert binds one array per
   * column), so a driver may prepare it once per connection and skip parsing and planning on every batch.
   */
  reusable?: boolean;
  /**
   * The text carries user input (Verify's `where`): a PostgreSQL driver sends it through the extended protocol,
   * where the server parses exactly one command and refuses a second (no COMMIT can slip in).
   */
  oneStatement?: boolean;
}
