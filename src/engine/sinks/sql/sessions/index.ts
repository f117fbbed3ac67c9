/**
 * Moved to the database layer (src/engine/db). Kept only while query/queryService.ts and connections/databaseTest.ts,
 * which other changes have open, still import it; remove once they import '../db'.
 */
export { describeTarget, openSqlSession, type SqlConnectionSettings, type SqlSession } from '../../../db';
