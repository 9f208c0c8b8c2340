/**
 * One run of a bench matrix: skip it when finished, resume it from its
 * checkpoint or start it over, train with a checkpoint after every epoch, and
 * store the outcome, failures included.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { createHash } from "node:crypto";
import { splitDigest } from "./corrupted_split.ts";
import type { ImageDataset } from "../datasets/types.ts";
import { createMethod } from "../methods/registry.ts";
import type { BackendChoice } from "./backend.ts";
import { oneDnnEnabled, recordsOneDnn } from "./onednn.ts";
import type { BenchPlan } from "./bench_options.ts";
import { type CheckpointIdentity, saveCheckpoint } from "./checkpoint.ts";
import { completeFinalMetrics } from "./final_metrics.ts";
import { configHashOf, type RunConfig, runIdOf, summarizeConfig } from "./config.ts";
import type { EpochMetrics } from "./epoch_tracker.ts";
import { decideRunStart } from "./resume.ts";
import {
  appendEpoch,
  appendSamples,
  finishRun,
  isFinished,
  readStoredConfig,
  resumeRun,
  runDirectory,
  startRun,
  type StoredRunConfig,
} from "./run_store.ts";
import { type ResumeState, type StepProgress, trainModel } from "./train.ts";
import { defaultCacheDir } from "../datasets/cache_key.ts";
import { takePerClass } from "../datasets/subset.ts";
import { listDegradations } from "./robustness.ts";
import { acquireRunLock, describeHeldLock, type RunLock } from "./run_lock.ts";
import { coversPlan, evaluateStoredRun, readRobustness } from "./robustness_run.ts";

/** Output channels of a bench, which the task wires to stderr. */
export interface BenchOutput {
  log(line: string): void;
  progress(line: string): void;
}

/** Outcome of one run of the matrix. */
export interface RunOutcome {
  runId: string;
  /** `in_use` when another bench process holds the run folder's lock. */
  status: "finished" | "skipped" | "in_use" | "failed";
  top1?: number;
  error?: string;
}

/** Inputs shared by every run of a bench. */
export interface BenchContext {
  plan: BenchPlan;
  dataset: ImageDataset;
  backend: BackendChoice;
  output: BenchOutput;
}

/**
 * Runs one configuration. Errors of the run, such as a NaN loss or a failed
 * write, are caught, logged and stored in `final.json` with status `failed`,
 * so the matrix goes on with the next run. A run whose folder another bench
 * process has locked (see {@linkcode acquireRunLock}) is skipped.
 */
export async function runOne(config: RunConfig, context: BenchContext): Promise<RunOutcome> {
  const runId = runIdOf(config, context.dataset.name);
  const directory = runDirectory(context.plan.resultsRoot, runId);
  let lock: RunLock;
  try {
    lock = await acquireRunLock(directory);
  } catch (error) {
    const reason = (error as Error).message;
    // A finished run can be skipped without the lock, as on a read-only results folder.
    if (!context.plan.force && await isFinished(directory)) {
      context.output.log(
        `${runId}: finished earlier, skipped without updating it: locking its folder failed (${reason})`,
      );
      return { runId, status: "skipped" };
    }
    const message = `locking the run folder failed: ${reason}. Check that ${directory} is writable.`;
    context.output.log(`${runId}: failed: ${message}`);
    return { runId, status: "failed", error: message };
  }
  if (!lock.acquired) {
    context.output.log(`${runId}: skipped, ${describeHeldLock(lock)}`);
    return { runId, status: "in_use" };
  }
  if (lock.tookOverFrom !== undefined) {
    const { pid, startedAt } = lock.tookOverFrom;
    context.output.log(
      `${runId}: took over the lock of process ${pid} (since ${startedAt}), which no longer runs`,
    );
  }
  try {
    return await runLocked(runId, directory, config, context);
  } finally {
    await lock.release();
  }
}

