/**
 * Patch dropout: square patches of the image are set to 0.
 *
 * @module
 */

import type { Random } from "../engine/random.ts";
import type { PixelBox } from "../methods/types.ts";
import { CHANNELS, clampUnit, validateImage, validateLevel } from "./_image.ts";

/** Options for {@linkcode applyPatchDropout}. */
export interface DropoutOptions {
  /** Patch side in pixels, a positive integer. Default max(1, floor(min(H, W) / 4)). */
  patchSize?: number;
}

/** Grid of square patches covering an image, whose last row and column may be partial. */
export interface PatchGrid {
  /** Patch side in pixels. */
  patchSize: number;
  /** Patches per column, ceil(height / patchSize). */
  rows: number;
  /** Patches per row, ceil(width / patchSize). */
  columns: number;
}

/**
 * Tiles an image into square patches. The default side floor(min(H, W) / 4) gives at
 * least 4 x 4 = 16 patches when both sides are at least 4 pixels. Smaller images use
 * 1-pixel patches.
 */
export function patchGrid(height: number, width: number, options: DropoutOptions = {}): PatchGrid {
  const patchSize = options.patchSize ?? Math.max(1, Math.floor(Math.min(height, width) / 4));
  if (!Number.isInteger(patchSize) || patchSize < 1) {
    throw new RangeError(`patchGrid: patchSize must be a positive integer, got ${patchSize}`);
  }
  return { patchSize, rows: Math.ceil(height / patchSize), columns: Math.ceil(width / patchSize) };
}

/**
 * Draws round(level * count) distinct indices in [0, count), uniformly without
 * replacement, by a partial Fisher-Yates shuffle (one `random.integer` call per index).
 */
export function samplePatchIndices(count: number, level: number, random: Random): Int32Array {
  validateLevel(level, "samplePatchIndices");
  const chosenCount = Math.round(level * count);
  const indices = new Int32Array(count);
  for (let i = 0; i < count; i++) indices[i] = i;
  for (let i = 0; i < chosenCount; i++) {
    const j = i + random.integer(count - i);
    const swap = indices[i];
    indices[i] = indices[j];
    indices[j] = swap;
  }
  return indices.slice(0, chosenCount);
}

/**
 * Sets a fraction d of the image's patches to 0 and keeps the rest. The patches are
 * chosen first with {@linkcode samplePatchIndices}, round(d * numPatches) of them, then
 * zeroed, so a level of 0 returns a copy and a level of 1 a black image.
 *
 * @param image Pixels, shape [height, width, 3] (HWC), values in [0, 1].
 * @param height Image height in pixels.
 * @param width Image width in pixels.
 * @param level Distortion level d in [0, 1], the fraction of patches dropped.
 * @param random Source of the patch choice.
 * @returns A new Float32Array of the same shape, values clamped to [0, 1].
 */
export function applyPatchDropout(
  image: Float32Array,
  height: number,
  width: number,
  level: number,
  random: Random,
  options: DropoutOptions = {},
): Float32Array {
  validateImage(image, height, width, "applyPatchDropout");
  validateLevel(level, "applyPatchDropout");
  const output = new Float32Array(image.length);
  for (let i = 0; i < image.length; i++) output[i] = clampUnit(image[i]);
  for (const { top, left, bottom, right } of sampleDroppedPatches(height, width, level, random, options)) {
    for (let y = top; y < bottom; y++) {
      output.fill(0, (y * width + left) * CHANNELS, (y * width + right) * CHANNELS);
    }
  }
  return output;
}

/**
 * Draws the patches that {@linkcode applyPatchDropout} sets to zero at `level`,
 * clipped to the image, drawing from `random` as that function does.
 */
export function sampleDroppedPatches(
  height: number,
  width: number,
  level: number,
  random: Random,
  options: DropoutOptions = {},
): PixelBox[] {
  const grid = patchGrid(height, width, options);
  return [...samplePatchIndices(grid.rows * grid.columns, level, random)].map((patch) => {
    const top = Math.floor(patch / grid.columns) * grid.patchSize;
    const left = (patch % grid.columns) * grid.patchSize;
    return {
      top,
      left,
      bottom: Math.min(top + grid.patchSize, height),
      right: Math.min(left + grid.patchSize, width),
    };
  });
}
