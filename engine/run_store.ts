/**
 * The on-disk layout of results: one folder per run under the results folder,
 *
 *     <results>/<run-id>/config.json   resolved configuration, versions, backend, dataset facts
 *     <results>/<run-id>/epochs.jsonl  one JSON object per epoch
 *     <results>/<run-id>/samples.jsonl what the method sampled for the first batch of each epoch
 *     <results>/<run-id>/final.json    status and final metrics, written last
 *
 * A run is finished when `final.json` exists with status `finished`.
 *
 * @module
 */
import { join } from "node:path";
import type { BatchRecord, ImageBatch } from "../methods/types.ts";
import { writeFileAtomic } from "./atomic_write.ts";
import type { RunConfig } from "./config.ts";
import type { EpochMetrics } from "./train.ts";

/** Contents of `config.json`. */
export interface StoredRunConfig {
  runId: string;
  config: RunConfig;
  datasetName: string;
  datasetSource: string;
  classNames: string[];
  trainImages: number;
  valImages: number;
  configSummary: string;
  versions: { deno: string; tfjs: string; backend: string };
  startedAt: string;
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
  const final = await readJson<StoredFinal>(join(directory, "final.json"));
  return final?.status === "finished";
}

/** Starts a run folder: clears files of an earlier unfinished attempt and writes `config.json`. */
export async function startRun(directory: string, stored: StoredRunConfig): Promise<void> {
  await Deno.mkdir(directory, { recursive: true });
  for (const name of ["epochs.jsonl", "samples.jsonl", "final.json"]) {
    await Deno.remove(join(directory, name)).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
  }
  await writeFileAtomic(join(directory, "config.json"), JSON.stringify(stored, null, 2) + "\n");
}

/** Appends one epoch's metrics to `epochs.jsonl`. */
export async function appendEpoch(directory: string, metrics: EpochMetrics): Promise<void> {
  await Deno.writeTextFile(join(directory, "epochs.jsonl"), JSON.stringify(metrics) + "\n", { append: true });
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
      epsilon: record.epsilon?.[i],
      lambda: record.lambda?.[i],
      partner: record.permutation?.[i],
      box: record.box,
      operations: record.operations?.[i],
    }));
  }
  await Deno.writeTextFile(join(directory, "samples.jsonl"), lines.join("\n") + "\n", { append: true });
}

/** Writes `final.json` atomically. */
export async function finishRun(directory: string, final: StoredFinal): Promise<void> {
  await writeFileAtomic(join(directory, "final.json"), JSON.stringify(final, null, 2) + "\n");
}

/**
 * Reads every run folder under a results folder that has both `config.json` and `final.json`.
 *
 * @throws {Error} when the folder does not exist, or a run file is not valid JSON.
 */
export async function readRuns(resultsRoot: string): Promise<StoredRun[]> {
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
    throw error;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const entry of entries) {
    if (!entry.isDirectory) continue;
    const directory = join(resultsRoot, entry.name);
    const config = await readJson<StoredRunConfig>(join(directory, "config.json"));
    const final = await readJson<StoredFinal>(join(directory, "final.json"));
    if (config !== undefined && final !== undefined) runs.push({ directory, config, final });
  }
  return runs;
}

async function readJson<T>(path: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new Error(
      `${path} is not valid JSON (${(error as Error).message}); delete the run folder to rerun it.`,
    );
  }
}
