/**
 * Shapes shared by the dataset readers, the training loop and the methods.
 *
 * @module
 */

/** Labels and image shape of a split, whether its pixels are in memory or in a file. */
export interface SplitShape {
  /** Class index per image, shape [count], values in [0, classNames.length). */
  labels: Int32Array;
  /** Number of images. */
  count: number;
  /** Image height in pixels. */
  height: number;
  /** Image width in pixels. */
  width: number;
}

/** One split of a dataset, decoded to 8-bit RGB in NHWC order and held in memory. */
export interface ImageSplit extends SplitShape {
  /** Pixels, shape [count, height, width, 3], values 0..255. */
  images: Uint8Array;
}

/**
 * A split whose decoded pixels stay in a decode-cache file and are read when a
 * batch needs them, so that memory does not grow with the split.
 */
export interface StreamedSplit extends SplitShape {
  file: SplitFile;
  /** Position in the file of each of the split's images, [count]. */
  indices: Int32Array;
  /**
   * Digest of the split as `splitDigest` computes it, where the reader computed it
   * while checking the file; a subset does not carry it over.
   */
  digest?: string;
}

/** Location of a split's pixels in its decode-cache file. */
export interface SplitFile {
  path: string;
  /** Byte offset of the first image. */
  pixelsOffset: number;
  /** Images stored in the file. */
  storedCount: number;
  /** SHA-256 of the file's pixels, labels and bad-image list, from its header. */
  checksum: string;
}

/** A training split: in memory, or streamed from a decode-cache file. */
export type TrainSplit = ImageSplit | StreamedSplit;

/** Tells whether a split is streamed from a file. */
export function isStreamed(split: TrainSplit): split is StreamedSplit {
  return "file" in split;
}

/** A decoded dataset with a training and a validation split; `T` is the kind of training split. */
export interface ImageDataset<T extends TrainSplit = TrainSplit> {
  /** Short name used in run ids and reports, for example `cifar10-embedded`. */
  name: string;
  /** Readable class names; index i names label i. */
  classNames: string[];
  /** The training split, streamed from its decode-cache file when loaded with `stream`. */
  train: T;
  val: ImageSplit;
  /** Origin of the data: a folder path, or a description of the embedded subset. */
  source: string;
  /**
   * Image files left out of each split because they failed to decode. Image-folder
   * datasets always set it, with non-zero counts only when loaded with
   * `skipBadImages`. CIFAR binary datasets leave it unset.
   */
  skippedImages?: SkippedImageCounts;
}

/** Number of image files skipped per split. */
export interface SkippedImageCounts {
  train: number;
  val: number;
}

/**
 * Returns the split when it is held in memory.
 *
 * @throws {Error} when the split is streamed from a file.
 */
export function inMemorySplit(split: TrainSplit): ImageSplit {
  if (isStreamed(split)) {
    throw new Error(
      `The split is streamed from ${split.file.path}; load it without stream to hold it in memory.`,
    );
  }
  return split;
}
