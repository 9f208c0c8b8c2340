/**
 * The report's charts: which SVG files a set of stored runs gives, their safe
 * file names, and the Markdown section that links them. Building is pure, and
 * the caller writes the files.
 *
 * Per dataset and configuration the charts are: a reliability diagram per
 * method, top-1 against corruption severity, top-1 against the level of each
 * training distortion, and NMI and epsilon against the level of each distortion.
 *
 * @module
 */
import {
  type ChartRun,
  distortionCurve,
  distortionNames,
  informationCurve,
  poolReliabilityBins,
  sameInformation,
  type SeedMean,
  severityCurve,
  sharedTestCorruptions,
} from "./chart_data.ts";
import { buildLineChart, type LineSeries } from "./line_chart.ts";
import { buildReliabilityChart } from "./reliability_chart.ts";

/** One chart: its file name inside the charts folder, its title and its SVG text. */
export interface ChartFile {
  fileName: string;
  title: string;
  svg: string;
}

/** The charts and notes of one dataset and configuration, in the order the report lists them. */
export interface ChartBlock {
  dataset: string;
  configSummary: string;
  /** Charts, and notes (plain strings) about charts left out or data sources. */
  items: (ChartFile | string)[];
}

/** Runs of one method on one dataset and configuration. */
interface MethodGroup {
  method: string;
  runs: ChartRun[];
}

/** Maximum length of a file-name stem, well below the 255-byte limit of common file systems. */
const MAX_STEM_LENGTH = 80;

/**
 * Turns a name into a file-name part that is safe on Linux, macOS and Windows
 * and in a URL. '+' becomes "-plus-", and every other character outside
 * [A-Za-z0-9_.-] becomes '_'. Leading dots are dropped, the result is cut to
 * 80 characters, and an empty result becomes "unnamed".
 *
 * @example
 * ```ts
 * safeFileStem("randaugment+mi_adaptive"); // "randaugment-plus-mi_adaptive"
 * ```
 */
export function safeFileStem(name: string): string {
  const stem = name
    .replaceAll("+", "-plus-")
    .replace(/[^A-Za-z0-9_.-]/g, "_")
    .replace(/^\.+/, "")
    .slice(0, MAX_STEM_LENGTH);
  return stem === "" ? "unnamed" : stem;
}

/**
 * Hands out file names that differ even on case-insensitive file systems, by
 * appending "-2", "-3", … to a stem already taken.
 */
class FileNames {
  #taken = new Set<string>();

