export { DEFAULT_MAX_ROWS, MAX_ROWS_LIMIT, QueryService, type QueryServiceOptions } from './queryService';
export { runSql, type RunSqlOptions, type RunSqlOutcome } from './sqlRunner';
export { classifyStatement, requireOneStatement } from './statements';
