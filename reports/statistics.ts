/**
 * Summary statistics over seeds for the results tables.
 *
 * @module
 */

function validateValues(values: readonly number[], minimumCount: number, name: string): void {
  if (values.length < minimumCount) {
    throw new RangeError(`${name} needs at least ${minimumCount} value(s), got ${values.length}.`);
  }
  const index = values.findIndex((value) => !Number.isFinite(value));
  if (index >= 0) {
    throw new RangeError(`${name}: value ${values[index]} at index ${index} is not a finite number.`);
  }
}

/**
 * Computes the arithmetic mean.
 *
 * @param values At least one finite number.
 * @returns sum(values) / n.
 * @throws {RangeError} on an empty array or a NaN or infinite value (naming its index).
 *
 * @example
 * ```ts
 * mean([1, 2, 6]); // 3
 * ```
 */
export function mean(values: readonly number[]): number {
  validateValues(values, 1, "mean");
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

/**
 * Computes the sample standard deviation, sqrt(sum((x - mean)^2) / (n - 1)),
 * the unbiased-variance estimate across seeds.
 *
 * @param values At least two finite numbers, because one value has no sample standard deviation.
 * @returns A number >= 0, in the unit of the values.
 * @throws {RangeError} on fewer than two values or a NaN or infinite value (naming its index).
 *
 * @example
 * ```ts
 * sampleStandardDeviation([1, 2, 6]); // sqrt((4 + 1 + 9) / 2) = sqrt(7)
 * ```
 */
export function sampleStandardDeviation(values: readonly number[]): number {
  validateValues(values, 2, "sampleStandardDeviation");
  // Deviations are taken from values[0] first, so equal values give exactly 0
  // and a large common offset costs less precision than with the plain two-pass formula.
  const shift = values[0];
  const shifted = values.map((value) => value - shift);
  const center = mean(shifted);
  let squares = 0;
  for (const value of shifted) squares += (value - center) ** 2;
  return Math.sqrt(squares / (values.length - 1));
}
