/**
 * Digital corruptions of CIFAR-10-C: contrast, elastic transform, pixelate and JPEG
 * compression, and the held-out saturate.
 *
 * Severity tables are those of `make_cifar_c.py` in hendrycks/robustness (the CIFAR-10-C
 * generator of Hendrycks and Dietterich, ICLR 2019). Elastic transform gives its lengths
 * as fractions of the image side (32 pixels on CIFAR), here 32 * pixelScale pixels.
 * The other four corruptions have no lengths in pixels.
 *
 * @module
 */

import type { Random } from "../engine/random.ts";
import { CHANNELS, clampUnit } from "../distortions/_image.ts";
import { hsvToRgb, rgbToHsv } from "./_color.ts";
import { gaussianFilter } from "./_filters.ts";
import { toClampedImage, toPlane } from "./_image.ts";
import { jpegRoundTrip } from "./_jpeg.ts";
import {
  REFERENCE_SIDE,
  type Severity,
  severityParameter,
  validateInputs,
  validatePixelScale,
} from "./_params.ts";
import { boxResize, sampleBilinear } from "./_resample.ts";

/** Factor that scales each channel's deviation from its mean, per severity. */
export const CONTRAST_FACTORS = [0.75, 0.5, 0.4, 0.3, 0.15] as const;
/**
 * Elastic transform per severity, as fractions of the image side: [displacement
 * amplitude alpha, displacement smoothing sigma, affine jitter of the control points].
 */
export const ELASTIC_TRANSFORM_PARAMETERS = [
  [0, 0, 0.08],
  [0.05, 0.2, 0.07],
  [0.08, 0.06, 0.06],
  [0.1, 0.04, 0.05],
  [0.1, 0.03, 0.03],
] as const;
/** Fraction of each side kept by the pixelate downscale, per severity. */
export const PIXELATE_FACTORS = [0.95, 0.9, 0.85, 0.75, 0.65] as const;
/** IJG JPEG quality per severity. */
export const JPEG_QUALITIES = [80, 65, 58, 50, 40] as const;
/** Saturate per severity: [factor on the HSV saturation, offset added after it]. */
export const SATURATE_PARAMETERS = [[0.3, 0], [0.1, 0], [1.5, 0], [2, 0.1], [2.5, 0.2]] as const;

/**
 * Lowers contrast: (x - mean) * factor + mean, with the mean taken per channel over the
 * whole image.
 *
 * @param image Pixels, shape [height, width, 3] (HWC), values in [0, 1].
 * @param severity 1 to 5, factor from {@linkcode CONTRAST_FACTORS}.
 * @returns A new Float32Array of the same shape, values in [0, 1].
 */
export function contrast(
  image: Float32Array,
  height: number,
  width: number,
  severity: Severity,
): Float32Array {
  validateInputs(image, height, width, severity, "contrast");
  const factor = severityParameter(CONTRAST_FACTORS, severity);
  const means = [0, 0, 0];
  for (let i = 0; i < image.length; i++) means[i % CHANNELS] += image[i];
  for (let c = 0; c < CHANNELS; c++) means[c] /= height * width;
  const output = new Float64Array(image.length);
  for (let i = 0; i < image.length; i++) {
    const mean = means[i % CHANNELS];
    output[i] = (image[i] - mean) * factor + mean;
  }
  return toClampedImage(output);
}

/** Sampled random parameters of one elastic transform. */
export interface ElasticSample {
  /** Jitter in pixels of the three affine control points, [x0, y0, x1, y1, x2, y2]. */
  jitter: Float64Array;
  /** Unsmoothed x displacement field, U(-1, 1), shape [height, width]. */
  fieldX: Float64Array;
  /** Unsmoothed y displacement field, U(-1, 1), shape [height, width]. */
  fieldY: Float64Array;
}