/** Runs one configuration whose folder lock this process holds, as {@linkcode runOne} describes. */
async function runLocked(
  runId: string,
  directory: string,
  config: RunConfig,
  context: BenchContext,
): Promise<RunOutcome> {
  const { plan, dataset, output } = context;
  if (!plan.force && await isFinished(directory)) {
    const stored = await readStoredConfig(directory);
    if (stored === undefined) {
      // Training again would replace the finished run's metrics, which are still valid.
      const message = `finished earlier, but its config.json is missing or not valid JSON, so the run ` +
        `cannot be checked against this dataset. Its final.json is kept: restore config.json, or pass ` +
        `--force to train it again`;
      output.log(`${runId}: failed: ${message}`);
      return { runId, status: "failed", error: message };
    }
    const change = describeDatasetChange(stored, dataset);
    if (change === undefined) {
      output.log(`${runId}: finished earlier, skipped (pass --force to rerun)`);
      await completeFinalMetricsIfNeeded(directory, runId, config, context);
      await evaluateRobustnessIfNeeded(directory, runId, config, context);
      return { runId, status: "skipped" };
    }
    output.log(`${runId}: finished earlier ${change}; training again`);
  }
  let completedEpochs = 0;
  try {
    const prepared = await prepareRunFolder(directory, runId, config, context);
    if (prepared.kind === "kept") {
      // Nothing is written, so the checkpoint stays until its backend and oneDNN setting return.
      output.log(`${runId}: not started: ${prepared.reason}`);
      return { runId, status: "failed", error: prepared.reason };
    }
    const resume = prepared.resume;
    completedEpochs = resume?.completedEpochs ?? 0;
    const metrics = await trainAndCheckpoint(directory, runId, prepared.record, context, resume, (epochs) => {
      completedEpochs = epochs;
    });
    await evaluateRobustnessIfNeeded(directory, runId, config, context);
    return { runId, status: "finished", top1: metrics.valTop1 };
  } catch (error) {
    let message = error instanceof Error ? error.message : String(error);
    if (completedEpochs > 0) {
      message += ` The checkpoint after epoch ${completedEpochs} is kept in ${directory}.`;
    }
    output.log(`${runId}: failed: ${message}`);
    await finishRun(directory, {
      status: "failed",
      finishedAt: new Date().toISOString(),
      error: message,
      ...(completedEpochs > 0 ? { completedEpochs } : {}),
    }).catch((writeError) => output.log(`${runId}: ${(writeError as Error).message}`));
    return { runId, status: "failed", error: message };
  }
}

const datasetDigests = new WeakMap<ImageDataset, string>();

/** Returns the SHA-256 of the dataset's train and val pixels and labels, computed once per dataset. */
export function datasetDigestOf(dataset: ImageDataset): string {
  let digest = datasetDigests.get(dataset);
  if (digest === undefined) {
    digest = createHash("sha256").update(splitDigest(dataset.train)).update(splitDigest(dataset.val)).digest(
      "hex",
    );
    datasetDigests.set(dataset, digest);
  }
  return digest;
}

/**
 * Says how the data of a finished run differs from the dataset now, or returns
 * undefined when it matches: the same image counts and, where the run stored one,
 * the same digest.
 */
function describeDatasetChange(
  stored: StoredRunConfig,
  dataset: ImageDataset,
): string | undefined {
  if (stored.trainImages !== dataset.train.count || stored.valImages !== dataset.val.count) {
    return `on ${stored.trainImages} train and ${stored.valImages} val images, ` +
      `but the dataset now has ${dataset.train.count} and ${dataset.val.count}`;
  }
  if (stored.datasetDigest !== undefined && stored.datasetDigest !== datasetDigestOf(dataset)) {
    return "on other images: pixels or labels of the dataset changed since";
  }
  return undefined;
}

/**
 * Adds to an older run's `final.json` the metrics that the suite measures now and the
 * run lacks. A failure is logged, not raised, because the stored metrics stay valid.
 */
async function completeFinalMetricsIfNeeded(
  directory: string,
  runId: string,
  config: RunConfig,
  context: BenchContext,
): Promise<void> {
  try {
    const added = await completeFinalMetrics(directory, config, context.dataset);
    if (added.length > 0) {
      context.output.log(`${runId}: added ${added.join(", ")} to final.json from its checkpoint`);
    }
  } catch (error) {
    context.output.log(`${runId}: ${(error as Error).message}`);
  }
}

