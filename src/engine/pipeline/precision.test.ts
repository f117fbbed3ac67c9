import { describe, expect, it } from 'vitest';
import type { FieldSchema } from '../model';
import { sourcePrecisionLoss } from './precision';

const field = (sourceType: string, type: FieldSchema['type']): FieldSchema => ({ name: 'c', type, optional: false, sourceType });

describe('sourcePrecisionLoss', () => {
  it('flags timestamps and times finer than milliseconds, declared or by the database default', () => {
    expect(sourcePrecisionLoss(field('timestamp(6)', { kind: 'timestamp' }))).toMatch(/6 fraction digits.*last 3 are dropped/);
    expect(sourcePrecisionLoss(field('timestamp without time zone', { kind: 'timestamp' }))).toMatch(/last 3/);
    expect(sourcePrecisionLoss(field('datetime2', { kind: 'timestamp' }))).toMatch(/7 fraction digits.*last 4/);
    expect(sourcePrecisionLoss(field('time(6)', { kind: 'time' }))).toMatch(/Connect's Time/);
  });

  it('leaves millisecond and coarser temporal columns alone', () => {
    expect(sourcePrecisionLoss(field('timestamp(3)', { kind: 'timestamp' }))).toBeUndefined();
    expect(sourcePrecisionLoss(field('datetime', { kind: 'timestamp' }))).toBeUndefined();
    expect(sourcePrecisionLoss(field('date', { kind: 'date' }))).toBeUndefined();
  });

  it('flags exact decimals read as doubles and unscaled NUMERIC columns', () => {
    expect(sourcePrecisionLoss(field('numeric(30,10)', { kind: 'float64' }))).toMatch(/double/);
    expect(sourcePrecisionLoss(field('numeric', { kind: 'decimal', precision: 64, scale: 0 }))).toMatch(/without a declared precision/);
    expect(sourcePrecisionLoss(field('numeric(10,2)', { kind: 'decimal', precision: 10, scale: 2 }))).toBeUndefined();
    expect(sourcePrecisionLoss(field('varchar(20)', { kind: 'string' }))).toBeUndefined();
  });
});
