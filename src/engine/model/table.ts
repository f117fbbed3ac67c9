/** A table as databases name it. `schema` is the PostgreSQL / SQL Server schema; MySQL uses `catalog` for the database. */
export interface TableId {
  catalog?: string;
  schema?: string;
  table: string;
}

/** `catalog.schema.table` with the parts that are set, for messages and map keys (not for SQL: dialects quote). */
export function tableIdToString(id: TableId): string {
  return [id.catalog, id.schema, id.table].filter((part): part is string => part !== undefined && part !== '').join('.');
}
