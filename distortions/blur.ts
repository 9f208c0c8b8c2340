/**
 * Gaussian blur with a separable kernel and mirror padding.
 *
 * @module
 */

import { CHANNELS, clampUnit, validateImage, validateLevel } from "./_image.ts";

/** Blur sigma in pixels at level 1 on a 224-pixel image. */
export const BLUR_MAX_SIGMA = 50;
/** Image side, in pixels, at which `BLUR_MAX_SIGMA` applies unscaled under `sigmaScale: "side"`. */
export const BLUR_REFERENCE_SIDE = 224;

/** Options for {@linkcode applyGaussianBlur}. */
export interface BlurOptions {
  /**
   * Rule that sets sigma from the image size. `"side"` (default): sigma = 50 * d * max(H, W) / 224
   * pixels, so the blur covers the same fraction of any image. `"absolute"`: sigma = 50 * d
   * pixels for every size.
   */
  sigmaScale?: "side" | "absolute";
}

/** Returns the blur sigma in pixels for level d on an image of the given size. */
export function blurSigma(level: number, height: number, width: number, options: BlurOptions = {}): number {
  validateLevel(level, "blurSigma");
  const scale = options.sigmaScale ?? "side";
  if (scale === "absolute") return BLUR_MAX_SIGMA * level;
  if (scale === "side") return (BLUR_MAX_SIGMA * level * Math.max(height, width)) / BLUR_REFERENCE_SIDE;
  throw new RangeError(`blurSigma: sigmaScale must be "side" or "absolute", got ${JSON.stringify(scale)}`);
}

/**
 * Returns the kernel radius r for `sigma` along an axis of `side` pixels: ceil(3 sigma),
 * capped at floor((side - 1) / 2) so the kernel size 2r + 1 fits the axis. The cap also
 * keeps r <= side - 1, which one mirror reflection at each border needs.
 */
export function blurRadius(sigma: number, side: number): number {
  return Math.min(Math.ceil(3 * sigma), Math.floor((side - 1) / 2));
}

/**
 * Builds a normalized 1-D Gaussian kernel.
 *
 * @param sigma Standard deviation in pixels, > 0.
 * @param radius Half-width r >= 0. The kernel has 2r + 1 taps.
 * @returns Float64Array of length 2r + 1, symmetric, summing to 1. A radius below
 *   3 sigma truncates the Gaussian, and the normalization spreads the cut mass over the
 *   remaining taps.
 */
export function gaussianKernel(sigma: number, radius: number): Float64Array {
  if (!(sigma > 0) || !Number.isInteger(radius) || radius < 0) {
    throw new RangeError(
      `gaussianKernel: sigma must be > 0 and radius an integer >= 0, got sigma=${sigma}, radius=${radius}`,
    );
  }
  const kernel = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let k = -radius; k <= radius; k++) {
    const weight = Math.exp(-(k * k) / (2 * sigma * sigma));
    kernel[k + radius] = weight;
    sum += weight;
  }
  for (let i = 0; i < kernel.length; i++) kernel[i] /= sum;
  return kernel;
}

/**
 * Maps an index in [-(n - 1), 2(n - 1)] into [0, n) by mirroring about the edge pixel
 * without repeating it (d c b | a b c d | c b a, numpy "reflect", OpenCV BORDER_REFLECT_101).
 */
function reflectIndex(index: number, n: number): number {
  if (index < 0) return -index;
  if (index >= n) return 2 * (n - 1) - index;
  return index;
}

/** Convolves each channel of `source` with `kernel` along rows or along columns into `target`. */
function convolveAxis(
  source: Float64Array,
  target: Float64Array,
  kernel: Float64Array,
  height: number,
  width: number,
  horizontal: boolean,
): void {
  const radius = (kernel.length - 1) / 2;
  const count = horizontal ? width : height;
  const stride = horizontal ? CHANNELS : width * CHANNELS;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const position = horizontal ? x : y;
      const base = (y * width + x) * CHANNELS - position * stride;
      for (let c = 0; c < CHANNELS; c++) {
        let sum = 0;
        for (let k = -radius; k <= radius; k++) {
          sum += kernel[k + radius] * source[base + reflectIndex(position + k, count) * stride + c];
        }
        target[(y * width + x) * CHANNELS + c] = sum;
      }
    }
  }
}

/**
 * Blurs an image with a Gaussian of sigma `blurSigma(level, height, width, options)`
 * pixels. Each axis uses its own kernel size 2 * ceil(3 sigma) + 1, capped at the largest
 * odd size that fits that axis, so an axis of 1 or 2 pixels is left unblurred. Borders
 * are mirrored without repeating the edge pixel. Sigma 0 returns a copy.
 *
 * @param image Pixels, shape [height, width, 3] (HWC), values in [0, 1].
 * @param height Image height in pixels.
 * @param width Image width in pixels.
 * @param level Distortion level d in [0, 1].
 * @returns A new Float32Array of the same shape, values clamped to [0, 1].
 */
export function applyGaussianBlur(
  image: Float32Array,
  height: number,
  width: number,
  level: number,
  options: BlurOptions = {},
): Float32Array {
  validateImage(image, height, width, "applyGaussianBlur");
  validateLevel(level, "applyGaussianBlur");
  const sigma = blurSigma(level, height, width, options);
  const output = new Float32Array(image.length);
  if (sigma === 0) {
    for (let i = 0; i < image.length; i++) output[i] = clampUnit(image[i]);
    return output;
  }

  const horizontalKernel = gaussianKernel(sigma, blurRadius(sigma, width));
  const verticalKernel = gaussianKernel(sigma, blurRadius(sigma, height));
  const source = Float64Array.from(image);
  const rowsBlurred = new Float64Array(image.length);
  convolveAxis(source, rowsBlurred, horizontalKernel, height, width, true);
  convolveAxis(rowsBlurred, source, verticalKernel, height, width, false);

  for (let i = 0; i < image.length; i++) output[i] = clampUnit(source[i]);
  return output;
}
