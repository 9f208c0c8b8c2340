/**
 * The training loop shared by every method: batches in a seeded order, the
 * standard crop and flip, the method's augmentation and targets, one SGD step
 * per batch, and an evaluation on the validation split after each epoch.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { ImageDataset, ImageSplit } from "../datasets/types.ts";
import { summarizeClassification } from "../metrics/classification.ts";
import type { BatchRecord, ImageBatch, TrainingMethod } from "../methods/types.ts";
import { copyImage, cropAndFlip } from "./augment.ts";
import type { RunConfig } from "./config.ts";
import { type ChannelStatistics, measureChannelStatistics, normalizePixels } from "./normalize.ts";
import { Random } from "./random.ts";
import { createResNet18, disposeResNet18, type ResNet18 } from "./resnet.ts";
import { cosineWithWarmup } from "./schedule.ts";
import { NesterovSgd } from "./sgd.ts";
import { predictProbabilities, trainStep } from "./train_step.ts";

/** Metrics of one epoch, written as one JSON line of `epochs.jsonl`. */
export interface EpochMetrics {
  epoch: number;
  trainLoss: number;
  learningRate: number;
  trainImagesPerSecond: number;
  epochSeconds: number;
  valTop1: number;
  valNll: number;
  valEce: number;
  /** Mean epsilon and NMI over the epoch's distorted images, where the method records them. */
  meanEpsilon?: number;
  meanNmi?: number;
  /** Images per distortion name in this epoch. */
  distortionCounts?: Record<string, number>;
}

/** Callbacks of {@linkcode trainModel}. */
export interface TrainingHooks {
  onEpoch?(metrics: EpochMetrics): Promise<void> | void;
  onStep?(progress: StepProgress): void;
  /** Receives the records of the first batch of each epoch, for the audit log. */
  onBatchRecord?(epoch: number, batch: ImageBatch, record: BatchRecord): Promise<void> | void;
}

/** Progress of the current step, for the progress line. */
export interface StepProgress {
  epoch: number;
  step: number;
  stepsPerEpoch: number;
  loss: number;
  imagesPerSecond: number;
  secondsLeft: number;
}

/** Streams of the run's seeded generator; each (epoch, batch) pair gets its own. */
const ORDER_STREAM = 1;
const BATCH_STREAM = 1_000_000;

/**
 * Trains a fresh ResNet-18 with a method and returns the last epoch's metrics.
 * The model is disposed before returning.
 */
export async function trainModel(
  config: RunConfig,
  dataset: ImageDataset,
  method: TrainingMethod,
  hooks: TrainingHooks = {},
): Promise<EpochMetrics> {
  const train = dataset.train;
  const numClasses = dataset.classNames.length;
  const model = createResNet18({
    numClasses,
    width: config.width,
    imageSide: config.side,
    stem: config.stem,
    seed: config.seed,
  });
  const optimizer = new NesterovSgd({
    momentum: config.momentum,
    weightDecay: config.weightDecay,
    decayed: model.decayed,
  });
  const statistics = measureChannelStatistics(train);
  const stepsPerEpoch = Math.ceil(train.count / config.batchSize);
  const schedule = {
    baseLearningRate: config.learningRate,
    warmupSteps: Math.round(config.warmupEpochs * stepsPerEpoch),
    totalSteps: config.epochs * stepsPerEpoch,
  };
  let last: EpochMetrics | undefined;
  const runStart = performance.now();
  try {
    for (let epoch = 0; epoch < config.epochs; epoch++) {
      const epochStart = performance.now();
      const order = new Random(config.seed, ORDER_STREAM + epoch).shuffle(
        Int32Array.from(train.labels.keys()),
      );
      const tracker = new EpochTracker();
      for (let step = 0; step < stepsPerEpoch; step++) {
        const indices = order.subarray(step * config.batchSize, (step + 1) * config.batchSize);
        const stepStart = performance.now();
        const random = new Random(config.seed, BATCH_STREAM + epoch * stepsPerEpoch + step);
        const batch = assembleBatch(train, indices, numClasses, config.cropPadding, random);
        const record = method.augment(batch, random);
        if (step === 0) await hooks.onBatchRecord?.(epoch, batch, record);
        const targets = method.targets(batch, record);
        const learningRate = cosineWithWarmup(epoch * stepsPerEpoch + step, schedule);
        const loss = await runStep(model, optimizer, batch, targets, statistics, learningRate);
        tracker.add(batch.size, loss, record, performance.now() - stepStart);
        const doneSteps = epoch * stepsPerEpoch + step + 1;
        const elapsed = (performance.now() - runStart) / 1000;
        hooks.onStep?.({
          epoch,
          step,
          stepsPerEpoch,
          loss,
          imagesPerSecond: tracker.imagesPerSecond(),
          secondsLeft: (elapsed / doneSteps) * (config.epochs * stepsPerEpoch - doneSteps),
        });
      }
      const validation = await evaluateModel(model, dataset.val, statistics, config.evalBatchSize);
      const learningRate = cosineWithWarmup((epoch + 1) * stepsPerEpoch - 1, schedule);
      last = tracker.summarize(epoch, learningRate, (performance.now() - epochStart) / 1000, validation);
      await hooks.onEpoch?.(last);
    }
  } finally {
    optimizer.dispose();
    disposeResNet18(model);
  }
  if (last === undefined) throw new Error("Training ran no epoch; set --epochs to 1 or more.");
  return last;
}