  claim(stem: string): string {
    let name = `${stem}.svg`;
    for (let i = 2; this.#taken.has(name.toLowerCase()); i++) name = `${stem}-${i}.svg`;
    this.#taken.add(name.toLowerCase());
    return name;
  }
}

function compareText(a: string, b: string): number {
  if (a < b) return -1;
  if (a > b) return 1;
  return 0;
}

/** Groups runs by dataset and configuration, then by method in methodOrder (others last, by name). */
function groupBlocks(runs: readonly ChartRun[], methodOrder: readonly string[]): MethodGroup[][] {
  const rank = (method: string) => {
    const index = methodOrder.indexOf(method);
    return index >= 0 ? index : methodOrder.length;
  };
  const sorted = [...runs].sort((a, b) =>
    compareText(a.dataset, b.dataset) || compareText(a.configSummary, b.configSummary) ||
    rank(a.method) - rank(b.method) || compareText(a.method, b.method) || a.seed - b.seed
  );
  const blocks = new Map<string, Map<string, MethodGroup>>();
  for (const run of sorted) {
    const key = JSON.stringify([run.dataset, run.configSummary]);
    const block = blocks.get(key) ?? new Map<string, MethodGroup>();
    const group = block.get(run.method) ?? { method: run.method, runs: [] };
    group.runs.push(run);
    block.set(run.method, group);
    blocks.set(key, block);
  }
  return [...blocks.values()].map((block) => [...block.values()]);
}

/** Returns the file-name prefix of each block: the dataset, plus "-config<k>" when a dataset has several configurations. */
function blockPrefixes(blocks: MethodGroup[][]): string[] {
  const perDataset = new Map<string, number>();
  for (const block of blocks) {
    const dataset = block[0].runs[0].dataset;
    perDataset.set(dataset, (perDataset.get(dataset) ?? 0) + 1);
  }
  const seen = new Map<string, number>();
  return blocks.map((block) => {
    const dataset = block[0].runs[0].dataset;
    const index = (seen.get(dataset) ?? 0) + 1;
    seen.set(dataset, index);
    const stem = safeFileStem(dataset);
    return perDataset.get(dataset)! > 1 ? `${stem}-config${index}` : stem;
  });
}

function seedsLabel(count: number): string {
  return count === 1 ? "1 seed" : `${count} seeds`;
}

/** Builds a reliability diagram per method that stores bins, and a note naming the methods that do not. */
function reliabilityItems(
  groups: MethodGroup[],
  subtitle: string,
  prefix: string,
  names: FileNames,
): (ChartFile | string)[] {
  const items: (ChartFile | string)[] = [];
  const missing: string[] = [];
  for (const group of groups) {
    const stored = group.runs.filter((run) => run.reliability !== undefined && run.reliability.length > 0);
    if (stored.length === 0) {
      missing.push(group.method);
      continue;
    }
    let bins;
    try {
      bins = poolReliabilityBins(stored.map((run) => run.reliability!));
    } catch (error) {
      items.push(`Reliability diagram of ${group.method} left out: ${(error as Error).message}`);
      continue;
    }
    const title = `Reliability diagram: ${group.method}`;
    const pooled = `bins pooled over ${seedsLabel(stored.length)}`;
    const notes = stored.length < group.runs.length
      ? [pooled, `(${group.runs.length - stored.length} of ${group.runs.length} seeds store no bins)`]
      : [pooled];
    items.push({
      fileName: names.claim(`${prefix}-reliability-${safeFileStem(group.method)}`),
      title,
      svg: buildReliabilityChart({ title, subtitle, bins, notes }),
    });
  }
  if (missing.length > 0) {
    items.push(
      `No reliability diagram for ${missing.join(", ")}: no run stores reliability bins ` +
        "(valReliability in final.json), which runs stored before the suite kept them lack.",
    );
  }
  return items;
}

/** Builds one line series from a seed-mean curve, with the number of seeds in its label. */
function seriesOf(label: string, curve: SeedMean[]): LineSeries {
  const seeds = Math.max(0, ...curve.map((point) => point.seeds));
  return {
    label: `${label} (${seedsLabel(seeds)})`,
    points: curve.map((point) => ({
      x: point.x,
      y: 100 * point.mean,
      spread: point.std === undefined ? undefined : 100 * point.std,
    })),
  };
}

/** Returns the robustness results of a group's runs that have one. */
function robustnessOf(group: MethodGroup) {
  return group.runs.flatMap((run) => run.robustness === undefined ? [] : [run.robustness]);
}

/** Builds the chart of top-1 against corruption severity, one line per method, and a note naming the corruptions. */
function severityItems(
  groups: MethodGroup[],
  subtitle: string,
  prefix: string,
  names: FileNames,
): (ChartFile | string)[] {
  const corruptions = sharedTestCorruptions(groups.flatMap(robustnessOf));
  if (corruptions.length === 0) {
    return ["No corruption chart: no test corruption is stored for every run with robustness results."];
  }
  const series = groups
    .filter((group) => robustnessOf(group).length > 0)
    .map((group) => seriesOf(group.method, severityCurve(robustnessOf(group), corruptions)));
  const title = "Top-1 under corruptions by severity";
  const counted = corruptions.length === 1 ? "1 test corruption" : `${corruptions.length} test corruptions`;
  const chart: ChartFile = {
    fileName: names.claim(`${prefix}-corruption-severity`),
    title,
    svg: buildLineChart({
      title,
      subtitle: `${subtitle}\nmean over ${counted}`,
      xLabel: "corruption severity",
      yLabel: "top-1 (%)",
      series,
      xTicks: [1, 2, 3, 4, 5],
      yLimits: [0, 100],
      bandLabel: "± 1 std over seeds",
    }),
  };
  return [chart, `Top-1 by severity is the mean over the test corruptions ${corruptions.join(", ")}.`];
}

/** Builds one chart per training distortion of top-1 against level, one line per method. */
function distortionItems(
  groups: MethodGroup[],
  subtitle: string,
  prefix: string,
  names: FileNames,
): ChartFile[] {
  return distortionNames(groups.flatMap(robustnessOf)).map((distortion) => {
    const series = groups
      .filter((group) => robustnessOf(group).length > 0)
      .map((group) => seriesOf(group.method, distortionCurve(robustnessOf(group), distortion)))
      .filter((line) => line.points.length > 0);
    const title = `Top-1 under ${distortion} by level`;
    return {
      fileName: names.claim(`${prefix}-distortion-${safeFileStem(distortion)}`),
      title,
      svg: buildLineChart({
        title,
        subtitle,
        xLabel: `${distortion} level`,
        yLabel: "top-1 (%)",
        series,
        yLimits: [0, 100],
        bandLabel: "± 1 std over seeds",
      }),
    };
  });
}

/**
 * Builds one chart per training distortion of NMI and epsilon against level.
 * They depend on the validation images and the distortion, not on the model, so
 * they come from the first run of the block that stores them.
 */
function informationItems(
  groups: MethodGroup[],
  subtitle: string,
  prefix: string,
  names: FileNames,
): (ChartFile | string)[] {
  const runs = groups.flatMap((group) => group.runs).filter((run) => run.robustness !== undefined);
  const items: (ChartFile | string)[] = [];
  for (const distortion of distortionNames(runs.map((run) => run.robustness!))) {
    const source = runs.find((run) => informationCurve(run.robustness!, distortion).length > 0);
    if (source === undefined) continue;
    const curve = informationCurve(source.robustness!, distortion);
    const title = `NMI and epsilon under ${distortion}`;
    items.push({
      fileName: names.claim(`${prefix}-nmi-${safeFileStem(distortion)}`),
      title,
      svg: buildLineChart({
        title,
        subtitle: `${subtitle}\nfrom run ${source.runId}`,
        xLabel: `${distortion} level`,
        yLabel: "mean over validation images",
        series: [
          {
            label: "NMI",
            points: curve.map((point) => ({ x: point.level, y: point.nmi.mean, spread: point.nmi.std })),
          },
          {
            label: "epsilon = min(0.9, 1 − NMI)",
            points: curve.map((point) => ({
              x: point.level,
              y: point.epsilon.mean,
              spread: point.epsilon.std,
            })),
          },
        ],
        yDomain: [0, 1],
        bandLabel: "± 1 std over images",
      }),
    });
    const differing = runs.filter((run) => !sameInformation(run.robustness!, source.robustness!, distortion));
    if (differing.length > 0) {
      items.push(
        `NMI under ${distortion} differs in ${differing.map((run) => run.runId).join(", ")}, ` +
          `which were evaluated on other validation images than ${source.runId}.`,
      );
    }
  }
  return items;
}

/**
 * Builds every chart of the stored runs, one block per dataset and configuration.
 *
 * Lines of the corruption and distortion charts are means over seeds, with a
 * band of ± one sample standard deviation where two or more seeds have a value.
 * Reliability diagrams pool the bins of the method's seeds. NMI and epsilon
 * charts show mean ± population standard deviation over the validation images.
 * File names are unique and safe (see {@linkcode safeFileStem}).
 *
 * @param runs Finished runs, with their reliability bins and robustness results where stored.
 * @param methodOrder Methods in the order legends and diagrams list them. Others follow by name.
 * @returns Blocks in order of dataset, then configuration, or an empty array without runs.
 */
export function buildCharts(runs: readonly ChartRun[], methodOrder: readonly string[] = []): ChartBlock[] {
  const blocks = groupBlocks(runs, methodOrder);
  const prefixes = blockPrefixes(blocks);
  const names = new FileNames();
  return blocks.map((groups, index) => {
    const { dataset, configSummary } = groups[0].runs[0];
    const subtitle = `${dataset}, ${configSummary}`;
    const prefix = prefixes[index];
    const items = reliabilityItems(groups, subtitle, prefix, names);
    if (groups.some((group) => robustnessOf(group).length > 0)) {
      items.push(...severityItems(groups, subtitle, prefix, names));
      items.push(...distortionItems(groups, subtitle, prefix, names));
      items.push(...informationItems(groups, subtitle, prefix, names));
    } else {
      items.push("No robustness charts: no run of this configuration has robustness.json.");
    }
    return { dataset, configSummary, items };
  });
}

/** Returns every chart file of the blocks. */
export function chartFiles(blocks: readonly ChartBlock[]): ChartFile[] {
  return blocks.flatMap((block) => block.items.filter((item): item is ChartFile => typeof item !== "string"));
}

/** Joins a link folder and a file name into a relative URL, percent-encoding each path segment. */
function linkTo(folder: string, fileName: string): string {
  const segments = folder.split(/[\\/]+/).filter((segment) => segment !== "" && segment !== ".");
  const encoded = segments.map((segment) => segment === ".." ? segment : encodeURIComponent(segment));
  const prefix = folder.startsWith("/") ? "/" : "";
  return prefix + [...encoded, encodeURIComponent(fileName)].join("/");
}

/** Escapes the characters that end a Markdown image's alt text or start markup. */
function escapeAltText(text: string): string {
  return text.replace(/([\\\[\]*_`<>])/g, "\\$1");
}

/**
 * Builds the "Charts" section of the report, with one image link per chart.
 *
 * @param blocks Output of {@linkcode buildCharts}.
 * @param linkFolder Path of the charts folder as the Markdown should link it,
 *   relative to the Markdown file (or absolute).
 * @returns Markdown starting with "## Charts" and ending in a newline.
 */
export function buildChartsMarkdown(blocks: readonly ChartBlock[], linkFolder: string): string {
  const lines = ["## Charts", ""];
  if (blocks.length === 0) {
    lines.push("No finished runs to chart.", "");
    return lines.join("\n");
  }
  if (chartFiles(blocks).length === 0) {
    lines.push("No chart could be drawn. The notes below say what each configuration lacks.", "");
  } else {
    lines.push(
      `The SVG files are in ${linkFolder}/. Lines of the corruption and distortion charts are means over seeds, ` +
        "with a band of ± one sample standard deviation where two or more seeds have a value. Reliability " +
        "diagrams pool the bins of all seeds of a method. NMI and epsilon depend only on the validation images " +
        "and the distortion, so they come from one run per configuration, with a band of ± one standard " +
        "deviation over the images.",
      "",
    );
  }
  for (const block of blocks) {
    lines.push(`### ${block.dataset}, ${block.configSummary}`, "");
    for (const item of block.items) {
      if (typeof item === "string") lines.push(item, "");
      else lines.push(`![${escapeAltText(item.title)}](${linkTo(linkFolder, item.fileName)})`, "");
    }
  }
  return lines.join("\n");
}
