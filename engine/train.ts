/**
 * The training loop shared by every method. Batches come from the data pipeline
 * (`pipeline/`: a seeded order, the standard crop and flip, the method's
 * augmentation and targets). Each batch gets one SGD step, and each epoch ends
 * with an evaluation on the validation split.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { ImageDataset } from "../datasets/types.ts";
import { type BatchSource, listBatches, openBatchSource, type PipelineOptions } from "../pipeline/mod.ts";
import type { BatchRecord, ImageBatch, TrainingMethod } from "../methods/types.ts";
import type { RunConfig } from "./config.ts";
import { type EpochMetrics, EpochTracker } from "./epoch_tracker.ts";
import { evaluateModel } from "./evaluate.ts";
import { type ChannelStatistics, measureChannelStatistics } from "./normalize.ts";
import { createResNet18, disposeResNet18, type ResNet18 } from "./resnet.ts";
import { cosineWithWarmup, type ScheduleOptions } from "./schedule.ts";
import { NesterovSgd } from "./sgd.ts";
import { captureTrainingTensors, type NamedArray, restoreTrainingTensors } from "./training_state.ts";
import { trainStep } from "./train_step.ts";

export type { EpochMetrics } from "./epoch_tracker.ts";
export { evaluateModel } from "./evaluate.ts";

/** Callbacks of {@linkcode trainModel}. */
export interface TrainingHooks {
  /** Runs after each epoch's evaluation. A checkpoint written here resumes at the next epoch. */
  onEpoch?(metrics: EpochMetrics, state: EpochEnd): Promise<void> | void;
  onStep?(progress: StepProgress): void;
  /**
   * Receives the first batch of each epoch, with normalized pixels, and its
   * record, for the audit log.
   */
  onBatchRecord?(epoch: number, batch: ImageBatch, record: BatchRecord): Promise<void> | void;
  /** Receives where the batches are prepared, once before the first step. */
  onPipeline?(description: string): void;
}

/** Training state after an epoch, as {@linkcode TrainingHooks.onEpoch} receives it. */
export interface EpochEnd {
  /** Epochs finished so far, this one included. */
  completedEpochs: number;
  /** Metrics of epochs 1 to `completedEpochs`. */
  history: EpochMetrics[];
  /** Copies the weights, batch-norm statistics and momentum buffers, for a checkpoint. */
  captureTensors(): Promise<NamedArray[]>;
}

/** State of a run after its last completed epoch, read from a checkpoint. */
export interface ResumeState {
  completedEpochs: number;
  /** Metrics of epochs 1 to `completedEpochs`. */
  history: EpochMetrics[];
  /** Tensors from {@linkcode EpochEnd.captureTensors}. */
  arrays: readonly NamedArray[];
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

/** Error of a training step whose loss is NaN or infinite. That step's update has already corrupted the weights. */
export class NonFiniteLossError extends Error {
  /** 1-based epoch of the bad loss. */
  readonly epoch: number;
  /** 1-based step of the bad loss within its epoch. */
  readonly step: number;

