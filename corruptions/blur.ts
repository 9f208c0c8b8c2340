/**
 * Blur corruptions of CIFAR-10-C: defocus, glass, motion and zoom blur, and the
 * held-out Gaussian blur.
 *
 * Severity tables are those of `make_cifar_c.py` in hendrycks/robustness (the CIFAR-10-C
 * generator of Hendrycks and Dietterich, ICLR 2019). Lengths in these tables are pixels
 * of a 32 x 32 image. Every function multiplies them by `pixelScale` (see
 * `pixelScale` in `_params.ts`), which is 1 on 32-pixel images.
 *
 * @module
 */

import type { Random } from "../engine/random.ts";
import { CHANNELS } from "../distortions/_image.ts";
import { correlate2d, correlateSeparable, gaussianFilter, motionBlurFilter } from "./_filters.ts";
import { toClampedImage, toPlane } from "./_image.ts";
import { type Severity, severityParameter, validateInputs, validatePixelScale } from "./_params.ts";
import { clippedZoom } from "./_resample.ts";

/** Defocus blur per severity: [disk radius, anti-alias Gaussian sigma], both in pixels. */
export const DEFOCUS_BLUR_PARAMETERS = [[0.3, 0.4], [0.4, 0.5], [0.5, 0.6], [1, 0.2], [1.5, 0.1]] as const;
/** Glass blur per severity: [Gaussian sigma in pixels, max shift in pixels, shuffle passes]. */
export const GLASS_BLUR_PARAMETERS = [[0.05, 1, 1], [0.25, 1, 1], [0.4, 1, 1], [0.25, 1, 2], [
  0.4,
  1,
  2,
]] as const;
/** Motion blur per severity: [ImageMagick radius, ImageMagick sigma], both in pixels. */
export const MOTION_BLUR_PARAMETERS = [[6, 1], [6, 1.5], [6, 2], [8, 2], [9, 2.5]] as const;
/**
 * Largest zoom factor per severity. Zoom blur averages the image with its zooms by
 * 1.00, 1.01, ... up to this factor, which is what numpy's `arange(1, stop, 0.01)`
 * gives for the reference's stops 1.06, 1.11, 1.16, 1.21 and 1.26 (7, 12, 16, 21 and
 * 26 factors, because of floating-point rounding of the stop).
 */
export const ZOOM_BLUR_MAX_FACTORS = [1.06, 1.11, 1.15, 1.2, 1.25] as const;
/** Gaussian blur sigma in pixels per severity. */
export const GAUSSIAN_BLUR_SIGMAS = [0.4, 0.6, 0.7, 0.8, 1] as const;

/** Range of the motion blur angle in degrees, uniform, from the reference. */
export const MOTION_BLUR_ANGLE_RANGE = [-45, 45] as const;

/** Builds the normalized 1-D Gaussian of OpenCV's getGaussianKernel(2 radius + 1, sigma). */
function openCvGaussian(radius: number, sigma: number): Float64Array {
  const kernel = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let k = -radius; k <= radius; k++) {
    kernel[k + radius] = Math.exp(-(k * k) / (2 * sigma * sigma));
    sum += kernel[k + radius];
  }
  for (let i = 0; i < kernel.length; i++) kernel[i] /= sum;
  return kernel;
}

/**
 * Builds the defocus kernel of the reference's `disk`: the indicator of
 * x^2 + y^2 <= radius^2 on the integer grid, divided by its sum, then smoothed by a
 * Gaussian of `aliasSigma` pixels. The reference smooths with a 3 x 3 Gaussian when the
 * 32-pixel radius is at most 8 and a 5 x 5 one otherwise. Here that kernel half-width
 * (1 or 2) is multiplied by max(1, round(pixelScale)) and capped at max(1,
 * ceil(3 aliasSigma)), which leaves it at 1 for every CIFAR-10-C severity on 32-pixel
 * images. The all-zero border of the result is trimmed.
 *
 * @returns The kernel (summing to 1) and its odd side length.
 */
export function defocusKernel(
  radius: number,
  aliasSigma: number,
  pixelScale = 1,
): { kernel: Float64Array; side: number } {
  const referenceAliasRadius = (radius / pixelScale <= 8 ? 1 : 2) * Math.max(1, Math.round(pixelScale));
  const aliasRadius = Math.min(referenceAliasRadius, Math.max(1, Math.ceil(3 * aliasSigma)));
  const half = Math.ceil(radius) + aliasRadius + 1;
  const side = 2 * half + 1;
  const disk = new Float64Array(side * side);
  let inside = 0;
  for (let y = -half; y <= half; y++) {
    for (let x = -half; x <= half; x++) {
      if (x * x + y * y > radius * radius) continue;
      disk[(y + half) * side + x + half] = 1;
      inside++;
    }
  }
  for (let i = 0; i < disk.length; i++) disk[i] /= inside;
  const alias = openCvGaussian(aliasRadius, aliasSigma);
  const smoothed = correlateSeparable(disk, side, side, 1, alias, alias, "mirror");

  let trim = 0;
  const rowIsZero = (row: number) =>
    smoothed.subarray(row * side, (row + 1) * side).every((value) => value === 0);
  while (trim < half && rowIsZero(trim)) trim++;
  const trimmedSide = side - 2 * trim;
  const kernel = new Float64Array(trimmedSide * trimmedSide);
  for (let y = 0; y < trimmedSide; y++) {
    for (let x = 0; x < trimmedSide; x++) {
      kernel[y * trimmedSide + x] = smoothed[(y + trim) * side + x + trim];
    }
  }
  return { kernel, side: trimmedSide };
}

