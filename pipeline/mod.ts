/**
 * The data pipeline of the training loop: which batches an epoch has, and
 * where they are prepared (the training thread, or a pool of workers).
 *
 * @module
 */
import type { TrainSplit } from "../datasets/types.ts";
import type { RunConfig } from "../engine/config.ts";
import type { ChannelStatistics } from "../engine/normalize.ts";
import { isBuiltInMethod } from "../methods/registry.ts";
import type { TrainingMethod } from "../methods/types.ts";
import { imageStoreFor } from "./image_store.ts";
import type { BatchSpec, PreparationContext } from "./prepare.ts";
import { type BatchSource, inlineBatchSource } from "./source.ts";
import { workerBatchSource } from "./worker_source.ts";

export { type BatchSpec, epochOrder, listBatches, prepareBatch, type PreparedBatch } from "./prepare.ts";
export type { BatchSource } from "./source.ts";

/** Batch preparation settings of a run. */
export interface PipelineOptions {
  /** Batch workers; 0 prepares batches on the training thread, between steps. */
  workers: number;
  /** Batches prepared ahead of the training step (default: 2 per worker). */
  prefetch?: number;
}

/** The run whose batches a source prepares. */
export interface PipelineRun {
  config: RunConfig;
  /** The training split, in memory or streamed. */
  split: TrainSplit;
  method: TrainingMethod;
  numClasses: number;
  /** Input normalization, measured on the training split. */
  statistics: ChannelStatistics;
}

/** Most workers the default gives, so that a large machine keeps cores for the training step. */
const MAX_DEFAULT_WORKERS = 8;

/** Default worker count for `cores` logical cores: half of them, at least 1 and at most 8. */
export function defaultWorkerCount(cores = navigator.hardwareConcurrency): number {
  return Math.min(MAX_DEFAULT_WORKERS, Math.max(1, Math.floor(cores / 2)));
}

/**
 * Opens the batch source of a run. Batches are identical whatever the options,
 * because each comes from its own random stream of `config.seed`.
 *
 * Workers build the method afresh from `config.method` and `config.methodOptions`,
 * so a method registered at run time, or one that differs from what `config`
 * names, is prepared on the training thread, and the description gives the reason.
 */
export function openBatchSource(
  run: PipelineRun,
  specs: Iterator<BatchSpec>,
  options: PipelineOptions,
): BatchSource {
  const { config, split, method, numClasses, statistics } = run;
  const stepsPerEpoch = Math.ceil(split.count / config.batchSize);
  const common = {
    method,
    numClasses,
    cropPadding: config.cropPadding,
    statistics,
    seed: config.seed,
    stepsPerEpoch,
  };
  const inline = (reason: string) => {
    const context: PreparationContext = { ...common, store: imageStoreFor(split) };
    return inlineBatchSource(context, specs, reason);
  };
  if (options.workers === 0) return inline("");
  if (method.name !== config.method || !isBuiltInMethod(config.method)) {
    return inline(`method "${method.name}" is not built in, so workers cannot build it`);
  }
  const { method: _, ...setup } = common;
  return workerBatchSource(
    {
      ...setup,
      store: imageStoreFor(split, true).describe(),
      methodName: config.method,
      methodOptions: config.methodOptions,
    },
    specs,
    { workers: options.workers, prefetch: options.prefetch ?? 2 * options.workers },
  );
}
