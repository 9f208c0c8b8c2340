/**
 * Spatter, a held-out weather corruption of CIFAR-10-C: water drops (severities 1 to
 * 3) or mud splashes (severities 4 and 5) on the lens.
 *
 * The severity table is that of `make_cifar_c.py` in hendrycks/robustness (the
 * CIFAR-10-C generator of Hendrycks and Dietterich, ICLR 2019). Its sigmas and the
 * distance cap are pixels of a 32 x 32 image, multiplied here by `pixelScale`.
 *
 * @module
 */

import type { Random } from "../engine/random.ts";
import { CHANNELS } from "../distortions/_image.ts";
import { cannyEdges, chamferDistance, equalizeHistogram, saturateUint8 } from "./_edges.ts";
import { boxFilter3, correlate2d, gaussianFilter } from "./_filters.ts";
import { toClampedImage } from "./_image.ts";
import { type Severity, severityParameter, validateInputs, validatePixelScale } from "./_params.ts";

/**
 * Spatter per severity: [liquid field mean, liquid field standard deviation, field blur
 * sigma in pixels, threshold below which the field is 0, water intensity (water) or mud
 * blur sigma in pixels (mud), 0 for water or 1 for mud].
 */
export const SPATTER_PARAMETERS = [
  [0.62, 0.1, 0.7, 0.7, 0.5, 0],
  [0.65, 0.1, 0.8, 0.7, 0.5, 0],
  [0.65, 0.3, 1, 0.69, 0.5, 0],
  [0.65, 0.1, 0.7, 0.69, 0.6, 1],
  [0.65, 0.1, 0.5, 0.68, 0.6, 1],
] as const;

/** Pale turquoise (175, 238, 238) / 255, the water color, in RGB. */
const WATER_COLOR = [175 / 255, 238 / 255, 238 / 255] as const;
/** Mud brown (63, 42, 20) / 255 in RGB. */
const MUD_COLOR = [63 / 255, 42 / 255, 20 / 255] as const;
/** Emboss kernel of the water variant, 3 x 3 row-major, summing to 1. */
const EMBOSS_KERNEL = Float64Array.of(-2, -1, 0, -1, 1, 1, 0, 1, 2);
/** Cap of the edge distance in pixels on a 32-pixel image. */
const DISTANCE_CAP = 20;
/** Canny thresholds on the 8-bit liquid layer. */
const CANNY_LOW = 50;
const CANNY_HIGH = 150;

/**
 * Draws the liquid field (height * width normals), blurs it (scikit-image `gaussian`,
 * edge pixels repeated) and sets values below the threshold to 0.
 *
 * @returns Float64Array of shape [height, width].
 */
export function sampleLiquidLayer(
  height: number,
  width: number,
  severity: Severity,
  random: Random,
  pixelScale = 1,
): Float64Array {
  const [mean, deviation, sigma, threshold] = severityParameter(SPATTER_PARAMETERS, severity);
  const field = new Float64Array(height * width);
  for (let i = 0; i < field.length; i++) field[i] = mean + deviation * random.normal();
  const liquid = gaussianFilter(field, height, width, 1, sigma * pixelScale);
  for (let i = 0; i < liquid.length; i++) if (liquid[i] < threshold) liquid[i] = 0;
  return liquid;
}

/**
 * Computes the water mask of severities 1 to 3, in [0, intensity], with the reference's
 * OpenCV chain. It finds the Canny edges of the 8-bit liquid layer and the chamfer
 * distance to the nearest edge, capped at 20 pixels. That distance goes through a
 * 3 x 3 mean, histogram equalization, an emboss filter saturated to [0, 255] and
 * another 3 x 3 mean. The mask is the result times the liquid layer, rescaled to a
 * maximum of `intensity`. A layer with no liquid gives an all-zero mask.
 *
 * NOTE: the reference rounds to 8 bits after the last 3 x 3 mean, which this version
 * skips. Its uint8 cast of the liquid layer also wraps values above 1 where this
 * version clamps them. Such values are rare because they lie more than 4 standard
 * deviations above the mean of the blurred field at every severity.
 */
