/**
 * Subsets of a split: the first images of each class, for CPU-sized runs, and
 * any list of images. A split in memory is copied, a streamed split only
 * records which of its file's images it keeps.
 *
 * @module
 */
import { isStreamed, type TrainSplit } from "./types.ts";

/**
 * Keeps the first `perClass` images of each class, in split order.
 *
 * @param perClass Images to keep per class; 0 keeps the split unchanged.
 * @throws {Error} when `perClass` is negative or not an integer.
 */
export function takePerClass<T extends TrainSplit>(split: T, perClass: number): T {
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
  return selectImages(split, keptIndices);
}

/** Returns the split of the images at `indices` (positions in `split`), in that order. */
export function selectImages<T extends TrainSplit>(split: T, indices: readonly number[]): T {
  const labels = Int32Array.from(indices, (index) => split.labels[index]);
  const shape = { labels, count: indices.length, height: split.height, width: split.width };
  if (isStreamed(split)) {
    return {
      ...shape,
      file: split.file,
      indices: Int32Array.from(indices, (index) => split.indices[index]),
    } as T;
  }
  const pixelsPerImage = split.height * split.width * 3;
  const images = new Uint8Array(indices.length * pixelsPerImage);
  indices.forEach((index, i) => {
    images.set(
      split.images.subarray(index * pixelsPerImage, (index + 1) * pixelsPerImage),
      i * pixelsPerImage,
    );
  });
  return { ...shape, images } as T;
}
