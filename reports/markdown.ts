/**
 * Markdown results table: one row per method, dataset and configuration, with
 * the mean and sample standard deviation of the final metrics over seeds.
 *
 * @module
 */
import { METRIC_RANGES, type MetricName, metricProblem } from "./metric_ranges.ts";
import { formatInterval95, mean, sampleStandardDeviation } from "./statistics.ts";

/** Final metrics of one training run, measured after its last epoch. */
export interface RunMetrics {
  /** Top-1 validation accuracy, a fraction in [0, 1]. */
  top1: number;
  /** Expected calibration error on the validation split, a fraction in [0, 1]. */
  ece: number;
  /** Mean validation negative log-likelihood in nats, >= 0. */
  nll: number;
  /** Training throughput in images per second, >= 0. */
  imagesPerSecond: number;
  /**
   * Top-5 accuracy, a fraction in [0, 1]; null with fewer than 5 classes, and
   * absent (like MCE and Brier) from runs stored before the suite measured it.
   */
  top5?: number | null;
  /** Maximum calibration error, a fraction in [0, 1]. */
  mce?: number;
  /** Multi-class Brier score, in [0, 2]. */
  brier?: number;
}

/** One stored run, as the report reads it. */
export interface RunSummary {
  /** Label-smoothing method name, for example "mi-adaptive". */
  method: string;
  /** Dataset name, for example "cifar10-embedded". */
  dataset: string;
  /** Seed of the run. Runs that differ only in seed form one table row. */
  seed: number;
  /** tfjs backend the run trained on, for example "wasm". */
  backend: string;
  /** Human-readable configuration, for example "width 0.25, side 32, 15 epochs, batch 128, train 2000 images". */
  configSummary: string;
  /** Metrics after the last epoch, ignored when status is "failed". */
  final: RunMetrics;
  /** Whether the run completed. Failed runs are left out of the table and counted in a note. */
  status: "finished" | "failed";
  /** Folder of the run, named in errors about it. */
  directory?: string;
  /** SHA-256 of the dataset's pixels and labels; runs of one row should share it. */
  datasetDigest?: string;
}

/** Marks the missing standard deviation of a single-seed group. */
const NO_DEVIATION = "–";

/** Fills a cell whose metric some run of the group lacks. */
const NOT_AVAILABLE = "n/a";

/** One column of the table: its header, its alignment and how a group of runs fills it. */
interface Column {
  header: string;
  align: "left" | "right";
  cell(group: RunSummary[]): string;
}

type OptionalMetric = "top5" | "mce" | "brier";

/** Returns every run's value of an optional metric, or undefined when one run lacks it. */
function optionalValues(group: RunSummary[], metric: OptionalMetric): number[] | undefined {
  const values = group.map((run) => run.final[metric]);
  return values.every((value): value is number => typeof value === "number") ? values : undefined;
}

const COLUMNS: Column[] = [
  { header: "method", align: "left", cell: (group) => escapeCell(group[0].method) },
  { header: "dataset", align: "left", cell: (group) => escapeCell(group[0].dataset) },
  { header: "n (seeds)", align: "right", cell: (group) => String(group.length) },
  {
    header: "top-1 (%)",
    align: "right",
    cell: (group) => formatMetric(group, (run) => run.final.top1, 100, 2),
  },
  {
    header: "top-1 95% CI (%)",
    align: "right",
    cell: (group) => formatInterval95(group.map((run) => run.final.top1), 100, 2),
  },
  { header: "top-5 (%)", align: "right", cell: (group) => formatOptional(group, "top5", 100, 2) },
  { header: "ECE (%)", align: "right", cell: (group) => formatMetric(group, (run) => run.final.ece, 100, 2) },
  {
    header: "ECE 95% CI (%)",
    align: "right",
    cell: (group) => formatInterval95(group.map((run) => run.final.ece), 100, 2),
  },
  { header: "MCE (%)", align: "right", cell: (group) => formatOptional(group, "mce", 100, 2) },
  {
    header: "NLL (nats)",
    align: "right",
    cell: (group) => formatMetric(group, (run) => run.final.nll, 1, 3),
  },
  { header: "Brier", align: "right", cell: (group) => formatOptional(group, "brier", 1, 3) },
  {
    header: "train images/s",
    align: "right",
    cell: (group) => mean(group.map((run) => run.final.imagesPerSecond)).toFixed(1),
  },
  {
    header: "backend(s)",
    align: "left",
    cell: (group) => escapeCell([...new Set(group.map((run) => run.backend))].sort(compareText).join(", ")),
  },
  { header: "configuration", align: "left", cell: (group) => escapeCell(group[0].configSummary) },
];