/**
 * Evaluates a finished run on the plan's degraded validation copies unless its
 * `robustness.json` already covers them. A failure is logged, not raised, because
 * the trained run and its metrics stay valid without it.
 */
async function evaluateRobustnessIfNeeded(
  directory: string,
  runId: string,
  config: RunConfig,
  context: BenchContext,
): Promise<void> {
  const { plan, dataset, output } = context;
  const copies = listDegradations(plan.robustness).length;
  if (copies === 0) return;
  const valImages = takePerClass(dataset.val, plan.robustness.valPerClass).count;
  const stored = await readRobustness(directory);
  if (stored !== undefined && coversPlan(stored, plan.robustness, valImages)) return;
  output.log(`${runId}: evaluating robustness on ${copies} degraded copies of ${valImages} val images`);
  try {
    const result = await evaluateStoredRun(directory, config, dataset, plan.robustness, {
      batchSize: config.evalBatchSize,
      cacheDir: plan.cacheDir ?? defaultCacheDir(),
      onProgress: (done, total, label) =>
        output.progress(`${runId}: robustness ${done + 1}/${total} ${label}`),
      onCacheProblem: (message) => output.log(`${runId}: ${message}`),
    });
    const mean = result.meanCorruptionTop1;
    output.log(
      `${runId}: robustness stored` +
        (mean === undefined ? "" : `, mean top-1 over the test corruptions ${(100 * mean).toFixed(2)}%`),
    );
  } catch (error) {
    output.log(`${runId}: robustness evaluation failed: ${(error as Error).message}`);
  }
}

/**
 * Starts the run folder over or readies it to resume, and returns the state to resume
 * from, if any. Returns `kept`, and leaves the folder as it is, where its checkpoint
 * belongs to another backend or oneDNN setting.
 */
async function prepareRunFolder(
  directory: string,
  runId: string,
  config: RunConfig,
  context: BenchContext,
): Promise<{ kind: "ready"; record: RunRecord; resume?: ResumeState } | { kind: "kept"; reason: string }> {
  const record = { config, recordOneDnn: true };
  const start = await decideRunStart(directory, identityOf(runId, record, context), context.plan.force);
  if (start.kind === "kept") return start;
  if (start.kind === "fresh") {
    if (start.reason !== undefined) context.output.log(`${runId}: starting over. ${start.reason}`);
    await startRun(directory, storedConfigOf(runId, record, context));
    return { kind: "ready", record };
  }
  // A checkpoint from before the oneDNN record ran with an unknown setting, so the run records none.
  const resumedRecord = { config, recordOneDnn: start.checkpoint.manifest.identity.oneDnn !== undefined };
  const { manifest, arrays } = start.checkpoint;
  await resumeRun(directory, storedConfigOf(runId, resumedRecord, context), manifest);
  context.output.log(
    `${runId}: resuming after epoch ${manifest.completedEpochs}/${config.epochs} from its checkpoint`,
  );
  if (start.note !== undefined) context.output.log(`${runId}: ${start.note}`);
  const resume = { completedEpochs: manifest.completedEpochs, history: manifest.history, arrays };
  return { kind: "ready", record: resumedRecord, resume };
}

/** A run's configuration, and whether its stored files record the oneDNN setting. */
interface RunRecord {
  config: RunConfig;
  /** False for a run resumed from a checkpoint that predates the record, whose setting is unknown. */
  recordOneDnn: boolean;
}

