/**
 * Building blocks of the hand-written SVG charts: text escaping, tick choice,
 * axes, legends and markers. Every function returns SVG text and has no side
 * effects. Lengths are in SVG user units, which a browser draws as CSS pixels.
 *
 * @module
 */

/** Font stack of every chart. DejaVu Sans is the fallback on Debian-based systems. */
export const FONT_FAMILY = "Helvetica, Arial, 'DejaVu Sans', sans-serif";

/**
 * Series colors: the Okabe–Ito palette, which stays distinguishable with the
 * common forms of color blindness. Yellow is left out because it is hard to
 * see on white.
 */
export const SERIES_COLORS: readonly string[] = [
  "#0072B2",
  "#D55E00",
  "#009E73",
  "#CC79A7",
  "#E69F00",
  "#56B4E9",
  "#000000",
];

/** Marker shapes, cycled with the colors so that series also differ in shape. */
export type MarkerShape = "circle" | "square" | "triangle" | "diamond" | "triangle-down" | "cross";

const MARKER_SHAPES: readonly MarkerShape[] = [
  "circle",
  "square",
  "triangle",
  "diamond",
  "triangle-down",
  "cross",
];

/** Average glyph width as a fraction of the font size, an upper estimate for the fonts above. */
const GLYPH_WIDTH = 0.6;

/**
 * Escapes the five XML special characters, so any text can go into an element or
 * an attribute value.
 *
 * @example
 * ```ts
 * escapeXml(`a < b & "c"`); // "a &lt; b &amp; &quot;c&quot;"
 * ```
 */
export function escapeXml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&apos;");
}

