/**
 * The interface every training method implements, and the batch it works on.
 *
 * A method has two stages: `augment` changes the batch's pixels in place and
 * records what it sampled, and `targets` turns the labels and that record into
 * soft targets. The harness runs both on every training batch, after the
 * standard crop and flip.
 *
 * @module
 */
import type { Random } from "../engine/random.ts";

/** A training batch on the CPU. */
export interface ImageBatch {
  /** Pixels, [size, height, width, 3] in HWC order, values in [0, 1]. */
  pixels: Float32Array;
  /** Class index per image, [size]. */
  labels: Int32Array;
  size: number;
  height: number;
  width: number;
  /** Number of classes K. */
  numClasses: number;
}

/** Parameters that a method sampled for a batch, stored in run logs so that a run can be audited. */
export interface BatchRecord {
  /** Distortion applied to each image, or null where none was. */
  distortions?: (string | null)[];
  /** Distortion level d in [0, 1] per image (0 where none was applied). */
  levels?: Float32Array;
  /** Normalized mutual information between clean and distorted image, per image. */
  nmi?: Float32Array;
  /** Smoothing epsilon per image. */
  epsilon?: Float32Array;
}

/** A training method: an augmentation stage and a target stage. */
export interface TrainingMethod {
  /** Registry name, for example `mi_adaptive`. */
  readonly name: string;
  /**
   * Changes `batch.pixels` in place, drawing any randomness from `random`.
   *
   * @returns What was sampled, for the target stage and the run log.
   */
  augment(batch: ImageBatch, random: Random): BatchRecord;
  /**
   * Builds soft targets.
   *
   * @returns Row-major [size, numClasses] probabilities; each row sums to 1.
   */
  targets(batch: ImageBatch, record: BatchRecord): Float32Array;
}
