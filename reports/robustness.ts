/**
 * Markdown tables of robustness results: per method the mean accuracy and ECE
 * under the CIFAR-C test corruptions, the mean corruption error relative to the
 * `hard` baseline, the held-out corruptions, and accuracy per corruption and per
 * training-distortion level.
 *
 * @module
 */
import type { DegradedMetrics, RobustnessResult } from "../engine/robustness.ts";
import { formatInterval95, mean, sampleStandardDeviation } from "./statistics.ts";
import { blocksOfGroups, groupByMethod, type MethodGroup } from "./grouping.ts";

/** One run's stored robustness result with the facts that group it. */
export interface RunRobustness {
  method: string;
  dataset: string;
  configSummary: string;
  seed: number;
  result: RobustnessResult;
}

/** Method whose errors the mean corruption error divides by. */
export const BASELINE_METHOD = "hard";

/** Runs of one method on one dataset and configuration. */
type Group = MethodGroup<RunRobustness>;

function entriesOf(run: RunRobustness, filter: (entry: DegradedMetrics) => boolean): DegradedMetrics[] {
  return run.result.entries.filter(filter);
}

/** Formats mean ± sample standard deviation of fractions as percent, or "n/a" without values. */
function formatPercent(values: number[], digits = 2): string {
  if (values.length === 0) return "n/a";
  const center = (100 * mean(values)).toFixed(digits);
  if (values.length < 2) return `${center} ± –`;
  return `${center} ± ${(100 * sampleStandardDeviation(values)).toFixed(digits)}`;
}

/** Returns the corruption names present in every run of the groups, in stored order. */
function sharedCorruptions(groups: Group[], set: "test" | "held_out"): string[] {
  const lists = groups.flatMap((group) =>
    group.runs.map((run) =>
      new Set(
        entriesOf(run, (entry) => entry.kind === "corruption" && entry.set === set).map((entry) =>
          entry.name
        ),
      )
    )
  );
  if (lists.length === 0) return [];
  return [...lists[0]].filter((name) => lists.every((names) => names.has(name)));
}

/** Mean top-1 error of one run under one corruption, summed over its severities. */
function summedError(run: RunRobustness, corruption: string): number {
  return entriesOf(run, (entry) => entry.kind === "corruption" && entry.name === corruption)
    .reduce((sum, entry) => sum + (1 - entry.top1), 0);
}

/**
 * Returns one run's mean corruption error: for each corruption the run's error
 * summed over severities divided by the baseline's (averaged over its seeds),
 * then averaged over the corruptions. Undefined without a baseline.
 */
function meanCorruptionError(
  run: RunRobustness,
  baseline: Group | undefined,
  corruptions: string[],
): number | undefined {
  if (baseline === undefined || corruptions.length === 0) return undefined;
  const ratios = corruptions.map((corruption) => {
    const baselineError = mean(baseline.runs.map((other) => summedError(other, corruption)));
    return summedError(run, corruption) / baselineError;
  });
  return mean(ratios);
}

function meanOverEntries(
  run: RunRobustness,
  filter: (entry: DegradedMetrics) => boolean,
  metric: (entry: DegradedMetrics) => number,
): number | undefined {
  const entries = entriesOf(run, filter);
  return entries.length === 0 ? undefined : mean(entries.map(metric));
}

function defined(values: (number | undefined)[]): number[] {
  return values.filter((value): value is number => value !== undefined);
}

function row(cells: string[]): string {
  return `| ${cells.map((cell) => cell.replaceAll("|", "\\|")).join(" | ")} |`;
}

/** Returns the lines of a Markdown table, with "|" in cells escaped. */
export function table(header: string[], alignRight: boolean[], rows: string[][]): string[] {
  return [row(header), row(alignRight.map((right) => right ? "---:" : "---")), ...rows.map(row)];
}

/** One column of the summary table: per-run values, or the interval of their mean. */
interface SummaryColumn {
  header: string;
  values: (group: Group) => number[];
  digits: number;
  interval?: boolean;
}

function summaryColumns(groups: Group[]): SummaryColumn[] {
  const test = sharedCorruptions(groups, "test");
  const heldOut = sharedCorruptions(groups, "held_out");
  const isTest = (entry: DegradedMetrics) => entry.kind === "corruption" && test.includes(entry.name);
  const isHeldOut = (entry: DegradedMetrics) => entry.kind === "corruption" && heldOut.includes(entry.name);
  const baselineOf = (group: Group) =>
    groups.find((other) =>
      other.method === BASELINE_METHOD && other.dataset === group.dataset &&
      other.configSummary === group.configSummary
    );
  const perRun =
    (filter: (entry: DegradedMetrics) => boolean, metric: (entry: DegradedMetrics) => number) =>
    (group: Group) => defined(group.runs.map((run) => meanOverEntries(run, filter, metric)));
  const top1 = perRun(isTest, (entry) => entry.top1);
  const ece = perRun(isTest, (entry) => entry.ece);
  const mce = (group: Group) =>
    defined(group.runs.map((run) => meanCorruptionError(run, baselineOf(group), test)));
  return [
    { header: "corruption top-1 (%)", values: top1, digits: 2 },
    { header: "corruption top-1 95% CI (%)", values: top1, digits: 2, interval: true },
    { header: `mCE (% of ${BASELINE_METHOD})`, values: mce, digits: 1 },
    { header: "mCE 95% CI (%)", values: mce, digits: 1, interval: true },
    { header: "corruption ECE (%)", values: ece, digits: 2 },
    { header: "corruption ECE 95% CI (%)", values: ece, digits: 2, interval: true },
    { header: "held-out top-1 (%)", values: perRun(isHeldOut, (entry) => entry.top1), digits: 2 },
  ];
}