/** Formats a coordinate with at most 2 decimals, which is finer than a screen pixel. */
export function formatCoordinate(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/** Estimates the drawn width of a text in user units. */
export function estimateTextWidth(text: string, fontSize: number): number {
  return text.length * fontSize * GLYPH_WIDTH;
}

/** Returns the color of the series at a 0-based index. */
export function seriesColor(index: number): string {
  return SERIES_COLORS[index % SERIES_COLORS.length];
}

/**
 * Returns the `stroke-dasharray` attribute of the series at a 0-based index:
 * none for the first round of colors, dashed for the second, and so on
 * alternating, so series that share a color still differ in line style.
 */
export function seriesDash(index: number): string {
  return Math.floor(index / SERIES_COLORS.length) % 2 === 1 ? ` stroke-dasharray="7 4"` : "";
}

/** Returns the marker shape of the series at a 0-based index. */
export function seriesMarker(index: number): MarkerShape {
  return MARKER_SHAPES[index % MARKER_SHAPES.length];
}

/** Evenly spaced tick values and the axis domain they span. */
export interface Ticks {
  /** Tick values in ascending order. The first and last are the domain's ends. */
  values: number[];
  /** Decimals that show every tick value exactly. */
  decimals: number;
}

/** Returns the step of 1, 2 or 5 times a power of ten nearest above rawStep. */
function niceStep(rawStep: number): number {
  const power = 10 ** Math.floor(Math.log10(rawStep));
  const fraction = rawStep / power;
  if (fraction <= 1) return power;
  if (fraction <= 2) return 2 * power;
  if (fraction <= 5) return 5 * power;
  return 10 * power;
}

/**
 * Chooses about `target` ticks with a step of 1, 2 or 5 times a power of ten
 * that cover [min, max]. The first tick is at or below min and the last at or
 * above max, so the ticks also give the axis domain.
 *
 * @param min Smallest value to show, finite.
 * @param max Largest value to show, finite and >= min. When it equals min, the
 *   range is widened by 1 on each side (or by 10% of |min| when that is larger).
 * @param target Approximate number of intervals, a positive integer.
 * @throws {RangeError} on a non-finite bound or max < min.
 *
 * @example
 * ```ts
 * niceTicks(3, 47, 5).values; // [0, 10, 20, 30, 40, 50]
 * ```
 */
export function niceTicks(min: number, max: number, target = 5): Ticks {
  if (!Number.isFinite(min) || !Number.isFinite(max) || max < min) {
    throw new RangeError(`niceTicks needs finite bounds with min <= max, got [${min}, ${max}].`);
  }
  if (max === min) {
    const widening = Math.max(1, Math.abs(min) * 0.1);
    min -= widening;
    max += widening;
  }
  const step = niceStep((max - min) / Math.max(1, target));
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const first = Math.floor(min / step + 1e-9);
  const last = Math.ceil(max / step - 1e-9);
  const values: number[] = [];
  for (let i = first; i <= last; i++) values.push(Number((i * step).toFixed(decimals)));
  return { values, decimals };
}

/** A linear map from data values to user units. */
export interface LinearScale {
  domain: [number, number];
  range: [number, number];
}

/** Maps a data value to user units. A zero-width domain maps to the middle of the range. */
export function applyScale(scale: LinearScale, value: number): number {
  const [d0, d1] = scale.domain;
  const [r0, r1] = scale.range;
  if (d1 === d0) return (r0 + r1) / 2;
  return r0 + ((value - d0) / (d1 - d0)) * (r1 - r0);
}

/** Plot area of a chart, in user units from the top-left corner. */
export interface PlotArea {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Options of {@linkcode renderText}. */
export interface TextOptions {
  size?: number;
  anchor?: "start" | "middle" | "end";
  weight?: "normal" | "bold";
  fill?: string;
  /** Degrees, clockwise, about the anchor point. */
  rotate?: number;
  /** Vertical alignment of the baseline, where "middle" centers the text on y. */
  baseline?: "alphabetic" | "middle" | "hanging";
}

/** Renders one escaped `<text>` element. */
export function renderText(x: number, y: number, text: string, options: TextOptions = {}): string {
  const attributes = [
    `x="${formatCoordinate(x)}"`,
    `y="${formatCoordinate(y)}"`,
    `font-size="${options.size ?? 12}"`,
  ];
  if (options.anchor !== undefined && options.anchor !== "start") {
    attributes.push(`text-anchor="${options.anchor}"`);
  }
  if (options.weight === "bold") attributes.push(`font-weight="bold"`);
  if (options.fill !== undefined) attributes.push(`fill="${options.fill}"`);
  if (options.baseline !== undefined && options.baseline !== "alphabetic") {
    attributes.push(`dominant-baseline="${options.baseline === "middle" ? "central" : "hanging"}"`);
  }
  if (options.rotate !== undefined) {
    attributes.push(`transform="rotate(${options.rotate} ${formatCoordinate(x)} ${formatCoordinate(y)})"`);
  }
  return `<text ${attributes.join(" ")}>${escapeXml(text)}</text>`;
}

/**
 * Wraps chart elements in an `<svg>` document with a white background and a
 * `<title>`, which screen readers and browsers show for the image.
 */
export function renderDocument(width: number, height: number, title: string, body: string[]): string {
  const w = Math.ceil(width);
  const h = Math.ceil(height);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" ` +
    `font-family="${escapeXml(FONT_FAMILY)}" role="img">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect x="0" y="0" width="${w}" height="${h}" fill="#ffffff"/>`,
    ...body,
    `</svg>`,
    "",
  ].join("\n");
}

/** Splits a subtitle into its lines, which "\n" separates. */
function subtitleLines(subtitle: string | undefined): string[] {
  return subtitle === undefined ? [] : subtitle.split("\n");
}

/** Returns the height that the title and subtitle lines take from the top, including a gap below them. */
export function headingHeight(subtitle: string | undefined): number {
  return 44 + 18 * subtitleLines(subtitle).length;
}

/** Returns the width the title and the longest subtitle line need, with a margin on each side. */
export function headingWidth(title: string, subtitle: string | undefined): number {
  const widths = subtitleLines(subtitle).map((line) => estimateTextWidth(line, 12));
  return Math.max(estimateTextWidth(title, 16), ...widths) + 32;
}

/** Renders the title and the subtitle lines ("\n" separates them), centered over the given width. */
export function renderHeading(width: number, title: string, subtitle?: string): string[] {
  const parts = [renderText(width / 2, 24, title, { size: 16, anchor: "middle", weight: "bold" })];
  subtitleLines(subtitle).forEach((line, i) => {
    parts.push(renderText(width / 2, 44 + 18 * i, line, { size: 12, anchor: "middle", fill: "#444444" }));
  });
  return parts;
}

/** Options of {@linkcode renderAxes}. */
export interface AxesOptions {
  xTicks: Ticks;
  yTicks: Ticks;
  xLabel: string;
  yLabel: string;
  /** Draws light horizontal grid lines at the y ticks. */
  grid?: boolean;
  /** Leaves out the x tick labels and the x label, for a panel stacked above another. */
  hideXLabels?: boolean;
  /** Text of each x tick label, by default the value with the ticks' decimals. */
  formatX?: (value: number) => string;
}

/**
 * Renders the frame, ticks, tick labels and axis labels of one plot area.
 * The y label is rotated and placed 48 units left of the plot area, so the area
 * needs a left margin of at least 56.
 */
export function renderAxes(area: PlotArea, x: LinearScale, y: LinearScale, options: AxesOptions): string[] {
  const parts: string[] = [];
  const bottom = area.top + area.height;
  const right = area.left + area.width;
  const formatX = options.formatX ?? ((value: number) => value.toFixed(options.xTicks.decimals));
  for (const value of options.yTicks.values) {
    const py = applyScale(y, value);
    if (options.grid) {
      parts.push(
        `<line x1="${formatCoordinate(area.left)}" y1="${formatCoordinate(py)}" x2="${
          formatCoordinate(right)
        }" ` +
          `y2="${formatCoordinate(py)}" stroke="#e3e3e3" stroke-width="1"/>`,
      );
    }
    parts.push(
      `<line x1="${formatCoordinate(area.left - 5)}" y1="${formatCoordinate(py)}" x2="${
        formatCoordinate(area.left)
      }" ` +
        `y2="${formatCoordinate(py)}" stroke="#333333" stroke-width="1"/>`,
    );
    parts.push(
      renderText(area.left - 8, py, value.toFixed(options.yTicks.decimals), {
        size: 11,
        anchor: "end",
        baseline: "middle",
      }),
    );
  }
  for (const value of options.xTicks.values) {
    const px = applyScale(x, value);
    parts.push(
      `<line x1="${formatCoordinate(px)}" y1="${formatCoordinate(bottom)}" x2="${formatCoordinate(px)}" ` +
        `y2="${formatCoordinate(bottom + 5)}" stroke="#333333" stroke-width="1"/>`,
    );
    if (!options.hideXLabels) {
      parts.push(renderText(px, bottom + 18, formatX(value), { size: 11, anchor: "middle" }));
    }
  }
  parts.push(
    `<rect x="${formatCoordinate(area.left)}" y="${formatCoordinate(area.top)}" width="${
      formatCoordinate(area.width)
    }" height="${formatCoordinate(area.height)}" fill="none" stroke="#333333" stroke-width="1"/>`,
  );
  if (!options.hideXLabels) {
    parts.push(
      renderText(area.left + area.width / 2, bottom + 38, options.xLabel, { size: 12, anchor: "middle" }),
    );
  }
  parts.push(
    renderText(area.left - 48, area.top + area.height / 2, options.yLabel, {
      size: 12,
      anchor: "middle",
      rotate: -90,
    }),
  );
  return parts;
}

/** Renders a marker of the given shape centered on (x, y), with radius r. */
export function renderMarker(shape: MarkerShape, x: number, y: number, r: number, color: string): string {
  const c = formatCoordinate;
  switch (shape) {
    case "circle":
      return `<circle cx="${c(x)}" cy="${c(y)}" r="${c(r)}" fill="${color}"/>`;
    case "square":
      return `<rect x="${c(x - r)}" y="${c(y - r)}" width="${c(2 * r)}" height="${
        c(2 * r)
      }" fill="${color}"/>`;
    case "triangle":
      return `<path d="M${c(x)},${c(y - r * 1.2)} L${c(x + r * 1.1)},${c(y + r * 0.8)} L${c(x - r * 1.1)},${
        c(y + r * 0.8)
      } Z" fill="${color}"/>`;
    case "triangle-down":
      return `<path d="M${c(x)},${c(y + r * 1.2)} L${c(x + r * 1.1)},${c(y - r * 0.8)} L${c(x - r * 1.1)},${
        c(y - r * 0.8)
      } Z" fill="${color}"/>`;
    case "diamond":
      return `<path d="M${c(x)},${c(y - r * 1.3)} L${c(x + r * 1.3)},${c(y)} L${c(x)},${c(y + r * 1.3)} L${
        c(x - r * 1.3)
      },${c(y)} Z" fill="${color}"/>`;
    case "cross":
      return `<path d="M${c(x - r)},${c(y - r)} L${c(x + r)},${c(y + r)} M${c(x - r)},${c(y + r)} L${
        c(x + r)
      },${c(y - r)}" stroke="${color}" stroke-width="2.5" fill="none"/>`;
  }
}

/** One legend row: a swatch drawn by the caller and a label. */
export interface LegendEntry {
  label: string;
  /** Draws the swatch centered vertically on y, within x .. x + 28. */
  swatch: (x: number, y: number) => string;
}

/** Vertical distance between legend rows. */
export const LEGEND_ROW_HEIGHT = 20;

/** Returns the width a legend needs: the swatch, a gap and the longest label. */
export function legendWidth(entries: readonly LegendEntry[]): number {
  const longest = Math.max(0, ...entries.map((entry) => estimateTextWidth(entry.label, 12)));
  return 36 + longest;
}

/** Renders legend rows from (x, y) downwards. */
export function renderLegend(x: number, y: number, entries: readonly LegendEntry[]): string[] {
  return entries.flatMap((entry, i) => {
    const rowY = y + i * LEGEND_ROW_HEIGHT;
    return [entry.swatch(x, rowY), renderText(x + 36, rowY, entry.label, { size: 12, baseline: "middle" })];
  });
}
