/**
 * `mi_adaptive`: MI-adaptive label smoothing. Each training image is distorted
 * (diffusion, blur, dropout or mosaic at a level d ~ U(0, 1)), and its target is
 * smoothed by epsilon = min(maxEpsilon, 1 - NMI(clean, distorted)), so the
 * target's confidence follows the information the distortion kept. The
 * `confidence` option replaces the NMI with SSIM or PSNR, as ablations.
 *
 * @module
 */
import { distortBatch } from "../distortion_stage.ts";
import type { MethodOptions } from "../options.ts";
import { epsilonFromConfidence, smoothedTargets } from "../targets.ts";
import type { TrainingMethod } from "../types.ts";

/** Creates the `mi_adaptive` method. */
export function createMiAdaptiveMethod(options: MethodOptions): TrainingMethod {
  return {
    name: "mi_adaptive",
    augment(batch, random) {
      const record = distortBatch(batch, random, options, true);
      record.epsilon = record.confidence!.map((confidence) =>
        epsilonFromConfidence(confidence, options.maxEpsilon)
      );
      return record;
    },
    targets(batch, record) {
      if (record.epsilon === undefined) {
        throw new Error("mi_adaptive.targets needs the epsilon that its augment stage records.");
      }
      return smoothedTargets(batch.labels, record.epsilon, batch.numClasses, options.smoothingConvention);
    },
  };
}