function summaryTable(groups: Group[]): string[] {
  const columns = summaryColumns(groups);
  const rows = groups.map((group) => [
    group.method,
    group.dataset,
    String(group.runs.length),
    ...columns.map(({ values, digits, interval }) => {
      const list = values(group);
      if (!interval) return formatPercent(list, digits);
      return list.length === 0 ? "n/a" : formatInterval95(list, 100, digits);
    }),
    group.configSummary,
  ]);
  return table(
    ["method", "dataset", "n (seeds)", ...columns.map((column) => column.header), "configuration"],
    [false, false, true, ...columns.map(() => true), false],
    rows,
  );
}

/** Rows: one per corruption or distortion level; columns: one per method, top-1 mean over seeds. */
function perDegradationTable(
  groups: Group[],
  label: string,
  keys: { name: string; filter: (entry: DegradedMetrics) => boolean }[],
): string[] {
  const rows = keys.map(({ name, filter }) => [
    name,
    ...groups.map((group) =>
      formatPercent(defined(group.runs.map((run) => meanOverEntries(run, filter, (entry) => entry.top1))))
        .split(" ± ")[0]
    ),
  ]);
  return table([label, ...groups.map((group) => group.method)], [false, ...groups.map(() => true)], rows);
}

function distortionKeys(groups: Group[]): { name: string; filter: (entry: DegradedMetrics) => boolean }[] {
  const seen = new Map<string, { name: string; level: number }>();
  for (const entry of groups[0].runs[0].result.entries) {
    if (entry.kind === "distortion" && entry.level !== undefined) {
      seen.set(`${entry.name}@${entry.level}`, { name: entry.name, level: entry.level });
    }
  }
  return [...seen.entries()].map(([key, { name, level }]) => ({
    name: key,
    filter: (entry: DegradedMetrics) =>
      entry.kind === "distortion" && entry.name === name && entry.level === level,
  }));
}

/**
 * Builds the robustness section of the report: a summary table, top-1 per
 * corruption (mean over severities and seeds), and top-1 per training distortion
 * and level, one block per dataset and configuration.
 *
 * @param runs Finished runs that have a stored robustness result.
 * @param methodOrder Methods in the order the tables should list them.
 * @returns Markdown ending in a newline, or "No robustness results." without runs.
 */
export function buildRobustnessTables(
  runs: readonly RunRobustness[],
  methodOrder: readonly string[] = [],
): string {
  if (runs.length === 0) return "No robustness results.\n";
  const lines: string[] = [];
  for (const groups of blocksOfGroups(groupByMethod(runs, methodOrder))) {
    lines.push(`Dataset ${groups[0].dataset}, ${groups[0].configSummary}:`, "", ...summaryTable(groups), "");
    const corruptions = [...sharedCorruptions(groups, "test"), ...sharedCorruptions(groups, "held_out")];
    if (corruptions.length > 0) {
      const keys = corruptions.map((name) => ({
        name,
        filter: (entry: DegradedMetrics) => entry.kind === "corruption" && entry.name === name,
      }));
      lines.push("Top-1 (%) per corruption, mean over severities 1 to 5 and seeds:", "");
      lines.push(...perDegradationTable(groups, "corruption", keys), "");
    }
    const distortions = distortionKeys(groups);
    if (distortions.length > 0) {
      lines.push("Top-1 (%) per training distortion and level, mean over seeds:", "");
      lines.push(...perDegradationTable(groups, "distortion@level", distortions), "");
    }
  }
  lines.push(
    "Corruption top-1 and ECE are means over the test corruptions and their 5 severities; held-out top-1 over the 4 " +
      `held-out corruptions. mCE divides each corruption's error, summed over severities, by that of ${BASELINE_METHOD} ` +
      "(mean over its seeds) on the same dataset and configuration, then averages over corruptions; 100% equals the baseline. " +
      "Each 95% interval is that of the mean over seeds, mean ± t(0.975, n - 1) · s / sqrt(n). It is not clamped " +
      "to the metric's range, so with few seeds it can reach below 0.",
  );
  return `${lines.join("\n")}\n`;
}
