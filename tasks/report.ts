/**
 * `deno task report`: builds the Markdown results table, the robustness tables,
 * the differences from a baseline method, the ablation tables and SVG charts from
 * stored runs only, or compares two results folders.
 *
 * @module
 */
import { dirname, join, parse, relative } from "node:path";
import { parseArgs } from "node:util";
import { describeStoredBackend, type StoredRun } from "../engine/run_store.ts";
import { buildResultsTable, type RunSummary } from "../reports/markdown.ts";
import { listCompositions, listMethods } from "../methods/registry.ts";
import { writeFileAtomic } from "../engine/atomic_write.ts";
import { isFile } from "../engine/files.ts";
import { resolveUserPath } from "../engine/user_paths.ts";
import { describeConflicts } from "../reports/merge.ts";
import { BASELINE_METHOD, buildRobustnessTables, type RunRobustness } from "../reports/robustness.ts";
import { buildBaselineDifferences } from "../reports/baseline_differences.ts";
import { buildCharts, buildChartsMarkdown, type ChartFile, chartFiles } from "../reports/charts.ts";
import { buildComparison } from "../reports/compare.ts";
import { type AblationRun, buildAblationTables } from "../reports/ablations.ts";
import { summarizeConfig } from "../engine/config.ts";
import { DEFAULT_METHOD_OPTIONS } from "../methods/options.ts";
import { mean } from "../reports/statistics.ts";
import {
  comparisonIdentity,
  type LoadedRun,
  loadResults,
  toChartRun,
  toComparedRun,
} from "../reports/load.ts";

const USAGE =
  `Usage: deno task report [--results DIR [DIR ...]] [--out FILE] [--charts DIR] [--baseline METHOD]
       deno task report --compare A B [--out FILE]

Reads every run under the results folders (default: results) and prints a
Markdown table, one row per method, dataset and configuration, with top-1
and ECE (each with the 95% interval of its mean), top-5, MCE, NLL and Brier
score as mean ± standard deviation over seeds, then the robustness tables, the
differences of each method from a baseline with Welch's 95% interval, the
ablations and, when charts are written, a "Charts" section that links them.
--out also writes the Markdown to FILE.

Several folders, for example one per shard, are merged: a run id found in more
than one counts once, and copies with different final metrics are listed in a
note under the table.

Charts are SVG files drawn from the stored results only: a reliability diagram
per method (bins pooled over seeds), top-1 against corruption severity, top-1
against the level of each training distortion, and NMI and epsilon against the
level of each distortion.

Options:
  --results DIR [DIR ...]
                results folders to read (default: results)
  --out FILE    also writes the charts to a folder beside FILE, named after
                FILE without its extension plus "-charts" (--out
                results/table.md gives results/table-charts/). The Markdown
                links them with paths relative to FILE.
  --charts DIR  writes the charts to DIR instead. Without --out, the printed
                links use DIR as given, so they resolve from the current folder.
  --baseline METHOD
                method, named as the tables name it, that the differences
                section subtracts from each other method on the same dataset
                and harness (default: hard). distort_hard, for example,
                isolates the effect of soft targets. The mCE always stays
                relative to hard.
Without --out and --charts, no chart is written. A chart replaces the file of
the same name in the charts folder, and other files there are kept.

--compare A B prints what changed from results folder A to results folder B:
per method, dataset and configuration the number of finished runs, the mean
top-1, ECE, NLL and mean corruption top-1 (over the test corruptions that every
run of the group stores) in A and in B, and the difference B - A, then the
groups found in only one folder. --out also writes it to FILE. It draws no
charts.
`;

