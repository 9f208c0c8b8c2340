/**
 * Options shared by the methods, with their defaults and validation.
 *
 * @module
 */
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
  /** Upper bound of epsilon, so targets never become uniform. */
  maxEpsilon: number;
  /** Blur sigma rule: `side` scales 50 d pixels at 224 px with the image side; `absolute` uses 50 d pixels. */
  blurSigmaScale: "side" | "absolute";
}

/** Defaults of {@linkcode MethodOptions}. */
export const DEFAULT_METHOD_OPTIONS: MethodOptions = {
  smoothingConvention: "k-1",
  distortionProbability: 1,
  distortions: [...DISTORTION_NAMES],
  nmiBins: 64,
  maxEpsilon: 0.9,
  blurSigmaScale: "side",
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
  if (!(options.maxEpsilon >= 0 && options.maxEpsilon < 1)) {
    throw new Error(`Invalid maximum epsilon ${options.maxEpsilon}; use a number in [0, 1).`);
  }
}
