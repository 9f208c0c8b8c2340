/**
 * Options shared by the methods, with their defaults and validation.
 *
 * @module
 */
import { CONFIDENCE_MEASURES, type ConfidenceMeasure } from "../confidence/mod.ts";
import { DISTORTION_NAMES, type DistortionName } from "../distortions/mod.ts";

/** Rule that spreads the smoothing mass epsilon over the classes. */
export type SmoothingConvention = "k-1" | "k";

/** Method options that `bench` resolves from the command line and stores with each run. */
export interface MethodOptions {
  /**
   * `k-1`: 1 - epsilon on the true class and epsilon / (K - 1) on each other class.
   * `k`: epsilon / K on every class plus 1 - epsilon on the true one, as the
   * method's original PyTorch code did.
   */
  smoothingConvention: SmoothingConvention;
  /** Probability that a training image is distorted, in [0, 1]. */
  distortionProbability: number;
  /** Distortions to draw from, uniformly. */
  distortions: DistortionName[];
  /** Histogram bins per channel for the NMI. */
  nmiBins: number;
  /** Measure of what a distorted image keeps, for `mi_adaptive`: NMI (the method), or SSIM or PSNR as ablations. */
  confidence: ConfidenceMeasure;
  /** Upper bound of epsilon, so targets never become uniform. */
  maxEpsilon: number;
  /** Blur sigma rule: `side` scales 50 d pixels at 224 px with the image side; `absolute` uses 50 d pixels. */
  blurSigmaScale: "side" | "absolute";
  /** Fixed epsilon of `label_smoothing`, in [0, 1), spread by {@linkcode MethodOptions.smoothingConvention}. */
  labelSmoothingEpsilon: number;
  /** Mixup draws lambda ~ Beta(alpha, alpha) per batch; alpha is finite and above 0. */
  mixupAlpha: number;
  /** CutMix draws lambda ~ Beta(alpha, alpha) per batch before clipping the box; alpha is finite and above 0. */
  cutmixAlpha: number;
  /** RandAugment operations applied to each image in turn, an integer >= 0. */
  randAugmentNumOps: number;
  /** RandAugment magnitude index M, an integer in [0, 30] (31 levels, as torchvision's default). */
  randAugmentMagnitude: number;
}

/** Largest RandAugment magnitude index: torchvision's 31 magnitude bins are indexed 0..30. */
export const MAX_RANDAUGMENT_MAGNITUDE = 30;

/** Defaults of {@linkcode MethodOptions}. */
export const DEFAULT_METHOD_OPTIONS: MethodOptions = {
  smoothingConvention: "k-1",
  distortionProbability: 1,
  distortions: [...DISTORTION_NAMES],
  nmiBins: 64,
  confidence: "nmi",
  maxEpsilon: 0.9,
  blurSigmaScale: "side",
  labelSmoothingEpsilon: 0.1,
  mixupAlpha: 0.8,
  cutmixAlpha: 1,
  randAugmentNumOps: 2,
  randAugmentMagnitude: 9,
};

/**
 * Checks option values.
 *
 * @throws {Error} naming the option, the value and the accepted range.
 */
export function validateMethodOptions(options: MethodOptions): void {
  if (options.smoothingConvention !== "k-1" && options.smoothingConvention !== "k") {
    throw new Error(`Invalid smoothing convention "${options.smoothingConvention}"; use k-1 or k.`);
  }
  const p = options.distortionProbability;
  if (!(p >= 0 && p <= 1)) {
    throw new Error(`Invalid distortion probability ${p}; use a number in [0, 1].`);
  }
  if (options.distortions.length === 0) {
    throw new Error(`No distortions selected; use one or more of: ${DISTORTION_NAMES.join(", ")}.`);
  }
  for (const name of options.distortions) {
    if (!(DISTORTION_NAMES as readonly string[]).includes(name)) {
      throw new Error(`Unknown distortion "${name}"; use one or more of: ${DISTORTION_NAMES.join(", ")}.`);
    }
  }
  if (!Number.isInteger(options.nmiBins) || options.nmiBins < 2) {
    throw new Error(`Invalid NMI bin count ${options.nmiBins}; use an integer of at least 2.`);
  }
  if (!(CONFIDENCE_MEASURES as readonly string[]).includes(options.confidence)) {
    throw new Error(
      `Unknown confidence measure "${options.confidence}"; use one of ${CONFIDENCE_MEASURES.join(", ")}.`,
    );
  }
  if (!(options.maxEpsilon >= 0 && options.maxEpsilon < 1)) {
    throw new Error(`Invalid maximum epsilon ${options.maxEpsilon}; use a number in [0, 1).`);
  }
  validateBaselineOptions(options);
}

