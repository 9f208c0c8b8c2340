/**
 * Data of the report's charts, taken from stored results only: reliability bins
 * pooled over seeds, top-1 per corruption severity and per distortion level as
 * mean and spread over seeds, and the NMI and epsilon curves of the distortions.
 *
 * @module
 */
import type { RobustnessResult, Spread } from "../engine/robustness.ts";
import type { ReliabilityBin } from "../metrics/classification.ts";
import { mean, sampleStandardDeviation } from "./statistics.ts";

/** One stored run, as the charts read it. */
export interface ChartRun {
  runId: string;
  method: string;
  dataset: string;
  configSummary: string;
  seed: number;
  /** Reliability bins of the last epoch on the validation split, absent for runs stored before they were kept. */
  reliability?: readonly ReliabilityBin[];
  /** Contents of `robustness.json`, absent when the run has none. */
  robustness?: RobustnessResult;
}

/** Mean of a quantity over seeds at one x value. */
export interface SeedMean {
  x: number;
  /** Mean over the seeds that have a value at x. */
  mean: number;
  /** Sample standard deviation (n − 1 denominator) over those seeds, undefined for one seed. */
  std?: number;
  /** Number of seeds averaged. */
  seeds: number;
}

/** NMI and epsilon of one distortion at one level, as mean and population std over validation images. */
export interface InformationPoint {
  level: number;
  nmi: Spread;
  epsilon: Spread;
}

/** Bin edges closer than this count as equal, because they were written as decimal text. */
const EDGE_TOLERANCE = 1e-9;

function describeEdges(bin: ReliabilityBin): string {
  return `(${bin.lower}, ${bin.upper}]`;
}

/**
 * Pools reliability diagrams of several runs into one, as if their predictions
 * were binned together: counts add, and each bin's mean confidence and accuracy
 * are count-weighted means over the runs. A bin empty in every run stays empty,
 * with null mean confidence and accuracy.
 *
 * @param diagrams One diagram per run, all with the same bin edges.
 * @returns The pooled bins, or an empty array without diagrams.
 * @throws {RangeError} when the diagrams differ in bin count or edges.
 *
 * @example
 * ```ts
 * // Bin (0.5, 1]: 1 image with confidence 0.6 (wrong) and 3 with mean 0.8 (2 right).
 * poolReliabilityBins([
 *   [{ lower: 0.5, upper: 1, count: 1, meanConfidence: 0.6, accuracy: 0 }],
 *   [{ lower: 0.5, upper: 1, count: 3, meanConfidence: 0.8, accuracy: 2 / 3 }],
 * ]); // [{ lower: 0.5, upper: 1, count: 4, meanConfidence: 0.75, accuracy: 0.5 }]
 * ```
 */
export function poolReliabilityBins(diagrams: readonly (readonly ReliabilityBin[])[]): ReliabilityBin[] {
  if (diagrams.length === 0) return [];
  const reference = diagrams[0];
  for (const [index, diagram] of diagrams.entries()) {
    if (diagram.length !== reference.length) {
      throw new RangeError(
        `Reliability diagram ${index} has ${diagram.length} bins, but diagram 0 has ${reference.length}. ` +
          "Pool only runs measured with the same number of bins.",
      );
    }
    diagram.forEach((bin, i) => {
      const expected = reference[i];
      if (
        Math.abs(bin.lower - expected.lower) > EDGE_TOLERANCE ||
        Math.abs(bin.upper - expected.upper) > EDGE_TOLERANCE
      ) {
        throw new RangeError(
          `Bin ${i} of reliability diagram ${index} is ${describeEdges(bin)}, but in diagram 0 it is ` +
            `${describeEdges(expected)}. Pool only runs measured with the same bin edges.`,
        );
      }
    });
  }
  return reference.map((edges, i) => {
    let count = 0;
    let confidenceSum = 0;
    let correctSum = 0;
    for (const diagram of diagrams) {
      const bin = diagram[i];
      if (bin.count === 0 || bin.meanConfidence === null || bin.accuracy === null) continue;
      count += bin.count;
      confidenceSum += bin.count * bin.meanConfidence;
      correctSum += bin.count * bin.accuracy;
    }
    return {
      lower: edges.lower,
      upper: edges.upper,
      count,
      meanConfidence: count === 0 ? null : confidenceSum / count,
      accuracy: count === 0 ? null : correctSum / count,
    };
  });
}

/**
 * Returns the names of the test corruptions that every result contains, in the
 * order of the first result, so that means over them compare like with like.
 */