/** Draws the 6 control-point jitters U(-j, j) in pixels, then the x field, then the y field. */
export function sampleElastic(
  height: number,
  width: number,
  jitterPixels: number,
  random: Random,
): ElasticSample {
  const jitter = Float64Array.from({ length: 6 }, () => jitterPixels * (2 * random.uniform() - 1));
  const fieldX = Float64Array.from({ length: height * width }, () => 2 * random.uniform() - 1);
  const fieldY = Float64Array.from({ length: height * width }, () => 2 * random.uniform() - 1);
  return { jitter, fieldX, fieldY };
}

/**
 * Solves the affine map that sends the three points `from` to the three points `to`
 * (each [x0, y0, x1, y1, x2, y2]), as OpenCV's getAffineTransform.
 *
 * @returns [a, b, c, d, e, f] with to = (a x + b y + c, d x + e y + f).
 */
export function affineFromPoints(from: ArrayLike<number>, to: ArrayLike<number>): Float64Array {
  const [x0, y0, x1, y1, x2, y2] = Array.from(from);
  const determinant = x0 * (y1 - y2) - y0 * (x1 - x2) + (x1 * y2 - x2 * y1);
  if (determinant === 0) {
    throw new RangeError(
      `affineFromPoints: the points ${Array.from(from)} are collinear. Pass three non-collinear points`,
    );
  }
  const solve = (v0: number, v1: number, v2: number) => [
    (v0 * (y1 - y2) - y0 * (v1 - v2) + (v1 * y2 - v2 * y1)) / determinant,
    (x0 * (v1 - v2) - v0 * (x1 - x2) + (x1 * v2 - x2 * v1)) / determinant,
    (x0 * (y1 * v2 - y2 * v1) - y0 * (x1 * v2 - x2 * v1) + v0 * (x1 * y2 - x2 * y1)) / determinant,
  ];
  return Float64Array.from([...solve(to[0], to[2], to[4]), ...solve(to[1], to[3], to[5])]);
}

/**
 * Warps the image locally, as the reference's `elastic_transform`. First a random
 * affine map: three control points around the center, (cx + s, cy + s), (cx + s, cy - s)
 * and (cx - s, cy - s) with c = floor(side / 2) and s = floor(min side / 3), move by
 * the sampled jitter, and the image is resampled bilinearly through that map (OpenCV
 * warpAffine, mirror borders). Then each pixel is displaced by alpha times the
 * Gaussian-smoothed U(-1, 1) fields (sigma in pixels, truncated at 3 sigma, reflect
 * borders) and resampled bilinearly (scipy map_coordinates order 1, reflect borders).
 *
 * @param image Pixels, shape [height, width, 3] (HWC), values in [0, 1].
 * @param severity 1 to 5, parameters from {@linkcode ELASTIC_TRANSFORM_PARAMETERS}.
 * @param random Source of the jitter and the displacement fields.
 * @param pixelScale Factor for the 32-pixel side the fractions refer to, > 0.
 * @returns A new Float32Array of the same shape, values in [0, 1].
 */
export function elasticTransform(
  image: Float32Array,
  height: number,
  width: number,
  severity: Severity,
  random: Random,
  pixelScale = 1,
): Float32Array {
  validateInputs(image, height, width, severity, "elasticTransform");
  validatePixelScale(pixelScale, "elasticTransform");
  const side = REFERENCE_SIDE * pixelScale;
  const [alphaFraction, sigmaFraction, jitterFraction] = severityParameter(
    ELASTIC_TRANSFORM_PARAMETERS,
    severity,
  );
  const { jitter, fieldX, fieldY } = sampleElastic(height, width, jitterFraction * side, random);

  const centerX = Math.floor(width / 2);
  const centerY = Math.floor(height / 2);
  const half = Math.floor(Math.min(height, width) / 3);
  const controls = [
    centerX + half,
    centerY + half,
    centerX + half,
    centerY - half,
    centerX - half,
    centerY - half,
  ];
  const moved = controls.map((value, i) => value + jitter[i]);
  // Output pixel p reads the input at the inverse map, which sends the moved points back.
  const [a, b, c, d, e, f] = affineFromPoints(moved, controls);
  const plane = toPlane(image);
  const warped = new Float64Array(plane.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const sourceX = a * x + b * y + c;
      const sourceY = d * x + e * y + f;
      sampleBilinear(
        plane,
        height,
        width,
        CHANNELS,
        sourceY,
        sourceX,
        "mirror",
        warped,
        (y * width + x) * CHANNELS,
      );
    }
  }

  const sigma = sigmaFraction * side;
  const alpha = alphaFraction * side;
  const shiftX = gaussianFilter(fieldX, height, width, 1, sigma, "reflect", 3);
  const shiftY = gaussianFilter(fieldY, height, width, 1, sigma, "reflect", 3);
  const output = new Float64Array(plane.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      const sourceY = y + alpha * shiftY[p];
      const sourceX = x + alpha * shiftX[p];
      sampleBilinear(warped, height, width, CHANNELS, sourceY, sourceX, "reflect", output, p * CHANNELS);
    }
  }
  return toClampedImage(output);
}

