/**
 * The 14 RandAugment operations and their magnitude ranges, after torchvision's
 * `RandAugment` (v0.15 and later) with `num_magnitude_bins=31`: magnitude index
 * M in [0, 30] selects the value range_max * M / 30 of each operation's range.
 *
 * @module
 */
import { MAX_RANDAUGMENT_MAGNITUDE } from "../options.ts";
import {
  adjustBrightness,
  adjustColor,
  adjustContrast,
  adjustSharpness,
  autoContrast,
  equalize,
  posterize,
  solarize,
} from "./color_ops.ts";
import { rotate, shearX, shearY, translateX, translateY } from "./geometric_ops.ts";

/** One RandAugment operation: how magnitude index M maps to its parameter, and how it is applied. */
export interface RandAugmentOperation {
  /** Name stored in the run log. */
  readonly name: string;
  /** Whether the value gets a random sign (probability 1/2 each). */
  readonly signed: boolean;
  /**
   * Returns the unsigned parameter for magnitude index M in [0, 30], in the
   * operation's unit (shear factor, pixels, degrees, factor offset, bits, threshold).
   */
  value(magnitude: number, height: number, width: number): number;
  /** Applies the operation with a signed parameter to one HWC image with values in [0, 1], in place. */
  apply(image: Float32Array, height: number, width: number, value: number): void;
}

/** Returns range_max * M / 30, the M-th of 31 evenly spaced values from 0 to range_max. */
function level(rangeMax: number, magnitude: number): number {
  return (rangeMax * magnitude) / MAX_RANDAUGMENT_MAGNITUDE;
}

/** Largest translation as a fraction of the side, torchvision's 150 / 331 (150 px on its 331 px images). */
const MAX_TRANSLATE_FRACTION = 150 / 331;

/** Largest factor offset of brightness, color, contrast and sharpness: factors span 1 +- 0.9. */
const MAX_FACTOR_OFFSET = 0.9;

/**
 * Builds a signed operation whose value v in [-0.9, 0.9] is applied as the
 * blend factor 1 + v, as torchvision's brightness, color, contrast and sharpness are.
 */
function factorOperation(
  name: string,
  adjust: (image: Float32Array, height: number, width: number, factor: number) => void,
): RandAugmentOperation {
  return {
    name,
    signed: true,
    value: (m) => level(MAX_FACTOR_OFFSET, m),
    apply: (image, height, width, value) => adjust(image, height, width, 1 + value),
  };
}

/**
 * The operations in torchvision's order: identity, shear x/y, translate x/y,
 * rotate, brightness, color, contrast, sharpness, posterize, solarize,
 * auto-contrast, equalize.
 */
export const RANDAUGMENT_OPERATIONS: readonly RandAugmentOperation[] = [
  { name: "identity", signed: false, value: () => 0, apply: () => {} },
  { name: "shear_x", signed: true, value: (m) => level(0.3, m), apply: shearX },
  { name: "shear_y", signed: true, value: (m) => level(0.3, m), apply: shearY },
  {
    name: "translate_x",
    signed: true,
    // torchvision truncates the translation to whole pixels with int().
    value: (m, _height, width) => Math.trunc(level(MAX_TRANSLATE_FRACTION * width, m)),
    apply: translateX,
  },
  {
    name: "translate_y",
    signed: true,
    value: (m, height) => Math.trunc(level(MAX_TRANSLATE_FRACTION * height, m)),
    apply: translateY,
  },
  { name: "rotate", signed: true, value: (m) => level(30, m), apply: rotate },
  factorOperation("brightness", (image, _height, _width, factor) => adjustBrightness(image, factor)),
  factorOperation("color", (image, _height, _width, factor) => adjustColor(image, factor)),
  factorOperation("contrast", (image, _height, _width, factor) => adjustContrast(image, factor)),
  factorOperation("sharpness", adjustSharpness),
  {
    name: "posterize",
    signed: false,
    // 8 - round(M / 7.5) bits: 8 at M = 0 down to 4 at M = 30. M / 7.5 is never k + 0.5 for integer M,
    // so JavaScript's round-half-up and torch's round-half-to-even agree.
    value: (m) => 8 - Math.round(m / (MAX_RANDAUGMENT_MAGNITUDE / 4)),
    apply: (image, _height, _width, bits) => posterize(image, bits),
  },
  {
    name: "solarize",
    signed: false,
    // Threshold 1 - M / 30 on [0, 1] values. At M = 0 the threshold is 1, so values equal to 1 still become 0.
    value: (m) => 1 - level(1, m),
    apply: (image, _height, _width, threshold) => solarize(image, threshold),
  },
  { name: "auto_contrast", signed: false, value: () => 0, apply: (image) => autoContrast(image) },
  { name: "equalize", signed: false, value: () => 0, apply: (image) => equalize(image) },
];
