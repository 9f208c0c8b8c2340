/**
 * Dataset loading for the suite: the embedded CIFAR-10 subset, image folders in
 * the ImageNet-100 layout, and the CIFAR-10 and CIFAR-100 binary releases, all
 * decoded to {@linkcode ImageDataset}.
 *
 * @example
 * ```ts
 * import { loadDataset } from "./datasets/mod.ts";
 *
 * const dataset = await loadDataset("embedded", { side: 32 });
 * console.log(dataset.name, dataset.classNames.length, dataset.train.count);
 * ```
 *
 * @module
 */
import { join, resolve } from "node:path";
import { CIFAR_SIDE, type CifarLabelKind, findCifarBinaryFiles, loadCifarBinary } from "./cifar_binary.ts";
import { loadEmbeddedDataset } from "./embedded.ts";
import { type ImageFolderOptions, loadImageFolder } from "./image_folder.ts";
import type { ImageDataset } from "./types.ts";

export type { ImageDataset, ImageSplit, SkippedImageCounts, StreamedSplit, TrainSplit } from "./types.ts";
export { isStreamed } from "./types.ts";
export { BadImagesError } from "./bad_images.ts";
export { type ImageFolderOptions, type ImageFolderProgress, loadImageFolder } from "./image_folder.ts";
export { type CifarLabelKind, loadCifarBinary } from "./cifar_binary.ts";
export { EMBEDDED_DATASET_NAME, EMBEDDED_DATASET_ROOT, loadEmbeddedDataset } from "./embedded.ts";
export { defaultCacheDir } from "./cache_key.ts";

/** Spec that selects the embedded CIFAR-10 subset. */
export const EMBEDDED_SPEC = "embedded";

/** Options for {@linkcode loadDataset}. */
export interface LoadDatasetOptions extends ImageFolderOptions {
  /** CIFAR-100 binary only: fine (100 classes, default) or coarse (20 superclasses) labels. */
  cifarLabels?: CifarLabelKind;
}

/**
 * Loads a dataset from a spec:
 *
 * - `embedded` (the default): the shipped CIFAR-10 subset, named `cifar10-embedded`;
 * - a folder with `train/` and `val/` subfolders: an image folder, named after the folder;
 * - a folder with CIFAR-10 or CIFAR-100 binary files, directly or in
 *   `cifar-10-batches-bin` / `cifar-100-binary`: named `cifar10`, `cifar100` or
 *   `cifar100-coarse`.
 *
 * CIFAR binaries are only read at their native 32x32 size, so `side` must be 32
 * for them. A folder literally named `embedded` is reached as `./embedded`.
 *
 * @param spec `embedded`, `undefined` (same as `embedded`) or a folder path.
 * @param options Output size, cache folder, progress callback, bad-image policy and
 * CIFAR-100 label choice. The bad-image policy applies to image folders only.
 * @returns The decoded dataset.
 * @throws When the spec matches none of the three forms, or the selected reader fails.
 */
export async function loadDataset(
  spec: string | undefined,
  options: LoadDatasetOptions,
): Promise<ImageDataset> {
  if (spec === undefined || spec === EMBEDDED_SPEC) return await loadEmbeddedDataset(options);

  const acceptedForms = `expected "${EMBEDDED_SPEC}", a folder with train/ and val/ subfolders, ` +
    `or a folder with CIFAR-10/CIFAR-100 binary files`;
  if (spec === "") throw new Error(`Empty dataset spec; ${acceptedForms}`);
  const root = resolve(spec);
  if (!(await isDirectory(root))) {
    throw new Error(`Dataset ${JSON.stringify(spec)} not found: ${root} is not a folder; ${acceptedForms}`);
  }

  if ((await isDirectory(join(root, "train"))) && (await isDirectory(join(root, "val")))) {
    return await loadImageFolder(root, options);
  }

  if ((await findCifarBinaryFiles(root)) !== null) {
    if (options.side !== CIFAR_SIDE) {
      throw new Error(
        `CIFAR binary dataset ${root} has 32x32 images, but side ${options.side} was requested; ` +
          `use side 32, or convert the images to an image folder to resize them`,
      );
    }
    if (options.stream === true) {
      console.warn(
        `Streaming applies to image folders only; the CIFAR binary files of ${root} are read into memory.`,
      );
    }
    return await loadCifarBinary(root, { labels: options.cifarLabels });
  }

  const hasTrain = await isDirectory(join(root, "train"));
  const hasVal = await isDirectory(join(root, "val"));
  if (hasTrain !== hasVal) {
    const [present, missing] = hasTrain ? ["train/", "val/"] : ["val/", "train/"];
    throw new Error(
      `Dataset folder ${root} has ${present} but no ${missing} subfolder; ` +
        `an image folder needs both, with one folder per class in each.`,
    );
  }
  throw new Error(
    `Dataset folder ${root} has no train/ and val/ subfolders and no CIFAR binary files; ${acceptedForms}`,
  );
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}