/**
 * Blurs with a smoothed disk, as a defocused lens: each channel is correlated with
 * {@linkcode defocusKernel} (OpenCV `filter2D`, mirror borders).
 *
 * @param image Pixels, shape [height, width, 3] (HWC), values in [0, 1].
 * @param severity 1 to 5, parameters from {@linkcode DEFOCUS_BLUR_PARAMETERS}.
 * @param pixelScale Factor for the 32-pixel radius and sigma, > 0.
 * @returns A new Float32Array of the same shape, values in [0, 1].
 */
export function defocusBlur(
  image: Float32Array,
  height: number,
  width: number,
  severity: Severity,
  pixelScale = 1,
): Float32Array {
  validateInputs(image, height, width, severity, "defocusBlur");
  validatePixelScale(pixelScale, "defocusBlur");
  const [radius, aliasSigma] = severityParameter(DEFOCUS_BLUR_PARAMETERS, severity);
  const { kernel, side } = defocusKernel(radius * pixelScale, aliasSigma * pixelScale, pixelScale);
  return toClampedImage(correlate2d(toPlane(image), height, width, CHANNELS, kernel, side, side, "mirror"));
}

/**
 * Draws the pixel moves of glass blur. Each pass visits y from height - delta down to
 * delta + 1 and, within each row, x from width - delta down to delta + 1. Every visit
 * draws a shift (dx, dy), each an integer uniform in [-delta, delta). The upper bound
 * is exclusive, as numpy's `randint(-delta, delta)` in the reference, so for delta 1
 * the shifts go up and left only.
 *
 * @returns Int32Array of [y, x, y + dy, x + dx] quadruples, in the order they are applied.
 */
export function sampleGlassMoves(
  height: number,
  width: number,
  maxShift: number,
  passes: number,
  random: Random,
): Int32Array {
  const moves: number[] = [];
  for (let pass = 0; pass < passes; pass++) {
    for (let y = height - maxShift; y > maxShift; y--) {
      for (let x = width - maxShift; x > maxShift; x--) {
        const dx = random.integer(2 * maxShift) - maxShift;
        const dy = random.integer(2 * maxShift) - maxShift;
        moves.push(y, x, y + dy, x + dx);
      }
    }
  }
  return Int32Array.from(moves);
}

/**
 * Copies, in order, pixel (y + dy, x + dx) onto pixel (y, x) of `plane` [height, width,
 * 3] for each quadruple of {@linkcode sampleGlassMoves}. The reference meant to swap
 * the two pixels, but its tuple assignment of numpy views copies and leaves the source
 * pixel as it was. This copy reproduces what the reference computes.
 */
function applyGlassMoves(plane: Float64Array, width: number, moves: Int32Array): void {
  for (let i = 0; i < moves.length; i += 4) {
    const target = (moves[i] * width + moves[i + 1]) * CHANNELS;
    const source = (moves[i + 2] * width + moves[i + 3]) * CHANNELS;
    for (let c = 0; c < CHANNELS; c++) plane[target + c] = plane[source + c];
  }
}

/**
 * Blurs as seen through frosted glass: a Gaussian blur, local pixel moves
 * ({@linkcode sampleGlassMoves}) and a second Gaussian blur with the same sigma
 * (scikit-image `gaussian`, edge pixels repeated, truncated at 4 sigma).
 *
 * NOTE: the reference rounds down to 8 bits between the first blur and the moves. This
 * version keeps floats, which changes values by less than 1/255. With a pixel scale of
 * 1.5 or more the max shift exceeds 1, so shifts can also point down or right and the
 * copies cascade along the scan, as in the ImageNet-C generator's glass blur (max shift
 * up to 4).
 *
 * @param image Pixels, shape [height, width, 3] (HWC), values in [0, 1].
 * @param severity 1 to 5, parameters from {@linkcode GLASS_BLUR_PARAMETERS}.
 * @param random Source of the shifts.
 * @param pixelScale Factor for the sigma and, rounded to an integer >= 1, the max shift.
 * @returns A new Float32Array of the same shape, values in [0, 1].
 */
