/**
 * Per-class subsets of a split, for CPU-sized runs.
 *
 * @module
 */
import type { ImageSplit } from "./types.ts";

/**
 * Keeps the first `perClass` images of each class, in split order.
 *
 * @param perClass Images to keep per class; 0 keeps the split unchanged.
 * @throws {Error} when `perClass` is negative or not an integer.
 */
export function takePerClass(split: ImageSplit, perClass: number): ImageSplit {
  if (!Number.isInteger(perClass) || perClass < 0) {
    throw new Error(`Invalid images-per-class count ${perClass}; use a non-negative integer (0 keeps all).`);
  }
  if (perClass === 0) return split;
  const keptPerClass = new Map<number, number>();
  const keptIndices: number[] = [];
  split.labels.forEach((label, index) => {
    const count = keptPerClass.get(label) ?? 0;
    if (count < perClass) {
      keptIndices.push(index);
      keptPerClass.set(label, count + 1);
    }
  });
  const pixelsPerImage = split.height * split.width * 3;
  const images = new Uint8Array(keptIndices.length * pixelsPerImage);
  const labels = new Int32Array(keptIndices.length);
  keptIndices.forEach((index, i) => {
    images.set(
      split.images.subarray(index * pixelsPerImage, (index + 1) * pixelsPerImage),
      i * pixelsPerImage,
    );
    labels[i] = split.labels[index];
  });
  return { images, labels, count: keptIndices.length, height: split.height, width: split.width };
}
