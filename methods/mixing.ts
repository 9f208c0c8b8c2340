/**
 * Parts shared by `mixup` and `cutmix`: the shuffled partner of each image, and
 * the targets mixed with the same weights as the pixels.
 *
 * @module
 */
import type { Random } from "../engine/random.ts";
import { smoothedTargets } from "./targets.ts";
import type { BatchRecord, ImageBatch, TrainingMethod } from "./types.ts";

/** Returns a uniformly random permutation of 0..size-1: image i is mixed with image permutation[i]. */
export function samplePermutation(size: number, random: Random): Int32Array {
  return random.shuffle(Int32Array.from({ length: size }, (_, i) => i));
}

/**
 * Mixes target rows: row i becomes lambda[i] * row i + (1 - lambda[i]) * row
 * permutation[i], read from the unmixed rows.
 *
 * @param targets Row-major [N, K] targets; not changed.
 * @param lambda Weight of each row's own target, [N], in [0, 1].
 * @param permutation Partner row per row, [N].
 * @returns New row-major [N, K] targets; rows sum to 1 when the input rows do.
 */
export function mixTargetRows(
  targets: Float32Array,
  numClasses: number,
  lambda: Float32Array,
  permutation: Int32Array,
): Float32Array {
  const mixed = new Float32Array(targets.length);
  for (let i = 0; i < lambda.length; i++) {
    const own = i * numClasses;
    const partner = permutation[i] * numClasses;
    for (let k = 0; k < numClasses; k++) {
      mixed[own + k] = lambda[i] * targets[own + k] + (1 - lambda[i]) * targets[partner + k];
    }
  }
  return mixed;
}

/**
 * Builds the target stages of a mixing method: `mixTargets` mixes any
 * per-image targets with the recorded lambda and permutation, and `targets`
 * mixes one-hot targets.
 *
 * @param name Method name, for error messages.
 */
export function mixingTargetStages(name: string): Pick<TrainingMethod, "targets" | "mixTargets"> {
  const mixTargets = (targets: Float32Array, batch: ImageBatch, record: BatchRecord): Float32Array => {
    const { lambda, permutation } = record;
    if (lambda === undefined || permutation === undefined) {
      throw new Error(`${name} needs the lambda and permutation that its augment stage records.`);
    }
    if (lambda.length !== batch.size || permutation.length !== batch.size) {
      throw new Error(
        `${name} recorded ${lambda.length} lambdas and ${permutation.length} partners for a batch of ${batch.size}.`,
      );
    }
    if (targets.length !== batch.size * batch.numClasses) {
      throw new Error(
        `${name} got ${targets.length} target values, expected ${batch.size} x ${batch.numClasses}.`,
      );
    }
    return mixTargetRows(targets, batch.numClasses, lambda, permutation);
  };
  return {
    mixTargets,
    targets: (batch, record) =>
      mixTargets(smoothedTargets(batch.labels, null, batch.numClasses, "k-1"), batch, record),
  };
}