/** Converts a stored run into the summary that the table reads. */
export function summarizeRun(run: StoredRun): RunSummary {
  const metrics = run.final.metrics;
  return {
    method: run.config.config.method,
    dataset: run.config.datasetName,
    seed: run.config.config.seed,
    backend: describeStoredBackend(run.config.versions),
    configSummary: run.config.configSummary,
    status: run.final.status,
    directory: run.directory,
    ...(run.config.datasetDigest === undefined ? {} : { datasetDigest: run.config.datasetDigest }),
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

/** Options of the report after parsing. */
interface ReportOptions {
  folders: string[];
  out?: string;
  charts?: string;
  compare: boolean;
  /** Method the differences section subtracts; `hard` when absent. */
  baseline?: string;
  help: boolean;
}

/** Parses the command line, and throws with the parser's message on an unknown or malformed option. */
function parseOptions(args: string[]): ReportOptions {
  const parsed = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      results: { type: "string", multiple: true },
      out: { type: "string" },
      charts: { type: "string" },
      compare: { type: "boolean", default: false },
      baseline: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  return {
    // Relative paths count from the folder `deno task` was started in.
    folders: [...(parsed.values.results ?? []), ...parsed.positionals].map(resolveUserPath),
    out: parsed.values.out === undefined ? undefined : resolveUserPath(parsed.values.out),
    charts: parsed.values.charts,
    compare: parsed.values.compare ?? false,
    baseline: parsed.values.baseline,
    help: parsed.values.help ?? false,
  };
}

/** Returns the default charts folder of a report file: its name without extension, plus "-charts". */
export function defaultChartsFolder(out: string): string {
  const { dir, name } = parse(out);
  return join(dir, `${name}-charts`);
}

/** Writes the chart files into the folder, creating it first. */
async function writeCharts(folder: string, files: readonly ChartFile[]): Promise<void> {
  try {
    await Deno.mkdir(folder, { recursive: true });
  } catch (error) {
    throw new Error(
      `Creating the charts folder ${folder} failed: ${(error as Error).message}. ` +
        "Pass --charts with a folder path, or --out in a folder you can write to.",
    );
  }
  for (const file of files) await writeFileAtomic(join(folder, file.fileName), file.svg);
}

/**
 * Builds the charts of the finished runs, writes them to the charts folder when
 * there is one, and returns the Markdown section that links them.
 */
async function buildChartSection(
  runs: LoadedRun[],
  options: ReportOptions,
  methodOrder: string[],
): Promise<string> {
  const folder = options.charts === undefined
    ? (options.out === undefined ? undefined : defaultChartsFolder(options.out))
    : resolveUserPath(options.charts);
  if (folder === undefined) {
    console.error("report: no charts written. Pass --out FILE or --charts DIR to write SVG charts.");
    return "";
  }
  const finished = runs.filter((run) => run.stored.final.status === "finished" && run.stored.final.metrics);
  const blocks = buildCharts(finished.map(toChartRun), methodOrder);
  const files = chartFiles(blocks);
  if (files.length > 0) await writeCharts(folder, files);
  // Without --out the links keep --charts as typed, so they resolve from the user's folder.
  const linkFolder = options.out === undefined
    ? options.charts ?? folder
    : relative(dirname(options.out), folder);
  return buildChartsMarkdown(blocks, linkFolder === "" ? "." : linkFolder);
}

/** Returns a finished run of a method with `mi_adaptive` targets as an ablation row, or nothing. */
export function toAblationRun(run: LoadedRun): AblationRun[] {
  const { config, final } = run.stored;
  const metrics = final.metrics;
  const runConfig = config.config;
  if (final.status !== "finished" || metrics === undefined) return [];
  if (!runConfig.method.split("+").includes("mi_adaptive")) return [];
  const options = runConfig.methodOptions;
  // Hand-written or damaged folders may lack what the ablation rows need.
  if (options === undefined || config.trainImages === undefined) return [];
  const defaults = {
    confidence: DEFAULT_METHOD_OPTIONS.confidence,
    nmiBins: DEFAULT_METHOD_OPTIONS.nmiBins,
    distortionProbability: DEFAULT_METHOD_OPTIONS.distortionProbability,
    distortions: DEFAULT_METHOD_OPTIONS.distortions,
    smoothingConvention: DEFAULT_METHOD_OPTIONS.smoothingConvention,
  };
  const base = { ...runConfig, methodOptions: { ...options, ...defaults } };
  return [{
    method: runConfig.method,
    dataset: config.datasetName,
    seed: runConfig.seed,
    backend: describeStoredBackend(config.versions),
    baseSummary: summarizeConfig(base, config.trainImages),
    settings: {
      confidence: options.confidence ?? defaults.confidence,
      nmiBins: options.nmiBins,
      distortionProbability: options.distortionProbability,
      distortions: options.distortions.join("+"),
      smoothingConvention: options.smoothingConvention,
    },
    top1: metrics.valTop1,
    ece: metrics.valEce,
    nll: metrics.valNll,
    corruptionTop1: meanTestCorruptionTop1(run),
  }];
}

/** Returns the mean top-1 over a run's stored test-corruption entries, or undefined without them. */
function meanTestCorruptionTop1(run: LoadedRun): number | undefined {
  const entries = run.robustness?.entries.filter((entry) =>
    entry.kind === "corruption" && entry.set === "test"
  );
  if (entries === undefined || entries.length === 0) return undefined;
  return mean(entries.map((entry) => entry.top1));
}

/** Returns the robustness result of a run with the facts that group it, or nothing when it has none. */
function toRunRobustness(run: LoadedRun): RunRobustness[] {
  if (run.robustness === undefined) return [];
  const { config } = run.stored;
  return [{
    ...comparisonIdentity(config),
    dataset: config.datasetName,
    seed: config.config.seed,
    result: run.robustness,
  }];
}

/**
 * Builds the section of differences from the baseline method, or "" when no block
 * has one. Throws when `--baseline` names a method without a finished run.
 */
function buildDifferencesSection(runs: LoadedRun[], options: ReportOptions, methodOrder: string[]): string {
  const compared = runs.map((run) => ({ ...toComparedRun(run), ...comparisonIdentity(run.stored.config) }));
  const baseline = options.baseline ?? BASELINE_METHOD;
  const finished = new Set(compared.filter((run) => run.status === "finished").map((run) => run.method));
  const quoted = JSON.stringify(baseline);
  if (options.baseline !== undefined && !finished.has(baseline)) {
    throw new Error(
      `--baseline ${quoted}: no finished run of that method in ${options.folders.join(", ")}. ` +
        `Pass one of: ${[...finished].sort().join(", ")}.`,
    );
  }
  const differences = buildBaselineDifferences(compared, methodOrder, baseline);
  if (differences === "" && options.baseline !== undefined) {
    throw new Error(
      `--baseline ${quoted}: no dataset and configuration has finished runs of both it and another method, ` +
        "so there is no difference to show. Pass a method trained with the same options as the others.",
    );
  }
  return differences === "" ? "" : `\n## Differences from ${baseline}\n\n${differences}`;
}

/** Builds the results table, the robustness tables and the charts section of the merged folders. */
async function buildReport(options: ReportOptions): Promise<string | undefined> {
  const { runs, conflicts } = await loadResults(options.folders, (line) => console.error(`report: ${line}`));
  if (runs.length === 0) {
    console.error(
      `report: no finished or failed runs in ${options.folders.join(", ")}; run \`deno task bench\` first.`,
    );
    return undefined;
  }
  const methodOrder = [...listMethods(), ...listCompositions()];
  let report = buildResultsTable(runs.map((run) => summarizeRun(run.stored)), methodOrder);
  const conflictNote = describeConflicts(conflicts);
  if (conflictNote !== undefined) report += `\n${conflictNote}\n`;
  const robustness = runs.flatMap(toRunRobustness);
  if (robustness.length > 0) {
    report += `\n## Robustness\n\n${buildRobustnessTables(robustness, methodOrder)}`;
  }
  report += buildDifferencesSection(runs, options, methodOrder);
  const ablations = buildAblationTables(runs.flatMap(toAblationRun));
  if (ablations !== "") report += `\n## Ablations\n\n${ablations}`;
  const charts = await buildChartSection(runs, options, methodOrder);
  if (charts !== "") report += `\n${charts}`;
  return report;
}

/** Throws an error that names the side and the fix unless the folder exists and is a folder. */
async function validateCompareFolder(side: "A" | "B", folder: string): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(folder);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new Error(
      `Folder ${side} (${folder}) does not exist. Pass two results folders written by bench --results: ` +
        "deno task report --compare OLD NEW.",
    );
  }
  if (!info.isDirectory) {
    throw new Error(
      `Folder ${side} (${folder}) is a file, not a folder. Pass the folders given to bench --results.`,
    );
  }
}

