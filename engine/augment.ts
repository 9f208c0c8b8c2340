/**
 * Standard augmentation that every method gets: a random crop from the image
 * padded with zeros on each side, and a horizontal flip with probability 0.5
 * (torchvision's `RandomCrop(32, padding=4)` and `RandomHorizontalFlip()`).
 *
 * @module
 */
import type { Random } from "./random.ts";

/** Returns the crop padding for an image side: 4 px at 32 px, scaled with the side (side / 8, rounded). */
export function defaultCropPadding(side: number): number {
  return Math.round(side / 8);
}

/**
 * Writes one randomly cropped and flipped copy of an 8-bit image into `output`
 * as float values in [0, 1].
 *
 * @param source Pixels of the whole split, [count, height, width, 3], values 0..255.
 * @param index Image index in `source`.
 * @param height Image height in pixels.
 * @param width Image width in pixels.
 * @param padding Zero padding in pixels on each side before the crop; 0 disables the crop.
 * @param random Draws the crop offsets and the flip, in that order.
 * @param output Destination, at least height * width * 3 values starting at `offset`.
 * @param offset First value of `output` to write.
 */
export function cropAndFlip(
  source: Uint8Array,
  index: number,
  height: number,
  width: number,
  padding: number,
  random: Random,
  output: Float32Array,
  offset: number,
): void {
  const shiftY = padding > 0 ? random.integer(2 * padding + 1) - padding : 0;
  const shiftX = padding > 0 ? random.integer(2 * padding + 1) - padding : 0;
  const flip = random.uniform() < 0.5;
  const imageOffset = index * height * width * 3;
  for (let y = 0; y < height; y++) {
    const sourceY = y + shiftY;
    for (let x = 0; x < width; x++) {
      const target = offset + (y * width + x) * 3;
      const sourceX = (flip ? width - 1 - x : x) + shiftX;
      if (sourceY < 0 || sourceY >= height || sourceX < 0 || sourceX >= width) {
        output[target] = output[target + 1] = output[target + 2] = 0;
        continue;
      }
      const from = imageOffset + (sourceY * width + sourceX) * 3;
      output[target] = source[from] / 255;
      output[target + 1] = source[from + 1] / 255;
      output[target + 2] = source[from + 2] / 255;
    }
  }
}

/** Copies one 8-bit image into `output` as float values in [0, 1], unchanged. */
export function copyImage(
  source: Uint8Array,
  index: number,
  pixelsPerImage: number,
  output: Float32Array,
  offset: number,
): void {
  const start = index * pixelsPerImage;
  for (let i = 0; i < pixelsPerImage; i++) output[offset + i] = source[start + i] / 255;
}
