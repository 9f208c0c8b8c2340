/**
 * Regenerates the embedded CIFAR-10 subset in `data/cifar10-small/` from the
 * extracted JPEG release of CIFAR-10 (an image folder with `train/`, `val/` and
 * `Labels.json`).
 *
 * The subset holds, per class, the first 200 train and the first 50 val images
 * in file-name order (UTF-16 code-unit order). The script replaces `train/`,
 * `val/` and `Labels.json` in the output folder and leaves other files there.
 *
 * Usage:
 *
 *     deno run --allow-read --allow-write datasets/make_embedded_subset.ts ~/.cache/mials/cifar10
 *
 * @module
 */
import { existsSync } from "node:fs";
import { extname, join } from "node:path";
import { compareCodeUnits } from "./_compare.ts";
import { IMAGE_EXTENSIONS } from "./decode_image.ts";
import { EMBEDDED_DATASET_ROOT } from "./embedded.ts";
import { scanImageFolder } from "./image_folder_layout.ts";

/** Images taken per class from each split. */
export const EMBEDDED_IMAGES_PER_CLASS = { train: 200, val: 50 } as const;

/**
 * Copies the first images of each class from `sourceRoot` into `outputRoot`.
 *
 * @param sourceRoot Extracted image folder, for example `~/.cache/mials/cifar10`.
 * @param outputRoot Destination, by default {@linkcode EMBEDDED_DATASET_ROOT}.
 * @returns The number of images copied per split.
 * @throws When the source layout is invalid or a class has fewer images than the subset takes.
 */
export async function makeEmbeddedSubset(
  sourceRoot: string,
  outputRoot: string = EMBEDDED_DATASET_ROOT,
): Promise<{ train: number; val: number }> {
  const layout = await scanImageFolder(sourceRoot);
  const splits = ["train", "val"] as const;
  const labelsPath = join(layout.root, "Labels.json");
  if (!existsSync(labelsPath)) {
    throw new Error(`${labelsPath} not found; the embedded subset copies its class names`);
  }

  // Choose every file before touching the output, so a source that is too small leaves it unchanged.
  const chosen = new Map<string, string[]>();
  for (const split of splits) {
    for (const classFolder of layout.classFolders) {
      const folder = join(split, classFolder);
      chosen.set(folder, await firstImageNames(join(layout.root, folder), EMBEDDED_IMAGES_PER_CLASS[split]));
    }
  }

  for (const split of splits) {
    await Deno.remove(join(outputRoot, split), { recursive: true }).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
  }
  for (const [folder, names] of chosen) {
    await Deno.mkdir(join(outputRoot, folder), { recursive: true });
    for (const name of names) {
      await Deno.copyFile(join(layout.root, folder, name), join(outputRoot, folder, name));
    }
  }
  await Deno.copyFile(labelsPath, join(outputRoot, "Labels.json"));

  return {
    train: layout.classFolders.length * EMBEDDED_IMAGES_PER_CLASS.train,
    val: layout.classFolders.length * EMBEDDED_IMAGES_PER_CLASS.val,
  };
}

async function firstImageNames(folder: string, count: number): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(folder)) {
    const isImage = entry.isFile && IMAGE_EXTENSIONS.has(extname(entry.name).toLowerCase());
    if (isImage && !entry.name.startsWith(".")) names.push(entry.name);
  }
  if (names.length < count) {
    throw new Error(`${folder} has ${names.length} images, the embedded subset needs ${count}`);
  }
  return names.sort(compareCodeUnits).slice(0, count);
}

if (import.meta.main) {
  if (Deno.args.length !== 1) {
    console.error(
      "Usage: deno run --allow-read --allow-write datasets/make_embedded_subset.ts <extracted cifar10 folder>",
    );
    Deno.exit(2);
  }
  const copied = await makeEmbeddedSubset(Deno.args[0]);
  console.log(`Copied ${copied.train} train and ${copied.val} val images to ${EMBEDDED_DATASET_ROOT}`);
}
