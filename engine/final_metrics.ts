/**
 * Completes the final metrics of runs stored before the suite measured all of
 * them: top-5 accuracy, maximum calibration error, Brier score and the reliability
 * diagram. They are computed again from the run's last checkpoint on the same
 * validation split, so the report can show them for every run.
 *
 * @module
 */
import type { ImageDataset } from "../datasets/types.ts";
import type { RunConfig } from "./config.ts";
import type { EpochMetrics } from "./epoch_tracker.ts";
import { evaluateModel } from "./evaluate.ts";
import { measureChannelStatistics } from "./normalize.ts";
import { finishRun, readFinal } from "./run_store.ts";
import { withFinalModel } from "./stored_model.ts";

/** Final metrics that runs stored before them lack. */
export const LATER_FINAL_METRICS = ["valTop5", "valMce", "valBrier", "valReliability"] as const;

/** One of {@linkcode LATER_FINAL_METRICS}. */
export type LaterFinalMetric = (typeof LATER_FINAL_METRICS)[number];

/** Returns the metrics of {@linkcode LATER_FINAL_METRICS} that `metrics` lacks. */
export function missingFinalMetrics(metrics: EpochMetrics): LaterFinalMetric[] {
  return LATER_FINAL_METRICS.filter((name) => metrics[name] === undefined);
}

/**
 * Adds the metrics that a finished run's `final.json` lacks, computed from its last
 * checkpoint on the validation split, and rewrites the file atomically. The stored
 * metrics stay as they are. The recomputed top-1 must equal the stored one, which
 * shows that the checkpoint and the data are those of the stored result.
 *
 * @returns The names of the metrics added; empty when nothing was missing.
 * @throws {Error} when the run has no usable checkpoint, or when the top-1 differs.
 */
export async function completeFinalMetrics(
  directory: string,
  config: RunConfig,
  dataset: ImageDataset,
): Promise<LaterFinalMetric[]> {
  const final = await readFinal(directory);
  const metrics = final?.metrics;
  if (final?.status !== "finished" || metrics === undefined) return [];
  const missing = missingFinalMetrics(metrics);
  if (missing.length === 0) return [];

  const purpose = "complete the final metrics of";
  const summary = await withFinalModel(
    directory,
    config,
    dataset,
    purpose,
    (model) =>
      evaluateModel(model, dataset.val, measureChannelStatistics(dataset.train), config.evalBatchSize),
  );
  if (summary.top1 !== metrics.valTop1) {
    throw new Error(
      `Cannot ${purpose} ${directory}: its checkpoint gives top-1 ${summary.top1} on the val split, ` +
        `but final.json stores ${metrics.valTop1}, so the checkpoint or the data changed. ` +
        "final.json is left as it was. Pass --force to train the run again.",
    );
  }

  const computed: Pick<EpochMetrics, LaterFinalMetric> = {
    valTop5: summary.top5,
    valMce: summary.mce,
    valBrier: summary.brier,
    valReliability: summary.reliabilityDiagram,
  };
  const added = Object.fromEntries(missing.map((name) => [name, computed[name]]));
  await finishRun(directory, { ...final, metrics: { ...metrics, ...added } });
  return missing;
}