export function sharedTestCorruptions(results: readonly RobustnessResult[]): string[] {
  const sets = results.map((result) =>
    new Set(
      result.entries.filter((entry) => entry.kind === "corruption" && entry.set === "test").map((entry) =>
        entry.name
      ),
    )
  );
  if (sets.length === 0) return [];
  return [...sets[0]].filter((name) => sets.every((names) => names.has(name)));
}

/**
 * Returns one run's top-1 at each corruption severity, averaged over the given
 * corruptions. A severity at which one of the corruptions has no entry is left
 * out, so every value averages the same corruptions.
 */
export function top1BySeverity(
  result: RobustnessResult,
  corruptions: readonly string[],
): Map<number, number> {
  const bySeverity = new Map<number, Map<string, number>>();
  for (const entry of result.entries) {
    if (entry.kind !== "corruption" || entry.severity === undefined || !corruptions.includes(entry.name)) {
      continue;
    }
    const values = bySeverity.get(entry.severity) ?? new Map<string, number>();
    values.set(entry.name, entry.top1);
    bySeverity.set(entry.severity, values);
  }
  const means = new Map<number, number>();
  for (const [severity, values] of bySeverity) {
    if (corruptions.length > 0 && values.size === corruptions.length) {
      means.set(severity, mean([...values.values()]));
    }
  }
  return means;
}

/**
 * Averages per-run values over seeds at each x: the mean, and the sample
 * standard deviation when two or more seeds have a value there.
 *
 * @param perRun One map from x to value per run (seed).
 * @returns One point per x that some run has, in ascending x.
 */
export function meanOverSeeds(perRun: readonly Map<number, number>[]): SeedMean[] {
  const byX = new Map<number, number[]>();
  for (const values of perRun) {
    for (const [x, value] of values) byX.set(x, [...(byX.get(x) ?? []), value]);
  }
  return [...byX.entries()]
    .sort(([a], [b]) => a - b)
    .map(([x, values]) => ({
      x,
      mean: mean(values),
      std: values.length >= 2 ? sampleStandardDeviation(values) : undefined,
      seeds: values.length,
    }));
}

/**
 * Returns the top-1 of each run at each corruption severity, averaged over the
 * given corruptions, then averaged over the runs.
 *
 * @param corruptions Corruptions to average, by default the test corruptions that all the results share.
 */
export function severityCurve(
  results: readonly RobustnessResult[],
  corruptions: readonly string[] = sharedTestCorruptions(results),
): SeedMean[] {
  return meanOverSeeds(results.map((result) => top1BySeverity(result, corruptions)));
}

/** Returns the names of the training distortions in the results, in stored order. */
export function distortionNames(results: readonly RobustnessResult[]): string[] {
  const names = new Set<string>();
  for (const result of results) {
    for (const entry of result.entries) if (entry.kind === "distortion") names.add(entry.name);
  }
  return [...names];
}

/** Returns one run's top-1 at each level of one training distortion. */
export function top1ByLevel(result: RobustnessResult, distortion: string): Map<number, number> {
  const values = new Map<number, number>();
  for (const entry of result.entries) {
    if (entry.kind === "distortion" && entry.name === distortion && entry.level !== undefined) {
      values.set(entry.level, entry.top1);
    }
  }
  return values;
}

/** Returns the top-1 at each level of one training distortion, averaged over the runs. */
export function distortionCurve(results: readonly RobustnessResult[], distortion: string): SeedMean[] {
  return meanOverSeeds(results.map((result) => top1ByLevel(result, distortion)));
}

/**
 * Returns the stored NMI and epsilon of one distortion at each level, in
 * ascending level. Levels stored without NMI are left out.
 */
export function informationCurve(result: RobustnessResult, distortion: string): InformationPoint[] {
  const points: InformationPoint[] = [];
  for (const entry of result.entries) {
    if (entry.kind !== "distortion" || entry.name !== distortion || entry.level === undefined) continue;
    if (entry.nmi === undefined || entry.epsilon === undefined) continue;
    points.push({ level: entry.level, nmi: entry.nmi, epsilon: entry.epsilon });
  }
  return points.sort((a, b) => a.level - b.level);
}

/**
 * Returns true when two results store the same NMI means for a distortion at every
 * level both have, which holds when they were evaluated on the same validation images.
 */
export function sameInformation(a: RobustnessResult, b: RobustnessResult, distortion: string): boolean {
  const levels = new Map(informationCurve(b, distortion).map((point) => [point.level, point.nmi.mean]));
  return informationCurve(a, distortion).every((point) => {
    const other = levels.get(point.level);
    return other === undefined || Math.abs(other - point.nmi.mean) <= 1e-9;
  });
}
