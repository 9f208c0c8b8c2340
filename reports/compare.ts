/**
 * Comparison of two results folders A and B: per method, dataset and
 * configuration the number of finished runs, the mean top-1, ECE, NLL and mean
 * corruption top-1 in each, and the difference B − A.
 *
 * @module
 */
import type { RobustnessResult } from "../engine/robustness.ts";
import { sharedTestCorruptions } from "./chart_data.ts";
import { formatSigned, mean } from "./statistics.ts";
import { methodRank } from "./grouping.ts";

/** One stored run, as the comparison reads it. */
export interface ComparedRun {
  method: string;
  dataset: string;
  configSummary: string;
  seed: number;
  status: "finished" | "failed";
  /** Final top-1 and ECE as fractions in [0, 1], NLL in nats. Each is NaN when the run stores no metrics. */
  top1: number;
  ece: number;
  nll: number;
  /** Contents of `robustness.json`, absent when the run has none. */
  robustness?: RobustnessResult;
}

/** Names of the two folders, as the output shows them. */
export interface CompareLabels {
  a: string;
  b: string;
}

/** Finished runs of one method, dataset and configuration in A and in B. */
interface GroupPair {
  method: string;
  dataset: string;
  configSummary: string;
  a: ComparedRun[];
  b: ComparedRun[];
}

/** Cell text for a value that a side does not have. */
const MISSING = "–";

function compareText(a: string, b: string): number {
  if (a < b) return -1;
  if (a > b) return 1;
  return 0;
}

/** Pairs the finished runs of A and B by method, dataset and configuration, ordered like the results table. */
function pairGroups(
  a: readonly ComparedRun[],
  b: readonly ComparedRun[],
  methodOrder: readonly string[],
): GroupPair[] {
  const pairs = new Map<string, GroupPair>();
  const add = (run: ComparedRun, side: "a" | "b") => {
    if (run.status !== "finished") return;
    const key = JSON.stringify([run.method, run.dataset, run.configSummary]);
    const pair = pairs.get(key) ??
      { method: run.method, dataset: run.dataset, configSummary: run.configSummary, a: [], b: [] };
    pair[side].push(run);
    pairs.set(key, pair);
  };
  for (const run of a) add(run, "a");
  for (const run of b) add(run, "b");
  const rank = methodRank(methodOrder);
  return [...pairs.values()].sort((x, y) =>
    compareText(x.dataset, y.dataset) || rank(x.method) - rank(y.method) || compareText(x.method, y.method) ||
    compareText(x.configSummary, y.configSummary)
  );
}

/** Returns the mean of a metric over runs, or undefined without runs or when a run lacks it. */
function meanMetric(runs: readonly ComparedRun[], metric: "top1" | "ece" | "nll"): number | undefined {
  const values = runs.map((run) => run[metric]);
  if (values.length === 0 || !values.every(Number.isFinite)) return undefined;
  return mean(values);
}

/**
 * Returns one run's mean top-1 or ECE over the entries of the given test
 * corruptions, all severities, or undefined when the run has none of them.
 */
export function corruptionMean(
  run: ComparedRun,
  corruptions: readonly string[],
  metric: "top1" | "ece",
): number | undefined {
  const entries =
    run.robustness?.entries.filter((entry) =>
      entry.kind === "corruption" && entry.set === "test" && corruptions.includes(entry.name)
    ) ?? [];
  return entries.length === 0 ? undefined : mean(entries.map((entry) => entry[metric]));
}

/**
 * Returns the mean corruption top-1 of each side over the test corruptions that
 * every run of both sides stores. A side gets undefined when one of its runs has
 * no robustness result.
 */
function corruptionMeans(pair: GroupPair): { a?: number; b?: number; corruptions: string[] } {
  const results = [...pair.a, ...pair.b].flatMap((run) =>
    run.robustness === undefined ? [] : [run.robustness]
  );
  const corruptions = sharedTestCorruptions(results);
  const sideMean = (runs: ComparedRun[]) => {
    if (runs.length === 0 || runs.some((run) => run.robustness === undefined)) return undefined;
    const values = runs.map((run) => corruptionMean(run, corruptions, "top1"));
    return values.every((value): value is number => value !== undefined) ? mean(values) : undefined;
  };
  return { a: sideMean(pair.a), b: sideMean(pair.b), corruptions };
}

function formatValue(value: number | undefined, scale: number, digits: number): string {
  return value === undefined ? MISSING : (value * scale).toFixed(digits);
}

/** Formats B − A with an explicit sign, or "–" when a side is missing. */
function formatDifference(
  a: number | undefined,
  b: number | undefined,
  scale: number,
  digits: number,
): string {
  if (a === undefined || b === undefined) return MISSING;
  return formatSigned((b - a) * scale, digits);
}

/** Formats the three cells A, B and B − A of one metric. */
function metricCells(a: number | undefined, b: number | undefined, scale: number, digits: number): string[] {
  return [
    formatValue(a, scale, digits),
    formatValue(b, scale, digits),
    formatDifference(a, b, scale, digits),
  ];
}

