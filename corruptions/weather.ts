/**
 * Weather corruptions of CIFAR-10-C: snow, frost, fog and brightness. The held-out
 * spatter corruption is in `spatter.ts`.
 *
 * Severity tables are those of `make_cifar_c.py` in hendrycks/robustness (the CIFAR-10-C
 * generator of Hendrycks and Dietterich, ICLR 2019). Lengths in these tables are pixels
 * of a 32 x 32 image. Every function multiplies them by `pixelScale` (see
 * `pixelScale` in `_params.ts`), which is 1 on 32-pixel images.
 *
 * @module
 */

import type { Random } from "../engine/random.ts";
import { CHANNELS, clampUnit } from "../distortions/_image.ts";
import { hsvToRgb, luma, rgbToHsv } from "./_color.ts";
import { motionBlurFilter } from "./_filters.ts";
import { frostTexture } from "./_frost.ts";
import { toClampedImage, toPlane } from "./_image.ts";
import { type Severity, severityParameter, validateInputs, validatePixelScale } from "./_params.ts";
import { nextPowerOfTwo, plasmaFractal } from "./_plasma.ts";
import { clippedZoom } from "./_resample.ts";

/**
 * Snow per severity: [flake field mean, flake field standard deviation, zoom factor,
 * threshold below which the field is 0, motion blur radius in pixels, motion blur sigma
 * in pixels, weight of the original image in the whitening blend].
 */
export const SNOW_PARAMETERS = [
  [0.1, 0.2, 1, 0.6, 8, 3, 0.95],
  [0.1, 0.2, 1, 0.5, 10, 4, 0.9],
  [0.15, 0.3, 1.75, 0.55, 10, 4, 0.9],
  [0.25, 0.3, 2.25, 0.6, 12, 6, 0.85],
  [0.3, 0.3, 1.25, 0.65, 14, 12, 0.8],
] as const;
/** Frost per severity: [weight of the image, weight of the frost texture]. */
export const FROST_PARAMETERS = [[1, 0.2], [1, 0.3], [0.9, 0.4], [0.85, 0.4], [0.75, 0.45]] as const;
/** Fog per severity: [fog strength added, plasma fractal decay (larger is smoother)]. */
export const FOG_PARAMETERS = [[0.2, 3], [0.5, 3], [0.75, 2.5], [1, 2], [1.5, 1.75]] as const;
/** Increase of the HSV value (brightness) per severity. */
export const BRIGHTNESS_SHIFTS = [0.05, 0.1, 0.15, 0.2, 0.3] as const;

/** Range of the snow motion-blur angle in degrees, uniform, from the reference (upward streaks). */
export const SNOW_ANGLE_RANGE = [-135, -45] as const;

/** Sampled random parameters of one snow corruption. */
export interface SnowSample {
  /** Flake field before zoom and threshold, shape [height, width]. */
  field: Float64Array;
  /** Motion blur angle in degrees. */
  angle: number;
}

/** Draws the snow flake field (height * width normals) and then the streak angle. */
export function sampleSnow(height: number, width: number, severity: Severity, random: Random): SnowSample {
  const [mean, deviation] = severityParameter(SNOW_PARAMETERS, severity);
  const field = new Float64Array(height * width);
  for (let i = 0; i < field.length; i++) field[i] = mean + deviation * random.normal();
  const [low, high] = SNOW_ANGLE_RANGE;
  const angle = low + (high - low) * random.uniform();
  return { field, angle };
}

/**
 * Adds falling snow. A Gaussian flake field ({@linkcode sampleSnow}) is zoomed into its
 * center, set to 0 below a threshold, clipped to [0, 1] and motion-blurred into streaks.
 * The image is whitened, x' = b x + (1 - b) max(x, 1.5 luma + 0.5), and the output
 * is x' + streaks + streaks rotated by 180 degrees, clipped to [0, 1].
 *
 * NOTE: the reference stores the flake layer as an 8-bit PNG before ImageMagick's
 * motion blur. This version keeps floats.
 *
 * @param image Pixels, shape [height, width, 3] (HWC), values in [0, 1].
 * @param severity 1 to 5, parameters from {@linkcode SNOW_PARAMETERS}.
 * @param random Source of the flake field and the streak angle.
 * @param pixelScale Factor for the 32-pixel motion blur radius and sigma, > 0.
 * @returns A new Float32Array of the same shape, values in [0, 1].
 */
