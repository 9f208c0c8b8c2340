/**
 * Measurements behind `deno task perf`: the training epoch of `hard`,
 * `distort_hard` and `mi_adaptive` on the same data and model, split into the
 * time spent preparing batches and the time in optimizer steps. The raw
 * training-step throughput against PyTorch's is in `step_timing.ts`.
 *
 * @module
 */
import { takePerClass } from "../datasets/subset.ts";
import type { ImageDataset } from "../datasets/types.ts";
import { defaultCropPadding } from "../engine/augment.ts";
import { DEFAULT_TRAINING, type RunConfig } from "../engine/config.ts";
import type { EpochMetrics } from "../engine/epoch_tracker.ts";
import { defaultStem } from "../engine/resnet.ts";
import { trainModel } from "../engine/train.ts";
import { DEFAULT_METHOD_OPTIONS } from "../methods/options.ts";
import { createMethod } from "../methods/registry.ts";

/** Methods whose epochs `perf` compares. */
export const PERF_METHODS = ["hard", "distort_hard", "mi_adaptive"] as const;

/** Timing of one method's last measured epoch. */
export interface EpochTiming {
  method: string;
  /** Training images per second over the epoch's steps. */
  imagesPerSecond: number;
  /** Seconds of the epoch's steps, batch preparation included, evaluation excluded. */
  stepSeconds: number;
  /** Seconds of those the model waited for its next batch. */
  dataSeconds: number;
  /** Steps of the epoch. */
  steps: number;
  /** Batch workers (0: batches prepared on the training thread). */
  workers: number;
}

/** Settings of {@linkcode measureEpochs}. */
export interface EpochPerfOptions {
  width: number;
  batchSize: number;
  /** Epochs to train; the last one is reported, so 2 or more skip the first epoch's warm-up. */
  epochs: number;
  seed: number;
  /** Batch workers, 0 for the training thread. */
  workers: number;
}

/** Returns the run configuration that `perf` trains each method with. */
export function perfConfig(method: string, dataset: ImageDataset, options: EpochPerfOptions): RunConfig {
  const side = dataset.train.height;
  return {
    ...DEFAULT_TRAINING,
    method,
    dataset: dataset.name,
    seed: options.seed,
    epochs: options.epochs,
    batchSize: options.batchSize,
    width: options.width,
    side,
    stem: defaultStem(side),
    cropPadding: defaultCropPadding(side),
    methodOptions: DEFAULT_METHOD_OPTIONS,
  };
}

/**
 * Trains each method of {@linkcode PERF_METHODS} on the same data and returns the
 * timing of its last epoch. Validation runs on 10 images per class only, because
 * it is not part of the measurement.
 */
export async function measureEpochs(
  dataset: ImageDataset,
  options: EpochPerfOptions,
  onProgress: (line: string) => void = () => {},
): Promise<EpochTiming[]> {
  const data: ImageDataset = { ...dataset, val: takePerClass(dataset.val, 10) };
  const timings: EpochTiming[] = [];
  for (const method of PERF_METHODS) {
    const config = perfConfig(method, data, options);
    let last: EpochMetrics | undefined;
    let steps = 0;
    await trainModel(
      config,
      data,
      createMethod(method, config.methodOptions),
      {
        onStep: ({ epoch, step, stepsPerEpoch }) => {
          steps = stepsPerEpoch;
          onProgress(`${method}: epoch ${epoch + 1}/${options.epochs} step ${step + 1}/${stepsPerEpoch}`);
        },
        onEpoch: (metrics) => {
          last = metrics;
        },
      },
      undefined,
      { workers: options.workers },
    );
    const stepSeconds = data.train.count / last!.trainImagesPerSecond;
    timings.push({
      method,
      imagesPerSecond: last!.trainImagesPerSecond,
      stepSeconds,
      dataSeconds: last!.dataSeconds ?? 0,
      steps,
      workers: options.workers,
    });
  }
  return timings;
}
