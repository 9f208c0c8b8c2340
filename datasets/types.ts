/**
 * Shapes shared by the dataset readers, the training loop and the methods.
 *
 * @module
 */

/** One split of a dataset, decoded to 8-bit RGB in NHWC order. */
export interface ImageSplit {
  /** Pixels, shape [count, height, width, 3], values 0..255. */
  images: Uint8Array;
  /** Class index per image, shape [count], values in [0, classNames.length). */
  labels: Int32Array;
  /** Number of images. */
  count: number;
  /** Image height in pixels. */
  height: number;
  /** Image width in pixels. */
  width: number;
}

/** A decoded dataset with a training and a validation split. */
export interface ImageDataset {
  /** Short name used in run ids and reports, for example `cifar10-embedded`. */
  name: string;
  /** Readable class names; index i names label i. */
  classNames: string[];
  train: ImageSplit;
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
