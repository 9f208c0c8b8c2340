/**
 * Severity levels, input checks and the pixel scale shared by the corruptions.
 *
 * @module
 */

import { validateImage } from "../distortions/_image.ts";

/** The five CIFAR-C severity levels, mildest first. */
export const SEVERITIES = [1, 2, 3, 4, 5] as const;

/** One of {@linkcode SEVERITIES}. */
export type Severity = typeof SEVERITIES[number];

/**
 * Image side, in pixels, for which the CIFAR-10-C parameters are defined. Under the
 * default rule of {@linkcode pixelScale}, lengths in pixels (blur sigmas, kernel radii,
 * shift distances) are multiplied by side / 32 on other sizes.
 */
export const REFERENCE_SIDE = 32;

/** Rule that maps the 32-pixel parameters to other image sizes. */
export type PixelScaleRule = "side" | "absolute";

/** Throws a RangeError unless `severity` is one of 1, 2, 3, 4, 5. */
export function validateSeverity(severity: number, caller: string): asserts severity is Severity {
  if (!(SEVERITIES as readonly number[]).includes(severity)) {
    throw new RangeError(
      `${caller}: invalid severity ${severity}. Valid severities are ${SEVERITIES.join(", ")}`,
    );
  }
}

/** Throws a RangeError unless the image shape and the severity are valid. */
export function validateInputs(
  image: Float32Array,
  height: number,
  width: number,
  severity: number,
  caller: string,
): asserts severity is Severity {
  validateImage(image, height, width, caller);
  validateSeverity(severity, caller);
}

/** Throws a RangeError unless `scale` is a finite number above 0. */
export function validatePixelScale(scale: number, caller: string): void {
  if (!(scale > 0 && Number.isFinite(scale))) {
    throw new RangeError(`${caller}: pixel scale must be a finite number above 0, got ${scale}`);
  }
}

/**
 * Returns the factor applied to every length that the CIFAR-10-C parameters give in
 * pixels. `"side"` (default): max(height, width) / 32, so a corruption covers the same
 * fraction of any image and equals CIFAR-10-C at 32 x 32. `"absolute"`: 1, so the
 * lengths stay in 32-pixel units on every size.
 */
export function pixelScale(height: number, width: number, rule: PixelScaleRule = "side"): number {
  if (rule === "absolute") return 1;
  if (rule === "side") return Math.max(height, width) / REFERENCE_SIDE;
  throw new RangeError(`pixelScale: rule must be "side" or "absolute", got ${JSON.stringify(rule)}`);
}

/** Returns the entry of a five-entry severity table for `severity` (1 selects entry 0). */
export function severityParameter<Table extends readonly [unknown, unknown, unknown, unknown, unknown]>(
  table: Table,
  severity: Severity,
): Table[number] {
  return table[severity - 1];
}
