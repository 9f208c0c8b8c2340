/**
 * Reader for the binary versions of CIFAR-10 and CIFAR-100 (Krizhevsky, 2009).
 *
 * CIFAR-10 (`cifar-10-batches-bin`): `data_batch_1.bin` to `data_batch_5.bin`
 * and `test_batch.bin`, each a sequence of 3073-byte records: 1 label byte, then
 * 3072 pixel bytes. Class names are the lines of the optional `batches.meta.txt`.
 *
 * CIFAR-100 (`cifar-100-binary`): `train.bin` and `test.bin`, 3074-byte records:
 * a coarse label byte (20 superclasses), a fine label byte (100 classes), then
 * 3072 pixel bytes. Class names are the lines of the optional
 * `fine_label_names.txt` or `coarse_label_names.txt`.
 *
 * Pixels are 32x32 and stored channel-major: 1024 red bytes, 1024 green, 1024
 * blue, each plane in row-major order. The test split becomes the val split.
 *
 * @module
 */
import { join, resolve } from "node:path";
import type { ImageDataset, ImageSplit } from "./types.ts";

/** Width and height of a CIFAR image in pixels. */
export const CIFAR_SIDE = 32;

const PIXELS_PER_PLANE = CIFAR_SIDE * CIFAR_SIDE;
const IMAGE_BYTES = PIXELS_PER_PLANE * 3;

/** Label kind of a CIFAR-100 record: 100 fine classes or 20 coarse superclasses. */
export type CifarLabelKind = "fine" | "coarse";

/** The CIFAR files found in a folder. */
export interface CifarBinaryFiles {
  format: "cifar10" | "cifar100";
  /** Folder that contains the `.bin` files. */
  folder: string;
  /** Train file paths, in record order. */
  train: string[];
  /** Test file paths. */
  test: string[];
}

/** Options for {@linkcode loadCifarBinary}. */
export interface CifarBinaryOptions {
  /** CIFAR-100 only: which label to use. Default `"fine"`. */
  labels?: CifarLabelKind;
}

const CIFAR10_TRAIN = [
  "data_batch_1.bin",
  "data_batch_2.bin",
  "data_batch_3.bin",
  "data_batch_4.bin",
  "data_batch_5.bin",
];
const CIFAR10_TEST = ["test_batch.bin"];
const CIFAR100_TRAIN = ["train.bin"];
const CIFAR100_TEST = ["test.bin"];

/** Folder names of the official archives, accepted one level below the given folder. */
export const CIFAR_ARCHIVE_FOLDERS: readonly string[] = ["cifar-10-batches-bin", "cifar-100-binary"];

/**
 * Finds CIFAR-10 or CIFAR-100 binary files in `root`, or in its
 * `cifar-10-batches-bin` or `cifar-100-binary` subfolder.
 *
 * @returns The files, or `null` when no CIFAR file is present.
 * @throws When only some files of a format are present, or a folder contains both formats.
 */
export async function findCifarBinaryFiles(root: string): Promise<CifarBinaryFiles | null> {
  const absoluteRoot = resolve(root);
  for (const folder of [absoluteRoot, ...CIFAR_ARCHIVE_FOLDERS.map((name) => join(absoluteRoot, name))]) {
    const found = await findInFolder(folder);
    if (found !== null) return found;
  }
  return null;
}

async function findInFolder(folder: string): Promise<CifarBinaryFiles | null> {
  const cifar10 = await findFileSet(folder, "CIFAR-10", [...CIFAR10_TRAIN, ...CIFAR10_TEST]);
  const cifar100 = await findFileSet(folder, "CIFAR-100", [...CIFAR100_TRAIN, ...CIFAR100_TEST]);
  if (cifar10 && cifar100) {
    throw new Error(`${folder} contains both CIFAR-10 and CIFAR-100 files; move one set to its own folder`);
  }

  const path = (name: string) => join(folder, name);
  if (cifar10) {
    return { format: "cifar10", folder, train: CIFAR10_TRAIN.map(path), test: CIFAR10_TEST.map(path) };
  }
  if (cifar100) {
    return { format: "cifar100", folder, train: CIFAR100_TRAIN.map(path), test: CIFAR100_TEST.map(path) };
  }
  return null;
}

