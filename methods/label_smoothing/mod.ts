/**
 * `label_smoothing`: standard label smoothing with one fixed epsilon for every
 * image and only the standard crop and flip. It is the baseline that
 * `mi_adaptive` replaces with a per-image epsilon.
 *
 * @module
 */
import type { MethodOptions } from "../options.ts";
import { smoothedTargets } from "../targets.ts";
import type { TrainingMethod } from "../types.ts";

/**
 * Creates the `label_smoothing` method. Its augment stage changes no pixel and
 * records epsilon = `options.labelSmoothingEpsilon` for every image. Its targets follow
 * `options.smoothingConvention`: with `k` they are those of
 * `tf.losses.softmaxCrossEntropy(..., labelSmoothing: epsilon)`.
 */
export function createLabelSmoothingMethod(options: MethodOptions): TrainingMethod {
  return {
    name: "label_smoothing",
    augment: (batch) => ({ epsilon: new Float32Array(batch.size).fill(options.labelSmoothingEpsilon) }),
    targets(batch, record) {
      if (record.epsilon === undefined) {
        throw new Error("label_smoothing.targets needs the epsilon that its augment stage records.");
      }
      return smoothedTargets(batch.labels, record.epsilon, batch.numClasses, options.smoothingConvention);
    },
  };
}
