/**
 * Markdown results table: one row per method, dataset and configuration, with
 * the mean and sample standard deviation of the final metrics over seeds.
 *
 * @module
 */
import { mean, sampleStandardDeviation } from "./statistics.ts";

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
}

const HEADER = [
  "method",
  "dataset",
  "n (seeds)",
  "top-1 (%)",
  "ECE (%)",
  "NLL (nats)",
  "train images/s",
  "backend(s)",
  "configuration",
];

/** Column alignment: text left, numbers right. */
const ALIGNMENT = ["---", "---", "---:", "---:", "---:", "---:", "---:", "---", "---"];

/** Marks the missing standard deviation of a single-seed group. */
const NO_DEVIATION = "–";

function describeRun(run: RunSummary): string {
  return `${run.method} on ${run.dataset}, seed ${run.seed}`;
}

function validateFinishedRun(run: RunSummary): void {
  const { top1, ece, nll, imagesPerSecond } = run.final;
  for (const [name, value] of [["top1", top1], ["ece", ece]] as const) {
    if (!(value >= 0 && value <= 1)) {
      throw new RangeError(
        `Run ${describeRun(run)} has final.${name} = ${value}. Pass a fraction in [0, 1], not a percentage.`,
      );
    }
  }
  for (const [name, value] of [["nll", nll], ["imagesPerSecond", imagesPerSecond]] as const) {
    if (!(Number.isFinite(value) && value >= 0)) {
      throw new RangeError(
        `Run ${describeRun(run)} has final.${name} = ${value}, but it must be a finite number >= 0.`,
      );
    }
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
    if (group.some((other) => other.seed === run.seed)) {
      throw new RangeError(
        `Two finished runs of ${describeRun(run)} with configuration "${run.configSummary}". ` +
          "Keep one run per seed, or give the rerun another seed.",
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

/** Formats "mean ± std" of values times scale, with "± –" for a single value. */
function formatMeanAndDeviation(values: number[], scale: number, digits: number): string {
  const center = (mean(values) * scale).toFixed(digits);
  if (values.length < 2) return `${center} ± ${NO_DEVIATION}`;
  return `${center} ± ${(sampleStandardDeviation(values) * scale).toFixed(digits)}`;
}

/** Escapes the characters that would break a Markdown table cell. */
function escapeCell(text: string): string {
  return text.replaceAll("|", "\\|").replace(/\s*[\r\n]+\s*/g, " ");
}

function formatRow(cells: string[]): string {
  return `| ${cells.join(" | ")} |`;
}

function formatGroupRow(group: RunSummary[]): string {
  const [first] = group;
  const backends = [...new Set(group.map((run) => run.backend))].sort(compareText);
  const cells = [
    escapeCell(first.method),
    escapeCell(first.dataset),
    String(group.length),
    formatMeanAndDeviation(group.map((run) => run.final.top1), 100, 2),
    formatMeanAndDeviation(group.map((run) => run.final.ece), 100, 2),
    formatMeanAndDeviation(group.map((run) => run.final.nll), 1, 3),
    mean(group.map((run) => run.final.imagesPerSecond)).toFixed(1),
    escapeCell(backends.join(", ")),
    escapeCell(first.configSummary),
  ];
  return formatRow(cells);
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
 * Columns: method, dataset, n (seeds), top-1 (%), ECE (%), NLL (nats), train
 * images/s, backend(s) and configuration. Top-1 and ECE are mean ± sample
 * standard deviation in percent with 2 decimals. NLL is mean ± standard
 * deviation with 3 decimals, and images/s the mean with 1 decimal. The
 * standard deviation uses the n - 1 denominator. A group with one seed shows "± –" and a note explains it.
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
    lines.push(formatRow(HEADER), formatRow(ALIGNMENT), ...groups.map(formatGroupRow));
    lines.push("");
    lines.push(
      "Values are mean ± sample standard deviation (n - 1 denominator) over seeds. Train images/s is the mean only.",
    );
    if (groups.some((group) => group.length === 1)) {
      lines.push(`"± ${NO_DEVIATION}" marks a group with one seed, which has no standard deviation.`);
    }
  }
  const failedNote = describeFailedRuns(runs);
  if (failedNote !== undefined) lines.push(failedNote);
  return `${lines.join("\n")}\n`;
}
