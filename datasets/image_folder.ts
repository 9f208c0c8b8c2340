/**
 * Reader for image-folder datasets in the ImageNet-100 layout
 * (`root/train/<class>/*`, `root/val/<class>/*`, optional `root/Labels.json`),
 * with decoded splits cached on disk.
 *
 * @module
 */
import { basename } from "node:path";
import { applyBadImagePolicy, type DecodedSplit } from "./bad_images.ts";
import {
  type CachedSplit,
  cacheFilePath,
  readCachedSplit,
  readOrIgnoreCache,
  writeCachedSplit,
} from "./cache.ts";
import { computeCacheKey, defaultCacheDir } from "./cache_key.ts";
import { decodedImageBytes, decodeImages, RESIZE_RULE } from "./decode_image.ts";
import { type ImageFileEntry, type ImageFolderLayout, scanImageFolder } from "./image_folder_layout.ts";
import { loadStreamedSplit } from "./image_folder_stream.ts";
import type { ImageDataset, TrainSplit } from "./types.ts";

export { BadImagesError } from "./bad_images.ts";

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
  /**
   * Whether images that fail to decode are left out of their split, listed in a
   * console warning and counted in `skippedImages`, instead of raising. Default false.
   */
  skipBadImages?: boolean;
  /**
   * Whether the train split stays in its decode-cache file and is read per batch
   * (a `StreamedSplit`), so that memory does not grow with it. It needs the cache.
   * `auto` streams when the decoded split would take more than a quarter of the
   * machine's memory. The val split is always held in memory. Default false.
   */
  stream?: boolean | "auto";
}

/**
 * Loads an image-folder dataset, decoding every image to `side` x `side` RGB.
 *
 * Classes are the sorted folder names under `train/`; see
 * {@linkcode scanImageFolder} for the layout rules. Images are scaled so the
 * shorter side equals `side` and centre-cropped; see {@linkcode RESIZE_RULE}.
 * Decoded splits are stored in `cacheDir` and reused while no image file changes
 * its path, size or modification time. The cache also records which images
 * failed, and those are decoded again on every load, so a failure that has gone
 * away since is not kept.
 *
 * @example
 * ```ts
 * const dataset = await loadImageFolder("/data/imagenet100", { side: 64 });
 * console.log(dataset.classNames.length, dataset.train.count);
 * ```
 *
 * @param root Dataset root folder.
 * @param options Output size, cache folder, concurrency, progress callback and bad-image policy.
 * @returns The dataset, named after the root folder, with `skippedImages` set.
 * @throws {BadImagesError} When any image fails to decode, after trying all of
 * them, unless `skipBadImages` is set.
 * @throws When the folder layout or `Labels.json` is invalid, when `side` is out
 * of range, or when skipping bad images leaves a train class or the val split empty.
 */
export async function loadImageFolder(root: string, options: ImageFolderOptions): Promise<ImageDataset> {
  validateSide(options.side);
  const layout = await scanImageFolder(root);
  for (const note of layout.notes) console.warn(note);
  const cacheDir = options.cacheDir === false ? null : options.cacheDir ?? defaultCacheDir();

  let decodedTrain: DecodedSplit<TrainSplit>;
  if (shouldStream(options, layout.train.length, cacheDir)) {
    if (cacheDir === null) {
      throw new Error(
        "Streaming the training images needs the decoded-image cache, but cacheDir is false; " +
          "pass a cache folder as cacheDir, or load without stream.",
      );
    }
    const key = splitCacheKey(layout, "train", options.side);
    decodedTrain = await loadStreamedSplit(layout.train, layout.root, cacheDir, key, options);
  } else {
    decodedTrain = await loadSplit(layout, "train", cacheDir, options);
  }
  const decodedVal = await loadSplit(layout, "val", cacheDir, options);
  const { train, val, skippedImages } = applyBadImagePolicy(
    layout.root,
    layout.classFolders,
    decodedTrain,
    decodedVal,
    options.skipBadImages ?? false,
  );

  return {
    name: basename(layout.root),
    classNames: layout.classNames,
    train,
    val,
    source: layout.root,
    skippedImages,
  };
}

function validateSide(side: number): void {
  if (!Number.isInteger(side) || side < 1 || side > 4096) {
    throw new RangeError(`Invalid image side ${side}: expected an integer number of pixels from 1 to 4096`);
  }
}

