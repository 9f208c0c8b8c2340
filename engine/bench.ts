/**
 * Runs a bench plan: every (method, seed) pair on one dataset, each as a run
 * folder under the results folder, skipping runs already finished.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { loadDataset } from "../datasets/mod.ts";
import { takePerClass } from "../datasets/subset.ts";
import type { ImageDataset } from "../datasets/types.ts";
import { createMethod } from "../methods/registry.ts";
import { type BackendChoice, selectBackend } from "./backend.ts";
import type { BenchPlan } from "./bench_options.ts";
import { type RunConfig, runIdOf, summarizeConfig } from "./config.ts";
import { appendEpoch, appendSamples, finishRun, isFinished, runDirectory, startRun } from "./run_store.ts";
import { type StepProgress, trainModel } from "./train.ts";

/** Output channels of {@linkcode runBench}; the task wires them to stderr. */
export interface BenchOutput {
  log(line: string): void;
  progress(line: string): void;
}

/** Outcome of one run of the matrix. */
export interface RunOutcome {
  runId: string;
  status: "finished" | "skipped" | "failed";
  top1?: number;
  error?: string;
}

/** Runs the plan and returns one outcome per (method, seed). */
export async function runBench(plan: BenchPlan, output: BenchOutput): Promise<RunOutcome[]> {
  const backend = await selectBackend(plan.backend);
  output.log(describeBackend(backend));
  const loaded = await loadDataset(plan.dataset, {
    side: plan.training.side,
    cacheDir: plan.cacheDir,
    onProgress: ({ split, done, total, fromCache }) => {
      if (!fromCache) output.progress(`decoding ${split} images: ${done}/${total}`);
    },
  });
  const dataset: ImageDataset = { ...loaded, train: takePerClass(loaded.train, plan.training.trainPerClass) };
  output.log(
    `dataset ${dataset.name}: ${dataset.train.count} train and ${dataset.val.count} val images, ` +
      `${dataset.classNames.length} classes, ${dataset.train.height}x${dataset.train.width} px`,
  );
  const outcomes: RunOutcome[] = [];
  for (const method of plan.methods) {
    for (const seed of plan.seeds) {
      const config: RunConfig = {
        method,
        dataset: plan.dataset,
        seed,
        ...plan.training,
        methodOptions: plan.methodOptions,
      };
      outcomes.push(await runOne(config, dataset, backend, plan, output));
    }
  }
  return outcomes;
}

async function runOne(
  config: RunConfig,
  dataset: ImageDataset,
  backend: BackendChoice,
  plan: BenchPlan,
  output: BenchOutput,
): Promise<RunOutcome> {
  const runId = runIdOf(config, dataset.name);
  const directory = runDirectory(plan.resultsRoot, runId);
  if (!plan.force && await isFinished(directory)) {
    output.log(`${runId}: finished earlier, skipped (pass --force to rerun)`);
    return { runId, status: "skipped" };
  }
  const method = createMethod(config.method, config.methodOptions);
  await startRun(directory, {
    runId,
    config,
    datasetName: dataset.name,
    datasetSource: dataset.source,
    classNames: dataset.classNames,
    trainImages: dataset.train.count,
    valImages: dataset.val.count,
    configSummary: summarizeConfig(config, dataset.train.count),
    versions: { deno: Deno.version.deno, tfjs: tf.version.tfjs, backend: backend.name },
    startedAt: new Date().toISOString(),
  });
  output.log(`${runId}: training ${config.method}, seed ${config.seed}, backend ${backend.name}`);
  const throughputs: number[] = [];
  try {
    const metrics = await trainModel(config, dataset, method, {
      onStep: (progress) => output.progress(formatProgress(config.method, config.seed, progress)),
      onBatchRecord: (epoch, batch, record) => appendSamples(directory, epoch, batch, record),
      onEpoch: async (epoch) => {
        throughputs.push(epoch.trainImagesPerSecond);
        await appendEpoch(directory, epoch);
        output.log(
          `${runId}: epoch ${epoch.epoch}/${config.epochs} loss ${epoch.trainLoss.toFixed(4)} ` +
            `val top-1 ${(100 * epoch.valTop1).toFixed(2)}% ECE ${(100 * epoch.valEce).toFixed(2)}% ` +
            `NLL ${epoch.valNll.toFixed(3)} ${epoch.trainImagesPerSecond.toFixed(1)} img/s`,
        );
      },
    });
    const trainImagesPerSecond = throughputs.reduce((sum, value) => sum + value, 0) / throughputs.length;
    await finishRun(directory, {
      status: "finished",
      finishedAt: new Date().toISOString(),
      metrics,
      trainImagesPerSecond,
    });
    return { runId, status: "finished", top1: metrics.valTop1 };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    output.log(`${runId}: failed: ${message}`);
    await finishRun(directory, { status: "failed", finishedAt: new Date().toISOString(), error: message });
    return { runId, status: "failed", error: message };
  }
}

function describeBackend(backend: BackendChoice): string {
  const skipped = backend.skipped.length > 0 ? ` (skipped ${backend.skipped.join("; ")})` : "";
  return `backend: ${backend.name}${skipped}`;
}

function formatProgress(method: string, seed: number, progress: StepProgress): string {
  const minutes = Math.floor(progress.secondsLeft / 60);
  const seconds = Math.round(progress.secondsLeft % 60);
  return `${method} seed ${seed} epoch ${progress.epoch + 1} step ${
    progress.step + 1
  }/${progress.stepsPerEpoch} ` +
    `loss ${progress.loss.toFixed(4)} ${progress.imagesPerSecond.toFixed(1)} img/s ` +
    `${minutes}m${String(seconds).padStart(2, "0")}s left`;
}
