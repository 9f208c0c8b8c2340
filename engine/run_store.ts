/**
 * The on-disk layout of results: one folder per run under the results folder,
 *
 *     <results>/<run-id>/config.json   resolved configuration, versions, backend, dataset facts
 *     <results>/<run-id>/epochs.jsonl  one JSON object per epoch
 *     <results>/<run-id>/samples.jsonl what the method sampled for the first batch of each epoch
 *     <results>/<run-id>/final.json    status and final metrics, written last
 *     <results>/<run-id>/checkpoint.json and checkpoint-epochNNNN.bin, see `checkpoint.ts`
 *     <results>/<run-id>/robustness.json  metrics on degraded val copies, see `robustness.ts`
 *
 * A run is finished when `final.json` exists with status `finished`. Every file
 * is replaced atomically, appends included, so a killed process or a full disk
 * leaves the previous version of a file and never a partial one.
 *
 * @module
 */
import { join } from "node:path";
import type { BatchRecord, ImageBatch } from "../methods/types.ts";
import { TEMPORARY_SUFFIX, writeFileAtomic } from "./atomic_write.ts";
import { type CheckpointManifest, removeCheckpoint } from "./checkpoint.ts";
import type { RunConfig } from "./config.ts";
import type { EpochMetrics } from "./epoch_tracker.ts";
import { readTextIfPresent, removeIfPresent } from "./files.ts";

/** Contents of `config.json`. */
export interface StoredRunConfig {
  runId: string;
  config: RunConfig;
  datasetName: string;
  datasetSource: string;
  classNames: string[];
  trainImages: number;
  valImages: number;
  /**
   * SHA-256 over the pixels and labels of the train images used and of the val split,
   * so that a rerun notices changed images. Runs stored before it was recorded lack it.
   */
  datasetDigest?: string;
  /** Undecodable images left out by `--skip-bad-images`, per split; absent for CIFAR binaries. */
  skippedImages?: { train: number; val: number };
  configSummary: string;
  /**
   * `oneDnn` is whether TensorFlow ran its oneDNN kernels. It is recorded for the
   * `tensorflow` backend only, and runs stored before it existed lack it.
   */
  versions: { deno: string; tfjs: string; backend: string; oneDnn?: boolean };
  /**
   * `--workers` of the process that started the run, 0 for the training thread. It
   * changes the speed, not the result. Absent from runs stored before it existed.
   */
  batchWorkers?: number;
  startedAt: string;
  /** Times the run was resumed from a checkpoint, oldest first, or absent when it never was. */
  resumedAt?: string[];
}

/**
 * Returns the backend of a stored run as reports show it: the name, with "(oneDNN)" or
 * "(no oneDNN)" where the run recorded TensorFlow's oneDNN setting, because the two round
 * differently and run at different speeds.
 */
export function describeStoredBackend(versions: StoredRunConfig["versions"]): string {
  if (versions.oneDnn === undefined) return versions.backend;
  return `${versions.backend} (${versions.oneDnn ? "oneDNN" : "no oneDNN"})`;
}

/** Contents of `final.json`. */
export interface StoredFinal {
  status: "finished" | "failed";
  finishedAt: string;
  /** Metrics of the last epoch; absent for a failed run that finished no epoch. */
  metrics?: EpochMetrics;
  /** Mean training throughput over all epochs, images per second. */
  trainImagesPerSecond?: number;
  error?: string;
  /** Epochs in the last checkpoint of a failed run. The next `bench` resumes after them. */
  completedEpochs?: number;
}

/** A run read back from disk. */
export interface StoredRun {
  directory: string;
  config: StoredRunConfig;
  final: StoredFinal;
}

/** Returns the folder of a run, rejecting ids that would leave the results folder. */
export function runDirectory(resultsRoot: string, runId: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(runId) || runId.startsWith(".")) {
    throw new Error(
      `Invalid run id "${runId}": use letters, digits, '.', '_' and '-', not starting with '.'.`,
    );
  }
  return join(resultsRoot, runId);
}

/** Returns true when the run folder contains a `final.json` with status `finished`. */
export async function isFinished(directory: string): Promise<boolean> {
  // A final.json that is not valid JSON counts as unfinished, so the run is trained again.
  const final = await readJson<StoredFinal>(join(directory, "final.json")).catch(() => undefined);
  return final?.status === "finished";
}

/**
 * Starts a run folder from scratch: removes the files and checkpoint of an
 * earlier attempt, then writes `config.json`.
 */
export async function startRun(directory: string, stored: StoredRunConfig): Promise<void> {
  await Deno.mkdir(directory, { recursive: true });
  for (const name of ["epochs.jsonl", "samples.jsonl", "final.json", "robustness.json"]) {
    await removeIfPresent(join(directory, name));
  }
  await removeCheckpoint(directory);
  await removeTemporaryFiles(directory);
  await writeFileAtomic(join(directory, "config.json"), JSON.stringify(stored, null, 2) + "\n");
}

/**
 * Prepares a run folder to continue from a checkpoint: `epochs.jsonl` is
 * rewritten from the checkpoint's metrics and `samples.jsonl` keeps only its
 * epochs, so the epochs that run again are not logged twice. `final.json` of a
 * failed attempt is removed, and `config.json` keeps its start time and gains
 * the resume time.
 */
