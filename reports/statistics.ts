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
 * Returns the median of `values`, the mean of the two middle ones for an even count.
 *
 * @throws {RangeError} on an empty array.
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("median: no values");
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
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

/** Natural log of the gamma function for x > 0, by the Lanczos approximation (g = 7, 9 terms; about 15 digits). */
function logGamma(x: number): number {
  const coefficients = [
    0.99999999999980993,
    676.5203681218851,
    -1259.1392167224028,
    771.32342877765313,
    -176.61502916214059,
    12.507343278686905,
    -0.13857109526572012,
    9.9843695780195716e-6,
    1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const shifted = x - 1;
  let sum = coefficients[0];
  for (let i = 1; i < coefficients.length; i++) sum += coefficients[i] / (shifted + i);
  const t = shifted + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (shifted + 0.5) * Math.log(t) - t + Math.log(sum);
}

/**
 * Continued fraction of the regularized incomplete beta function, evaluated with
 * the modified Lentz method; converges fast for x < (a + 1) / (a + b + 2).
 */
function incompleteBetaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = 1 / (Math.abs(d) < tiny ? tiny : d);
  let result = d;
  for (let m = 1; m <= 300; m++) {
    for (
      const numerator of [
        (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m)),
        -((a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1)),
      ]
    ) {
      d = 1 + numerator * d;
      d = 1 / (Math.abs(d) < tiny ? tiny : d);
      c = 1 + numerator / c;
      if (Math.abs(c) < tiny) c = tiny;
      result *= d * c;
    }
    if (Math.abs(d * c - 1) < 1e-15) break;
  }
  return result;
}

/** Regularized incomplete beta function I_x(a, b) for x in [0, 1] and a, b > 0. */
function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const logFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x);
  // The fraction converges quickly on one side of the mean a / (a + b); the
  // symmetry I_x(a, b) = 1 - I_{1-x}(b, a) covers the other side.
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(logFront) * incompleteBetaFraction(x, a, b)) / a;
  return 1 - (Math.exp(logFront) * incompleteBetaFraction(1 - x, b, a)) / b;
}

/** Returns P(T <= t) for Student's t distribution with `degrees` degrees of freedom. */
function studentTCdf(t: number, degrees: number): number {
  const tail = 0.5 * regularizedIncompleteBeta(degrees / (degrees + t * t), degrees / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/**
 * Returns the p-quantile of Student's t distribution, found by bisection on its
 * distribution function to 1e-10.
 *
 * @param p Probability in (0, 1), for example 0.975 for a two-sided 95% interval.
 * @param degrees Degrees of freedom, a number > 0 (n - 1 for n seeds).
 * @returns t with P(T <= t) = p.
 * @throws {RangeError} when p or degrees is out of range.
 *
 * @example
 * ```ts
 * studentTQuantile(0.975, 2); // 4.3027
 * ```
 */
export function studentTQuantile(p: number, degrees: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`studentTQuantile: p must be in (0, 1), got ${p}.`);
  if (!(degrees > 0) || !Number.isFinite(degrees)) {
    throw new RangeError(`studentTQuantile: degrees of freedom must be a finite number > 0, got ${degrees}.`);
  }
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, degrees);
  let low = 0;
  let high = 1;
  while (studentTCdf(high, degrees) < p) high *= 2;
  while (high - low > 1e-10 * Math.max(1, high)) {
    const middle = (low + high) / 2;
    if (studentTCdf(middle, degrees) < p) low = middle;
    else high = middle;
  }
  return (low + high) / 2;
}

/**
 * Computes the two-sided 95% confidence interval of the mean over seeds,
 * mean ± t(0.975, n - 1) · s / sqrt(n), with s the sample standard deviation.
 * It assumes the seeds' results are independent draws from a normal
 * distribution; with 3 seeds t is 4.30, so the interval is wide.
 *
 * @param values At least two finite numbers.
 * @returns The lower and upper ends, in the unit of the values.
 * @throws {RangeError} on fewer than two values or a NaN or infinite value.
 *
 * @example
 * ```ts
 * confidenceInterval95([1, 2, 3]); // [2 - 4.3027 / sqrt(3), 2 + 4.3027 / sqrt(3)]
 * ```
 */
export function confidenceInterval95(values: readonly number[]): [number, number] {
  validateValues(values, 2, "confidenceInterval95");
  const center = mean(values);
  const halfWidth = (studentTQuantile(0.975, values.length - 1) * sampleStandardDeviation(values)) /
    Math.sqrt(values.length);
  return [center - halfWidth, center + halfWidth];
}

/**
 * Formats the 95% interval of the mean (see {@linkcode confidenceInterval95}) as
 * "low to high", each end multiplied by `scale`, or "–" below two values, where
 * there is no spread to estimate.
 *
 * @example
 * ```ts
 * formatInterval95([0.1, 0.2, 0.3], 100, 1); // "-4.8 to 44.8"
 * ```
 */
export function formatInterval95(values: readonly number[], scale: number, digits: number): string {
  if (values.length < 2) return "–";
  const [low, high] = confidenceInterval95(values);
  return `${formatFixed(low * scale, digits)} to ${formatFixed(high * scale, digits)}`;
}

/**
 * Formats a number with `digits` decimals, printing a value that rounds to zero
 * as "0.00" rather than "-0.00".
 */
export function formatFixed(value: number, digits: number): string {
  const text = value.toFixed(digits);
  return Number(text) === 0 ? (0).toFixed(digits) : text;
}

/**
 * Formats a number with an explicit sign and `digits` decimals. A value that
 * rounds to zero prints unsigned, so no "-0.00" or "+0.00" appears.
 *
 * @example
 * ```ts
 * formatSigned(1.234, 2); // "+1.23"
 * formatSigned(-0.001, 2); // "0.00"
 * ```
 */
export function formatSigned(value: number, digits: number): string {
  const text = formatFixed(value, digits);
  return value > 0 && Number(text) !== 0 ? `+${text}` : text;
}

/**
 * Computes Welch's two-sided 95% confidence interval of mean(a) - mean(b), for two
 * groups of seeds with possibly unequal variances: the difference ±
 * t(0.975, df) · sqrt(s_a² / n_a + s_b² / n_b), with df from the
 * Welch–Satterthwaite formula. When both groups have no spread the interval is
 * the difference itself.
 *
 * @param a, b At least two finite numbers each.
 * @returns The lower and upper ends, in the unit of the values.
 * @throws {RangeError} on fewer than two values in a group or a NaN or infinite value.
 *
 * @example
 * ```ts
 * welchInterval95([1, 2, 3], [4, 6, 8]); // -4 ± t(0.975, 2.94) · sqrt(5 / 3)
 * ```
 */
export function welchInterval95(a: readonly number[], b: readonly number[]): [number, number] {
  validateValues(a, 2, "welchInterval95 (first group)");
  validateValues(b, 2, "welchInterval95 (second group)");
  const difference = mean(a) - mean(b);
  const shareA = sampleStandardDeviation(a) ** 2 / a.length;
  const shareB = sampleStandardDeviation(b) ** 2 / b.length;
  const variance = shareA + shareB;
  if (variance === 0) return [difference, difference];
  const degrees = variance ** 2 / (shareA ** 2 / (a.length - 1) + shareB ** 2 / (b.length - 1));
  const halfWidth = studentTQuantile(0.975, degrees) * Math.sqrt(variance);
  return [difference - halfWidth, difference + halfWidth];
}