async function loadSplit(
  layout: ImageFolderLayout,
  splitName: "train" | "val",
  cacheDir: string | null,
  options: ImageFolderOptions,
): Promise<DecodedSplit> {
  const files = layout[splitName];
  const key = splitCacheKey(layout, splitName, options.side);

  const cached = cacheDir === null ? null : await readOrIgnoreCache(readCachedSplit(cacheDir, key));
  if (cached !== null) {
    const total = cached.split.count;
    options.onProgress?.({ split: splitName, done: total, total, fromCache: true });
    const retried = await decodeFailedAgain(cached, files, options);
    const recovered = retried.badImages.length < cached.badImageIndices.length;
    if (cacheDir !== null && recovered) await writeCacheOrWarn(cacheDir, key, retried, layout.root);
    return retried;
  }

  const decoded = await decodeSplit(files, splitName, options);
  if (cacheDir !== null) await writeCacheOrWarn(cacheDir, key, decoded, layout.root);
  return decoded;
}

/** Share of the machine's memory above which `stream: "auto"` streams the train split. */
const AUTO_STREAM_MEMORY_SHARE = 0.25;

function shouldStream(options: ImageFolderOptions, count: number, cacheDir: string | null): boolean {
  if (options.stream !== "auto") return options.stream === true;
  const bytes = count * decodedImageBytes(options.side);
  const memory = availableMemoryBytes();
  if (bytes <= AUTO_STREAM_MEMORY_SHARE * memory || cacheDir === null) return false;
  const gib = (value: number) => (value / 2 ** 30).toFixed(1);
  console.warn(
    `Streaming the ${count} training images from the decoded-image cache: decoded they take ` +
      `${gib(bytes)} GiB, more than a quarter of the ${gib(memory)} GiB of memory this process may use. ` +
      "Pass --stream off to hold them in memory anyway.",
  );
  return true;
}

/**
 * Returns the memory this process may use: the machine's, or the cgroup v2 limit
 * (`/sys/fs/cgroup/memory.max`, set by containers and batch schedulers) where lower.
 */
function availableMemoryBytes(): number {
  const total = Deno.systemMemoryInfo().total;
  try {
    const limit = Number(Deno.readTextFileSync("/sys/fs/cgroup/memory.max").trim());
    return Number.isFinite(limit) && limit > 0 ? Math.min(total, limit) : total;
  } catch {
    return total;
  }
}

function splitCacheKey(layout: ImageFolderLayout, splitName: "train" | "val", side: number): string {
  return computeCacheKey({
    files: layout[splitName],
    classFolders: layout.classFolders,
    side,
    resizeRule: RESIZE_RULE,
  });
}

/** Decodes the images that failed when the split was cached, filling in those that decode now. */
async function decodeFailedAgain(
  cached: CachedSplit,
  files: ImageFileEntry[],
  options: ImageFolderOptions,
): Promise<DecodedSplit> {
  const { split, badImageIndices } = cached;
  if (badImageIndices.length === 0) return { split, badImages: [] };

  const paths = badImageIndices.map((index) => files[index].path);
  const { pixels, badImages } = await decodeImages(paths, {
    side: options.side,
    concurrency: options.concurrency,
  });
  const stillBad = new Set(badImages.map((bad) => bad.index));
  const imageBytes = decodedImageBytes(options.side);
  badImageIndices.forEach((splitIndex, retryIndex) => {
    if (stillBad.has(retryIndex)) return;
    const decoded = pixels.subarray(retryIndex * imageBytes, (retryIndex + 1) * imageBytes);
    split.images.set(decoded, splitIndex * imageBytes);
  });
  const remapped = badImages.map((bad) => ({ ...bad, index: badImageIndices[bad.index] }));
  return { split, badImages: remapped };
}

async function decodeSplit(
  files: ImageFileEntry[],
  splitName: "train" | "val",
  options: ImageFolderOptions,
): Promise<DecodedSplit> {
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

async function writeCacheOrWarn(
  cacheDir: string,
  key: string,
  decoded: DecodedSplit,
  root: string,
): Promise<void> {
  const badImageIndices = decoded.badImages.map((bad) => bad.index).sort((a, b) => a - b);
  try {
    await writeCachedSplit(cacheDir, key, decoded.split, root, badImageIndices);
  } catch (error) {
    const path = cacheFilePath(cacheDir, key);
    console.warn(`Could not write the decoded-image cache ${path}, continuing without it: ${error}`);
  }
}
