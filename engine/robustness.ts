/**
 * Robustness evaluation of a trained model: accuracy and calibration on the
 * validation split under each CIFAR-C corruption and severity, and under each
 * training distortion and level.
 *
 * @module
 */
import { type CorruptionName, CORRUPTIONS, type CorruptionSet, SEVERITIES } from "../corruptions/mod.ts";
import type { ImageSplit } from "../datasets/types.ts";
import type { DistortionName } from "../distortions/mod.ts";
import { epsilonFromConfidence } from "../methods/targets.ts";
import { DEFAULT_NMI_BINS, nmiBatch } from "../nmi/nmi.ts";
import { type Degradation, describeDegradation, loadDegradedSplit, splitDigest } from "./corrupted_split.ts";
import { evaluateModel } from "./evaluate.ts";
import type { ChannelStatistics } from "./normalize.ts";
import type { ResNet18 } from "./resnet.ts";

/** Format tag and version of `robustness.json`. */
export const ROBUSTNESS_FORMAT = "mials-robustness";
export const ROBUSTNESS_VERSION = 1;

/** Distortion levels evaluated by default: 0.1 to 0.9 in steps of 0.1. */
export const DEFAULT_DISTORTION_LEVELS: readonly number[] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

/**
 * Seed of every corrupted copy. It is fixed, not the run's seed, so runs of
 * every method and seed are evaluated on identical pixels.
 */
export const CORRUPTION_SEED = 0;

/** Metrics of the model on one degraded copy of the validation split. */
export interface DegradedMetrics {
  kind: "corruption" | "distortion";
  name: string;
  /** The corruption's set: the 15 test corruptions or the 4 held-out ones. */
  set?: CorruptionSet;
  severity?: number;
  level?: number;
  /** Fractions in [0, 1], NLL in nats, Brier in [0, 2]; top5 is null with fewer than 5 classes. */
  top1: number;
  top5: number | null;
  ece: number;
  nll: number;
  brier: number;
  count: number;
  /**
   * For training distortions: the NMI between each clean and degraded image (64 bins,
   * on the 8-bit pixels) and the epsilon = min(0.9, 1 - NMI) that `mi_adaptive` would
   * give it, as mean and population standard deviation over the images.
   */
  nmi?: Spread;
  epsilon?: Spread;
}

/** Mean and population standard deviation of a quantity over images. */
export interface Spread {
  mean: number;
  std: number;
}

/** Largest epsilon of `mi_adaptive` by default, used for the stored epsilon curves. */
const DEFAULT_MAX_EPSILON = 0.9;

/** Images converted to floats at once when measuring NMI. */
const NMI_CHUNK = 256;

function spreadOf(values: Float64Array): Spread {
  let sum = 0;
  for (const value of values) sum += value;
  const mean = sum / values.length;
  let squares = 0;
  for (const value of values) squares += (value - mean) ** 2;
  return { mean, std: Math.sqrt(squares / values.length) };
}

/**
 * Measures the NMI of every image of `degraded` against the same image of `clean`,
 * and the epsilon that `mi_adaptive` derives from it.
 */
export function measureNmiSpread(clean: ImageSplit, degraded: ImageSplit): { nmi: Spread; epsilon: Spread } {
  const pixelsPerImage = clean.height * clean.width * 3;
  const nmi = new Float64Array(clean.count);
  for (let start = 0; start < clean.count; start += NMI_CHUNK) {
    const count = Math.min(NMI_CHUNK, clean.count - start);
    const range = [start * pixelsPerImage, (start + count) * pixelsPerImage] as const;
    const cleanFloats = Float32Array.from(clean.images.subarray(...range), (value) => value / 255);
    const degradedFloats = Float32Array.from(degraded.images.subarray(...range), (value) => value / 255);
    nmi.set(nmiBatch(cleanFloats, degradedFloats, count, { bins: DEFAULT_NMI_BINS }), start);
  }
  const epsilon = nmi.map((value) => epsilonFromConfidence(value, DEFAULT_MAX_EPSILON));
  return { nmi: spreadOf(nmi), epsilon: spreadOf(epsilon) };
}

/** Contents of `robustness.json`. */
export interface RobustnessResult {
  format: typeof ROBUSTNESS_FORMAT;
  version: typeof ROBUSTNESS_VERSION;
  corruptionSeed: number;
  valImages: number;
  entries: DegradedMetrics[];
  /** Means over the test corruptions' entries (all severities); absent without them. */
  meanCorruptionTop1?: number;
  meanCorruptionEce?: number;
  /** Mean top-1 over the held-out corruptions' entries; absent without them. */
  meanHeldOutTop1?: number;
  createdAt: string;
}

