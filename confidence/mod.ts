/**
 * Confidence measures for MI-adaptive smoothing: how much of a clean image a
 * distorted copy keeps, as a number in [0, 1] from which the method takes
 * epsilon = min(maxEpsilon, 1 - confidence).
 *
 * - `nmi`: the normalized mutual information of the method (64-bin histograms).
 * - `ssim`: the mean structural similarity, clamped to [0, 1].
 * - `psnr`: the PSNR mapped linearly from [10 dB, 40 dB] to [0, 1] and clamped.
 *   10 dB or less (an RMS error of a third of the value range) gives 0. 40 dB or
 *   more (an RMS error of 1% of the range) gives 1.
 *
 * @module
 */
import { normalizedMutualInformation } from "../nmi/nmi.ts";
import { peakSignalToNoiseRatio } from "./psnr.ts";
import { structuralSimilarity } from "./ssim.ts";

export { peakSignalToNoiseRatio } from "./psnr.ts";
export { structuralSimilarity } from "./ssim.ts";

/** Confidence measures that `--confidence` accepts. */
export const CONFIDENCE_MEASURES = ["nmi", "ssim", "psnr"] as const;

/** One of {@linkcode CONFIDENCE_MEASURES}. */
export type ConfidenceMeasure = typeof CONFIDENCE_MEASURES[number];

/** PSNR in dB that maps to confidence 0. */
export const PSNR_FLOOR_DB = 10;

/** PSNR in dB that maps to confidence 1. */
export const PSNR_CEILING_DB = 40;

/** Maps a PSNR in dB to a confidence in [0, 1], linear between the floor and the ceiling. */
export function confidenceFromPsnr(psnr: number): number {
  if (Number.isNaN(psnr)) return 0;
  return Math.min(1, Math.max(0, (psnr - PSNR_FLOOR_DB) / (PSNR_CEILING_DB - PSNR_FLOOR_DB)));
}

/**
 * Measures how much of `clean` the `degraded` image keeps.
 *
 * @param measure One of {@linkcode CONFIDENCE_MEASURES}.
 * @param clean Pixels, shape [height, width, 3] (HWC), values in [0, 1].
 * @param degraded Pixels of the same shape.
 * @param height Image height in pixels.
 * @param width Image width in pixels.
 * @param nmiBins Histogram bins per channel for `nmi`.
 * @returns A confidence in [0, 1]; 1 for identical images.
 * @throws {RangeError} for an unknown measure or mismatched images.
 */
export function measureConfidence(
  measure: ConfidenceMeasure,
  clean: Float32Array,
  degraded: Float32Array,
  height: number,
  width: number,
  nmiBins: number,
): number {
  switch (measure) {
    case "nmi":
      return normalizedMutualInformation(clean, degraded, { bins: nmiBins });
    case "ssim":
      return Math.min(1, Math.max(0, structuralSimilarity(clean, degraded, height, width)));
    case "psnr":
      return confidenceFromPsnr(peakSignalToNoiseRatio(clean, degraded));
    default:
      throw new RangeError(
        `Unknown confidence measure ${JSON.stringify(measure)}; use one of ${
          CONFIDENCE_MEASURES.join(", ")
        }.`,
      );
  }
}
