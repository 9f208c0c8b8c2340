/**
 * `distort_hard`: the MI-adaptive distortions with one-hot targets. Comparing it
 * with `hard` isolates the effect of the distortions; comparing it with
 * `mi_adaptive` isolates the effect of the NMI-based soft targets.
 *
 * @module
 */
import { distortBatch } from "../distortion_stage.ts";
import type { MethodOptions } from "../options.ts";
import { smoothedTargets } from "../targets.ts";
import type { TrainingMethod } from "../types.ts";

/** Creates the `distort_hard` method. */
export function createDistortHardMethod(options: MethodOptions): TrainingMethod {
  return {
    name: "distort_hard",
    augment: (batch, random) => distortBatch(batch, random, options, false),
    targets: (batch) => smoothedTargets(batch.labels, null, batch.numClasses, "k-1"),
  };
}
