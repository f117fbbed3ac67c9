import type { RecordSchema } from '../model';

// Shared by the schema folder's tests; nothing outside tests imports this.

/** Every Ferry column type, each once required and once optional. */
export const allTypes: RecordSchema = {
  name: 'orders',
  fields: [
    { name: 'id', type: { kind: 'int64' }, optional: false },
    { name: 'tiny', type: { kind: 'int8' }, optional: false },
    { name: 'small', type: { kind: 'int16' }, optional: true },
    { name: 'qty', type: { kind: 'int32' }, optional: false },
    { name: 'ratio', type: { kind: 'float32' }, optional: true },
    { name: 'price', type: { kind: 'float64' }, optional: false },
    { name: 'active', type: { kind: 'boolean' }, optional: false },
    { name: 'note', type: { kind: 'string' }, optional: true },
    { name: 'blob', type: { kind: 'bytes' }, optional: true },
    { name: 'amount', type: { kind: 'decimal', precision: 10, scale: 2 }, optional: false },
    { name: 'discount', type: { kind: 'decimal', precision: 38, scale: 10 }, optional: true },
    { name: 'day', type: { kind: 'date' }, optional: false },
    { name: 'at', type: { kind: 'time' }, optional: true },
    { name: 'updated_at', type: { kind: 'timestamp' }, optional: false },
    { name: 'seen_at', type: { kind: 'timestamp' }, optional: true },
  ],
};