/** Degraded copies that {@linkcode evaluateRobustness} measures the model on. */
export interface RobustnessPlan {
  corruptions: readonly CorruptionName[];
  distortions: readonly DistortionName[];
  distortionLevels: readonly number[];
  /** Validation images per class to evaluate on, the first ones in split order; 0 for all. */
  valPerClass: number;
}

/** Lists the degraded copies of a plan: every corruption at severities 1 to 5, then every distortion at each level. */
export function listDegradations(plan: RobustnessPlan): Degradation[] {
  const corruptions = plan.corruptions.flatMap((name) =>
    SEVERITIES.map((severity): Degradation => ({ kind: "corruption", name, severity }))
  );
  const distortions = plan.distortions.flatMap((name) =>
    plan.distortionLevels.map((level): Degradation => ({ kind: "distortion", name, level }))
  );
  return [...corruptions, ...distortions];
}

/** Options of {@linkcode evaluateRobustness}. */
export interface RobustnessOptions {
  batchSize: number;
  cacheDir: string | null;
  onProgress?: (done: number, total: number, label: string) => void;
  onCacheProblem?: (message: string) => void;
}

function setOf(name: string): CorruptionSet | undefined {
  return CORRUPTIONS.find((info) => info.name === name)?.set;
}

/**
 * Evaluates the model on every degraded copy of the validation split that the plan lists.
 *
 * @param model Trained model in inference mode.
 * @param val Validation split, values 0..255.
 * @param statistics Channel statistics of the training split, as in training.
 * @returns The metrics per copy and the mean corruption accuracy and ECE.
 */
export async function evaluateRobustness(
  model: ResNet18,
  val: ImageSplit,
  statistics: ChannelStatistics,
  plan: RobustnessPlan,
  options: RobustnessOptions,
): Promise<RobustnessResult> {
  const degradations = listDegradations(plan);
  const sourceDigest = splitDigest(val);
  const entries: DegradedMetrics[] = [];
  for (const [index, degradation] of degradations.entries()) {
    options.onProgress?.(index, degradations.length, describeDegradation(degradation));
    const degraded = await loadDegradedSplit(val, degradation, {
      seed: CORRUPTION_SEED,
      cacheDir: options.cacheDir,
      sourceDigest,
      onCacheProblem: options.onCacheProblem,
    });
    const summary = await evaluateModel(model, degraded, statistics, options.batchSize);
    const { top1, top5, ece, nll, brier, count } = summary;
    const metrics = { top1, top5, ece, nll, brier, count };
    entries.push(
      degradation.kind === "corruption"
        ? {
          kind: "corruption",
          name: degradation.name,
          set: setOf(degradation.name),
          severity: degradation.severity,
          ...metrics,
        }
        : {
          kind: "distortion",
          name: degradation.name,
          level: degradation.level,
          ...metrics,
          ...measureNmiSpread(val, degraded),
        },
    );
  }
  return summarizeRobustness(entries, val.count);
}

function meanOf(entries: DegradedMetrics[], metric: (entry: DegradedMetrics) => number): number | undefined {
  if (entries.length === 0) return undefined;
  return entries.reduce((sum, entry) => sum + metric(entry), 0) / entries.length;
}

/** Builds the stored result from the entries, with the means over the test and held-out corruptions. */
export function summarizeRobustness(entries: DegradedMetrics[], valImages: number): RobustnessResult {
  const test = entries.filter((entry) => entry.kind === "corruption" && entry.set === "test");
  const heldOut = entries.filter((entry) => entry.kind === "corruption" && entry.set === "held_out");
  const result: RobustnessResult = {
    format: ROBUSTNESS_FORMAT,
    version: ROBUSTNESS_VERSION,
    corruptionSeed: CORRUPTION_SEED,
    valImages,
    entries,
    createdAt: new Date().toISOString(),
  };
  const meanTop1 = meanOf(test, (entry) => entry.top1);
  if (meanTop1 !== undefined) {
    result.meanCorruptionTop1 = meanTop1;
    result.meanCorruptionEce = meanOf(test, (entry) => entry.ece);
  }
  const heldOutTop1 = meanOf(heldOut, (entry) => entry.top1);
  if (heldOutTop1 !== undefined) result.meanHeldOutTop1 = heldOutTop1;
  return result;
}
