/**
 * Measurements behind `deno task perf`: the training epoch of `hard`,
 * `distort_hard` and `mi_adaptive` on the same data and model, split into the
 * time spent preparing batches and the time in optimizer steps, and the raw
 * training-step throughput of the ResNet-18 against PyTorch's.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { fileURLToPath } from "node:url";
import { takePerClass } from "../datasets/subset.ts";
import type { ImageDataset } from "../datasets/types.ts";
import { defaultCropPadding } from "../engine/augment.ts";
import { DEFAULT_TRAINING, type RunConfig } from "../engine/config.ts";
import type { EpochMetrics } from "../engine/epoch_tracker.ts";
import { createResNet18, defaultStem, disposeResNet18 } from "../engine/resnet.ts";
import { NesterovSgd } from "../engine/sgd.ts";
import { trainModel } from "../engine/train.ts";
import { trainStep } from "../engine/train_step.ts";
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
    await trainModel(
      config,
      data,
      createMethod(method, config.methodOptions),
      {
        onStep: ({ epoch, step, stepsPerEpoch }) =>
          onProgress(`${method}: epoch ${epoch + 1}/${options.epochs} step ${step + 1}/${stepsPerEpoch}`),
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
      workers: options.workers,
    });
  }
  return timings;
}

/** Settings of {@linkcode measureStepThroughput} and {@linkcode runTorchReference}. */
export interface StepPerfOptions {
  width: number;
  batchSize: number;
  side: number;
  numClasses: number;
  /** Timed steps, after `warmup` untimed ones. */
  steps: number;
  warmup: number;
}

/**
 * Times `trainStep` of the suite's ResNet-18 on one fixed random batch, so that
 * only the model's forward, backward and update are measured.
 *
 * @returns Training images per second over the timed steps.
 */
export async function measureStepThroughput(options: StepPerfOptions): Promise<number> {
  const { width, batchSize, side, numClasses } = options;
  const model = createResNet18({ numClasses, width, imageSide: side, seed: 0 });
  const optimizer = new NesterovSgd({ momentum: 0.9, weightDecay: 5e-4, decayed: model.decayed });
  const images = tf.randomNormal([batchSize, side, side, 3], 0, 1, "float32", 1) as tf.Tensor4D;
  const labels = tf.tensor1d(Array.from({ length: batchSize }, (_, i) => i % numClasses), "int32");
  const targets = tf.oneHot(labels, numClasses).toFloat() as tf.Tensor2D;
  try {
    for (let i = 0; i < options.warmup; i++) await trainStep(model, optimizer, images, targets, 0.01);
    const start = performance.now();
    for (let i = 0; i < options.steps; i++) await trainStep(model, optimizer, images, targets, 0.01);
    return (batchSize * options.steps) / ((performance.now() - start) / 1000);
  } finally {
    tf.dispose([images, labels, targets]);
    optimizer.dispose();
    disposeResNet18(model);
  }
}

/** Outcome of {@linkcode runTorchReference}: PyTorch's throughput, or why it was skipped. */
export type TorchResult =
  | { status: "measured"; imagesPerSecond: number; torchVersion: string; threads: number }
  | { status: "skipped"; reason: string };

/** Exit code of `bench/torch_reference.py` when PyTorch is not installed. */
const EXIT_NO_TORCH = 3;

/**
 * Runs `bench/torch_reference.py` with `python3` for the same network and batch.
 *
 * @returns The measurement, or `skipped` with the reason when Python or PyTorch is missing.
 * @throws {Error} when the script fails for another reason, with its stderr.
 */
export async function runTorchReference(options: StepPerfOptions): Promise<TorchResult> {
  const script = fileURLToPath(new URL("./torch_reference.py", import.meta.url));
  const args = [
    script,
    ...["--width", String(options.width), "--batch-size", String(options.batchSize)],
    ...["--side", String(options.side), "--classes", String(options.numClasses)],
    ...["--steps", String(options.steps), "--warmup", String(options.warmup)],
  ];
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("python3", { args, stdout: "piped", stderr: "piped" }).output();
  } catch (error) {
    return { status: "skipped", reason: `python3 could not be started (${(error as Error).message})` };
  }
  const stderr = new TextDecoder().decode(output.stderr).trim();
  if (output.code === EXIT_NO_TORCH) return { status: "skipped", reason: stderr };
  if (output.code !== 0) throw new Error(`bench/torch_reference.py failed (exit ${output.code}): ${stderr}`);
  const result = JSON.parse(new TextDecoder().decode(output.stdout).trim().split("\n").at(-1)!);
  return {
    status: "measured",
    imagesPerSecond: result.images_per_s,
    torchVersion: result.torch,
    threads: result.threads,
  };
}
