/**
 * The database layer: one folder per database (mysql, postgres, sqlserver) with its driver session, error codes and
 * identifier quoting, used by sources, sinks, Verify, the query pane and Trace. A db/<db> folder never imports a
 * sibling; what is shared (sessions, failure classification, connection words) stands here beside them.
 */
export { openSqlSession } from './sessions';
export { isPGliteVersion } from './postgres/pglite';
export { connectionLostError, type SqlSessionOptions } from './connectionLoss';
export { connectionSettingsOf, type ResolvedDatabaseConnection } from './connectionSettings';
export { describeTarget, type SqlConnectionSettings, type SqlResult, type SqlSession, StagingUnavailableError } from './session';
export { type DatabaseKind, type DriverParam, type DriverValue, type SqlServerParamType, type SqlStatement } from './statement';
export { classifySqlFailure, isConnectionFailure, isValueError, type SqlFailureKind } from './sqlFailure';
export { quoteIdentifier } from './identifiers';