function escapeCell(text: string): string {
  return text.replaceAll("|", "\\|").replace(/\s*[\r\n]+\s*/g, " ");
}

function formatRow(cells: string[]): string {
  return `| ${cells.join(" | ")} |`;
}

/** Column headers of the comparison table. */
export const COMPARISON_HEADER: readonly string[] = [
  "method",
  "dataset",
  "n A",
  "n B",
  "top-1 A (%)",
  "top-1 B (%)",
  "top-1 B − A",
  "ECE A (%)",
  "ECE B (%)",
  "ECE B − A",
  "NLL A",
  "NLL B",
  "NLL B − A",
  "corruption top-1 A (%)",
  "corruption top-1 B (%)",
  "corruption top-1 B − A",
  "configuration",
];

function pairRow(pair: GroupPair): string[] {
  const corruption = corruptionMeans(pair);
  return [
    escapeCell(pair.method),
    escapeCell(pair.dataset),
    String(pair.a.length),
    String(pair.b.length),
    ...metricCells(meanMetric(pair.a, "top1"), meanMetric(pair.b, "top1"), 100, 2),
    ...metricCells(meanMetric(pair.a, "ece"), meanMetric(pair.b, "ece"), 100, 2),
    ...metricCells(meanMetric(pair.a, "nll"), meanMetric(pair.b, "nll"), 1, 3),
    ...metricCells(corruption.a, corruption.b, 100, 2),
    escapeCell(pair.configSummary),
  ];
}

function describePair(pair: GroupPair, runs: ComparedRun[]): string {
  const noun = runs.length === 1 ? "run" : "runs";
  return `${pair.method} on ${pair.dataset} (${pair.configSummary}, ${runs.length} ${noun})`;
}

function countFailed(runs: readonly ComparedRun[]): number {
  return runs.filter((run) => run.status === "failed").length;
}

/** Lists the groups found on one side only, or returns no lines when there are none. */
function onlyLines(pairs: GroupPair[], side: "a" | "b", label: string): string[] {
  const other = side === "a" ? "b" : "a";
  const only = pairs.filter((pair) => pair[side].length > 0 && pair[other].length === 0);
  if (only.length === 0) return [];
  return [
    `Only in ${side.toUpperCase()} (${label}):`,
    "",
    ...only.map((pair) => `- ${describePair(pair, pair[side])}`),
    "",
  ];
}

/**
 * Builds the comparison of two results folders as Markdown: one table row per
 * method, dataset and configuration with finished runs in A or in B, then the
 * groups found in only one folder, then notes.
 *
 * Each metric shows the mean over the group's finished runs in A and in B and
 * the difference B − A: top-1 and ECE in percent and percentage points with 2
 * decimals, NLL in nats with 3. Corruption top-1 averages, per run, the
 * entries of the test corruptions that every run of the group in both folders
 * stores (all severities). It shows "–" for a side where a run has no
 * `robustness.json`, and a difference only where both sides have a value.
 *
 * @param a Runs of folder A, finished or failed. Failed runs are counted in a note.
 * @param b Runs of folder B.
 * @param labels Folder names as the output shows them.
 * @param methodOrder Methods in the order the rows list them within a dataset. Others follow by name.
 * @returns Markdown ending in a newline. Without finished runs in either
 *   folder it contains "No finished runs in A or B." and no table.
 */
export function buildComparison(
  a: readonly ComparedRun[],
  b: readonly ComparedRun[],
  labels: CompareLabels,
  methodOrder: readonly string[] = [],
): string {
  const pairs = pairGroups(a, b, methodOrder);
  const lines = [`Comparison of A = ${labels.a} and B = ${labels.b}:`, ""];
  if (pairs.length === 0) {
    lines.push("No finished runs in A or B.");
  } else {
    const alignment = COMPARISON_HEADER.map((header) =>
      ["method", "dataset", "configuration"].includes(header) ? "---" : "---:"
    );
    lines.push(
      formatRow([...COMPARISON_HEADER]),
      formatRow(alignment),
      ...pairs.map((pair) => formatRow(pairRow(pair))),
    );
    lines.push("");
    const both = pairs.filter((pair) => pair.a.length > 0 && pair.b.length > 0).length;
    lines.push(
      `${both} of ${pairs.length} groups have finished runs in both folders. Values are means over a group's ` +
        'finished runs. Differences are B − A, in percentage points for top-1 and ECE. "–" marks a value that a ' +
        "side does not have.",
      "",
    );
    lines.push(...onlyLines(pairs, "a", labels.a), ...onlyLines(pairs, "b", labels.b));
  }
  for (const [side, runs, label] of [["A", a, labels.a], ["B", b, labels.b]] as const) {
    const failed = countFailed(runs);
    if (failed > 0) lines.push(`${side} (${label}) has ${failed} failed run(s), left out.`);
  }
  return `${lines.join("\n").trimEnd()}\n`;
}
