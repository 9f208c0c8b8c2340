/**
 * Ranges of the final metrics that the reports accept, shared by the reader of stored
 * runs (`load.ts`) and the Markdown table (`markdown.ts`).
 *
 * @module
 */

/** Inclusive range of each final metric: fractions in [0, 1], the Brier score in [0, 2], the rest >= 0. */
export const METRIC_RANGES = {
  top1: [0, 1],
  top5: [0, 1],
  ece: [0, 1],
  mce: [0, 1],
  brier: [0, 2],
  nll: [0, Infinity],
  imagesPerSecond: [0, Infinity],
} as const;

/** Name of a final metric with a range in {@linkcode METRIC_RANGES}. */
export type MetricName = keyof typeof METRIC_RANGES;

/** Returns why `value`, named `field`, is not a finite number in [low, high], or undefined when it is. */
export function rangeProblem(field: string, value: unknown, low: number, high: number): string | undefined {
  if (typeof value === "number" && Number.isFinite(value) && value >= low && value <= high) return undefined;
  const range = high === Infinity ? `a number >= ${low}` : `a number in [${low}, ${high}]`;
  let description: string;
  if (value === undefined) description = "missing";
  else if (typeof value === "number") description = String(value);
  else if (typeof value === "bigint") description = `${value}n`;
  else description = JSON.stringify(value) ?? String(value);
  return `${field} is ${description}, expected ${range}`;
}

/**
 * Returns why `value`, named `field`, is not a valid `metric`, or undefined when it is.
 * An `optional` metric may be missing.
 */
export function metricProblem(
  metric: MetricName,
  field: string,
  value: unknown,
  optional = false,
): string | undefined {
  if (optional && value === undefined) return undefined;
  const [low, high] = METRIC_RANGES[metric];
  return rangeProblem(field, value, low, high);
}
