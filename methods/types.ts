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
  /**
   * Confidence per image, in [0, 1], from the measure the method uses; the same
   * array as `nmi` when that measure is the NMI.
   */
  confidence?: Float32Array;
  /** Smoothing epsilon per image. */
  epsilon?: Float32Array;
  /**
   * Mixing weight per image, [size], in [0, 1]: image i keeps lambda[i] of its
   * own pixels and target, and takes 1 - lambda[i] from image permutation[i].
   */
  lambda?: Float32Array;
  /** Mixing partner per image, [size]: the index of the unmixed image that was mixed into image i. */
  permutation?: Int32Array;
  /** CutMix's lambda as drawn from Beta(alpha, alpha), before the box was clipped to the image. */
  sampledLambda?: number;
  /** CutMix's pasted box after clipping, in pixels, the same for every image of the batch. */
  box?: PixelBox;
  /** RandAugment operations per image, in the order they were applied. */
  operations?: AppliedOperation[][];
}

/** A box of rows [top, bottom) and columns [left, right), in pixels. */
export interface PixelBox {
  top: number;
  left: number;
  bottom: number;
  right: number;
}

/** One image operation as applied, for the run log. */
export interface AppliedOperation {
  /** Operation name, for example `rotate`. */
  name: string;
  /** Signed parameter in the operation's unit (degrees, pixels, bits, factor offset, threshold); 0 where it takes none. */
  value: number;
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
  /**
   * Mixes per-image targets the way `augment` mixed the pixels. Only methods
   * that mix images (mixup, CutMix) have it; a composition such as
   * `mixup+mi_adaptive` uses it to mix the soft targets of its target rule.
   *
   * @param targets Row-major [size, numClasses] targets of the unmixed images; not changed.
   * @returns New row-major [size, numClasses] targets; each row sums to 1 when the input rows do.
   */
  mixTargets?(targets: Float32Array, batch: ImageBatch, record: BatchRecord): Float32Array;
}
