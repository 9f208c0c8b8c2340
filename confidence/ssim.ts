/**
 * Structural similarity (SSIM) of Wang, Bovik, Sheikh and Simoncelli, "Image
 * Quality Assessment: From Error Visibility to Structural Similarity" (IEEE TIP,
 * 2004), with their 11 x 11 Gaussian window of sigma 1.5 and K1 = 0.01, K2 = 0.03
 * for values in [0, 1].
 *
 * @module
 */

import { correlateSeparable } from "../corruptions/_filters.ts";

const CHANNELS = 3;
const WINDOW_SIGMA = 1.5;
const WINDOW_RADIUS = 5;
/** Stabilizing constants (K1 L)^2 and (K2 L)^2 with data range L = 1. */
const C1 = 0.01 ** 2;
const C2 = 0.03 ** 2;

function gaussianWeights(radius: number): Float64Array {
  const weights = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) {
    weights[i + radius] = Math.exp(-(i * i) / (2 * WINDOW_SIGMA * WINDOW_SIGMA));
    sum += weights[i + radius];
  }
  return weights.map((weight) => weight / sum);
}

/** Filters a height x width plane with the separable Gaussian window, mirroring at the borders. */
function gaussianFilter(
  plane: Float64Array,
  height: number,
  width: number,
  weights: Float64Array,
): Float64Array {
  return correlateSeparable(plane, height, width, 1, weights, weights, "mirror");
}

/** Returns the mean SSIM of one channel over the pixels at least `margin` away from the border. */
function channelSsim(
  clean: Float32Array,
  degraded: Float32Array,
  height: number,
  width: number,
  channel: number,
  weights: Float64Array,
): number {
  const size = height * width;
  const x = new Float64Array(size);
  const y = new Float64Array(size);
  for (let p = 0; p < size; p++) {
    x[p] = clean[p * CHANNELS + channel];
    y[p] = degraded[p * CHANNELS + channel];
  }
  const filter = (plane: Float64Array) => gaussianFilter(plane, height, width, weights);
  const meanX = filter(x);
  const meanY = filter(y);
  const meanXX = filter(x.map((value) => value * value));
  const meanYY = filter(y.map((value) => value * value));
  const meanXY = filter(x.map((value, p) => value * y[p]));

  // Border pixels see mirrored copies in their window, so, as in scikit-image, the
  // mean leaves out a margin of the window radius where the image is large enough.
  const margin = Math.min(WINDOW_RADIUS, Math.floor((Math.min(height, width) - 1) / 2));
  let sum = 0;
  let count = 0;
  for (let row = margin; row < height - margin; row++) {
    for (let column = margin; column < width - margin; column++) {
      const p = row * width + column;
      const varianceX = meanXX[p] - meanX[p] * meanX[p];
      const varianceY = meanYY[p] - meanY[p] * meanY[p];
      const covariance = meanXY[p] - meanX[p] * meanY[p];
      const luminance = (2 * meanX[p] * meanY[p] + C1) / (meanX[p] * meanX[p] + meanY[p] * meanY[p] + C1);
      const structure = (2 * covariance + C2) / (varianceX + varianceY + C2);
      sum += luminance * structure;
      count++;
    }
  }
  return sum / count;
}

/**
 * Computes the mean SSIM of two RGB images, averaged over the three channels.
 *
 * Each channel's local means, variances and covariance come from an 11 x 11 Gaussian
 * window (sigma 1.5, truncated to the image where it is smaller), with mirrored
 * borders. The SSIM map is averaged over pixels at least 5 px from the border. Smaller
 * images use a margin that leaves their central pixels.
 *
 * @param clean Pixels, shape [height, width, 3] (HWC), values in [0, 1].
 * @param degraded Pixels of the same shape.
 * @param height Image height in pixels.
 * @param width Image width in pixels.
 * @returns SSIM in [-1, 1]; 1 for identical images.
 * @throws {RangeError} when the lengths differ from height * width * 3.
 *
 * @example
 * ```ts
 * const image = new Float32Array(8 * 8 * 3).fill(0.5);
 * structuralSimilarity(image, image, 8, 8); // 1
 * ```
 */
export function structuralSimilarity(
  clean: Float32Array,
  degraded: Float32Array,
  height: number,
  width: number,
): number {
  const expected = height * width * CHANNELS;
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1) {
    throw new RangeError(`structuralSimilarity: invalid image size ${height} x ${width}`);
  }
  if (clean.length !== expected || degraded.length !== expected) {
    throw new RangeError(
      `structuralSimilarity: expected ${expected} values (${height} x ${width} x 3), ` +
        `got ${clean.length} and ${degraded.length}`,
    );
  }
  const radius = Math.min(WINDOW_RADIUS, Math.floor((Math.max(height, width) - 1) / 2));
  const weights = gaussianWeights(radius);
  let sum = 0;
  for (let c = 0; c < CHANNELS; c++) sum += channelSsim(clean, degraded, height, width, c, weights);
  return sum / CHANNELS;
}
