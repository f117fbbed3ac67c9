/**
 * Moved to the database layer (src/engine/db). Kept only while connections/databaseTest.ts, which another change has
 * open, still imports it at HEAD (its working copy imports '../db' already); delete this file once that is committed.
 */
export { openSqlSession, type SqlSession } from '../../../db';
