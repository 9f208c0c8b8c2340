/**
 * Reading stored results for the report: the runs of one or more results
 * folders, merged so each run id counts once, with each finished run's
 * `robustness.json`.
 *
 * @module
 */
import { join } from "node:path";
import type { RobustnessResult } from "../engine/robustness.ts";
import { isFile } from "../engine/files.ts";
import { readRobustness } from "../engine/robustness_run.ts";
import { summarizeHarness } from "../engine/config.ts";
import { readRuns, type StoredFinal, type StoredRun, type StoredRunConfig } from "../engine/run_store.ts";
import { methodLabel } from "../methods/options.ts";
import type { ChartRun } from "./chart_data.ts";
import type { ComparedRun } from "./compare.ts";
import { mergeRunFolders, type RunConflict } from "./merge.ts";
import { metricProblem } from "./metric_ranges.ts";

/** A stored run with its robustness result. */
export interface LoadedRun {
  stored: StoredRun;
  /** Contents of `robustness.json` of a finished run, absent when missing, unreadable or of another format. */
  robustness?: RobustnessResult;
}

/** Result of {@linkcode loadResults}. */
export interface LoadedResults {
  /** One run per run id, in the order first seen. */
  runs: LoadedRun[];
  /** Run ids stored in several folders with different final metrics. */
  conflicts: RunConflict[];
}

/**
 * Reads and merges the runs of results folders, then reads `robustness.json`
 * of every finished run.
 *
 * @param onSkipped Receives one line per run folder left out, as {@linkcode readRuns} describes,
 *   per run with another status than finished or failed, per finished run whose
 *   metrics are missing or out of range, and per `robustness.json` that cannot be
 *   read or has such an entry, whose run stays without it.
 * @throws {Error} when a folder does not exist or is a file.
 */
export async function loadResults(
  folders: readonly string[],
  onSkipped: (line: string) => void = () => {},
): Promise<LoadedResults> {
  const read = [];
  for (const folder of folders) {
    // Each copy is checked before the merge, so a good copy in another folder is kept.
    const runs = (await readRuns(folder, onSkipped)).filter((stored) => {
      const problem = finalMetricsProblem(stored.final);
      if (problem === undefined) return true;
      onSkipped(
        `${join(stored.directory, "final.json")}: ${problem}; left out (rerun it with bench --force)`,
      );
      return false;
    });
    read.push({ folder, runs });
  }
  const { runs, conflicts } = mergeRunFolders(read);
  const loaded: LoadedRun[] = [];
  for (const stored of runs) {
    let robustness = stored.final.status === "finished" ? await readRobustness(stored.directory) : undefined;
    const robustnessPath = join(stored.directory, "robustness.json");
    if (stored.final.status === "finished" && robustness === undefined && await isFile(robustnessPath)) {
      onSkipped(
        `${robustnessPath}: not valid JSON or not a robustness result of this version; its robustness result ` +
          "is left out (delete the file and run bench again to evaluate the run anew)",
      );
    }
    const entryProblem = robustness === undefined ? undefined : robustnessEntryProblem(robustness);
    if (entryProblem !== undefined) {
      onSkipped(
        `${join(stored.directory, "robustness.json")}: ${entryProblem}; its robustness result is left out ` +
          "(delete the file and run bench again to evaluate the run anew)",
      );
      robustness = undefined;
    }
    loaded.push(robustness === undefined ? { stored } : { stored, robustness });
  }
  return { runs: loaded, conflicts };
}

/** Returns why a run's final metrics cannot be reported, or undefined when they can. */
export function finalMetricsProblem(final: StoredFinal): string | undefined {
  if (final.status === "failed") return undefined;
  if (final.status !== "finished") {
    return `status is ${JSON.stringify(final.status)}, expected "finished" or "failed"`;
  }
  const metrics = final.metrics;
  if (metrics === undefined || metrics === null) return "the run finished but metrics are missing";
  return metricProblem("top1", "metrics.valTop1", metrics.valTop1) ??
    metricProblem("ece", "metrics.valEce", metrics.valEce) ??
    metricProblem("nll", "metrics.valNll", metrics.valNll) ??
    metricProblem("imagesPerSecond", "trainImagesPerSecond", final.trainImagesPerSecond) ??
    // Top-5 is null on datasets with fewer than 5 classes.
    (metrics.valTop5 === null
      ? undefined
      : metricProblem("top5", "metrics.valTop5", metrics.valTop5, true)) ??
    metricProblem("mce", "metrics.valMce", metrics.valMce, true) ??
    metricProblem("brier", "metrics.valBrier", metrics.valBrier, true);
}

/** Returns why an entry of a robustness result cannot be reported, or undefined when none. */
function robustnessEntryProblem(result: RobustnessResult): string | undefined {
  for (const [index, entry] of result.entries.entries()) {
    const problem = metricProblem("top1", "top1", entry?.top1) ?? metricProblem("ece", "ece", entry?.ece);
    if (problem !== undefined) return `entry ${index} (${entry?.name ?? "unnamed"}): ${problem}`;
  }
  return undefined;
}

/**
 * Returns the method and configuration under which the robustness tables and the
 * charts list a run. The configuration is the harness that methods share, so that
 * every method trained on it lands in one table and one chart, with `hard` as the
 * baseline of the others. Options a method changed from their defaults go into its
 * name instead. Hand-written folders that lack the options keep their stored names.
 */
export function comparisonIdentity(config: StoredRunConfig): { method: string; configSummary: string } {
  const { method, methodOptions } = config.config;
  if (methodOptions === undefined || config.trainImages === undefined) {
    return { method, configSummary: config.configSummary };
  }
  return {
    method: methodLabel(method, methodOptions),
    configSummary: summarizeHarness(config.config, config.trainImages),
  };
}

/** Converts a finished run into the input of the charts. */
export function toChartRun(run: LoadedRun): ChartRun {
  const { config, final } = run.stored;
  return {
    runId: config.runId,
    ...comparisonIdentity(config),
    dataset: config.datasetName,
    seed: config.config.seed,
    reliability: final.metrics?.valReliability,
    robustness: run.robustness,
  };
}

/** Converts a stored run into the input of the comparison. A run without metrics gets NaN. */
export function toComparedRun(run: LoadedRun): ComparedRun {
  const { config, final } = run.stored;
  return {
    method: config.config.method,
    dataset: config.datasetName,
    configSummary: config.configSummary,
    seed: config.config.seed,
    status: final.status,
    top1: final.metrics?.valTop1 ?? NaN,
    ece: final.metrics?.valEce ?? NaN,
    nll: final.metrics?.valNll ?? NaN,
    robustness: run.robustness,
  };
}
