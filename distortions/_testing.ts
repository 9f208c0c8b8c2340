/**
 * Helpers for the distortion and NMI tests.
 *
 * @module
 */

import { Random } from "../engine/random.ts";

/** Returns an HWC image of shape [height, width, 3] with i.i.d. U(0, 1) values drawn from `seed`. */
export function noiseImage(height: number, width: number, seed: number): Float32Array {
  const random = new Random(seed);
  const image = new Float32Array(height * width * 3);
  for (let i = 0; i < image.length; i++) image[i] = random.uniform();
  return image;
}

/** Returns the mean squared difference of two arrays of the same length. */
export function meanSquaredError(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  return sum / a.length;
}

/** Returns the smallest and the largest value of `values`. NaN makes both NaN. */
export function valueRange(values: Float32Array): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const value of values) {
    if (Number.isNaN(value)) return { min: NaN, max: NaN };
    min = Math.min(min, value);
    max = Math.max(max, value);
  }
  return { min, max };
}
