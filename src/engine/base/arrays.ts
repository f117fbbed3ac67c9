/**
 * Appends `items` to `target` one by one. `target.push(...items)` passes every item as a call argument, and V8
 * throws "Maximum call stack size exceeded" past roughly 120,000 of them — a batch.max.rows of 150,000 failed the
 * source that way (issue 10, item 10). Use this wherever `items` has no small fixed bound.
 */
export function appendAll<T>(target: T[], items: Iterable<T>): T[] {
  for (const item of items) target.push(item);
  return target;
}
