/**
 * Values the code's own construction guarantees (a Map entry for a key taken from the map's source, an
 * element at an index inside its array), read with a check instead of a non-null assertion: a broken
 * guarantee fails at once with an Error saying what was missing, not later with "cannot read properties
 * of undefined" or a figure computed from undefined.
 */

/** `value` when it is neither undefined nor null; else an Error "<what> is missing". */
export function required<T>(value: T | null | undefined, what: string): T {
  if (value === undefined || value === null) throw new Error(`${what} is missing`);
  return value;
}

/** `array[index]`; a RangeError naming `what` and the index when there is no element there. */
export function elementAt<T>(array: readonly T[], index: number, what: string): T {
  const value = array[index];
  if (value === undefined) throw new RangeError(`${what}: no element at index ${index} (length ${array.length})`);
  return value;
}

/** `map.get(key)`; an Error naming `what` and the key when the map has no entry for it. */
export function entryOf<K, V>(map: ReadonlyMap<K, V>, key: K, what: string): V {
  const value = map.get(key);
  if (value === undefined) throw new Error(`${what}: no entry for ${String(key)}`);
  return value;
}
