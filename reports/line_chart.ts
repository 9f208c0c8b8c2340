/**
 * Line chart as SVG text: one line with markers per series, an optional shaded
 * band of ± spread around each line, axes with ticks, a title and a legend.
 *
 * @module
 */
import {
  applyScale,
  formatCoordinate,
  headingHeight,
  headingWidth,
  LEGEND_ROW_HEIGHT,
  type LegendEntry,
  legendWidth,
  type LinearScale,
  niceTicks,
  type PlotArea,
  renderAxes,
  renderDocument,
  renderHeading,
  renderLegend,
  renderMarker,
  renderText,
  seriesColor,
  seriesDash,
  seriesMarker,
  type Ticks,
} from "./svg.ts";

/** One point of a series. */
export interface LinePoint {
  x: number;
  y: number;
  /** Half-width of the shaded band around y, >= 0. Without it the band skips this point. */
  spread?: number;
}

/** One line of the chart. */
export interface LineSeries {
  label: string;
  /** Points in any order. The line joins them in ascending x. */
  points: LinePoint[];
}

/** Input of {@linkcode buildLineChart}. */
export interface LineChartSpec {
  title: string;
  subtitle?: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
  /** Tick values of the x axis. By default the distinct x values when there are 12 or fewer, else nice ticks. */
  xTicks?: number[];
  /** Fixed y domain. By default nice ticks around the data and bands, clipped to yLimits. */
  yDomain?: [number, number];
  /** Bounds the automatic y domain never exceeds, for example [0, 100] for percentages. */
  yLimits?: [number, number];
  /** Text of each x tick label, by default the value with as many decimals as the ticks need. */
  formatX?: (value: number) => string;
  /** Legend text for the shaded bands, for example "± 1 std over seeds", shown only when a band is drawn. */
  bandLabel?: string;
}

const PLOT_WIDTH = 480;
const PLOT_HEIGHT = 300;
const LEFT_MARGIN = 72;
const BOTTOM_MARGIN = 56;
const LEGEND_GAP = 24;
const RIGHT_PADDING = 16;

/** Returns every finite point with its band ends. */
function pointsWithBands(series: readonly LineSeries[]): { y: number; low: number; high: number }[] {
  return series.flatMap((line) =>
    line.points
      .filter((point) => Number.isFinite(point.x) && Number.isFinite(point.y))
      .map((point) => {
        const spread = point.spread !== undefined && Number.isFinite(point.spread)
          ? Math.abs(point.spread)
          : 0;
        return { y: point.y, low: point.y - spread, high: point.y + spread };
      })
  );
}

/** Chooses the y domain and its ticks: the fixed domain, or nice ticks around data and bands within the limits. */
function chooseYAxis(spec: LineChartSpec): { ticks: Ticks; domain: [number, number] } {
  let domain: [number, number];
  let ticks: Ticks;
  if (spec.yDomain !== undefined) {
    domain = spec.yDomain;
    ticks = niceTicks(domain[0], domain[1]);
  } else {
    const points = pointsWithBands(spec.series);
    const [lowest, highest] = spec.yLimits ?? [-Infinity, Infinity];
    const low = Math.max(lowest, Math.min(...points.map((point) => point.low)));
    const high = Math.min(highest, Math.max(...points.map((point) => point.high)));
    ticks = niceTicks(Math.min(low, high), Math.max(low, high));
    domain = [
      Math.max(lowest, ticks.values[0]),
      Math.min(highest, ticks.values[ticks.values.length - 1]),
    ];
  }
  const inside = ticks.values.filter((value) => value >= domain[0] - 1e-9 && value <= domain[1] + 1e-9);
  return { ticks: { values: inside, decimals: ticks.decimals }, domain };
}