/** The table's header cells, in column order. */
export const RESULTS_TABLE_HEADER: readonly string[] = COLUMNS.map((column) => column.header);

function describeRun(run: RunSummary): string {
  return `${run.method} on ${run.dataset}, seed ${run.seed}`;
}

/** Throws a RangeError naming the run when a final metric of `run` is missing or out of its range. */
function validateFinishedRun(run: RunSummary): void {
  const { top1, ece, nll, imagesPerSecond, top5, mce, brier } = run.final;
  // Top-5 is null on datasets with fewer than 5 classes; MCE and Brier are optional.
  const checks: [MetricName, unknown, boolean][] = [
    ["top1", top1, false],
    ["ece", ece, false],
    ["top5", top5 ?? undefined, true],
    ["mce", mce, true],
    ["nll", nll, false],
    ["imagesPerSecond", imagesPerSecond, false],
    ["brier", brier, true],
  ];
  for (const [metric, value, optional] of checks) {
    const problem = metricProblem(metric, `final.${metric}`, value, optional);
    if (problem === undefined) continue;
    const percentage = METRIC_RANGES[metric][1] === 1 && typeof value === "number" && value > 1 &&
      value <= 100;
    const hint = percentage ? " Pass a fraction, not a percentage." : "";
    throw new RangeError(`Run ${describeRun(run)}: ${problem}.${hint}`);
  }
}

/**
 * Groups finished runs by method, dataset and configuration.
 *
 * @throws {RangeError} on invalid metrics, or on two finished runs of one group with the same seed.
 */
function groupFinishedRuns(runs: readonly RunSummary[]): RunSummary[][] {
  const groups = new Map<string, RunSummary[]>();
  for (const run of runs) {
    if (run.status !== "finished") continue;
    validateFinishedRun(run);
    const key = JSON.stringify([run.method, run.dataset, run.configSummary]);
    const group = groups.get(key) ?? [];
    const twin = group.find((other) => other.seed === run.seed);
    if (twin !== undefined) {
      const folders = twin.directory !== undefined && run.directory !== undefined
        ? ` (${twin.directory} and ${run.directory})`
        : "";
      throw new RangeError(
        `Two finished runs of ${describeRun(run)} with configuration "${run.configSummary}"${folders}. ` +
          "Keep one run per seed, or give the rerun another seed. The same dataset passed as two " +
          "different paths (relative, with a trailing slash, through a link) gives two run ids.",
      );
    }
    group.push(run);
    groups.set(key, group);
  }
  return [...groups.values()];
}

function compareText(a: string, b: string): number {
  if (a < b) return -1;
  if (a > b) return 1;
  return 0;
}

/** Orders groups by dataset, then by position in methodOrder (unlisted methods last, by name), then configuration. */
function compareGroups(methodOrder: readonly string[]): (a: RunSummary[], b: RunSummary[]) => number {
  const rank = (method: string) => {
    const index = methodOrder.indexOf(method);
    return index >= 0 ? index : methodOrder.length;
  };
  return ([a], [b]) =>
    compareText(a.dataset, b.dataset) ||
    rank(a.method) - rank(b.method) ||
    compareText(a.method, b.method) ||
    compareText(a.configSummary, b.configSummary);
}

function formatMetric(
  group: RunSummary[],
  metric: (run: RunSummary) => number,
  scale: number,
  digits: number,
): string {
  return formatMeanAndDeviation(group.map(metric), scale, digits);
}

/** Formats an optional metric as "mean ± std", or "n/a" when a run of the group lacks it. */
function formatOptional(group: RunSummary[], metric: OptionalMetric, scale: number, digits: number): string {
  const values = optionalValues(group, metric);
  return values === undefined ? NOT_AVAILABLE : formatMeanAndDeviation(values, scale, digits);
}

