/**
 * Preparation of one training batch, the same on the training thread and in a
 * worker: gather the images, crop and flip, the method's augmentation and
 * targets, then the input normalization.
 *
 * Every random number of batch (epoch, step) comes from its own stream of the
 * run's seed, so a batch does not depend on which thread prepares it, on the
 * pool size, or on the batches prepared before it.
 *
 * @module
 */
import { cropAndFlip } from "../engine/augment.ts";
import { type ChannelStatistics, normalizePixels } from "../engine/normalize.ts";
import { Random } from "../engine/random.ts";
import type { BatchRecord, ImageBatch, TrainingMethod } from "../methods/types.ts";
import type { ImageStore } from "./image_store.ts";

/** Stream of the run's generator that shuffles epoch e: `ORDER_STREAM + e`. */
export const ORDER_STREAM = 1;
/** Stream of the run's generator for batch (epoch, step): `BATCH_STREAM + epoch * stepsPerEpoch + step`. */
export const BATCH_STREAM = 1_000_000;

/** Position and images of one batch. */
export interface BatchSpec {
  /** 0-based epoch. */
  epoch: number;
  /** 0-based step within the epoch. */
  step: number;
  /** Indices into the training split, in batch order. */
  indices: Int32Array;
}

/** Everything a batch's preparation needs besides its spec. */
export interface PreparationContext {
  store: ImageStore;
  method: TrainingMethod;
  numClasses: number;
  cropPadding: number;
  statistics: ChannelStatistics;
  seed: number;
  stepsPerEpoch: number;
}

/** A batch ready for the training step. */
export interface PreparedBatch {
  epoch: number;
  step: number;
  /** The batch as the model receives it: `pixels` are normalized with the training statistics. */
  batch: ImageBatch;
  /** Soft targets, [size, numClasses]. */
  targets: Float32Array;
  /** Record of what the method sampled. */
  record: BatchRecord;
}

/** Returns the shuffled order of the training images for a 0-based epoch. */
export function epochOrder(seed: number, epoch: number, count: number): Int32Array {
  return new Random(seed, ORDER_STREAM + epoch).shuffle(Int32Array.from({ length: count }, (_, i) => i));
}

/**
 * Lists the batches of epochs `firstEpoch` to `epochs - 1` in training order; the
 * last batch of an epoch may be smaller than `batchSize`.
 */
export function* listBatches(
  seed: number,
  count: number,
  batchSize: number,
  firstEpoch: number,
  epochs: number,
): Generator<BatchSpec> {
  const steps = Math.ceil(count / batchSize);
  for (let epoch = firstEpoch; epoch < epochs; epoch++) {
    const order = epochOrder(seed, epoch, count);
    for (let step = 0; step < steps; step++) {
      // A copy, not a view: posting a view to a worker would copy the whole epoch's order.
      yield { epoch, step, indices: order.slice(step * batchSize, (step + 1) * batchSize) };
    }
  }
}

/** Prepares one batch: gather, crop and flip, the method's two stages, and normalization. */
export function prepareBatch(context: PreparationContext, spec: BatchSpec): PreparedBatch {
  const { store, method } = context;
  const random = new Random(context.seed, BATCH_STREAM + spec.epoch * context.stepsPerEpoch + spec.step);
  const size = spec.indices.length;
  const { height, width } = store;
  const pixelsPerImage = height * width * 3;
  const images = store.read(spec.indices);
  const pixels = new Float32Array(size * pixelsPerImage);
  const labels = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    cropAndFlip(images, i, height, width, context.cropPadding, random, pixels, i * pixelsPerImage);
    labels[i] = store.labels[spec.indices[i]];
  }
  const batch: ImageBatch = { pixels, labels, size, height, width, numClasses: context.numClasses };
  const record = method.augment(batch, random);
  const targets = method.targets(batch, record);
  normalizePixels(batch.pixels, context.statistics);
  return { epoch: spec.epoch, step: spec.step, batch, targets, record };
}
