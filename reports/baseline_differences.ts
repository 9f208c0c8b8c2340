/**
 * Differences from a baseline method, `hard` by default: per method, its mean
 * minus the baseline's on the same dataset and harness, for the clean and the
 * corruption metrics, each with Welch's 95% interval over seeds. The table
 * shows whether the seeds support a difference, which the per-method
 * intervals alone do not.
 *
 * @module
 */
import { type ComparedRun, corruptionMean } from "./compare.ts";
import { sharedTestCorruptions } from "./chart_data.ts";
import { blocksOfGroups, groupByMethod, type MethodGroup } from "./grouping.ts";
import { BASELINE_METHOD, table } from "./robustness.ts";
import { formatFixed, formatSigned, mean, welchInterval95 } from "./statistics.ts";

/** Runs of one method on one dataset and harness. */
type Group = MethodGroup<ComparedRun>;

/** One column: the per-run value it compares, and how it prints. */
interface Metric {
  header: string;
  /** Per-run value, or undefined where the run lacks it. */
  value: (run: ComparedRun, corruptions: readonly string[]) => number | undefined;
  scale: number;
  digits: number;
}

const finite = (value: number) => Number.isFinite(value) ? value : undefined;

const METRICS: Metric[] = [
  { header: "top-1 (points)", value: (run) => finite(run.top1), scale: 100, digits: 2 },
  { header: "ECE (points)", value: (run) => finite(run.ece), scale: 100, digits: 2 },
  { header: "NLL (nats)", value: (run) => finite(run.nll), scale: 1, digits: 3 },
  {
    header: "corruption top-1 (points)",
    value: (run, corruptions) => corruptionMean(run, corruptions, "top1"),
    scale: 100,
    digits: 2,
  },
  {
    header: "corruption ECE (points)",
    value: (run, corruptions) => corruptionMean(run, corruptions, "ece"),
    scale: 100,
    digits: 2,
  },
];

/** Marks a difference without an interval, where a side has one seed. */
const NO_INTERVAL = "(–)";

/** Marks a difference between two sides whose seeds all gave the same value. */
const NO_SPREAD = "(no spread)";

/**
 * Formats "difference (low to high)" in the metric's unit, or "n/a" where a side
 * has no values. The cell names the seeds it used when a side has fewer values
 * than runs, because some runs lack the metric.
 */
function differenceCell(
  method: number[],
  baseline: number[],
  metric: Metric,
  runs: [number, number],
): string {
  if (method.length === 0 || baseline.length === 0) return "n/a";
  const difference = formatSigned((mean(method) - mean(baseline)) * metric.scale, metric.digits);
  const partial = method.length < runs[0] || baseline.length < runs[1];
  const counts = partial ? ` [n ${method.length} and ${baseline.length}]` : "";
  if (method.length < 2 || baseline.length < 2) return `${difference} ${NO_INTERVAL}${counts}`;
  const [low, high] = welchInterval95(method, baseline);
  if (low === high) return `${difference} ${NO_SPREAD}${counts}`;
  const ends = [low, high].map((end) => formatFixed(end * metric.scale, metric.digits));
  return `${difference} (${ends[0]} to ${ends[1]})${counts}`;
}

/** Returns the values of a metric over the runs of a group that have it. */
function groupValues(group: Group, metric: Metric, corruptions: readonly string[]): number[] {
  return group.runs.map((run) => metric.value(run, corruptions))
    .filter((value): value is number => value !== undefined);
}

/** Returns the test corruptions that every run with any test-corruption entry stores. */
function blockCorruptions(groups: Group[]): string[] {
  const results = groups.flatMap((group) => group.runs.flatMap((run) => run.robustness ?? []))
    .filter((result) => result.entries.some((entry) => entry.kind === "corruption" && entry.set === "test"));
  return sharedTestCorruptions(results);
}

function blockTable(groups: Group[], baseline: Group): string[] {
  const corruptions = blockCorruptions(groups);
  const others = groups.filter((group) => group !== baseline);
  const header = [
    "method",
    "n (seeds)",
    `n ${baseline.method} (seeds)`,
    ...METRICS.map((metric) => metric.header),
  ];
  const rows = others.map((group) => [
    group.method,
    String(group.runs.length),
    String(baseline.runs.length),
    ...METRICS.map((metric) =>
      differenceCell(
        groupValues(group, metric, corruptions),
        groupValues(baseline, metric, corruptions),
        metric,
        [group.runs.length, baseline.runs.length],
      )
    ),
  ]);
  return table(header, header.map((_, index) => index > 0), rows);
}

/**
 * Builds one table per dataset and harness that has runs of the baseline method
 * and at least one other method: each cell is the method's mean minus the
 * baseline's, with Welch's 95% interval of that difference.
 *
 * @param runs Runs whose method and configSummary name the harness they share
 *   (see `comparisonIdentity` in reports/load.ts); failed runs are skipped.
 * @param methodOrder Methods in the order the rows should list them.
 * @param baselineMethod Method subtracted from the others, `hard` by default.
 * @returns Markdown ending in a newline, or "" when no block has a baseline to compare with.
 */
export function buildBaselineDifferences(
  runs: readonly ComparedRun[],
  methodOrder: readonly string[] = [],
  baselineMethod = BASELINE_METHOD,
): string {
  const finished = runs.filter((run) => run.status === "finished");
  const lines: string[] = [];
  for (const groups of blocksOfGroups(groupByMethod(finished, methodOrder))) {
    const baseline = groups.find((group) => group.method === baselineMethod);
    if (baseline === undefined || groups.length < 2) continue;
    lines.push(`Dataset ${groups[0].dataset}, ${groups[0].configSummary}:`, "");
    lines.push(...blockTable(groups, baseline), "");
  }
  if (lines.length === 0) return "";
  lines.push(
    `Each cell is the method's mean over its seeds minus that of ${baselineMethod}, in percentage points ` +
      "(NLL in nats), then Welch's 95% interval of the difference. The interval is difference ± " +
      "t(0.975, df) · sqrt(s1² / n1 + s2² / n2), with df from the Welch–Satterthwaite formula. An interval " +
      `that excludes 0 is a difference the seeds support at the 5% level. "${NO_INTERVAL}" marks a ` +
      `difference where a side has one seed, and "${NO_SPREAD}" one where every seed of both sides gave the ` +
      "same value. Corruption metrics are means over the test corruptions that every run with a robustness " +
      "result stores. Where some runs lack a metric, the cell uses the others and says how many, as " +
      '"[n 2 and 3]" (method and baseline). "n/a" means a side has no run with it.',
  );
  return `${lines.join("\n")}\n`;
}
