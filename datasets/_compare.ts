/**
 * Locale-independent string ordering, so that file and class order is the
 * same on every machine.
 *
 * @module
 */

/** Compares strings by UTF-16 code units, as `Array.prototype.sort` does without a comparator. */
export function compareCodeUnits(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}
