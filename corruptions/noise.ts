/**
 * Noise corruptions of CIFAR-10-C: Gaussian, shot (Poisson) and impulse (salt and
 * pepper) noise, and the held-out speckle noise. Each draws its noise from the seeded
 * generator passed in, visiting channel values in row-major HWC order.
 *
 * Severity tables are those of `make_cifar_c.py` in hendrycks/robustness (the CIFAR-10-C
 * generator of Hendrycks and Dietterich, ICLR 2019). All four act per value, so none
 * depends on the image size.
 *
 * @module
 */

import type { Random } from "../engine/random.ts";
import { clampUnit } from "../distortions/_image.ts";
import { type Severity, severityParameter, validateInputs } from "./_params.ts";
import { samplePoisson } from "./_poisson.ts";

/** Standard deviation of the additive Gaussian noise per severity. */
export const GAUSSIAN_NOISE_SIGMAS = [0.04, 0.06, 0.08, 0.09, 0.1] as const;
/** Photon count scale c per severity: output = Poisson(c x) / c, so smaller c is noisier. */
export const SHOT_NOISE_SCALES = [500, 250, 100, 75, 50] as const;
/** Fraction of channel values replaced by 0 or 1 per severity. */
export const IMPULSE_NOISE_AMOUNTS = [0.01, 0.02, 0.03, 0.05, 0.07] as const;
/** Standard deviation of the multiplicative Gaussian noise per severity. */
export const SPECKLE_NOISE_SIGMAS = [0.06, 0.1, 0.12, 0.16, 0.2] as const;

/**
 * Adds N(0, sigma^2) noise to every channel value: clip(x + sigma z, 0, 1), z ~ N(0, 1).
 *
 * @param image Pixels, shape [height, width, 3] (HWC), values in [0, 1].
 * @param severity 1 to 5, sigma from {@linkcode GAUSSIAN_NOISE_SIGMAS}.
 * @returns A new Float32Array of the same shape, values in [0, 1].
 */
export function gaussianNoise(
  image: Float32Array,
  height: number,
  width: number,
  severity: Severity,
  random: Random,
): Float32Array {
  validateInputs(image, height, width, severity, "gaussianNoise");
  const sigma = severityParameter(GAUSSIAN_NOISE_SIGMAS, severity);
  const output = new Float32Array(image.length);
  for (let i = 0; i < image.length; i++) output[i] = clampUnit(image[i] + sigma * random.normal());
  return output;
}

/**
 * Replaces every channel value x by a Poisson count at rate c x divided by c, so the
 * noise variance x / c grows with brightness: clip(Poisson(c x) / c, 0, 1).
 *
 * @param image Pixels, shape [height, width, 3] (HWC), values in [0, 1].
 * @param severity 1 to 5, c from {@linkcode SHOT_NOISE_SCALES}.
 * @returns A new Float32Array of the same shape, values in [0, 1].
 */
export function shotNoise(
  image: Float32Array,
  height: number,
  width: number,
  severity: Severity,
  random: Random,
): Float32Array {
  validateInputs(image, height, width, severity, "shotNoise");
  const scale = severityParameter(SHOT_NOISE_SCALES, severity);
  const output = new Float32Array(image.length);
  for (let i = 0; i < image.length; i++) {
    output[i] = clampUnit(samplePoisson(scale * clampUnit(image[i]), random) / scale);
  }
  return output;
}

/**
 * Sets each channel value independently, with probability `amount`, to 1 (salt) or 0
 * (pepper) with equal odds, as `random_noise(mode="s&p")` in scikit-image's main
 * branch (skimage/util/noise.py). The generator gives one uniform draw per value, plus
 * one more for salt or pepper when the value is replaced.
 *
 * @param image Pixels, shape [height, width, 3] (HWC), values in [0, 1].
 * @param severity 1 to 5, amount from {@linkcode IMPULSE_NOISE_AMOUNTS}.
 * @returns A new Float32Array of the same shape, values in [0, 1].
 */
export function impulseNoise(
  image: Float32Array,
  height: number,
  width: number,
  severity: Severity,
  random: Random,
): Float32Array {
  validateInputs(image, height, width, severity, "impulseNoise");
  const amount = severityParameter(IMPULSE_NOISE_AMOUNTS, severity);
  const output = new Float32Array(image.length);
  for (let i = 0; i < image.length; i++) {
    if (random.uniform() < amount) output[i] = random.uniform() < 0.5 ? 1 : 0;
    else output[i] = clampUnit(image[i]);
  }
  return output;
}

/**
 * Multiplies every channel value by 1 + sigma z: clip(x + x sigma z, 0, 1), z ~ N(0, 1).
 *
 * @param image Pixels, shape [height, width, 3] (HWC), values in [0, 1].
 * @param severity 1 to 5, sigma from {@linkcode SPECKLE_NOISE_SIGMAS}.
 * @returns A new Float32Array of the same shape, values in [0, 1].
 */
export function speckleNoise(
  image: Float32Array,
  height: number,
  width: number,
  severity: Severity,
  random: Random,
): Float32Array {
  validateInputs(image, height, width, severity, "speckleNoise");
  const sigma = severityParameter(SPECKLE_NOISE_SIGMAS, severity);
  const output = new Float32Array(image.length);
  for (let i = 0; i < image.length; i++) output[i] = clampUnit(image[i] * (1 + sigma * random.normal()));
  return output;
}