/** Formats "mean ± std" of values times scale, with "± –" for a single value. */
export function formatMeanAndDeviation(values: number[], scale: number, digits: number): string {
  const center = (mean(values) * scale).toFixed(digits);
  if (values.length < 2) return `${center} ± ${NO_DEVIATION}`;
  return `${center} ± ${(sampleStandardDeviation(values) * scale).toFixed(digits)}`;
}

/** Escapes the characters that would break a Markdown table cell. */
function escapeCell(text: string): string {
  return text.replaceAll("|", "\\|").replace(/\s*[\r\n]+\s*/g, " ");
}

/** Formats one Markdown table row. */
export function formatRow(cells: readonly string[]): string {
  return `| ${cells.join(" | ")} |`;
}

function formatGroupRow(group: RunSummary[]): string {
  return formatRow(COLUMNS.map((column) => column.cell(group)));
}

/** Returns one note per row whose runs were trained on different images under one dataset name. */
function describeMixedDatasets(groups: readonly RunSummary[][]): string[] {
  return groups.flatMap((group) => {
    const digests = new Set(group.map((run) => run.datasetDigest).filter((digest) => digest !== undefined));
    if (digests.size < 2) return [];
    return [
      `Warning: the row of ${group[0].method} on ${
        group[0].dataset
      } pools runs on ${digests.size} different ` +
      "datasets of that name (their pixel digests differ). Report their results folders separately.",
    ];
  });
}

function describeFailedRuns(runs: readonly RunSummary[]): string | undefined {
  const failed = runs.filter((run) => run.status === "failed");
  if (failed.length === 0) return undefined;
  const noun = failed.length === 1 ? "run" : "runs";
  return `${failed.length} failed ${noun} left out: ${failed.map(describeRun).join("; ")}.`;
}

/**
 * Builds a Markdown results table with one row per (method, dataset,
 * configSummary) over the finished runs, followed by note lines.
 *
 * Columns: {@linkcode RESULTS_TABLE_HEADER}. Top-1, top-5, ECE and MCE are mean ±
 * sample standard deviation in percent with 2 decimals; NLL and Brier are mean ±
 * standard deviation with 3 decimals, and images/s the mean with 1 decimal. The
 * standard deviation uses the n - 1 denominator. The 95% intervals of the top-1 and
 * ECE means use Student's t with n - 1 degrees of freedom. A group with one seed shows
 * "± –" and a note explains it; a metric that a run of the group lacks shows "n/a".
 * Failed runs are left out of the rows and listed in a note.
 *
 * @param runs Stored runs in any order, with top1 and ece in `final` as fractions.
 * @param methodOrder Methods in the order the rows should list them within a
 *   dataset. Methods not listed follow, sorted by name.
 * @returns Markdown text ending in a newline. Without finished runs it contains
 *   the line "No finished runs." and the notes, but no table.
 * @throws {RangeError} when a finished run has top1 or ece outside [0, 1], a
 *   negative or non-finite nll or imagesPerSecond, or repeats a seed within its group.
 */
export function buildResultsTable(runs: readonly RunSummary[], methodOrder: readonly string[] = []): string {
  const groups = groupFinishedRuns(runs).sort(compareGroups(methodOrder));
  const lines: string[] = [];
  if (groups.length === 0) {
    lines.push("No finished runs.");
  } else {
    const alignment = COLUMNS.map((column) => column.align === "right" ? "---:" : "---");
    lines.push(formatRow([...RESULTS_TABLE_HEADER]), formatRow(alignment), ...groups.map(formatGroupRow));
    lines.push("");
    lines.push(
      "Values are mean ± sample standard deviation (n - 1 denominator) over seeds. Train images/s (each run's mean over epochs, training steps only) is a mean over seeds, without a spread. " +
        "The 95% intervals of the top-1 and ECE means are mean ± t(0.975, n - 1) · s / sqrt(n). They are not " +
        "clamped to [0, 100], so with few seeds they can reach past either end.",
    );
    if (groups.some((group) => group.length === 1)) {
      lines.push(`"± ${NO_DEVIATION}" marks a group with one seed, which has no standard deviation.`);
    }
  }
  const failedNote = describeFailedRuns(runs);
  if (failedNote !== undefined) lines.push(failedNote);
  lines.push(...describeMixedDatasets(groups));
  return `${lines.join("\n")}\n`;
}