/** Returns true when all `names` exist in `folder`, false when none do, and throws when only some do. */
async function findFileSet(folder: string, format: string, names: string[]): Promise<boolean> {
  const present: string[] = [];
  for (const name of names) {
    if (await isFile(join(folder, name))) present.push(name);
  }
  if (present.length === 0) return false;
  if (present.length === names.length) return true;

  const missing = names.filter((name) => !present.includes(name));
  throw new Error(`Incomplete ${format} binary files in ${folder}: missing ${missing.join(", ")}`);
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/**
 * Loads CIFAR-10 or CIFAR-100 from its binary files, converting pixels to HWC.
 *
 * @example
 * ```ts
 * const cifar = await loadCifarBinary("/data/cifar-100-binary", { labels: "coarse" });
 * console.log(cifar.name, cifar.classNames.length); // "cifar100-coarse" 20
 * ```
 *
 * @param root Folder with the `.bin` files, or its parent (see {@linkcode findCifarBinaryFiles}).
 * @param options CIFAR-100 label choice.
 * @returns The dataset named `cifar10`, `cifar100` or `cifar100-coarse`, with 32x32 images.
 * @throws When no CIFAR files are found, a file size is not a multiple of the
 * record size, a label is out of range, or a class-name file has the wrong number of lines.
 */
export async function loadCifarBinary(
  root: string,
  options: CifarBinaryOptions = {},
): Promise<ImageDataset<ImageSplit>> {
  const files = await findCifarBinaryFiles(root);
  if (files === null) {
    throw new Error(
      `No CIFAR binary files in ${resolve(root)}: expected data_batch_1.bin..data_batch_5.bin and ` +
        `test_batch.bin (CIFAR-10) or train.bin and test.bin (CIFAR-100), there or in ` +
        `${CIFAR_ARCHIVE_FOLDERS.join(" or ")}`,
    );
  }

  const labelKind = files.format === "cifar10" ? "fine" : options.labels ?? "fine";
  if (labelKind !== "fine" && labelKind !== "coarse") {
    throw new Error(`Invalid CIFAR-100 label kind ${JSON.stringify(labelKind)}: expected "fine" or "coarse"`);
  }
  const layout = recordLayout(files.format, labelKind);

  return {
    name: files.format === "cifar100" && labelKind === "coarse" ? "cifar100-coarse" : files.format,
    classNames: await readCifarClassNames(join(files.folder, layout.namesFile), layout.classCount),
    train: await readCifarSplit(files.train, layout),
    val: await readCifarSplit(files.test, layout),
    source: files.folder,
  };
}

/** Byte layout of one record and the label it carries. */
interface RecordLayout {
  recordBytes: number;
  /** Offset of the label byte used, within the record. */
  labelOffset: number;
  classCount: number;
  namesFile: string;
}

function recordLayout(format: "cifar10" | "cifar100", labelKind: CifarLabelKind): RecordLayout {
  if (format === "cifar10") {
    return { recordBytes: 1 + IMAGE_BYTES, labelOffset: 0, classCount: 10, namesFile: "batches.meta.txt" };
  }
  if (labelKind === "coarse") {
    return {
      recordBytes: 2 + IMAGE_BYTES,
      labelOffset: 0,
      classCount: 20,
      namesFile: "coarse_label_names.txt",
    };
  }
  return { recordBytes: 2 + IMAGE_BYTES, labelOffset: 1, classCount: 100, namesFile: "fine_label_names.txt" };
}

async function readCifarSplit(paths: string[], layout: RecordLayout): Promise<ImageSplit> {
  const contents = await Promise.all(paths.map((path) => Deno.readFile(path)));
  contents.forEach((bytes, i) => checkFileSize(paths[i], bytes.length, layout.recordBytes));

  const count = contents.reduce((sum, bytes) => sum + bytes.length / layout.recordBytes, 0);
  const images = new Uint8Array(count * IMAGE_BYTES);
  const labels = new Int32Array(count);
  let index = 0;
  contents.forEach((bytes, fileIndex) => {
    index = decodeRecords(bytes, paths[fileIndex], layout, images, labels, index);
  });
  return { images, labels, count, height: CIFAR_SIDE, width: CIFAR_SIDE };
}

function checkFileSize(path: string, size: number, recordBytes: number): void {
  if (size > 0 && size % recordBytes === 0) return;
  throw new Error(
    `Invalid CIFAR file ${path}: ${size} bytes is not a positive multiple of the ${recordBytes}-byte record ` +
      `(labels + 32x32x3 pixels). The file may be truncated or of the other CIFAR format; download it again.`,
  );
}

/** Decodes the records of one file into `images` and `labels` from `startIndex`, and returns the next index. */
function decodeRecords(
  bytes: Uint8Array,
  path: string,
  layout: RecordLayout,
  images: Uint8Array,
  labels: Int32Array,
  startIndex: number,
): number {
  const pixelOffset = layout.recordBytes - IMAGE_BYTES;
  const recordCount = bytes.length / layout.recordBytes;
  for (let record = 0; record < recordCount; record++) {
    const recordStart = record * layout.recordBytes;
    const label = bytes[recordStart + layout.labelOffset];
    if (label >= layout.classCount) {
      throw new Error(
        `Invalid CIFAR file ${path}: record ${record} has label ${label}, expected 0..${
          layout.classCount - 1
        }`,
      );
    }
    labels[startIndex + record] = label;
    const planes = bytes.subarray(recordStart + pixelOffset, recordStart + layout.recordBytes);
    planesToInterleaved(planes, images.subarray((startIndex + record) * IMAGE_BYTES));
  }
  return startIndex + recordCount;
}

/** Converts one image from CHW (three 32x32 planes) to HWC (interleaved RGB). */
function planesToInterleaved(planes: Uint8Array, output: Uint8Array): void {
  for (let pixel = 0; pixel < PIXELS_PER_PLANE; pixel++) {
    output[pixel * 3] = planes[pixel];
    output[pixel * 3 + 1] = planes[PIXELS_PER_PLANE + pixel];
    output[pixel * 3 + 2] = planes[2 * PIXELS_PER_PLANE + pixel];
  }
}

/**
 * Reads class names, one per non-empty line. Without the file, the names are
 * the label numbers `"0"`, `"1"`, and so on.
 *
 * @throws When the file does not have exactly `classCount` non-empty lines.
 */
export async function readCifarClassNames(path: string, classCount: number): Promise<string[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return Array.from({ length: classCount }, (_, i) => String(i));
    throw error;
  }

  const names = text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line.length > 0);
  if (names.length !== classCount) {
    throw new Error(
      `Invalid class-name file ${path}: ${names.length} names, expected ${classCount} (one per line); ` +
        `fix or delete the file`,
    );
  }
  return names;
}