function assembleBatch(
  split: ImageSplit,
  indices: Int32Array,
  numClasses: number,
  cropPadding: number,
  random: Random,
): ImageBatch {
  const pixelsPerImage = split.height * split.width * 3;
  const pixels = new Float32Array(indices.length * pixelsPerImage);
  const labels = new Int32Array(indices.length);
  indices.forEach((index, i) => {
    cropAndFlip(
      split.images,
      index,
      split.height,
      split.width,
      cropPadding,
      random,
      pixels,
      i * pixelsPerImage,
    );
    labels[i] = split.labels[index];
  });
  return { pixels, labels, size: indices.length, height: split.height, width: split.width, numClasses };
}

async function runStep(
  model: ResNet18,
  optimizer: NesterovSgd,
  batch: ImageBatch,
  targets: Float32Array,
  statistics: ChannelStatistics,
  learningRate: number,
): Promise<number> {
  const normalized = normalizePixels(batch.pixels.slice(), statistics);
  const images = tf.tensor4d(normalized, [batch.size, batch.height, batch.width, 3]);
  const targetTensor = tf.tensor2d(targets, [batch.size, batch.numClasses]);
  try {
    return await trainStep(model, optimizer, images, targetTensor, learningRate);
  } finally {
    images.dispose();
    targetTensor.dispose();
  }
}

/**
 * Evaluates the model on a split without augmentation.
 *
 * @returns Top-1 accuracy, NLL and ECE (15 bins) over the whole split.
 */
export async function evaluateModel(
  model: ResNet18,
  split: ImageSplit,
  statistics: ChannelStatistics,
  batchSize: number,
): Promise<{ top1: number; nll: number; ece: number; count: number }> {
  const numClasses = model.options.numClasses;
  const pixelsPerImage = split.height * split.width * 3;
  const probabilities = new Float32Array(split.count * numClasses);
  for (let start = 0; start < split.count; start += batchSize) {
    const size = Math.min(batchSize, split.count - start);
    const pixels = new Float32Array(size * pixelsPerImage);
    for (let i = 0; i < size; i++) {
      copyImage(split.images, start + i, pixelsPerImage, pixels, i * pixelsPerImage);
    }
    const images = tf.tensor4d(normalizePixels(pixels, statistics), [size, split.height, split.width, 3]);
    probabilities.set(await predictProbabilities(model, images), start * numClasses);
    images.dispose();
  }
  return summarizeClassification(probabilities, split.labels, numClasses);
}

/** Accumulates one epoch's loss, timing and method records. */
class EpochTracker {
  #images = 0;
  #lossSum = 0;
  #stepMilliseconds = 0;
  #epsilonSum = 0;
  #nmiSum = 0;
  #distorted = 0;
  #measured = 0;
  #counts: Record<string, number> = {};

  add(size: number, loss: number, record: BatchRecord, milliseconds: number): void {
    this.#images += size;
    this.#lossSum += loss * size;
    this.#stepMilliseconds += milliseconds;
    record.distortions?.forEach((name, i) => {
      if (name === null) return;
      this.#counts[name] = (this.#counts[name] ?? 0) + 1;
      this.#distorted++;
      if (record.nmi === undefined || record.epsilon === undefined) return;
      this.#measured++;
      this.#nmiSum += record.nmi[i];
      this.#epsilonSum += record.epsilon[i];
    });
  }

  imagesPerSecond(): number {
    return this.#images / Math.max(1e-9, this.#stepMilliseconds / 1000);
  }

  summarize(
    epoch: number,
    learningRate: number,
    epochSeconds: number,
    validation: { top1: number; nll: number; ece: number },
  ): EpochMetrics {
    const metrics: EpochMetrics = {
      epoch: epoch + 1,
      trainLoss: this.#lossSum / this.#images,
      learningRate,
      trainImagesPerSecond: this.imagesPerSecond(),
      epochSeconds,
      valTop1: validation.top1,
      valNll: validation.nll,
      valEce: validation.ece,
    };
    if (this.#distorted > 0) {
      metrics.distortionCounts = this.#counts;
    }
    if (this.#measured > 0) {
      metrics.meanNmi = this.#nmiSum / this.#measured;
      metrics.meanEpsilon = this.#epsilonSum / this.#measured;
    }
    return metrics;
  }
}
