/**
 * A rough estimate of the memory a ResNet-18 training step needs for its activations,
 * so that bench can warn before a size that cannot fit makes TensorFlow abort
 * (`std::bad_alloc`), which no error handler can catch.
 *
 * @module
 */
import { STAGE_CHANNELS, type StemName } from "./resnet.ts";

/** What the estimate depends on. */
export interface StepShape {
  side: number;
  width: number;
  batchSize: number;
  stem: StemName;
}

/** Tensors of its output size that each convolution keeps for the backward pass: convolution, batch norm, ReLU. */
const TENSORS_PER_CONVOLUTION = 3;

/** Convolutions of the main path per stage: 2 blocks of 2. */
const CONVOLUTIONS_PER_STAGE = 4;

/**
 * Returns an estimate, in bytes, of the activations of one training step: float32
 * outputs of every convolution, batch norm and ReLU, doubled for their gradients.
 * Shortcuts, the head and TensorFlow's workspace are left out, so real use is higher.
 * For the default bench (32 px, width 0.25, batch 128) it gives about 0.43 GB, and
 * for 224 px, width 1, batch 128 about 7 GB.
 */
export function estimateStepActivationBytes(shape: StepShape): number {
  const channels = STAGE_CHANNELS.map((count) => Math.max(1, Math.round(count * shape.width)));
  // The ImageNet stem halves the side in its convolution and again in its max pooling.
  const stemSide = shape.stem === "cifar" ? shape.side : Math.ceil(shape.side / 2);
  const firstStageSide = shape.stem === "cifar" ? shape.side : Math.ceil(shape.side / 4);
  let elements = TENSORS_PER_CONVOLUTION * channels[0] * stemSide ** 2;
  channels.forEach((count, stage) => {
    const side = Math.ceil(firstStageSide / 2 ** stage);
    elements += CONVOLUTIONS_PER_STAGE * TENSORS_PER_CONVOLUTION * count * side ** 2;
  });
  return 2 * Float32Array.BYTES_PER_ELEMENT * elements * shape.batchSize;
}

/**
 * Returns a warning when the estimate exceeds the machine's memory, or undefined when
 * it fits or the memory cannot be read.
 */
export function describeMemoryRisk(shape: StepShape, totalBytes: number | undefined): string | undefined {
  if (totalBytes === undefined) return undefined;
  const needed = estimateStepActivationBytes(shape);
  if (needed <= totalBytes) return undefined;
  const gib = (bytes: number) => (bytes / 2 ** 30).toFixed(1);
  return `warning: a training step at side ${shape.side}, width ${shape.width} and batch ${shape.batchSize} ` +
    `needs about ${gib(needed)} GiB for activations (an estimate), more than this machine's ` +
    `${gib(totalBytes)} GiB. TensorFlow may abort; lower --side, --batch-size or --width.`;
}
