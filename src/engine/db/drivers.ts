/**
 * The database driver packages, each loaded the first time it is used (base/lazyModule.ts): every connector thread
 * imports the engine's code for every database, and without this each one loaded pg, mssql and mysql2 whatever its
 * pipeline reads or writes. Use them as the default imports they replace (`new pg.Client(...)`, `sql.VarBinary(10)`);
 * the namespaces beside them carry the driver types the engine names (`pg.Client` in a type).
 */
import type MssqlModule from 'mssql';
import type Mysql2Module from 'mysql2';
import type Mysql2PromiseModule from 'mysql2/promise';
import type PgModule from 'pg';
import type * as PgLogicalReplicationModule from 'pg-logical-replication';
import { lazyModule } from '../base/lazyModule';

export const pg = lazyModule<typeof PgModule>('pg');
// eslint-disable-next-line @typescript-eslint/no-namespace
export declare namespace pg {
  export type Client = PgModule.Client;
  export type ClientConfig = PgModule.ClientConfig;
  export type CustomTypesConfig = PgModule.CustomTypesConfig;
  export type FieldDef = PgModule.FieldDef;
  export type QueryConfig = PgModule.QueryConfig;
  export type QueryArrayConfig = PgModule.QueryArrayConfig;
  export type QueryArrayResult<R extends unknown[] = unknown[]> = PgModule.QueryArrayResult<R>;
}

export const sql = lazyModule<typeof MssqlModule>('mssql');
// eslint-disable-next-line @typescript-eslint/no-namespace
export declare namespace sql {
  export type ConnectionPool = MssqlModule.ConnectionPool;
  export type Transaction = MssqlModule.Transaction;
  export type Request = MssqlModule.Request;
}

export const mysql = lazyModule<typeof Mysql2PromiseModule>('mysql2/promise');

/** mysql2's callback API (the query pane streams rows through it). */
export const mysqlCallbacks = lazyModule<typeof Mysql2Module>('mysql2');
// eslint-disable-next-line @typescript-eslint/no-namespace
export declare namespace mysqlCallbacks {
  export type Connection = Mysql2Module.Connection;
}

export const pgLogicalReplication = lazyModule<typeof PgLogicalReplicationModule>('pg-logical-replication');