/** Chooses the x ticks: the caller's, the distinct x values when few, or nice ticks. */
function chooseXTicks(spec: LineChartSpec): Ticks {
  const xs = [
    ...new Set(spec.series.flatMap((line) => line.points.map((point) => point.x)).filter(Number.isFinite)),
  ].sort((a, b) => a - b);
  const values = spec.xTicks !== undefined ? [...spec.xTicks].sort((a, b) => a - b) : xs;
  if (spec.xTicks === undefined && values.length > 12) return niceTicks(values[0], values[values.length - 1]);
  const decimals = Math.max(0, ...values.map((value) => (String(value).split(".")[1] ?? "").length));
  return { values, decimals: Math.min(decimals, 6) };
}

/** Returns the x domain: the ticks' range, widened by 5% on each side so end markers are not cut. */
function xDomainOf(ticks: Ticks): [number, number] {
  const first = ticks.values[0];
  const last = ticks.values[ticks.values.length - 1];
  const pad = first === last ? 1 : (last - first) * 0.05;
  return [first - pad, last + pad];
}

/** Clamps a y value into the plot's domain, so bands stay inside the frame. */
function clampToDomain(value: number, scale: LinearScale): number {
  const [low, high] = scale.domain;
  return Math.min(high, Math.max(low, value));
}

/** Renders the shaded band of one series over the points that have a spread, or nothing. */
function renderBand(points: LinePoint[], x: LinearScale, y: LinearScale, color: string): string | undefined {
  const banded = points.filter((point) => point.spread !== undefined && Number.isFinite(point.spread));
  if (banded.length === 0) return undefined;
  const spread = (point: LinePoint) => Math.abs(point.spread!);
  const upper = banded.map((point) =>
    `${formatCoordinate(applyScale(x, point.x))},${
      formatCoordinate(applyScale(y, clampToDomain(point.y + spread(point), y)))
    }`
  );
  const lower = banded.map((point) =>
    `${formatCoordinate(applyScale(x, point.x))},${
      formatCoordinate(applyScale(y, clampToDomain(point.y - spread(point), y)))
    }`
  ).reverse();
  if (banded.length === 1) {
    // A single point gets a vertical error bar, because a polygon of one x has no area.
    return `<polyline class="band" points="${upper[0]} ${lower[0]}" stroke="${color}" stroke-width="6" ` +
      `stroke-opacity="0.25" fill="none"/>`;
  }
  return `<polygon class="band" points="${
    [...upper, ...lower].join(" ")
  }" fill="${color}" fill-opacity="0.15" ` +
    `stroke="none"/>`;
}

/** Renders one series: band, line and markers. */
function renderSeries(line: LineSeries, index: number, x: LinearScale, y: LinearScale): string[] {
  const color = seriesColor(index);
  const points = line.points
    .filter((point) => Number.isFinite(point.x) && Number.isFinite(point.y))
    .sort((a, b) => a.x - b.x);
  const parts: string[] = [];
  const band = renderBand(points, x, y, color);
  if (band !== undefined) parts.push(band);
  const coordinates = points.map((point) =>
    `${formatCoordinate(applyScale(x, point.x))},${formatCoordinate(applyScale(y, point.y))}`
  );
  if (coordinates.length > 1) {
    parts.push(
      `<polyline class="line" points="${
        coordinates.join(" ")
      }" fill="none" stroke="${color}" stroke-width="2"${seriesDash(index)}/>`,
    );
  }
  for (const point of points) {
    parts.push(renderMarker(seriesMarker(index), applyScale(x, point.x), applyScale(y, point.y), 4, color));
  }
  return parts;
}

/** Returns true when some finite point of the series carries a spread, so a band is drawn. */
function hasBand(series: readonly LineSeries[]): boolean {
  return series.some((line) =>
    line.points.some((point) =>
      Number.isFinite(point.x) && Number.isFinite(point.y) && point.spread !== undefined &&
      Number.isFinite(point.spread)
    )
  );
}

