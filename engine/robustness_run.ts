/**
 * Robustness evaluation of a finished run from its stored checkpoint, written
 * to `robustness.json` in the run folder. Because it reads only the folder and
 * the dataset, it also evaluates runs that finished before the evaluation
 * existed or under another plan.
 *
 * @module
 */
import { join } from "node:path";
import { takePerClass } from "../datasets/subset.ts";
import type { ImageDataset } from "../datasets/types.ts";
import { writeFileAtomic } from "./atomic_write.ts";
import type { RunConfig } from "./config.ts";
import { readTextIfPresent } from "./files.ts";
import { measureChannelStatistics } from "./normalize.ts";
import { withFinalModel } from "./stored_model.ts";
import {
  evaluateRobustness,
  listDegradations,
  ROBUSTNESS_FORMAT,
  ROBUSTNESS_VERSION,
  type RobustnessOptions,
  type RobustnessPlan,
  type RobustnessResult,
} from "./robustness.ts";

/** File name of the stored robustness result in a run folder. */
export const ROBUSTNESS_FILE = "robustness.json";

/**
 * Reads `robustness.json` of a run folder.
 *
 * @returns The result, or undefined when the file is missing, is not valid JSON or has another format version.
 */
export async function readRobustness(directory: string): Promise<RobustnessResult | undefined> {
  const text = await readTextIfPresent(join(directory, ROBUSTNESS_FILE));
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text) as RobustnessResult;
    if (parsed.format !== ROBUSTNESS_FORMAT || parsed.version !== ROBUSTNESS_VERSION) return undefined;
    if (!Array.isArray(parsed.entries)) return undefined;
    return parsed;
  } catch {
    return undefined;
  }
}

/**
 * Returns true when the stored result was measured on as many validation images
 * as the plan selects and has an entry for every degraded copy of the plan.
 */
export function coversPlan(result: RobustnessResult, plan: RobustnessPlan, valImages: number): boolean {
  if (result.valImages !== valImages) return false;
  const stored = new Set(
    result.entries.map((entry) => JSON.stringify([entry.name, entry.severity ?? entry.level])),
  );
  return listDegradations(plan).every((degradation) =>
    stored.has(
      JSON.stringify([
        degradation.name,
        degradation.kind === "corruption" ? degradation.severity : degradation.level,
      ]),
    )
  );
}

/**
 * Evaluates a finished run's final weights on the degraded validation copies and
 * writes `robustness.json` atomically.
 *
 * @param directory Run folder with a checkpoint after its last epoch.
 * @param config The run's configuration, which fixes the architecture.
 * @param dataset The dataset the run trained on; the train split gives the channel statistics.
 * @throws {Error} when the folder has no valid checkpoint of the last epoch, or a write fails.
 */
export async function evaluateStoredRun(
  directory: string,
  config: RunConfig,
  dataset: ImageDataset,
  plan: RobustnessPlan,
  options: RobustnessOptions,
): Promise<RobustnessResult> {
  return await withFinalModel(directory, config, dataset, "evaluate robustness of", async (model) => {
    const statistics = measureChannelStatistics(dataset.train);
    const val = takePerClass(dataset.val, plan.valPerClass);
    const result = await evaluateRobustness(model, val, statistics, plan, options);
    await writeFileAtomic(join(directory, ROBUSTNESS_FILE), JSON.stringify(result, null, 2) + "\n");
    return result;
  });
}
