import assert from "node:assert/strict";
import { buildLineChart, type LineChartSpec } from "./line_chart.ts";
import { parsePoints, parseSvgTags, tagsNamed, textContents, yTickLabels } from "./_svg_test_support.ts";

const SPEC: LineChartSpec = {
  title: "Top-1 <by> severity & more",
  subtitle: "cifar10, width 0.25\nmean over 2 test corruptions",
  xLabel: "corruption severity",
  yLabel: "top-1 (%)",
  xTicks: [1, 2, 3, 4, 5],
  yLimits: [0, 100],
  series: [
    {
      label: "hard (2 seeds)",
      points: [{ x: 1, y: 80, spread: 2 }, { x: 3, y: 50, spread: 4 }, { x: 2, y: 65, spread: 3 }],
    },
    { label: `randaugment+mi_adaptive <"x">`, points: [{ x: 1, y: 85 }, { x: 2, y: 70 }, { x: 3, y: 12 }] },
  ],
};

Deno.test("buildLineChart well-formed with escaped text", () => {
  const svg = buildLineChart(SPEC);
  parseSvgTags(svg);
  const texts = textContents(svg);
  assert.ok(texts.includes("Top-1 <by> severity & more"), texts.join(" | "));
  assert.ok(texts.includes("cifar10, width 0.25"));
  assert.ok(texts.includes("mean over 2 test corruptions"));
  assert.ok(texts.includes(`randaugment+mi_adaptive <"x">`));
  assert.ok(texts.includes("hard (2 seeds)"));
  assert.ok(texts.includes("corruption severity"));
  assert.ok(texts.includes("top-1 (%)"));
  assert.ok(svg.includes("&lt;by&gt; severity &amp; more"));
});

Deno.test("buildLineChart axis ticks and ranges", () => {
  const svg = buildLineChart(SPEC);
  // Data and bands span 12 to 87, so nice ticks of step 20 run from 0 to 100, within the limits.
  assert.deepEqual(yTickLabels(svg), ["0", "20", "40", "60", "80", "100"]);
  for (const label of ["1", "2", "3", "4", "5"]) {
    assert.ok(textContents(svg).includes(label), `no x tick ${label}`);
  }

  const fixed = buildLineChart({ ...SPEC, yDomain: [0, 1], yLimits: undefined, series: [SPEC.series[1]] });
  assert.deepEqual(yTickLabels(fixed), ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]);
});

Deno.test("buildLineChart yLimits clip automatic domain", () => {
  const svg = buildLineChart({
    ...SPEC,
    series: [{ label: "a", points: [{ x: 1, y: 97, spread: 8 }, { x: 2, y: 99, spread: 8 }] }],
  });
  const labels = yTickLabels(svg).map(Number);
  assert.equal(Math.max(...labels), 100);
  assert.ok(Math.min(...labels) <= 89, `lowest tick ${Math.min(...labels)} is above the band's 89`);
});

Deno.test("buildLineChart lines sorted and inside frame", () => {
  const svg = buildLineChart(SPEC);
  const frame = tagsNamed(svg, "rect").find((tag) => tag.attributes.fill === "none")!;
  const left = Number(frame.attributes.x);
  const top = Number(frame.attributes.y);
  const right = left + Number(frame.attributes.width);
  const bottom = top + Number(frame.attributes.height);
  const lines = tagsNamed(svg, "polyline", "line");
  assert.equal(lines.length, 2);
  const first = parsePoints(lines[0].attributes.points);
  assert.equal(first.length, 3);
  assert.ok(first[0][0] < first[1][0], "points 0 and 1 not in ascending x");
  assert.ok(first[1][0] < first[2][0], "points 1 and 2 not in ascending x");
  // y = 80, 65, 50 in data: lower values sit lower in the picture.
  assert.ok(first[0][1] < first[1][1], "80 is not drawn above 65");
  assert.ok(first[1][1] < first[2][1], "65 is not drawn above 50");
  for (const [x, y] of lines.flatMap((line) => parsePoints(line.attributes.points))) {
    assert.ok(x > left, `x ${x} left of the frame at ${left}`);
    assert.ok(x < right, `x ${x} right of the frame at ${right}`);
    assert.ok(y >= top, `y ${y} above the frame at ${top}`);
    assert.ok(y <= bottom, `y ${y} below the frame at ${bottom}`);
  }
});

Deno.test("buildLineChart band only with spread", () => {
  const svg = buildLineChart(SPEC);
  const bands = tagsNamed(svg, "polygon", "band");
  assert.equal(bands.length, 1, "only the series with spread gets a band");
  const points = parsePoints(bands[0].attributes.points);
  assert.equal(points.length, 6, "a band of 3 points has 3 upper and 3 lower corners");
  const line = parsePoints(tagsNamed(svg, "polyline", "line")[0].attributes.points);
  assert.ok(points[0][1] < line[0][1], "band's upper edge is not above the line");
  assert.ok(points[5][1] > line[0][1], "band's lower edge is not below the line");

  const without = buildLineChart({ ...SPEC, series: [SPEC.series[1]] });
  assert.equal(tagsNamed(without, "polygon", "band").length, 0);
});

Deno.test("buildLineChart single point gets error bar", () => {
  const svg = buildLineChart({ ...SPEC, series: [{ label: "one", points: [{ x: 2, y: 40, spread: 5 }] }] });
  assert.equal(tagsNamed(svg, "polyline", "band").length, 1);
  assert.equal(tagsNamed(svg, "polyline", "line").length, 0, "one point draws no line");
  assert.equal(tagsNamed(svg, "circle").length, 2, "marker in the plot and in the legend");
});

Deno.test("buildLineChart empty input shows no data", () => {
  for (
    const series of [[], [{ label: "a", points: [] }], [{ label: "a", points: [{ x: 1, y: Number.NaN }] }]]
  ) {
    const svg = buildLineChart({ ...SPEC, series });
    parseSvgTags(svg);
    assert.ok(textContents(svg).includes("No data"), `no "No data" for ${JSON.stringify(series)}`);
    assert.equal(tagsNamed(svg, "polyline").length, 0);
  }
});

Deno.test("buildLineChart widens for long labels", () => {
  const short = parseSvgTags(buildLineChart(SPEC))[0].attributes.width;
  const long = parseSvgTags(
    buildLineChart({ ...SPEC, series: [{ label: "m".repeat(80), points: [{ x: 1, y: 1 }] }] }),
  )[0].attributes.width;
  assert.ok(Number(long) > Number(short) + 200, `width ${long} did not grow from ${short}`);
});

Deno.test("buildLineChart rejects reversed yDomain", () => {
  assert.throws(() => buildLineChart({ ...SPEC, yDomain: [1, 0] }), /Invalid yDomain \[1, 0\]/);
});
