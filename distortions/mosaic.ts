/**
 * Mosaic (pixelation): each block of the image is replaced by its mean colour.
 *
 * @module
 */

import { CHANNELS, clampUnit, validateImage, validateLevel } from "./_image.ts";

/**
 * Returns the mosaic block side in pixels, max(1, round(sqrt(d) * max(H, W))). Level 0
 * gives 1-pixel blocks (no change) and level 1 one block over the whole image.
 */
export function mosaicBlockSize(level: number, height: number, width: number): number {
  validateLevel(level, "mosaicBlockSize");
  return Math.max(1, Math.round(Math.sqrt(level) * Math.max(height, width)));
}

/**
 * Replaces each b x b block, with b = {@linkcode mosaicBlockSize}, by its per-channel
 * mean. Blocks start at the top-left corner, so blocks on the bottom and right edges
 * may be smaller. Means are computed in float64.
 *
 * @param image Pixels, shape [height, width, 3] (HWC), values in [0, 1].
 * @param height Image height in pixels.
 * @param width Image width in pixels.
 * @param level Distortion level d in [0, 1].
 * @returns A new Float32Array of the same shape, values clamped to [0, 1].
 */
export function applyMosaic(image: Float32Array, height: number, width: number, level: number): Float32Array {
  validateImage(image, height, width, "applyMosaic");
  validateLevel(level, "applyMosaic");
  const block = mosaicBlockSize(level, height, width);
  const output = new Float32Array(image.length);
  const sums = new Float64Array(CHANNELS);

  for (let top = 0; top < height; top += block) {
    const bottom = Math.min(top + block, height);
    for (let left = 0; left < width; left += block) {
      const right = Math.min(left + block, width);
      sums.fill(0);
      for (let y = top; y < bottom; y++) {
        for (let x = left; x < right; x++) {
          for (let c = 0; c < CHANNELS; c++) sums[c] += image[(y * width + x) * CHANNELS + c];
        }
      }

      const pixels = (bottom - top) * (right - left);
      for (let y = top; y < bottom; y++) {
        for (let x = left; x < right; x++) {
          for (let c = 0; c < CHANNELS; c++) {
            output[(y * width + x) * CHANNELS + c] = clampUnit(sums[c] / pixels);
          }
        }
      }
    }
  }
  return output;
}
