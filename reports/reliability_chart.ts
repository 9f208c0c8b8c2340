/**
 * Reliability diagram as SVG text: per confidence bin a bar of the accuracy,
 * the gap to the bin's mean confidence, the diagonal of perfect calibration,
 * and below it a panel with the share of images per bin.
 *
 * @module
 */
import type { ReliabilityBin } from "../metrics/classification.ts";
import { renderEmptyChart } from "./line_chart.ts";
import {
  applyScale,
  estimateTextWidth,
  formatCoordinate,
  headingHeight,
  headingWidth,
  type LegendEntry,
  legendWidth,
  type LinearScale,
  niceTicks,
  type PlotArea,
  renderAxes,
  renderDocument,
  renderHeading,
  renderLegend,
  renderText,
} from "./svg.ts";

/** Input of {@linkcode buildReliabilityChart}. */
export interface ReliabilityChartSpec {
  title: string;
  subtitle?: string;
  /** Bins in ascending order of confidence, with edges in [0, 1]. */
  bins: readonly ReliabilityBin[];
  /** Extra lines under the legend, for example the number of seeds pooled. */
  notes?: string[];
}

const ACCURACY_COLOR = "#0072B2";
const GAP_COLOR = "#D55E00";
/**
 * Diagonal GAP_COLOR stripes that fill the gap boxes. A box over an accuracy bar
 * (accuracy above confidence) then keeps the bar's blue between its stripes, and the
 * box looks like the legend's swatch. A translucent fill mixed the two colors there.
 */
const GAP_PATTERN_ID = "gap-stripes";
const GAP_PATTERN =
  `<defs><pattern id="${GAP_PATTERN_ID}" width="6" height="6" patternUnits="userSpaceOnUse" ` +
  `patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="${GAP_COLOR}" stroke-width="2.5"/>` +
  `</pattern></defs>`;
const GAP_FILL = `url(#${GAP_PATTERN_ID})`;
const MAIN_SIZE = 320;
const SHARE_HEIGHT = 80;
const PANEL_GAP = 22;
const LEFT_MARGIN = 72;
const LEGEND_GAP = 28;

/**
 * Computes the expected calibration error of binned data: the sum over bins of
 * count / total × |accuracy − mean confidence|. Empty bins add nothing.
 *
 * @returns A fraction in [0, 1], or undefined when every bin is empty.
 */
export function calibrationErrorOfBins(bins: readonly ReliabilityBin[]): number | undefined {
  const total = bins.reduce((sum, bin) => sum + bin.count, 0);
  if (total === 0) return undefined;
  let error = 0;
  for (const bin of bins) {
    if (bin.count === 0 || bin.accuracy === null || bin.meanConfidence === null) continue;
    error += (bin.count / total) * Math.abs(bin.accuracy - bin.meanConfidence);
  }
  return error;
}

/** Rectangle from value a to value b on the y scale, spanning one bin on the x scale. */
function binRectangle(
  bin: ReliabilityBin,
  x: LinearScale,
  y: LinearScale,
  a: number,
  b: number,
  attributes: string,
): string {
  const left = applyScale(x, bin.lower) + 1;
  const right = applyScale(x, bin.upper) - 1;
  const top = Math.min(applyScale(y, a), applyScale(y, b));
  const height = Math.abs(applyScale(y, a) - applyScale(y, b));
  return `<rect x="${formatCoordinate(left)}" y="${formatCoordinate(top)}" width="${
    formatCoordinate(Math.max(0, right - left))
  }" height="${formatCoordinate(height)}" ${attributes}/>`;
}

/** Renders the upper panel: accuracy bars, gaps and the diagonal. */
function renderAccuracyPanel(bins: readonly ReliabilityBin[], area: PlotArea): string[] {
  const x: LinearScale = { domain: [0, 1], range: [area.left, area.left + area.width] };
  const y: LinearScale = { domain: [0, 1], range: [area.top + area.height, area.top] };
  const ticks = niceTicks(0, 1);
  const parts = renderAxes(area, x, y, {
    xTicks: ticks,
    yTicks: ticks,
    xLabel: "",
    yLabel: "accuracy",
    grid: true,
    hideXLabels: true,
  });
  parts.push(GAP_PATTERN);
  for (const bin of bins) {
    if (bin.count === 0 || bin.accuracy === null || bin.meanConfidence === null) continue;
    parts.push(
      binRectangle(bin, x, y, 0, bin.accuracy, `class="bar" fill="${ACCURACY_COLOR}" fill-opacity="0.85"`),
    );
    parts.push(
      binRectangle(
        bin,
        x,
        y,
        bin.accuracy,
        bin.meanConfidence,
        `class="gap" fill="${GAP_FILL}" stroke="${GAP_COLOR}" stroke-width="1"`,
      ),
    );
  }
  parts.push(
    `<line class="diagonal" x1="${formatCoordinate(area.left)}" y1="${
      formatCoordinate(area.top + area.height)
    }" ` +
      `x2="${formatCoordinate(area.left + area.width)}" y2="${
        formatCoordinate(area.top)
      }" stroke="#555555" ` +
      `stroke-width="1.5" stroke-dasharray="6 4"/>`,
  );
  return parts;
}

