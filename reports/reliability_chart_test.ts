import assert from "node:assert/strict";
import type { ReliabilityBin } from "../metrics/classification.ts";
import { buildReliabilityChart, calibrationErrorOfBins } from "./reliability_chart.ts";
import { parseSvgTags, tagsNamed, textContents } from "./_svg_test_support.ts";

/** Four bins of width 0.25: one empty, the others with the given count, confidence and accuracy. */
const BINS: ReliabilityBin[] = [
  { lower: 0, upper: 0.25, count: 0, meanConfidence: null, accuracy: null },
  { lower: 0.25, upper: 0.5, count: 10, meanConfidence: 0.4, accuracy: 0.2 },
  { lower: 0.5, upper: 0.75, count: 30, meanConfidence: 0.6, accuracy: 0.7 },
  { lower: 0.75, upper: 1, count: 60, meanConfidence: 0.9, accuracy: 0.8 },
];

Deno.test("calibrationErrorOfBins hand-computed", () => {
  // 0.1 * 0.2 + 0.3 * 0.1 + 0.6 * 0.1 = 0.02 + 0.03 + 0.06 = 0.11.
  assert.ok(Math.abs(calibrationErrorOfBins(BINS)! - 0.11) < 1e-12);
  assert.equal(calibrationErrorOfBins([]), undefined);
  assert.equal(calibrationErrorOfBins([BINS[0]]), undefined);
});

Deno.test("buildReliabilityChart draws bars, gaps and diagonal", () => {
  const svg = buildReliabilityChart({
    title: "Reliability diagram: randaugment+mi_adaptive",
    subtitle: "cifar10 & <small>",
    bins: BINS,
    notes: ["bins pooled over 2 seeds"],
  });
  parseSvgTags(svg);
  assert.equal(tagsNamed(svg, "rect", "bar").length, 3, "one accuracy bar per non-empty bin");
  assert.equal(tagsNamed(svg, "rect", "gap").length, 3);
  assert.equal(tagsNamed(svg, "rect", "share").length, 3);
  assert.equal(tagsNamed(svg, "line", "diagonal").length, 1);
  const texts = textContents(svg);
  assert.ok(texts.includes("100 images"), texts.join(" | "));
  assert.ok(texts.includes("ECE 11.00%"));
  assert.ok(texts.includes("bins pooled over 2 seeds"));
  assert.ok(texts.includes("cifar10 & <small>"));
  assert.ok(texts.includes("confidence (top-1 probability)"));
});

Deno.test("buildReliabilityChart bar heights follow accuracy", () => {
  const svg = buildReliabilityChart({ title: "t", bins: BINS });
  const bars = tagsNamed(svg, "rect", "bar").map((tag) => Number(tag.attributes.height));
  // Accuracies 0.2, 0.7, 0.8 on a 320-unit axis.
  assert.deepEqual(bars, [64, 224, 256]);
  const gaps = tagsNamed(svg, "rect", "gap").map((tag) => Number(tag.attributes.height));
  assert.deepEqual(gaps, [64, 32, 32]);
});

Deno.test("buildReliabilityChart stripes gaps like the legend", () => {
  // A translucent fill over a bar (accuracy above confidence) mixed its color with
  // the bar's, so the box no longer looked like the legend's swatch.
  const svg = buildReliabilityChart({ title: "t", bins: BINS });
  const pattern = /<pattern id="([^"]+)"/.exec(svg)?.[1];
  assert.ok(pattern !== undefined, "the chart defines no fill pattern");
  const fills = tagsNamed(svg, "rect", "gap").map((tag) => tag.attributes.fill);
  assert.deepEqual(fills, Array(3).fill(`url(#${pattern})`));
  assert.equal(svg.split(`fill="url(#${pattern})"`).length - 1, 4, "3 gap boxes and the legend swatch");
  for (const tag of tagsNamed(svg, "rect", "gap")) assert.equal(tag.attributes["fill-opacity"], undefined);
});

Deno.test("buildReliabilityChart empty bins show no data", () => {
  for (const bins of [[], [BINS[0]]]) {
    const svg = buildReliabilityChart({ title: "empty", bins });
    parseSvgTags(svg);
    assert.ok(textContents(svg).includes("No data"));
    assert.equal(tagsNamed(svg, "rect", "bar").length, 0);
  }
});
