/**
 * Forward-diffusion noise: the closed form of the DDPM forward process
 * (Ho et al., 2020), x_t = sqrt(abar_t) x + sqrt(1 - abar_t) n with n ~ N(0, 1).
 *
 * @module
 */

import type { Random } from "../engine/random.ts";
import { clampUnit, validateImage, validateLevel } from "./_image.ts";

/** Number of steps T in the default schedule. */
export const DIFFUSION_STEPS = 1000;
/** beta_1 of the default linear schedule. */
export const DIFFUSION_BETA_START = 1e-4;
/** beta_T of the default linear schedule. */
export const DIFFUSION_BETA_END = 0.02;

/**
 * Computes the cumulative products abar_t = prod_{s <= t} (1 - beta_s) for betas
 * spaced linearly from `betaStart` (beta_1) to `betaEnd` (beta_T).
 *
 * @param steps Schedule length T, an integer >= 1.
 * @param betaStart beta_1, in (0, 1).
 * @param betaEnd beta_T, in (0, 1).
 * @returns Float64Array of length T. Entry t (0-based) is abar after step t + 1, so
 *   entry 0 is 1 - betaStart. Values decrease and lie in (0, 1).
 */
export function linearAlphaBarSchedule(
  steps: number = DIFFUSION_STEPS,
  betaStart: number = DIFFUSION_BETA_START,
  betaEnd: number = DIFFUSION_BETA_END,
): Float64Array {
  if (!Number.isInteger(steps) || steps < 1) {
    throw new RangeError(`linearAlphaBarSchedule: steps must be an integer >= 1, got ${steps}`);
  }
  for (const [name, beta] of [["betaStart", betaStart], ["betaEnd", betaEnd]] as const) {
    if (!(beta > 0 && beta < 1)) {
      throw new RangeError(`linearAlphaBarSchedule: ${name} must be in (0, 1), got ${beta}`);
    }
  }

  const alphaBar = new Float64Array(steps);
  let product = 1;
  for (let t = 0; t < steps; t++) {
    const beta = steps === 1 ? betaStart : betaStart + ((betaEnd - betaStart) * t) / (steps - 1);
    product *= 1 - beta;
    alphaBar[t] = product;
  }
  return alphaBar;
}

let defaultAlphaBar: Float64Array | undefined;

/**
 * Returns abar_t of the default schedule (T = 1000, betas 1e-4 to 0.02) for a 0-based
 * step `t` in [0, 999]. The table is computed on the first call.
 */
export function diffusionAlphaBar(t: number): number {
  if (!Number.isInteger(t) || t < 0 || t >= DIFFUSION_STEPS) {
    throw new RangeError(
      `diffusionAlphaBar: step must be an integer in [0, ${DIFFUSION_STEPS - 1}], got ${t}`,
    );
  }
  defaultAlphaBar ??= linearAlphaBarSchedule();
  return defaultAlphaBar[t];
}

/** Maps a level d in [0, 1] to the 0-based step round(d * (T - 1)) of the default schedule. */
export function diffusionStep(level: number): number {
  validateLevel(level, "diffusionStep");
  return Math.round(level * (DIFFUSION_STEPS - 1));
}

/**
 * Adds forward-diffusion noise at step t = round(d * 999) of the default linear
 * schedule. Level 0 still applies the first step, whose noise std is
 * sqrt(1 - abar_0) = 0.01. Level 1 leaves almost pure noise (abar_999 is about 4e-5).
 *
 * @param image Pixels, shape [height, width, 3] (HWC), values in [0, 1].
 * @param height Image height in pixels.
 * @param width Image width in pixels.
 * @param level Distortion level d in [0, 1].
 * @param random Source of the noise, one `normal()` draw per value in array order.
 * @returns A new Float32Array of the same shape, values clamped to [0, 1].
 */
export function applyDiffusionNoise(
  image: Float32Array,
  height: number,
  width: number,
  level: number,
  random: Random,
): Float32Array {
  validateImage(image, height, width, "applyDiffusionNoise");
  validateLevel(level, "applyDiffusionNoise");
  const alphaBar = diffusionAlphaBar(diffusionStep(level));
  const signalScale = Math.sqrt(alphaBar);
  const noiseScale = Math.sqrt(1 - alphaBar);

  const output = new Float32Array(image.length);
  for (let i = 0; i < image.length; i++) {
    output[i] = clampUnit(signalScale * image[i] + noiseScale * random.normal());
  }
  return output;
}
