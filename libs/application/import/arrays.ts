/**
 * Array helpers for the import path, where arrays grow with the file: `to.push(...from)` passes every
 * element as an argument and overflows the call stack for a large `from` (so does Math.max(...x)).
 */

/** Appends every element of `from` to `to`, one by one. */
export function appendAll<T>(to: T[], from: readonly T[]): T[] {
  for (const x of from) to.push(x);
  return to;
}
