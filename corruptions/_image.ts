/**
 * Conversions between the Float32Array images of the public API and the Float64Array
 * planes the corruptions compute on.
 *
 * @module
 */

import { clampUnit } from "../distortions/_image.ts";

/** Returns a Float64Array copy of `image`. */
export function toPlane(image: Float32Array): Float64Array {
  return Float64Array.from(image);
}

/** Returns `plane` as a new Float32Array with every value clamped to [0, 1] (NaN becomes 0). */
export function toClampedImage(plane: ArrayLike<number>): Float32Array {
  const image = new Float32Array(plane.length);
  for (let i = 0; i < plane.length; i++) image[i] = clampUnit(plane[i]);
  return image;
}