export function glassBlur(
  image: Float32Array,
  height: number,
  width: number,
  severity: Severity,
  random: Random,
  pixelScale = 1,
): Float32Array {
  validateInputs(image, height, width, severity, "glassBlur");
  validatePixelScale(pixelScale, "glassBlur");
  const [sigma, shift, passes] = severityParameter(GLASS_BLUR_PARAMETERS, severity);
  const maxShift = Math.max(1, Math.round(shift * pixelScale));
  const moves = sampleGlassMoves(height, width, maxShift, passes, random);

  const blurred = gaussianFilter(toPlane(image), height, width, CHANNELS, sigma * pixelScale);
  applyGlassMoves(blurred, width, moves);
  return toClampedImage(gaussianFilter(blurred, height, width, CHANNELS, sigma * pixelScale));
}

/** Draws the motion blur angle in degrees, uniform in {@linkcode MOTION_BLUR_ANGLE_RANGE}. */
export function sampleMotionBlurAngle(random: Random): number {
  const [low, high] = MOTION_BLUR_ANGLE_RANGE;
  return low + (high - low) * random.uniform();
}

/**
 * Blurs along a line at a random angle, as ImageMagick's motion blur that the
 * reference calls through Wand. See `motionBlurFilter` in `_filters.ts` for the
 * one-sided Gaussian line kernel and its radius and sigma.
 *
 * NOTE: the reference encodes the image as an 8-bit PNG for ImageMagick and decodes
 * the result. This version filters floats directly.
 *
 * @param image Pixels, shape [height, width, 3] (HWC), values in [0, 1].
 * @param severity 1 to 5, parameters from {@linkcode MOTION_BLUR_PARAMETERS}.
 * @param random Source of the angle, one uniform draw.
 * @param pixelScale Factor for the 32-pixel radius and sigma, > 0.
 * @returns A new Float32Array of the same shape, values in [0, 1].
 */
export function motionBlur(
  image: Float32Array,
  height: number,
  width: number,
  severity: Severity,
  random: Random,
  pixelScale = 1,
): Float32Array {
  validateInputs(image, height, width, severity, "motionBlur");
  validatePixelScale(pixelScale, "motionBlur");
  const [radius, sigma] = severityParameter(MOTION_BLUR_PARAMETERS, severity);
  const angle = sampleMotionBlurAngle(random);
  const plane = toPlane(image);
  return toClampedImage(
    motionBlurFilter(plane, height, width, CHANNELS, radius * pixelScale, sigma * pixelScale, angle),
  );
}

/** Returns the zoom factors 1, 1.01, ... of a severity, see {@linkcode ZOOM_BLUR_MAX_FACTORS}. */
export function zoomBlurFactors(severity: Severity): number[] {
  const count = Math.round((severityParameter(ZOOM_BLUR_MAX_FACTORS, severity) - 1) / 0.01) + 1;
  return Array.from({ length: count }, (_, i) => 1 + 0.01 * i);
}

/**
 * Blurs radially from the center, as a camera zooming during the exposure: the mean of
 * the image and its centered zooms by every factor of {@linkcode zoomBlurFactors}
 * (the factor 1 is a copy, so the image counts twice). Zoom factors have no unit, so
 * the pixel scale does not apply.
 *
 * @param image Pixels, shape [height, width, 3] (HWC), values in [0, 1].
 * @param severity 1 to 5, factors from {@linkcode ZOOM_BLUR_MAX_FACTORS}.
 * @returns A new Float32Array of the same shape, values in [0, 1].
 */
export function zoomBlur(
  image: Float32Array,
  height: number,
  width: number,
  severity: Severity,
): Float32Array {
  validateInputs(image, height, width, severity, "zoomBlur");
  const plane = toPlane(image);
  const factors = zoomBlurFactors(severity);
  const sum = plane.slice();
  for (const factor of factors) {
    const zoomed = clippedZoom(plane, height, width, CHANNELS, factor);
    for (let i = 0; i < sum.length; i++) sum[i] += zoomed[i];
  }
  for (let i = 0; i < sum.length; i++) sum[i] /= factors.length + 1;
  return toClampedImage(sum);
}

/**
 * Blurs each channel with a Gaussian (scikit-image `gaussian`, edge pixels repeated,
 * truncated at 4 sigma).
 *
 * @param image Pixels, shape [height, width, 3] (HWC), values in [0, 1].
 * @param severity 1 to 5, sigma from {@linkcode GAUSSIAN_BLUR_SIGMAS}.
 * @param pixelScale Factor for the 32-pixel sigma, > 0.
 * @returns A new Float32Array of the same shape, values in [0, 1].
 */
export function gaussianBlur(
  image: Float32Array,
  height: number,
  width: number,
  severity: Severity,
  pixelScale = 1,
): Float32Array {
  validateInputs(image, height, width, severity, "gaussianBlur");
  validatePixelScale(pixelScale, "gaussianBlur");
  const sigma = severityParameter(GAUSSIAN_BLUR_SIGMAS, severity) * pixelScale;
  return toClampedImage(gaussianFilter(toPlane(image), height, width, CHANNELS, sigma));
}