  constructor(loss: number, epoch: number, step: number, stepsPerEpoch: number) {
    super(
      `Training loss is ${loss} at epoch ${epoch}, step ${step} of ${stepsPerEpoch}, so the run stopped. ` +
        "Lower --lr, or check the images and the method's targets for NaN.",
    );
    this.name = "NonFiniteLossError";
    this.epoch = epoch;
    this.step = step;
  }
}

/** Inputs shared by every step of a run. */
interface TrainingLoop {
  config: RunConfig;
  dataset: ImageDataset;
  hooks: TrainingHooks;
  model: ResNet18;
  optimizer: NesterovSgd;
  statistics: ChannelStatistics;
  stepsPerEpoch: number;
  schedule: ScheduleOptions;
  /** Start of this process's training, and the global step it started at, for the time estimate. */
  runStart: number;
  firstStep: number;
}

/**
 * Trains a fresh ResNet-18 with a method, or continues one from `resume`, and
 * returns the last epoch's metrics. The model is disposed before returning.
 *
 * A resumed run draws the same batches and random numbers as an uninterrupted
 * one, because both derive from (seed, epoch, step). For the same reason the
 * batches do not depend on `pipeline`, which sets where they are prepared
 * (default: on the training thread).
 *
 * @throws {NonFiniteLossError} when a step's loss is NaN or infinite.
 * @throws {Error} when `resume` does not fit the configuration or the model.
 */
export async function trainModel(
  config: RunConfig,
  dataset: ImageDataset,
  method: TrainingMethod,
  hooks: TrainingHooks = {},
  resume?: ResumeState,
  pipeline: PipelineOptions = { workers: 0 },
): Promise<EpochMetrics> {
  checkResumeState(config, resume);
  const model = createRunModel(config, dataset.classNames.length);
  const optimizer = new NesterovSgd({
    momentum: config.momentum,
    weightDecay: config.weightDecay,
    decayed: model.decayed,
  });
  const stepsPerEpoch = Math.ceil(dataset.train.count / config.batchSize);
  const history = [...(resume?.history ?? [])];
  const loop: TrainingLoop = {
    config,
    dataset,
    hooks,
    model,
    optimizer,
    statistics: measureChannelStatistics(dataset.train),
    stepsPerEpoch,
    schedule: {
      baseLearningRate: config.learningRate,
      warmupSteps: Math.round(config.warmupEpochs * stepsPerEpoch),
      totalSteps: config.epochs * stepsPerEpoch,
    },
    runStart: performance.now(),
    firstStep: history.length * stepsPerEpoch,
  };
  let source: BatchSource | undefined;
  try {
    if (resume !== undefined) restoreTrainingTensors(model, optimizer, resume.arrays);
    const specs = listBatches(
      config.seed,
      dataset.train.count,
      config.batchSize,
      history.length,
      config.epochs,
    );
    source = openBatchSource(
      {
        config,
        split: dataset.train,
        method,
        numClasses: dataset.classNames.length,
        statistics: loop.statistics,
      },
      specs,
      pipeline,
    );
    hooks.onPipeline?.(source.description);
    for (let epoch = history.length; epoch < config.epochs; epoch++) {
      const metrics = await trainEpoch(loop, epoch, source);
      history.push(metrics);
      await hooks.onEpoch?.(metrics, {
        completedEpochs: epoch + 1,
        history: [...history],
        captureTensors: () => captureTrainingTensors(model, optimizer),
      });
    }
  } finally {
    source?.close();
    optimizer.dispose();
    disposeResNet18(model);
  }
  const last = history.at(-1);
  if (last === undefined) throw new Error("Training ran no epoch; set --epochs to 1 or more.");
  return last;
}

/** Creates the ResNet-18 of a run: its width, image side, stem and seed, for `numClasses` classes. */
export function createRunModel(config: RunConfig, numClasses: number): ResNet18 {
  return createResNet18({
    numClasses,
    width: config.width,
    imageSide: config.side,
    stem: config.stem,
    seed: config.seed,
  });
}

function checkResumeState(config: RunConfig, resume: ResumeState | undefined): void {
  if (resume === undefined) return;
  const { completedEpochs, history } = resume;
  if (!Number.isInteger(completedEpochs) || completedEpochs < 1 || completedEpochs > config.epochs) {
    throw new Error(
      `Cannot resume after epoch ${completedEpochs} of a ${config.epochs}-epoch run. ` +
        "Pass --force to start the run over.",
    );
  }
  if (history.length !== completedEpochs) {
    throw new Error(
      `Cannot resume, because the checkpoint has metrics of ${history.length} epochs ` +
        `but records ${completedEpochs} completed. Pass --force to start the run over.`,
    );
  }
}

/** Runs the steps and the evaluation of a 0-based epoch, taking its batches from `source`. */
async function trainEpoch(loop: TrainingLoop, epoch: number, source: BatchSource): Promise<EpochMetrics> {
  const { config, dataset, hooks, stepsPerEpoch } = loop;
  const epochStart = performance.now();
  const tracker = new EpochTracker();
  for (let step = 0; step < stepsPerEpoch; step++) {
    const stepStart = performance.now();
    const { batch, targets, record, ...position } = await source.next();
    if (position.epoch !== epoch || position.step !== step) {
      throw new Error(
        `The data pipeline gave batch ${position.step + 1} of epoch ${position.epoch + 1} ` +
          `where batch ${step + 1} of epoch ${epoch + 1} was due.`,
      );
    }
    const dataEnd = performance.now();
    if (step === 0) await hooks.onBatchRecord?.(epoch, batch, record);
    const learningRate = cosineWithWarmup(epoch * stepsPerEpoch + step, loop.schedule);
    const loss = await runStep(loop.model, loop.optimizer, batch, targets, learningRate);
    if (!Number.isFinite(loss)) throw new NonFiniteLossError(loss, epoch + 1, step + 1, stepsPerEpoch);
    tracker.add(batch.size, loss, record, performance.now() - stepStart, dataEnd - stepStart);
    hooks.onStep?.(describeProgress(loop, epoch, step, loss, tracker.imagesPerSecond()));
  }
  const validation = await evaluateModel(loop.model, dataset.val, loop.statistics, config.evalBatchSize)
    .catch(
      (error: Error) => {
        throw new Error(`Epoch ${epoch + 1}: ${error.message}`);
      },
    );
  const learningRate = cosineWithWarmup((epoch + 1) * stepsPerEpoch - 1, loop.schedule);
  return tracker.summarize(epoch, learningRate, (performance.now() - epochStart) / 1000, validation);
}

function describeProgress(
  loop: TrainingLoop,
  epoch: number,
  step: number,
  loss: number,
  imagesPerSecond: number,
): StepProgress {
  const stepsPerEpoch = loop.stepsPerEpoch;
  const doneSteps = epoch * stepsPerEpoch + step + 1;
  const elapsed = (performance.now() - loop.runStart) / 1000;
  const remainingSteps = loop.config.epochs * stepsPerEpoch - doneSteps;
  return {
    epoch,
    step,
    stepsPerEpoch,
    loss,
    imagesPerSecond,
    secondsLeft: (elapsed / (doneSteps - loop.firstStep)) * remainingSteps,
  };
}

/** Runs one training step on a prepared batch, whose pixels are already normalized. */
async function runStep(
  model: ResNet18,
  optimizer: NesterovSgd,
  batch: ImageBatch,
  targets: Float32Array,
  learningRate: number,
): Promise<number> {
  const images = tf.tensor4d(batch.pixels, [batch.size, batch.height, batch.width, 3]);
  const targetTensor = tf.tensor2d(targets, [batch.size, batch.numClasses]);
  try {
    return await trainStep(model, optimizer, images, targetTensor, learningRate);
  } finally {
    images.dispose();
    targetTensor.dispose();
  }
}