export async function resumeRun(
  directory: string,
  stored: StoredRunConfig,
  manifest: CheckpointManifest,
): Promise<void> {
  const completed = manifest.completedEpochs;
  await removeIfPresent(join(directory, "final.json"));
  await removeTemporaryFiles(directory);
  const epochLines = manifest.history.map((metrics) => JSON.stringify(metrics) + "\n").join("");
  await writeFileAtomic(join(directory, "epochs.jsonl"), epochLines);
  const samples = await readTextIfPresent(join(directory, "samples.jsonl")) ?? "";
  const keptSamples = samples.split("\n").filter((line) => sampleEpochOf(line) <= completed);
  await writeFileAtomic(join(directory, "samples.jsonl"), keptSamples.map((line) => line + "\n").join(""));
  const previous = await readJson<StoredRunConfig>(join(directory, "config.json"));
  const resumed: StoredRunConfig = {
    ...stored,
    startedAt: previous?.startedAt ?? stored.startedAt,
    resumedAt: [...(previous?.resumedAt ?? []), stored.startedAt],
  };
  await writeFileAtomic(join(directory, "config.json"), JSON.stringify(resumed, null, 2) + "\n");
}

/** Returns the 1-based epoch of a `samples.jsonl` line, or Infinity for a blank or torn line. */
function sampleEpochOf(line: string): number {
  try {
    const epoch = JSON.parse(line)?.epoch;
    return Number.isInteger(epoch) ? epoch : Infinity;
  } catch {
    return Infinity;
  }
}

/** Appends one epoch's metrics to `epochs.jsonl`. */
export async function appendEpoch(directory: string, metrics: EpochMetrics): Promise<void> {
  await appendAtomic(join(directory, "epochs.jsonl"), JSON.stringify(metrics) + "\n");
}

/** Appends what the method sampled for each image of a batch to `samples.jsonl`. */
export async function appendSamples(
  directory: string,
  epoch: number,
  batch: ImageBatch,
  record: BatchRecord,
): Promise<void> {
  const lines: string[] = [];
  for (let i = 0; i < batch.size; i++) {
    lines.push(JSON.stringify({
      epoch: epoch + 1,
      label: batch.labels[i],
      distortion: record.distortions?.[i] ?? null,
      level: record.levels?.[i],
      nmi: record.nmi?.[i],
      confidence: record.nmi === undefined ? record.confidence?.[i] : undefined,
      epsilon: record.epsilon?.[i],
      lambda: record.lambda?.[i],
      partner: record.permutation?.[i],
      box: record.box,
      operations: record.operations?.[i],
    }));
  }
  await appendAtomic(join(directory, "samples.jsonl"), lines.join("\n") + "\n");
}

/**
 * Appends by rewriting the whole file atomically, so a failed append leaves the
 * old file. The logs stay small (one line per epoch, one batch per epoch).
 */
async function appendAtomic(path: string, text: string): Promise<void> {
  const existing = await readTextIfPresent(path) ?? "";
  await writeFileAtomic(path, existing + text);
}

/** Removes temporary files that a killed {@linkcode writeFileAtomic} left in the run folder. */
async function removeTemporaryFiles(directory: string): Promise<void> {
  const entries = await Array.fromAsync(Deno.readDir(directory));
  for (const entry of entries) {
    if (entry.isFile && entry.name.includes(TEMPORARY_SUFFIX)) {
      await removeIfPresent(join(directory, entry.name));
    }
  }
}

/**
 * Reads `final.json`, or returns undefined when the folder has none.
 *
 * @throws {Error} when the file is not valid JSON.
 */
export async function readFinal(directory: string): Promise<StoredFinal | undefined> {
  return await readJson<StoredFinal>(join(directory, "final.json"));
}

/** Writes `final.json` atomically. */
export async function finishRun(directory: string, final: StoredFinal): Promise<void> {
  await writeFileAtomic(join(directory, "final.json"), JSON.stringify(final, null, 2) + "\n");
}

/**
 * Reads every run folder under a results folder that has both `config.json` and `final.json`.
 *
 * @param onSkipped Receives one line per run folder left out: unfinished, or
 *   with a file that is not valid JSON or lacks the expected fields.
 * @throws {Error} when the folder does not exist or is not a folder.
 */
export async function readRuns(
  resultsRoot: string,
  onSkipped: (line: string) => void = () => {},
): Promise<StoredRun[]> {
  const runs: StoredRun[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(resultsRoot));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(
        `Results folder ${resultsRoot} does not exist; run \`deno task bench\` first or pass --results.`,
      );
    }
    if (error instanceof Deno.errors.NotADirectory) {
      throw new Error(
        `Results path ${resultsRoot} is a file, not a folder; pass the folder given to bench --results.`,
      );
    }
    throw error;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const entry of entries) {
    if (!entry.isDirectory) continue;
    const directory = join(resultsRoot, entry.name);
    try {
      const config = await readJson<StoredRunConfig>(join(directory, "config.json"));
      const final = await readJson<StoredFinal>(join(directory, "final.json"));
      if (config === undefined || final === undefined) {
        if (config !== undefined) onSkipped(`${directory}: unfinished (no final.json), left out`);
        if (final !== undefined) onSkipped(`${directory}: final.json without config.json, left out`);
        continue;
      }
      if (
        typeof config.config?.method !== "string" || !Number.isInteger(config.config?.seed) ||
        typeof final.status !== "string"
      ) {
        throw new Error(`${directory}: config.json or final.json lacks the fields bench writes`);
      }
      runs.push({ directory, config, final });
    } catch (error) {
      onSkipped(`${(error as Error).message}; left out (rerun it with bench --force)`);
    }
  }
  return runs;
}

/** Reads a run's `config.json`, or returns undefined when it is missing or not valid JSON. */
export async function readStoredConfig(directory: string): Promise<StoredRunConfig | undefined> {
  return await readJson<StoredRunConfig>(join(directory, "config.json")).catch(() => undefined);
}

async function readJson<T>(path: string): Promise<T | undefined> {
  const text = await readTextIfPresent(path);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new Error(
      `${path} is not valid JSON (${(error as Error).message})`,
    );
  }
}