/** Builds the comparison of two results folders. */
async function buildFolderComparison(options: ReportOptions): Promise<string> {
  if (options.folders.length !== 2) {
    throw new Error(
      `--compare needs exactly two results folders, A and B, but got ${options.folders.length}` +
        `${options.folders.length > 0 ? ` (${options.folders.join(", ")})` : ""}. ` +
        "Example: deno task report --compare results-old results-new.",
    );
  }
  if (options.charts !== undefined) {
    throw new Error(
      "--charts does not apply to --compare. Run the report of each folder to draw its charts.",
    );
  }
  if (options.baseline !== undefined) {
    throw new Error(
      "--baseline does not apply to --compare. Run the report of each folder to see its differences from a baseline.",
    );
  }
  const [a, b] = options.folders;
  await validateCompareFolder("A", a);
  await validateCompareFolder("B", b);
  const onSkipped = (line: string) => console.error(`report: ${line}`);
  const runsA = (await loadResults([a], onSkipped)).runs.map(toComparedRun);
  const runsB = (await loadResults([b], onSkipped)).runs.map(toComparedRun);
  const methodOrder = [...listMethods(), ...listCompositions()];
  return buildComparison(runsA, runsB, { a, b }, methodOrder);
}

/**
 * Shortens node:util's message for an unknown option, whose advice about
 * positional arguments after `--` does not apply to result folders.
 */