/**
 * Pixelates: resizes to floor(factor * side) pixels per axis (at least 1) and back, both
 * with Pillow's BOX filter. The factor is a fraction, so the pixel scale does not apply.
 *
 * @param image Pixels, shape [height, width, 3] (HWC), values in [0, 1].
 * @param severity 1 to 5, factor from {@linkcode PIXELATE_FACTORS}.
 * @returns A new Float32Array of the same shape, values in [0, 1].
 */
export function pixelate(
  image: Float32Array,
  height: number,
  width: number,
  severity: Severity,
): Float32Array {
  validateInputs(image, height, width, severity, "pixelate");
  const factor = severityParameter(PIXELATE_FACTORS, severity);
  const smallHeight = Math.max(1, Math.floor(height * factor));
  const smallWidth = Math.max(1, Math.floor(width * factor));
  const small = boxResize(toPlane(image), height, width, CHANNELS, smallHeight, smallWidth);
  return toClampedImage(boxResize(small, smallHeight, smallWidth, CHANNELS, height, width));
}

/**
 * Compresses to baseline JPEG and decodes, as Pillow's `save(format="JPEG", quality)`
 * with its default 4:2:0 chroma subsampling. See `jpegRoundTrip` in `_jpeg.ts`. The
 * 8 x 8 blocks are fixed, so the pixel scale does not apply.
 *
 * @param image Pixels, shape [height, width, 3] (HWC), values in [0, 1].
 * @param severity 1 to 5, quality from {@linkcode JPEG_QUALITIES}.
 * @returns A new Float32Array of the same shape, multiples of 1/255 in [0, 1].
 */
export function jpegCompression(
  image: Float32Array,
  height: number,
  width: number,
  severity: Severity,
): Float32Array {
  validateInputs(image, height, width, severity, "jpegCompression");
  return jpegRoundTrip(image, height, width, severityParameter(JPEG_QUALITIES, severity), "4:2:0");
}

/**
 * Changes saturation: converts to HSV (scikit-image conventions), sets
 * s' = clip(s * factor + offset, 0, 1) and converts back.
 *
 * @param image Pixels, shape [height, width, 3] (HWC), values in [0, 1].
 * @param severity 1 to 5, parameters from {@linkcode SATURATE_PARAMETERS}.
 * @returns A new Float32Array of the same shape, values in [0, 1].
 */
export function saturate(
  image: Float32Array,
  height: number,
  width: number,
  severity: Severity,
): Float32Array {
  validateInputs(image, height, width, severity, "saturate");
  const [factor, offset] = severityParameter(SATURATE_PARAMETERS, severity);
  const output = new Float64Array(image.length);
  const hsv = new Float64Array(3);
  for (let base = 0; base < image.length; base += CHANNELS) {
    rgbToHsv(clampUnit(image[base]), clampUnit(image[base + 1]), clampUnit(image[base + 2]), hsv);
    hsvToRgb(hsv[0], clampUnit(hsv[1] * factor + offset), hsv[2], output, base);
  }
  return toClampedImage(output);
}
