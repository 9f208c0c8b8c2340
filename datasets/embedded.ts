/**
 * The embedded default dataset: a small subset of real CIFAR-10 images shipped
 * in `data/cifar10-small/` (10 classes, 200 train and 50 val JPEG images per
 * class), so that the suite runs without downloads. `PROVENANCE.md` in that
 * folder states the source and how the subset was drawn.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { type ImageFolderOptions, loadImageFolder } from "./image_folder.ts";
import type { ImageDataset } from "./types.ts";

/** Absolute path of the embedded subset, resolved from this module's location. */
export const EMBEDDED_DATASET_ROOT: string = fileURLToPath(new URL("../data/cifar10-small", import.meta.url));

/** Name of the embedded dataset in run ids and reports. */
export const EMBEDDED_DATASET_NAME = "cifar10-embedded";

/**
 * Loads the embedded CIFAR-10 subset with the image-folder reader.
 *
 * @example
 * ```ts
 * const dataset = await loadEmbeddedDataset({ side: 32 });
 * console.log(dataset.train.count, dataset.val.count); // 2000 500
 * ```
 *
 * @param options Same options as {@linkcode loadImageFolder}; `side: 32` keeps the original resolution.
 * @returns The dataset named `cifar10-embedded`.
 */
export async function loadEmbeddedDataset(options: ImageFolderOptions): Promise<ImageDataset> {
  const dataset = await loadImageFolder(EMBEDDED_DATASET_ROOT, options);
  return {
    ...dataset,
    name: EMBEDDED_DATASET_NAME,
    source: `embedded CIFAR-10 subset (${EMBEDDED_DATASET_ROOT})`,
  };
}
