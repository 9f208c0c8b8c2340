/**
 * Policy for image files that fail to decode. By default loading stops with a
 * list of every such file, and with `skipBadImages` they are left out of their
 * split and counted.
 *
 * @module
 */
import { join } from "node:path";
import type { BadImage } from "./decode_image.ts";
import { selectImages } from "./subset.ts";
import type { ImageSplit, SkippedImageCounts, TrainSplit } from "./types.ts";

/** Maximum number of files named in a message; the rest are counted. */
const MAX_LISTED_FILES = 20;

/** One split after decoding, with the images in it that failed. */
export interface DecodedSplit<T extends TrainSplit = ImageSplit> {
  split: T;
  /** Failed images; `index` is the image's position in `split`. */
  badImages: BadImage[];
}

/** Error raised when images cannot be decoded, listing every such file. */
export class BadImagesError extends Error {
  /** Every file that failed, with sharp's reason. */
  readonly badImages: BadImage[];

  /** Creates the error. The message lists the first 20 files and counts the rest. */
  constructor(root: string, badImages: BadImage[]) {
    super(
      `Failed to decode ${badImages.length} image(s) in ${root}:\n${formatBadImageList(badImages)}\n` +
        `Replace or delete these files and run again, or pass --skip-bad-images to bench ` +
        `(skipBadImages: true to loadDataset) to train without them.`,
    );
    this.name = "BadImagesError";
    this.badImages = badImages;
  }
}

/** Formats one line per file, `  path: reason`, for the first 20 files, and counts the rest. */
export function formatBadImageList(badImages: readonly BadImage[]): string {
  const lines = badImages.slice(0, MAX_LISTED_FILES).map((bad) => `  ${bad.path}: ${bad.reason}`);
  const unlisted = badImages.length - lines.length;
  if (unlisted > 0) lines.push(`  ... and ${unlisted} more`);
  return lines.join("\n");
}

/** The splits left after {@linkcode applyBadImagePolicy}, with the number of images removed. */
export interface CheckedSplits {
  train: TrainSplit;
  val: ImageSplit;
  skippedImages: SkippedImageCounts;
}

/**
 * Applies the policy for images that failed to decode.
 *
 * Without `skip`, any failure raises {@linkcode BadImagesError}. With `skip`,
 * failed images are removed from their split and listed in a warning on the
 * console.
 *
 * @param root Dataset root folder, for messages.
 * @param classFolders Class folder names under `train/`; index i is label i.
 * @param train Decoded train split.
 * @param val Decoded val split.
 * @param skip Whether to remove failed images instead of raising.
 * @returns The splits without failed images and the number removed from each.
 * @throws {BadImagesError} When an image failed and `skip` is false.
 * @throws When skipping leaves a train class or the val split without images.
 */
export function applyBadImagePolicy(
  root: string,
  classFolders: readonly string[],
  train: DecodedSplit<TrainSplit>,
  val: DecodedSplit,
  skip: boolean,
): CheckedSplits {
  const badImages = [...train.badImages, ...val.badImages];
  const skippedImages = { train: train.badImages.length, val: val.badImages.length };
  if (badImages.length === 0) return { train: train.split, val: val.split, skippedImages };
  if (!skip) throw new BadImagesError(root, badImages);

  console.warn(
    `Skipping ${badImages.length} image(s) in ${root} that failed to decode:\n` +
      formatBadImageList(badImages),
  );
  const trainRemaining = removeImages(train.split, train.badImages.map((bad) => bad.index));
  const valRemaining = removeImages(val.split, val.badImages.map((bad) => bad.index));
  requireEveryTrainClass(root, classFolders, trainRemaining);
  if (valRemaining.count === 0) {
    throw new Error(
      `Every val image in ${join(root, "val")} failed to decode, so there is nothing to evaluate on; ` +
        `replace the files listed in the warning above.`,
    );
  }
  return { train: trainRemaining, val: valRemaining, skippedImages };
}

function requireEveryTrainClass(root: string, classFolders: readonly string[], train: TrainSplit): void {
  const present = new Set(train.labels);
  const emptied = classFolders.filter((_, label) => !present.has(label)).map((name) =>
    join(root, "train", name)
  );
  if (emptied.length === 0) return;
  throw new Error(
    `Every image in ${emptied.join(", ")} failed to decode, so no training image of that class is left; ` +
      `replace the files listed in the warning above, or remove the folder.`,
  );
}

/** Returns `split` without the images at `indices`, keeping the order of the rest. */
export function removeImages<T extends TrainSplit>(split: T, indices: readonly number[]): T {
  if (indices.length === 0) return split;
  const removed = new Set(indices);
  return selectImages(split, [...split.labels.keys()].filter((index) => !removed.has(index)));
}