async function trainAndCheckpoint(
  directory: string,
  runId: string,
  record: RunRecord,
  context: BenchContext,
  resume: ResumeState | undefined,
  onCheckpoint: (completedEpochs: number) => void,
): Promise<EpochMetrics> {
  const { dataset, backend, output } = context;
  const { config } = record;
  const method = createMethod(config.method, config.methodOptions);
  const identity = identityOf(runId, record, context);
  let history = resume?.history ?? [];
  output.log(`${runId}: training ${config.method}, seed ${config.seed}, backend ${backend.name}`);
  const metrics = await trainModel(
    config,
    dataset,
    method,
    {
      onPipeline: (description) => output.log(`${runId}: batches prepared by ${description}`),
      onStep: (progress) => output.progress(formatProgress(config.method, config.seed, progress)),
      onBatchRecord: (epoch, batch, record) => appendSamples(directory, epoch, batch, record),
      onEpoch: async (epoch, state) => {
        await appendEpoch(directory, epoch);
        await saveCheckpoint(directory, {
          identity,
          completedEpochs: state.completedEpochs,
          history: state.history,
          arrays: await state.captureTensors(),
        });
        history = state.history;
        onCheckpoint(state.completedEpochs);
        output.log(
          `${runId}: epoch ${epoch.epoch}/${config.epochs} loss ${epoch.trainLoss.toFixed(4)} ` +
            `val top-1 ${(100 * epoch.valTop1).toFixed(2)}% ECE ${(100 * epoch.valEce).toFixed(2)}% ` +
            `NLL ${epoch.valNll.toFixed(3)} ${epoch.trainImagesPerSecond.toFixed(1)} img/s`,
        );
      },
    },
    resume,
    context.plan.pipeline,
  );
  const throughputs = history.map((epoch) => epoch.trainImagesPerSecond);
  await finishRun(directory, {
    status: "finished",
    finishedAt: new Date().toISOString(),
    metrics,
    trainImagesPerSecond: throughputs.reduce((sum, value) => sum + value, 0) / throughputs.length,
  });
  return metrics;
}

function storedConfigOf(
  runId: string,
  { config, recordOneDnn }: RunRecord,
  context: BenchContext,
): StoredRunConfig {
  const { dataset, backend } = context;
  return {
    runId,
    config,
    datasetName: dataset.name,
    datasetSource: dataset.source,
    classNames: dataset.classNames,
    trainImages: dataset.train.count,
    valImages: dataset.val.count,
    datasetDigest: datasetDigestOf(dataset),
    skippedImages: dataset.skippedImages,
    configSummary: summarizeConfig(config, dataset.train.count),
    versions: {
      deno: Deno.version.deno,
      tfjs: tf.version.tfjs,
      backend: backend.name,
      ...oneDnnFieldOf(backend, recordOneDnn),
    },
    batchWorkers: context.plan.pipeline.workers,
    startedAt: new Date().toISOString(),
  };
}

function identityOf(
  runId: string,
  { config, recordOneDnn }: RunRecord,
  context: BenchContext,
): CheckpointIdentity {
  const { dataset, backend } = context;
  return {
    runId,
    configHash: configHashOf(config),
    backend: backend.name,
    tfjsVersion: tf.version.tfjs,
    datasetName: dataset.name,
    trainImages: dataset.train.count,
    valImages: dataset.val.count,
    numClasses: dataset.classNames.length,
    datasetDigest: datasetDigestOf(dataset),
    ...oneDnnFieldOf(backend, recordOneDnn),
  };
}

/** Returns `{ oneDnn }` on the `tensorflow` backend, whose oneDNN setting changes the rounding, else nothing. */
function oneDnnFieldOf(backend: BackendChoice, recordOneDnn: boolean): { oneDnn?: boolean } {
  return recordsOneDnn(backend.name) && recordOneDnn ? { oneDnn: oneDnnEnabled() } : {};
}

function formatProgress(method: string, seed: number, progress: StepProgress): string {
  // Rounding the total first keeps the seconds below 60.
  const totalSeconds = Math.round(progress.secondsLeft);
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = totalSeconds % 60;
  return `${method} seed ${seed} epoch ${progress.epoch + 1} step ${
    progress.step + 1
  }/${progress.stepsPerEpoch} ` +
    `loss ${progress.loss.toFixed(4)} ${progress.imagesPerSecond.toFixed(1)} img/s ` +
    `${minutes}m${String(seconds).padStart(2, "0")}s of this run's training left`;
}