export function snow(
  image: Float32Array,
  height: number,
  width: number,
  severity: Severity,
  random: Random,
  pixelScale = 1,
): Float32Array {
  validateInputs(image, height, width, severity, "snow");
  validatePixelScale(pixelScale, "snow");
  const [, , zoom, threshold, radius, sigma, blend] = severityParameter(SNOW_PARAMETERS, severity);
  const { field, angle } = sampleSnow(height, width, severity, random);

  const flakes = clippedZoom(field, height, width, 1, zoom);
  for (let i = 0; i < flakes.length; i++) flakes[i] = flakes[i] < threshold ? 0 : clampUnit(flakes[i]);
  const streaks = motionBlurFilter(flakes, height, width, 1, radius * pixelScale, sigma * pixelScale, angle);

  const output = new Float64Array(image.length);
  const pixels = height * width;
  for (let p = 0; p < pixels; p++) {
    const base = p * CHANNELS;
    const whitened = luma(image[base], image[base + 1], image[base + 2]) * 1.5 + 0.5;
    const snowAmount = streaks[p] + streaks[pixels - 1 - p];
    for (let c = 0; c < CHANNELS; c++) {
      const value = image[base + c];
      output[base + c] = blend * value + (1 - blend) * Math.max(value, whitened) + snowAmount;
    }
  }
  return toClampedImage(output);
}

/**
 * Overlays frost: a x + b texture, with the texture from `frostTexture` (`_frost.ts`).
 *
 * NOTE: the reference crops a random window of one of five frost photographs. This
 * version draws a procedural texture from `random` instead, see `_frost.ts` for how it
 * differs.
 *
 * @param image Pixels, shape [height, width, 3] (HWC), values in [0, 1].
 * @param severity 1 to 5, weights from {@linkcode FROST_PARAMETERS}.
 * @param random Source of the texture.
 * @param pixelScale Factor for the 32-pixel crystal lengths, > 0.
 * @returns A new Float32Array of the same shape, values in [0, 1].
 */
export function frost(
  image: Float32Array,
  height: number,
  width: number,
  severity: Severity,
  random: Random,
  pixelScale = 1,
): Float32Array {
  validateInputs(image, height, width, severity, "frost");
  validatePixelScale(pixelScale, "frost");
  const [imageWeight, frostWeight] = severityParameter(FROST_PARAMETERS, severity);
  const texture = frostTexture(height, width, pixelScale, random);
  const output = new Float64Array(image.length);
  for (let i = 0; i < image.length; i++) output[i] = imageWeight * image[i] + frostWeight * texture[i];
  return toClampedImage(output);
}

/**
 * Adds fog: x + s F with F a plasma fractal in [0, 1] (the same for all channels),
 * rescaled by m / (m + s), where m is the image maximum and s the fog strength. The
 * fractal has the side of the smallest power of two covering the image (32 on CIFAR)
 * and is cropped to its top-left corner, so the fog always spans the whole image and
 * the pixel scale does not apply.
 *
 * @param image Pixels, shape [height, width, 3] (HWC), values in [0, 1].
 * @param severity 1 to 5, parameters from {@linkcode FOG_PARAMETERS}.
 * @param random Source of the fractal.
 * @returns A new Float32Array of the same shape, values in [0, 1].
 */
export function fog(
  image: Float32Array,
  height: number,
  width: number,
  severity: Severity,
  random: Random,
): Float32Array {
  validateInputs(image, height, width, severity, "fog");
  const [strength, decay] = severityParameter(FOG_PARAMETERS, severity);
  const mapSize = nextPowerOfTwo(Math.max(height, width));
  const fractal = plasmaFractal(mapSize, decay, random);

  let max = -Infinity;
  for (const value of image) max = Math.max(max, value);
  const rescale = max / (max + strength);
  const output = toPlane(image);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const fogAmount = strength * fractal[y * mapSize + x];
      for (let c = 0; c < CHANNELS; c++) {
        const i = (y * width + x) * CHANNELS + c;
        output[i] = (output[i] + fogAmount) * rescale;
      }
    }
  }
  return toClampedImage(output);
}

/**
 * Brightens: converts to HSV (scikit-image conventions), adds the shift to the value
 * channel, clips it to [0, 1] and converts back. This scales each pixel by
 * min(1, v + shift) / v, and a black pixel becomes gray at the shift.
 *
 * @param image Pixels, shape [height, width, 3] (HWC), values in [0, 1].
 * @param severity 1 to 5, shift from {@linkcode BRIGHTNESS_SHIFTS}.
 * @returns A new Float32Array of the same shape, values in [0, 1].
 */
export function brightness(
  image: Float32Array,
  height: number,
  width: number,
  severity: Severity,
): Float32Array {
  validateInputs(image, height, width, severity, "brightness");
  const shift = severityParameter(BRIGHTNESS_SHIFTS, severity);
  const output = new Float64Array(image.length);
  const hsv = new Float64Array(3);
  for (let base = 0; base < image.length; base += CHANNELS) {
    rgbToHsv(clampUnit(image[base]), clampUnit(image[base + 1]), clampUnit(image[base + 2]), hsv);
    hsvToRgb(hsv[0], hsv[1], Math.min(1, hsv[2] + shift), output, base);
  }
  return toClampedImage(output);
}
