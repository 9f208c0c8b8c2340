/**
 * `deno task report`: builds the Markdown results table from stored runs only.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { readRuns, type StoredRun } from "../engine/run_store.ts";
import { buildResultsTable, type RunSummary } from "../reports/markdown.ts";
import { listCompositions, listMethods } from "../methods/registry.ts";
import { writeFileAtomic } from "../engine/atomic_write.ts";
import { describeConflicts, mergeRunFolders } from "../reports/merge.ts";
import { readRobustness } from "../engine/robustness_run.ts";
import { buildRobustnessTables, type RunRobustness } from "../reports/robustness.ts";

const USAGE = `Usage: deno task report [--results DIR [DIR ...]] [--out FILE]

Reads every run under the results folders (default: results) and prints a
Markdown table, one row per method, dataset and configuration, with top-1
(and its 95% interval), top-5, ECE, MCE, NLL and Brier score as mean ± standard
deviation over seeds. --out also writes it to FILE.

Several folders, for example one per shard, are merged: a run id found in more
than one counts once, and copies with different final metrics are listed in a
note under the table.
`;

/** Converts a stored run into the summary that the table reads. */
export function summarizeRun(run: StoredRun): RunSummary {
  const metrics = run.final.metrics;
  return {
    method: run.config.config.method,
    dataset: run.config.datasetName,
    seed: run.config.config.seed,
    backend: run.config.versions.backend,
    configSummary: run.config.configSummary,
    status: run.final.status,
    final: {
      top1: metrics?.valTop1 ?? NaN,
      ece: metrics?.valEce ?? NaN,
      nll: metrics?.valNll ?? NaN,
      imagesPerSecond: run.final.trainImagesPerSecond ?? NaN,
      top5: metrics?.valTop5,
      mce: metrics?.valMce,
      brier: metrics?.valBrier,
    },
  };
}

/** Reads `robustness.json` of every finished run that has one. */
async function readRobustnessOf(runs: StoredRun[]): Promise<RunRobustness[]> {
  const results: RunRobustness[] = [];
  for (const run of runs) {
    if (run.final.status !== "finished") continue;
    const result = await readRobustness(run.directory);
    if (result === undefined) continue;
    results.push({
      method: run.config.config.method,
      dataset: run.config.datasetName,
      configSummary: run.config.configSummary,
      seed: run.config.config.seed,
      result,
    });
  }
  return results;
}

async function main(args: string[]): Promise<number> {
  let values;
  let folders: string[];
  try {
    const parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: true,
      options: {
        results: { type: "string", multiple: true },
        out: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
    values = parsed.values;
    folders = [...(parsed.values.results ?? []), ...parsed.positionals];
  } catch (error) {
    console.error(`report: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (folders.length === 0) folders = ["results"];
  try {
    const read = [];
    for (const folder of folders) {
      read.push({
        folder,
        runs: await readRuns(folder, (line) => console.error(`report: ${line}`)),
      });
    }
    const { runs, conflicts } = mergeRunFolders(read);
    if (runs.length === 0) {
      console.error(
        `report: no finished or failed runs in ${folders.join(", ")}; run \`deno task bench\` first.`,
      );
      return 1;
    }
    const methodOrder = [...listMethods(), ...listCompositions()];
    let table = buildResultsTable(runs.map(summarizeRun), methodOrder);
    const conflictNote = describeConflicts(conflicts);
    if (conflictNote !== undefined) table += `\n${conflictNote}\n`;
    const robustness = await readRobustnessOf(runs);
    if (robustness.length > 0) {
      table += `\n## Robustness\n\n${buildRobustnessTables(robustness, methodOrder)}`;
    }
    console.log(table);
    if (values.out !== undefined) await writeFileAtomic(values.out, table + "\n");
    return 0;
  } catch (error) {
    console.error(`report: ${(error as Error).message}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