export function waterMask(
  liquid: Float64Array,
  height: number,
  width: number,
  intensity: number,
  pixelScale = 1,
): Float64Array {
  const liquidBytes = new Float64Array(liquid.length);
  for (let i = 0; i < liquid.length; i++) {
    liquidBytes[i] = Math.floor(Math.min(1, Math.max(0, liquid[i])) * 255);
  }
  const edges = cannyEdges(liquidBytes, height, width, CANNY_LOW, CANNY_HIGH);

  const notEdges = edges.map((value) => 255 - value);
  const distance = chamferDistance(notEdges, height, width);
  const cap = DISTANCE_CAP * pixelScale;
  for (let i = 0; i < distance.length; i++) distance[i] = Math.min(distance[i], cap);
  const smoothed = boxFilter3(distance, height, width, 1);
  const distanceBytes = Uint8Array.from(smoothed, (value) => Math.min(255, Math.floor(value)));
  const equalized = equalizeHistogram(distanceBytes);
  const embossed = correlate2d(equalized, height, width, 1, EMBOSS_KERNEL, 3, 3, "mirror").map(saturateUint8);
  const shading = boxFilter3(embossed, height, width, 1);

  const mask = new Float64Array(liquid.length);
  let max = 0;
  for (let i = 0; i < mask.length; i++) {
    mask[i] = liquidBytes[i] * shading[i];
    max = Math.max(max, mask[i]);
  }
  for (let i = 0; i < mask.length; i++) mask[i] = max > 0 ? (mask[i] / max) * intensity : 0;
  return mask;
}

/**
 * Computes the mud mask of severities 4 and 5, in [0, 1]: the indicator of liquid above
 * the threshold, blurred (scikit-image `gaussian`) and set to 0 below 0.8.
 */
export function mudMask(
  liquid: Float64Array,
  height: number,
  width: number,
  threshold: number,
  sigma: number,
): Float64Array {
  const wet = liquid.map((value) => (value > threshold ? 1 : 0));
  const mask = gaussianFilter(wet, height, width, 1, sigma);
  for (let i = 0; i < mask.length; i++) if (mask[i] < 0.8) mask[i] = 0;
  return mask;
}

/**
 * Splashes water or mud on the image. Water (severities 1 to 3) adds mask * (175, 238,
 * 238) / 255 with the mask of {@linkcode waterMask}. Mud (severities 4 and 5) blends
 * toward (63, 42, 20) / 255 by the mask of {@linkcode mudMask}: x (1 - m) + color m.
 *
 * @param image Pixels, shape [height, width, 3] (HWC), values in [0, 1].
 * @param severity 1 to 5, parameters from {@linkcode SPATTER_PARAMETERS}.
 * @param random Source of the liquid field.
 * @param pixelScale Factor for the 32-pixel sigmas and distance cap, > 0.
 * @returns A new Float32Array of the same shape, values in [0, 1].
 */
export function spatter(
  image: Float32Array,
  height: number,
  width: number,
  severity: Severity,
  random: Random,
  pixelScale = 1,
): Float32Array {
  validateInputs(image, height, width, severity, "spatter");
  validatePixelScale(pixelScale, "spatter");
  const [, , , threshold, strength, isMud] = severityParameter(SPATTER_PARAMETERS, severity);
  const liquid = sampleLiquidLayer(height, width, severity, random, pixelScale);

  const output = new Float64Array(image.length);
  if (isMud === 0) {
    const mask = waterMask(liquid, height, width, strength, pixelScale);
    for (let p = 0; p < mask.length; p++) {
      for (let c = 0; c < CHANNELS; c++) {
        output[p * CHANNELS + c] = image[p * CHANNELS + c] + mask[p] * WATER_COLOR[c];
      }
    }
    return toClampedImage(output);
  }
  const mask = mudMask(liquid, height, width, threshold, strength * pixelScale);
  for (let p = 0; p < mask.length; p++) {
    for (let c = 0; c < CHANNELS; c++) {
      const i = p * CHANNELS + c;
      output[i] = image[i] * (1 - mask[p]) + MUD_COLOR[c] * mask[p];
    }
  }
  return toClampedImage(output);
}
