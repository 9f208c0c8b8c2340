/**
 * Reader for image-folder datasets in the ImageNet-100 layout
 * (`root/train/<class>/*`, `root/val/<class>/*`, optional `root/Labels.json`),
 * with decoded splits cached on disk.
 *
 * @module
 */
import { basename } from "node:path";
import {
  cacheFilePath,
  computeCacheKey,
  defaultCacheDir,
  readCachedSplit,
  writeCachedSplit,
} from "./cache.ts";
import { type BadImage, decodeImages, RESIZE_RULE } from "./decode_image.ts";
import { type ImageFileEntry, type ImageFolderLayout, scanImageFolder } from "./image_folder_layout.ts";
import type { ImageDataset, ImageSplit } from "./types.ts";

/** Progress of one split: images decoded so far, or the whole split read from the cache. */
export interface ImageFolderProgress {
  split: "train" | "val";
  /** Images finished, decoded or failed. */
  done: number;
  /** Images in the split. */
  total: number;
  /** True when the split was read from the cache instead of decoded. */
  fromCache: boolean;
}

/** Options for {@linkcode loadImageFolder}. */
export interface ImageFolderOptions {
  /** Output width and height in pixels, an integer from 1 to 4096. */
  side: number;
  /**
   * Folder for decoded splits, by default {@linkcode defaultCacheDir}. `false`
   * turns the cache off.
   */
  cacheDir?: string | false;
  /** Maximum number of images decoded at once. Default 8. */
  concurrency?: number;
  /** Called after each decoded image, and once per split read from the cache. */
  onProgress?: (progress: ImageFolderProgress) => void;
}

/** Error raised when images cannot be decoded, listing every such file. */
export class BadImagesError extends Error {
  /** Every file that failed, with sharp's reason. */
  readonly badImages: BadImage[];

  /** Creates the error. The message lists the first 20 files and counts the rest. */
  constructor(root: string, badImages: BadImage[]) {
    const shown = badImages.slice(0, 20).map((bad) => `  ${bad.path}: ${bad.reason}`);
    if (badImages.length > shown.length) shown.push(`  ... and ${badImages.length - shown.length} more`);
    super(
      `Failed to decode ${badImages.length} image(s) in ${root}:\n${shown.join("\n")}\n` +
        `Replace or delete these files, then load the dataset again.`,
    );
    this.name = "BadImagesError";
    this.badImages = badImages;
  }
}

/**
 * Loads an image-folder dataset, decoding every image to `side` x `side` RGB.
 *
 * Classes are the sorted folder names under `train/`; see
 * {@linkcode scanImageFolder} for the layout rules. Images are scaled so the
 * shorter side equals `side` and centre-cropped; see {@linkcode RESIZE_RULE}.
 * Decoded splits are stored in `cacheDir` and reused while no image file changes
 * its path, size or modification time.
 *
 * @example
 * ```ts
 * const dataset = await loadImageFolder("/data/imagenet100", { side: 64 });
 * console.log(dataset.classNames.length, dataset.train.count);
 * ```
 *
 * @param root Dataset root folder.
 * @param options Output size, cache folder, concurrency and progress callback.
 * @returns The dataset, named after the root folder.
 * @throws {BadImagesError} When any image fails to decode, after trying all of them.
 * @throws When the folder layout or `Labels.json` is invalid, or `side` is out of range.
 */
export async function loadImageFolder(root: string, options: ImageFolderOptions): Promise<ImageDataset> {
  validateSide(options.side);
  const layout = await scanImageFolder(root);
  const cacheDir = options.cacheDir === false ? null : options.cacheDir ?? defaultCacheDir();

  const train = await loadSplit(layout, "train", cacheDir, options);
  const val = await loadSplit(layout, "val", cacheDir, options);
  handleBadImages(layout.root, [...train.badImages, ...val.badImages]);

  return {
    name: basename(layout.root),
    classNames: layout.classNames,
    train: train.split,
    val: val.split,
    source: layout.root,
  };
}

function validateSide(side: number): void {
  if (!Number.isInteger(side) || side < 1 || side > 4096) {
    throw new RangeError(`Invalid image side ${side}: expected an integer number of pixels from 1 to 4096`);
  }
}

/** Applies the policy for images that failed to decode: every failure is fatal. */
function handleBadImages(root: string, badImages: BadImage[]): void {
  if (badImages.length > 0) throw new BadImagesError(root, badImages);
}

async function loadSplit(
  layout: ImageFolderLayout,
  splitName: "train" | "val",
  cacheDir: string | null,
  options: ImageFolderOptions,
): Promise<{ split: ImageSplit; badImages: BadImage[] }> {
  const files = layout[splitName];
  const key = computeCacheKey({
    files,
    classFolders: layout.classFolders,
    side: options.side,
    resizeRule: RESIZE_RULE,
  });

  const cached = cacheDir === null ? null : await readCacheOrWarn(cacheDir, key);
  if (cached !== null) {
    options.onProgress?.({ split: splitName, done: cached.count, total: cached.count, fromCache: true });
    return { split: cached, badImages: [] };
  }

  const { split, badImages } = await decodeSplit(files, splitName, options);
  if (cacheDir !== null && badImages.length === 0) await writeCacheOrWarn(cacheDir, key, split, layout.root);
  return { split, badImages };
}

async function decodeSplit(
  files: ImageFileEntry[],
  splitName: "train" | "val",
  options: ImageFolderOptions,
): Promise<{ split: ImageSplit; badImages: BadImage[] }> {
  const total = files.length;
  const { pixels, badImages } = await decodeImages(files.map((file) => file.path), {
    side: options.side,
    concurrency: options.concurrency,
    onImageDone: (done) => options.onProgress?.({ split: splitName, done, total, fromCache: false }),
  });

  const labels = Int32Array.from(files, (file) => file.label);
  const split = { images: pixels, labels, count: total, height: options.side, width: options.side };
  return { split, badImages };
}

async function readCacheOrWarn(cacheDir: string, key: string): Promise<ImageSplit | null> {
  try {
    return await readCachedSplit(cacheDir, key);
  } catch (error) {
    console.warn(`Ignoring the decoded-image cache, decoding again: ${(error as Error).message}`);
    return null;
  }
}

async function writeCacheOrWarn(
  cacheDir: string,
  key: string,
  split: ImageSplit,
  root: string,
): Promise<void> {
  try {
    await writeCachedSplit(cacheDir, key, split, root);
  } catch (error) {
    const path = cacheFilePath(cacheDir, key);
    console.warn(`Could not write the decoded-image cache ${path}, continuing without it: ${error}`);
  }
}
