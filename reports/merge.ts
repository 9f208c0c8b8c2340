/**
 * Merges runs read from several results folders, for example one per shard of
 * a bench matrix, so that each run id counts once.
 *
 * @module
 */
import { stableStringify } from "../engine/config.ts";
import type { StoredRun } from "../engine/run_store.ts";

/** The runs of one results folder. */
export interface RunFolder {
  folder: string;
  runs: StoredRun[];
}

/** Two stored copies of one run id whose final metrics differ. */
export interface RunConflict {
  runId: string;
  /** The copy the table uses. */
  used: StoredRun;
  /** The copy left out. */
  ignored: StoredRun;
}

/** Result of {@linkcode mergeRunFolders}. */
export interface MergedRuns {
  /** One run per run id, in the order first seen. */
  runs: StoredRun[];
  conflicts: RunConflict[];
}

/** Fields of `final.json` metrics that measure time, and so differ between identical runs. */
const TIMING_FIELDS = new Set(["trainImagesPerSecond", "epochSeconds", "dataSeconds"]);

/**
 * Keeps one run per run id. A finished copy wins over a failed one. Between two
 * finished copies the first in folder order is used, and when their final
 * metrics (timings aside) differ, the pair is reported as a conflict.
 */
export function mergeRunFolders(folders: readonly RunFolder[]): MergedRuns {
  const byId = new Map<string, StoredRun>();
  const conflicts: RunConflict[] = [];
  for (const { runs } of folders) {
    for (const run of runs) {
      const runId = run.config.runId;
      const chosen = byId.get(runId);
      if (chosen === undefined || (chosen.final.status === "failed" && run.final.status === "finished")) {
        byId.set(runId, run);
      } else if (chosen.final.status === "finished" && run.final.status === "finished") {
        if (finalMetricsKey(chosen) !== finalMetricsKey(run)) {
          conflicts.push({ runId, used: chosen, ignored: run });
        }
      }
    }
  }
  return { runs: [...byId.values()], conflicts };
}

function finalMetricsKey(run: StoredRun): string {
  const metrics = Object.entries(run.final.metrics ?? {}).filter(([name]) => !TIMING_FIELDS.has(name));
  return stableStringify(Object.fromEntries(metrics));
}

/**
 * Describes conflicting duplicates as Markdown lines for the note under the
 * table, or returns undefined when there are none.
 */
export function describeConflicts(conflicts: readonly RunConflict[]): string | undefined {
  if (conflicts.length === 0) return undefined;
  const lines = [
    `${conflicts.length} run id(s) appear in several folders with different final metrics. ` +
    "The table uses the first copy:",
  ];
  for (const { runId, used, ignored } of conflicts) {
    lines.push(`- ${runId}: ${describeCopy(used)} (used) vs ${describeCopy(ignored)}`);
  }
  return lines.join("\n");
}

function describeCopy(run: StoredRun): string {
  const metrics = run.final.metrics;
  if (metrics === undefined) return `${run.directory} without metrics`;
  return `${run.directory} top-1 ${(100 * metrics.valTop1).toFixed(2)}%, ` +
    `ECE ${(100 * metrics.valEce).toFixed(2)}%, NLL ${metrics.valNll.toFixed(3)}`;
}
