/**
 * mials: MI-adaptive label smoothing and the benchmark harness around it.
 *
 * The pure building blocks (NMI, distortions, soft targets, metrics) work on
 * typed arrays and need no TensorFlow.js backend:
 *
 * ```ts
 * import { normalizedMutualInformation } from "./mod.ts";
 *
 * const clean = new Float32Array(8 * 8 * 3).map((_, i) => (i % 7) / 7);
 * const nmi = normalizedMutualInformation(clean, clean); // 1 for identical images
 * ```
 *
 * @module
 */
export {
  availableNmiKernels,
  DEFAULT_NMI_BINS,
  defaultNmiKernel,
  nmiBatch,
  type NmiKernel,
  type NmiKernelOptions,
  type NmiOptions,
  normalizedMutualInformation,
} from "./nmi/nmi.ts";
export {
  applyDistortion,
  DISTORTION_NAMES,
  type DistortionName,
  type DistortionOptions,
  sampleDistortion,
} from "./distortions/mod.ts";
export { epsilonFromConfidence, smoothedTargets } from "./methods/targets.ts";
export {
  DEFAULT_METHOD_OPTIONS,
  MAX_RANDAUGMENT_MAGNITUDE,
  type MethodOptions,
  type SmoothingConvention,
} from "./methods/options.ts";
export {
  type CompositionRole,
  createMethod,
  listCompositions,
  listMethods,
  listMethodsWithRole,
  type MethodFactory,
  methodNameForRunId,
  parseMethodList,
  registerMethod,
} from "./methods/registry.ts";
export { composeMethods } from "./methods/compose.ts";
export { RANDAUGMENT_OPERATIONS, type RandAugmentOperation } from "./methods/randaugment/operations.ts";
export type { AppliedOperation, BatchRecord, ImageBatch, PixelBox, TrainingMethod } from "./methods/types.ts";
export {
  expectedCalibrationError,
  negativeLogLikelihood,
  summarizeClassification,
  top1Accuracy,
} from "./metrics/classification.ts";
export { softCrossEntropy, softCrossEntropyValues } from "./metrics/soft_cross_entropy.ts";
export { loadDataset } from "./datasets/mod.ts";
export type { ImageDataset, ImageSplit } from "./datasets/types.ts";
export { Random } from "./engine/random.ts";
export { BACKEND_NAMES, type BackendName, selectBackend } from "./engine/backend.ts";
export { currentOneDnnSetting, describeOneDnn, type OneDnnSetting } from "./engine/onednn.ts";