/** Renders the lower panel: the share of images in each bin, in percent. */
function renderSharePanel(bins: readonly ReliabilityBin[], area: PlotArea, total: number): string[] {
  const shares = bins.map((bin) => (100 * bin.count) / total);
  const yTicks = niceTicks(0, Math.max(...shares), 2);
  const x: LinearScale = { domain: [0, 1], range: [area.left, area.left + area.width] };
  const y: LinearScale = {
    domain: [0, yTicks.values[yTicks.values.length - 1]],
    range: [area.top + area.height, area.top],
  };
  const parts = renderAxes(area, x, y, {
    xTicks: niceTicks(0, 1),
    yTicks,
    xLabel: "confidence (top-1 probability)",
    yLabel: "images (%)",
  });
  bins.forEach((bin, i) => {
    if (bin.count === 0) return;
    parts.push(binRectangle(bin, x, y, 0, shares[i], `class="share" fill="#777777"`));
  });
  return parts;
}

function legendEntries(): LegendEntry[] {
  return [
    {
      label: "accuracy",
      swatch: (x, y) =>
        `<rect x="${formatCoordinate(x + 6)}" y="${
          formatCoordinate(y - 6)
        }" width="16" height="12" fill="${ACCURACY_COLOR}"/>`,
    },
    {
      label: "gap to mean confidence",
      swatch: (x, y) =>
        `<rect x="${formatCoordinate(x + 6)}" y="${
          formatCoordinate(y - 6)
        }" width="16" height="12" fill="${GAP_FILL}" ` +
        `stroke="${GAP_COLOR}"/>`,
    },
    {
      label: "perfect calibration",
      swatch: (x, y) =>
        `<line x1="${formatCoordinate(x)}" y1="${formatCoordinate(y)}" x2="${formatCoordinate(x + 28)}" y2="${
          formatCoordinate(y)
        }" stroke="#555555" stroke-width="1.5" stroke-dasharray="6 4"/>`,
    },
  ];
}

/**
 * Builds a reliability diagram as a standalone SVG document.
 *
 * The upper panel draws, for every non-empty bin, a bar up to its accuracy and
 * a striped box between accuracy and mean confidence, over the dashed diagonal
 * accuracy = confidence. The lower panel shows the share of images per bin.
 * The legend lists the images counted and the ECE of the bins.
 *
 * @returns SVG text ending in a newline. When every bin is empty (or there are
 *   no bins) it is a small chart with the title and "No data".
 */
export function buildReliabilityChart(spec: ReliabilityChartSpec): string {
  const total = spec.bins.reduce((sum, bin) => sum + bin.count, 0);
  if (total === 0) return renderEmptyChart(spec.title, spec.subtitle, "No data");

  const top = headingHeight(spec.subtitle);
  const main: PlotArea = { left: LEFT_MARGIN, top, width: MAIN_SIZE, height: MAIN_SIZE };
  const share: PlotArea = {
    left: LEFT_MARGIN,
    top: top + MAIN_SIZE + PANEL_GAP,
    width: MAIN_SIZE,
    height: SHARE_HEIGHT,
  };
  const ece = calibrationErrorOfBins(spec.bins)!;
  const entries = legendEntries();
  const statistics = [`${total} images`, `ECE ${(100 * ece).toFixed(2)}%`, ...(spec.notes ?? [])];
  const legendLeft = main.left + main.width + LEGEND_GAP;
  const textWidth = Math.max(...statistics.map((line) => estimateTextWidth(line, 12)));
  const width = Math.max(
    legendLeft + Math.max(legendWidth(entries), textWidth) + 16,
    headingWidth(spec.title, spec.subtitle),
  );
  const height = share.top + share.height + 56;

  const statisticsTop = main.top + 10 + entries.length * 20 + 16;
  const body = [
    ...renderHeading(width, spec.title, spec.subtitle),
    ...renderAccuracyPanel(spec.bins, main),
    ...renderSharePanel(spec.bins, share, total),
    ...renderLegend(legendLeft, main.top + 10, entries),
    ...statistics.map((line, i) =>
      renderText(legendLeft, statisticsTop + i * 18, line, { size: 12, baseline: "middle" })
    ),
  ];
  return renderDocument(width, height, spec.title, body);
}
