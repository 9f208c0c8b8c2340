/**
 * The ablation table: finished runs of one method, dataset and training
 * configuration that differ only in the options that `mi_adaptive` ablations
 * vary (confidence measure, NMI bins, distortion probability, distortions,
 * smoothing convention), one row per setting with the mean over seeds.
 *
 * @module
 */
import { formatMeanAndDeviation, formatRow } from "./markdown.ts";

/** The options an ablation varies, as one run set them. */
export interface AblationSettings {
  confidence: string;
  nmiBins: number;
  distortionProbability: number;
  /** Distortion names joined with "+". */
  distortions: string;
  smoothingConvention: string;
}

/** One finished run, as the ablation table reads it. */
export interface AblationRun {
  method: string;
  dataset: string;
  seed: number;
  /** tfjs backend the run trained on. */
  backend: string;
  /** The run's configuration with the ablation options at their defaults, which the rows of one table share. */
  baseSummary: string;
  settings: AblationSettings;
  /** Top-1 and ECE as fractions, NLL in nats. */
  top1: number;
  ece: number;
  nll: number;
  /** Mean top-1 over the test corruptions of `robustness.json`, a fraction; absent without it. */
  corruptionTop1?: number;
}

const HEADER = [
  "confidence",
  "NMI bins",
  "distortion probability",
  "distortions",
  "convention",
  "n (seeds)",
  "top-1 (%)",
  "ECE (%)",
  "NLL (nats)",
  "corruption top-1 (%)",
];

/**
 * Builds one table per method, dataset and base configuration whose runs use at
 * least two settings of the ablation options. Values are mean ± sample standard
 * deviation over seeds ("± –" for one seed); corruption top-1 is "n/a" when a run
 * of the row lacks it.
 *
 * @returns Markdown, or "" when no group has two settings.
 */
export function buildAblationTables(runs: readonly AblationRun[]): string {
  const groups = new Map<string, AblationRun[]>();
  for (const run of runs) {
    const key = JSON.stringify([run.dataset, run.method, run.baseSummary]);
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  const blocks: string[] = [];
  for (const group of groups.values()) {
    const rows = groupBySettings(group);
    if (rows.length < 2) continue;
    const { method, dataset, baseSummary } = group[0];
    const backends = [...new Set(group.map((run) => run.backend))].sort().join(", ");
    blocks.push(
      [
        `\`${method}\` on ${dataset}, ${baseSummary}, backend ${backends}:`,
        "",
        formatRow(HEADER),
        formatRow(HEADER.map((_, i) => i < 5 ? "---" : "---:")),
        ...rows.map(formatSettingRow),
      ].join("\n"),
    );
  }
  if (blocks.length === 0) return "";
  return `${blocks.join("\n\n")}\n\nValues are mean ± sample standard deviation over seeds; corruption ` +
    "top-1 is the mean over the test corruptions at all severities.\n";
}

/** Splits a group into runs of one setting each, ordered by their settings' text. */
function groupBySettings(group: readonly AblationRun[]): AblationRun[][] {
  const bySetting = new Map<string, AblationRun[]>();
  for (const run of group) {
    const key = JSON.stringify(run.settings);
    bySetting.set(key, [...(bySetting.get(key) ?? []), run]);
  }
  const keys = [...bySetting.keys()].sort();
  return keys.map((key) => bySetting.get(key)!);
}

function formatSettingRow(runs: AblationRun[]): string {
  const { confidence, nmiBins, distortionProbability, distortions, smoothingConvention } = runs[0].settings;
  const corruption = runs.map((run) => run.corruptionTop1);
  return formatRow([
    confidence,
    String(nmiBins),
    String(distortionProbability),
    distortions,
    smoothingConvention,
    String(runs.length),
    formatMeanAndDeviation(runs.map((run) => run.top1), 100, 2),
    formatMeanAndDeviation(runs.map((run) => run.ece), 100, 2),
    formatMeanAndDeviation(runs.map((run) => run.nll), 1, 3),
    corruption.every((value) => value !== undefined)
      ? formatMeanAndDeviation(corruption as number[], 100, 2)
      : "n/a",
  ]);
}