/** Legend rows of the series, each with a line segment and the series' marker, then the band's row. */
function legendEntries(spec: LineChartSpec): LegendEntry[] {
  const entries: LegendEntry[] = spec.series.map((line, index) => ({
    label: line.label,
    swatch: (x: number, y: number) =>
      `<line x1="${formatCoordinate(x)}" y1="${formatCoordinate(y)}" x2="${formatCoordinate(x + 28)}" y2="${
        formatCoordinate(y)
      }" stroke="${seriesColor(index)}" stroke-width="2"${seriesDash(index)}/>` +
      renderMarker(seriesMarker(index), x + 14, y, 4, seriesColor(index)),
  }));
  if (spec.bandLabel !== undefined && hasBand(spec.series)) {
    entries.push({
      label: spec.bandLabel,
      swatch: (x: number, y: number) =>
        `<rect x="${formatCoordinate(x + 2)}" y="${formatCoordinate(y - 6)}" width="24" height="12" ` +
        `fill="#777777" fill-opacity="0.25"/>`,
    });
  }
  return entries;
}

/** Renders a chart that has no data: the heading and a centered message. */
export function renderEmptyChart(title: string, subtitle: string | undefined, message: string): string {
  const width = Math.max(
    LEFT_MARGIN + PLOT_WIDTH + RIGHT_PADDING,
    headingWidth(title, subtitle),
  );
  const messageY = headingHeight(subtitle) + 40;
  return renderDocument(width, messageY + 40, title, [
    ...renderHeading(width, title, subtitle),
    renderText(width / 2, messageY, message, { size: 14, anchor: "middle", fill: "#666666" }),
  ]);
}

/**
 * Builds a line chart as a standalone SVG document.
 *
 * Points with a non-finite x or y are left out. A series whose points carry a
 * `spread` gets a shaded band from y − spread to y + spread, clipped to the y
 * domain. The legend sits right of the plot, and the document grows wide enough
 * for the longest label, title and subtitle (estimated at 0.6 em per character).
 *
 * @returns SVG text ending in a newline. Without any finite point it is a small
 *   chart with the title and the message "No data".
 * @throws {RangeError} when yDomain is given with its lower end above its upper end.
 */
export function buildLineChart(spec: LineChartSpec): string {
  if (spec.yDomain !== undefined && !(spec.yDomain[0] <= spec.yDomain[1])) {
    throw new RangeError(`Invalid yDomain [${spec.yDomain.join(", ")}]; pass [low, high] with low <= high.`);
  }
  if (pointsWithBands(spec.series).length === 0) {
    return renderEmptyChart(spec.title, spec.subtitle, "No data");
  }

  const top = headingHeight(spec.subtitle);
  const area: PlotArea = { left: LEFT_MARGIN, top, width: PLOT_WIDTH, height: PLOT_HEIGHT };
  const xTicks = chooseXTicks(spec);
  const { ticks: yTicks, domain: yDomain } = chooseYAxis(spec);
  const x: LinearScale = { domain: xDomainOf(xTicks), range: [area.left, area.left + area.width] };
  const y: LinearScale = { domain: yDomain, range: [area.top + area.height, area.top] };

  const entries = legendEntries(spec);
  const legendLeft = area.left + area.width + LEGEND_GAP;
  const width = Math.max(
    legendLeft + legendWidth(entries) + RIGHT_PADDING,
    headingWidth(spec.title, spec.subtitle),
  );
  const legendBottom = area.top + 10 + entries.length * LEGEND_ROW_HEIGHT;
  const height = Math.max(area.top + area.height + BOTTOM_MARGIN, legendBottom + 8);

  const body = [
    ...renderHeading(width, spec.title, spec.subtitle),
    ...renderAxes(area, x, y, {
      xTicks,
      yTicks,
      xLabel: spec.xLabel,
      yLabel: spec.yLabel,
      grid: true,
      formatX: spec.formatX,
    }),
    ...spec.series.flatMap((line, index) => renderSeries(line, index, x, y)),
    ...renderLegend(legendLeft, area.top + 10, entries),
  ];
  return renderDocument(width, height, spec.title, body);
}