function validateBaselineOptions(options: MethodOptions): void {
  const epsilon = options.labelSmoothingEpsilon;
  if (!(epsilon >= 0 && epsilon < 1)) {
    throw new Error(`Invalid label-smoothing epsilon ${epsilon}; use a number in [0, 1).`);
  }
  for (const [label, alpha] of [["mixup", options.mixupAlpha], ["CutMix", options.cutmixAlpha]] as const) {
    if (!(alpha > 0 && Number.isFinite(alpha))) {
      throw new Error(`Invalid ${label} alpha ${alpha}; use a finite number above 0.`);
    }
  }
  const numOps = options.randAugmentNumOps;
  if (!Number.isInteger(numOps) || numOps < 0) {
    throw new Error(`Invalid RandAugment operation count ${numOps}; use an integer of 0 or more.`);
  }
  const magnitude = options.randAugmentMagnitude;
  if (!Number.isInteger(magnitude) || magnitude < 0 || magnitude > MAX_RANDAUGMENT_MAGNITUDE) {
    throw new Error(
      `Invalid RandAugment magnitude ${magnitude}; use an integer in [0, ${MAX_RANDAUGMENT_MAGNITUDE}].`,
    );
  }
}

/** Describes the options each method reads, for the configuration column of the results table. */
const OPTION_DESCRIPTIONS: Record<string, (options: MethodOptions) => string> = {
  label_smoothing: (options) => `label smoothing epsilon ${options.labelSmoothingEpsilon}`,
  mixup: (options) => `mixup alpha ${options.mixupAlpha}`,
  cutmix: (options) => `CutMix alpha ${options.cutmixAlpha}`,
  randaugment: (options) => `RandAugment N ${options.randAugmentNumOps} M ${options.randAugmentMagnitude}`,
};

const DISTORTION_OPTIONS: (keyof MethodOptions)[] = [
  "distortionProbability",
  "distortions",
  "blurSigmaScale",
];

/**
 * Options that each registered method reads. A method missing here (for
 * example one registered by a test) is taken to read every option.
 */
const OPTIONS_READ: Record<string, (keyof MethodOptions)[]> = {
  hard: [],
  distort_hard: DISTORTION_OPTIONS,
  mi_adaptive: [...DISTORTION_OPTIONS, "nmiBins", "maxEpsilon", "smoothingConvention", "confidence"],
  label_smoothing: ["labelSmoothingEpsilon", "smoothingConvention"],
  mixup: ["mixupAlpha"],
  cutmix: ["cutmixAlpha"],
  randaugment: ["randAugmentNumOps", "randAugmentMagnitude"],
};

/**
 * Options added after runs were stored, with their defaults. They enter the run id
 * only when they differ from the default, so runs stored before them keep their ids.
 */
const LATER_OPTIONS: Partial<MethodOptions> = { confidence: "nmi" };

/**
 * Returns the options that a method or composition reads, so that options it
 * ignores (for example `--mixup-alpha` for `hard`) do not change its run id.
 */
export function methodOptionsReadBy(method: string, options: MethodOptions): Partial<MethodOptions> {
  const read: Partial<MethodOptions> = {};
  for (const part of method.split("+")) {
    const keys = OPTIONS_READ[part] ?? (Object.keys(options) as (keyof MethodOptions)[]);
    for (const key of keys) {
      if (key in LATER_OPTIONS && LATER_OPTIONS[key] === options[key]) continue;
      (read as Record<string, unknown>)[key] = options[key];
    }
  }
  return read;
}

/**
 * Describes the baseline options that a method or composition uses, for
 * example `["RandAugment N 2 M 9", "label smoothing epsilon 0.1"]` for
 * `randaugment+label_smoothing`; methods that read none of them give `[]`.
 */
export function describeMethodOptions(method: string, options: MethodOptions): string[] {
  const read = methodOptionsReadBy(method, options);
  const descriptions = method.split("+").flatMap((part) => OPTION_DESCRIPTIONS[part]?.(options) ?? []);
  if (read.smoothingConvention === "k") descriptions.push("smoothing convention k");
  if (read.distortionProbability !== undefined && read.distortionProbability !== 1) {
    descriptions.push(`distortion probability ${read.distortionProbability}`);
  }
  if (
    read.distortions !== undefined && read.distortions.length !== DEFAULT_METHOD_OPTIONS.distortions.length
  ) {
    descriptions.push(`distortions ${read.distortions.join("+")}`);
  }
  if (read.nmiBins !== undefined && read.nmiBins !== DEFAULT_METHOD_OPTIONS.nmiBins) {
    descriptions.push(`NMI bins ${read.nmiBins}`);
  }
  if (read.confidence !== undefined) descriptions.push(`confidence ${read.confidence}`);
  return descriptions;
}

/**
 * Names a method with the options it reads that differ from their defaults, for
 * example `"mixup (mixup alpha 0.2)"`, or just the method with the default options.
 * Runs of one method with other options then stay apart in a comparison of methods.
 */
export function methodLabel(method: string, options: MethodOptions): string {
  const defaults = new Set(describeMethodOptions(method, DEFAULT_METHOD_OPTIONS));
  const changed = describeMethodOptions(method, options).filter((description) => !defaults.has(description));
  return changed.length === 0 ? method : `${method} (${changed.join(", ")})`;
}
