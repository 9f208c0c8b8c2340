/**
 * `hard`: the baseline with one-hot targets and only the standard augmentation.
 *
 * @module
 */
import type { MethodOptions } from "../options.ts";
import { smoothedTargets } from "../targets.ts";
import type { TrainingMethod } from "../types.ts";

/** Creates the `hard` method. */
export function createHardMethod(_options: MethodOptions): TrainingMethod {
  return {
    name: "hard",
    augment: () => ({}),
    targets: (batch) => smoothedTargets(batch.labels, null, batch.numClasses, "k-1"),
  };
}