function describeOptionError(error: Error): string {
  const code = (error as Error & { code?: string }).code;
  if (code !== "ERR_PARSE_ARGS_UNKNOWN_OPTION") return error.message;
  const option = /'(-{1,2}[^']*)'/.exec(error.message)?.[1] ?? "option";
  return `Unknown option ${option}.`;
}

/**
 * Throws when `out` lies in a run folder (one with a config.json or final.json), where
 * the report could replace a stored result file.
 */
async function rejectOutputInRunFolder(out: string): Promise<void> {
  const folder = dirname(out);
  for (const name of ["config.json", "final.json"]) {
    if (await isFile(join(folder, name))) {
      throw new Error(
        `--out ${out} is inside the run folder ${folder}, whose stored results it could replace. ` +
          "Write the report elsewhere, for example next to the results folder as results/table.md.",
      );
    }
  }
}

async function main(args: string[]): Promise<number> {
  let options: ReportOptions;
  try {
    options = parseOptions(args);
  } catch (error) {
    console.error(`report: ${describeOptionError(error as Error)}\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  try {
    if (options.out !== undefined) await rejectOutputInRunFolder(options.out);
    let text: string | undefined;
    if (options.compare) {
      text = await buildFolderComparison(options);
    } else {
      if (options.folders.length === 0) options.folders = [resolveUserPath("results")];
      text = await buildReport(options);
    }
    if (text === undefined) return 1;
    console.log(text);
    if (options.out !== undefined) await writeFileAtomic(options.out, text + "\n");
    return 0;
  } catch (error) {
    console.error(`report: ${(error as Error).message}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
