/**
 * The distortion family: names, a dispatcher and a sampler for (name, level) pairs.
 *
 * Each distortion takes one HWC float image with values in [0, 1] and a level d in
 * [0, 1], where 0 means no or minimal change, and returns a new image of the same shape.
 *
 * @example
 * ```ts
 * import { Random } from "../engine/random.ts";
 * import { applyDistortion, sampleDistortion } from "./mod.ts";
 *
 * const random = new Random(1);
 * const image = new Float32Array(8 * 8 * 3).fill(0.5);
 * const { name, level } = sampleDistortion(random);
 * const distorted = applyDistortion(name, image, 8, 8, level, random);
 * ```
 *
 * @module
 */

import type { Random } from "../engine/random.ts";
import { applyGaussianBlur, type BlurOptions } from "./blur.ts";
import { applyDiffusionNoise } from "./diffusion.ts";
import { applyPatchDropout, type DropoutOptions } from "./dropout.ts";
import { applyMosaic } from "./mosaic.ts";

export { applyGaussianBlur, type BlurOptions } from "./blur.ts";
export {
  applyDiffusionNoise,
  diffusionAlphaBar,
  diffusionStep,
  linearAlphaBarSchedule,
} from "./diffusion.ts";
export { applyPatchDropout, type DropoutOptions } from "./dropout.ts";
export { applyMosaic } from "./mosaic.ts";

/** Names of the distortions, in a fixed order that {@linkcode sampleDistortion} indexes. */
export const DISTORTION_NAMES = ["diffusion", "blur", "dropout", "mosaic"] as const;

/** One of {@linkcode DISTORTION_NAMES}. */
export type DistortionName = typeof DISTORTION_NAMES[number];

/** Options for the distortion that uses them. The others ignore them. */
export type DistortionOptions = BlurOptions & DropoutOptions;

/** A sampled distortion: which one, and its level d in [0, 1). */
export interface DistortionSample {
  name: DistortionName;
  level: number;
}

function validateName(name: string, caller: string): asserts name is DistortionName {
  if (!(DISTORTION_NAMES as readonly string[]).includes(name)) {
    throw new RangeError(
      `${caller}: unknown distortion ${JSON.stringify(name)}. Valid names are ${DISTORTION_NAMES.join(", ")}`,
    );
  }
}

/**
 * Applies the distortion `name` at `level` to one image.
 *
 * @param name One of {@linkcode DISTORTION_NAMES}. Other strings raise a RangeError.
 * @param image Pixels, shape [height, width, 3] (HWC), values in [0, 1].
 * @param height Image height in pixels.
 * @param width Image width in pixels.
 * @param level Distortion level d in [0, 1].
 * @param random Source of random parameters. Blur and mosaic draw nothing from it.
 * @returns A new Float32Array of the same shape, values clamped to [0, 1].
 */
export function applyDistortion(
  name: DistortionName,
  image: Float32Array,
  height: number,
  width: number,
  level: number,
  random: Random,
  options: DistortionOptions = {},
): Float32Array {
  validateName(name, "applyDistortion");
  switch (name) {
    case "diffusion":
      return applyDiffusionNoise(image, height, width, level, random);
    case "blur":
      return applyGaussianBlur(image, height, width, level, options);
    case "dropout":
      return applyPatchDropout(image, height, width, level, random, options);
    case "mosaic":
      return applyMosaic(image, height, width, level);
  }
}

/**
 * Draws a distortion name uniformly from `names` (one `random.integer` call), then a
 * level d ~ U(0, 1) (one `random.uniform` call). Sample first, then pass the result to
 * {@linkcode applyDistortion}, so the parameters can be logged and replayed.
 *
 * @param names Non-empty list of valid names to draw from, all of them by default of them.
 */
export function sampleDistortion(
  random: Random,
  names: readonly DistortionName[] = DISTORTION_NAMES,
): DistortionSample {
  if (names.length === 0) {
    throw new RangeError(
      `sampleDistortion: names is empty. Pass at least one of ${DISTORTION_NAMES.join(", ")}`,
    );
  }
  for (const name of names) validateName(name, "sampleDistortion");
  const name = names[random.integer(names.length)];
  const level = random.uniform();
  return { name, level };
}
