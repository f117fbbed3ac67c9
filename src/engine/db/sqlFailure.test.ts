import { describe, expect, it } from 'vitest';
import { EngineError } from '../../shared/errors';
import { classifySqlFailure, isConnectionFailure, isValueError } from './sqlFailure';

// Error objects shaped as the drivers raise them: pg (`code` = SQLSTATE), mysql2 (`errno` + `sqlState`), mssql
// (`number`), and Ferry's own wrappers around them.
const pg = (code: string, message = 'pg error'): Error => Object.assign(new Error(message), { code });
const mysql = (errno: number, sqlState: string, code = 'ER_X'): Error => Object.assign(new Error('mysql error'), { errno, sqlState, code });
const mssql = (number: number): Error => Object.assign(new Error('mssql error'), { number, code: 'EREQUEST' });

describe('classifySqlFailure', () => {
  it.each([
    ['CHECK violation', pg('23514'), 'record'],
    ['NOT NULL violation', pg('23502'), 'record'],
    ['unique violation', pg('23505'), 'record'],
    ['invalid text for integer', pg('22P02'), 'record'],
    ['numeric out of range', pg('22003'), 'record'],
    ['deadlock', pg('40P01'), 'transient'],
    ['serialization failure', pg('40001'), 'transient'],
    ['lock not available', pg('55P03'), 'transient'],
    ['statement timeout', pg('57014'), 'transient'],
    ['too many connections', pg('53300'), 'transient'],
    ['admin shutdown', pg('57P01'), 'connection'],
    ['connection failure', pg('08006'), 'connection'],
    ['undefined column', pg('42703'), 'configuration'],
    ['undefined table', pg('42P01'), 'configuration'],
    ['datatype mismatch', pg('42804'), 'configuration'],
    ['insufficient privilege', pg('42501'), 'configuration'],
    ['invalid schema name', pg('3F000'), 'configuration'],
    ['internal error', pg('XX000'), 'unknown'],
  ])('PostgreSQL %s', (_name, error, kind) => {
    expect(classifySqlFailure(error)).toBe(kind);
  });

  it.each([
    ['MariaDB CHECK constraint failed', mysql(4025, '23000'), 'record'],
    ['MySQL check constraint violated (HY000)', mysql(3819, 'HY000'), 'record'],
    ['duplicate entry', mysql(1062, '23000'), 'record'],
    ['incorrect integer value (HY000)', mysql(1366, 'HY000'), 'record'],
    ['data too long', mysql(1406, '22001'), 'record'],
    ['deadlock', mysql(1213, '40001'), 'transient'],
    ['lock wait timeout (HY000)', mysql(1205, 'HY000'), 'transient'],
    ['unknown column', mysql(1054, '42S22'), 'configuration'],
    ['no such table', mysql(1146, '42S02'), 'configuration'],
    ['server gone away', mysql(2006, 'HY000'), 'connection'],
    ['unlisted HY000', mysql(1105, 'HY000'), 'unknown'],
  ])('MySQL/MariaDB %s', (_name, error, kind) => {
    expect(classifySqlFailure(error)).toBe(kind);
  });

  it.each([
    ['constraint conflict', mssql(547), 'record'],
    ['deadlock victim', mssql(1205), 'transient'],
    ['invalid column name', mssql(207), 'configuration'],
    ['operand type clash', mssql(206), 'configuration'],
  ])('SQL Server %s', (_name, error, kind) => {
    expect(classifySqlFailure(error)).toBe(kind);
  });

  it('looks through the wrappers the writer adds, and through AggregateErrors', () => {
    expect(classifySqlFailure(new EngineError('SINK_WRITE_FAILED', 'Writing failed', { cause: pg('23514'), retriable: true }))).toBe('record');
    expect(classifySqlFailure(new AggregateError([Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })], ''))).toBe('connection');
    expect(isConnectionFailure(new EngineError('SINK_WRITE_FAILED', 'Cannot connect', { retriable: true, detail: { connection: true } }))).toBe(true);
  });

  it("classifies Ferry's own errors: every-record and not-retriable ones as configuration, a bad record as record", () => {
    expect(classifySqlFailure(new EngineError('SINK_CONFIG_INVALID', 'pk.fields names "nope"', { detail: { everyRecord: true } }))).toBe('configuration');
    expect(classifySqlFailure(new EngineError('SINK_TABLE_MISSING', 'Table t does not exist'))).toBe('configuration');
    expect(classifySqlFailure(new EngineError('SINK_BAD_RECORD', 'a tombstone'))).toBe('record');
    expect(classifySqlFailure(new EngineError('SINK_SQL_BAD_VALUE', 'NUL in text'))).toBe('record');
    // A wrapper saying "every record" wins over the database's code for one statement.
    expect(classifySqlFailure(new EngineError('SINK_CONFIG_INVALID', 'Cannot create table', { cause: pg('22023'), detail: { everyRecord: true } }))).toBe('configuration');
    expect(classifySqlFailure(new Error('something odd'))).toBe('unknown');
  });
});

describe('isValueError', () => {
  it('is true for a value the column type cannot hold, whatever the exact code, and false for constraints', () => {
    expect(isValueError(new EngineError('SINK_WRITE_FAILED', 'w', { cause: pg('22007') }))).toBe(true);
    expect(isValueError(pg('22008'))).toBe(true);
    expect(isValueError(mysql(1366, 'HY000'))).toBe(true);
    expect(isValueError(mssql(245))).toBe(true);
    expect(isValueError(pg('23514'))).toBe(false);
    expect(isValueError(mysql(4025, '23000'))).toBe(false);
    expect(isValueError(mssql(547))).toBe(false);
    expect(isValueError(new Error('plain'))).toBe(false);
  });
});
