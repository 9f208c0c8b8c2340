import assert from "node:assert/strict";
import type { EpochTiming } from "./perf.ts";
import {
  formatEpochTimings,
  formatTorchComparisons,
  softLabelOverhead,
  summarizeTorchRounds,
} from "./perf_report.ts";

const TIMINGS: EpochTiming[] = [
  { method: "hard", imagesPerSecond: 100, stepSeconds: 10, dataSeconds: 0.1, steps: 8, workers: 1 },
  { method: "distort_hard", imagesPerSecond: 80, stepSeconds: 12.5, dataSeconds: 1, steps: 8, workers: 1 },
  { method: "mi_adaptive", imagesPerSecond: 78, stepSeconds: 13, dataSeconds: 1.3, steps: 8, workers: 1 },
];

Deno.test("softLabelOverhead divides mi_adaptive's step time by distort_hard's", () => {
  assert.equal(softLabelOverhead(TIMINGS), 13 / 12.5);
  assert.equal(softLabelOverhead(TIMINGS.slice(0, 2)), undefined);
});

Deno.test("formatEpochTimings checks both targets", () => {
  const text = formatEpochTimings(TIMINGS);

  // 13 / 12.5 = 1.04 meets <= 1.05; the largest data share is 1.3 / 13 = 10%.
  assert.match(text, /mi_adaptive \/ distort_hard epoch time: 1\.040 \(target <= 1\.05: met\)/);
  assert.match(text, /waiting on data: 10\.0% \(target < 5%: not met\)/);
  assert.match(text, /^distort_hard\s+80\.0\s+12\.5\s+1\.00\s+8\.0%$/m);
});

const measured = (imagesPerSecond: number) =>
  ({ status: "measured", imagesPerSecond, torchVersion: "x", threads: 2 }) as const;

Deno.test("formatTorchComparisons prints ratios and skipped widths", () => {
  const text = formatTorchComparisons([
    summarizeTorchRounds(0.25, [{ tfjsImagesPerSecond: 90, torch: measured(100) }]),
    summarizeTorchRounds(1, [{ tfjsImagesPerSecond: 18, torch: measured(24) }]),
  ]);

  assert.match(text, /^0\.25\s+90\.0\s+100\.0\s+0\.900$/m);
  assert.match(text, /width 1: tfjs \/ PyTorch 0\.750 \(target >= 0\.9: not met\)/);
  const skipped = formatTorchComparisons([
    summarizeTorchRounds(1, [{
      tfjsImagesPerSecond: 18,
      torch: { status: "skipped", reason: "PyTorch is not installed" },
    }]),
  ]);
  assert.match(skipped, /skipped/);
  assert.match(skipped, /PyTorch skipped: PyTorch is not installed/);
  assert.doesNotMatch(skipped, /target/);
});

Deno.test("summarizeTorchRounds takes the median ratio", () => {
  // Ratios 18 / 20 = 0.9, 10 / 25 = 0.4 and 17 / 20 = 0.85: median 0.85. The medians of
  // the images/s are 17 for tfjs and 20 for PyTorch.
  const comparison = summarizeTorchRounds(1, [
    { tfjsImagesPerSecond: 18, torch: measured(20) },
    { tfjsImagesPerSecond: 10, torch: measured(25) },
    { tfjsImagesPerSecond: 17, torch: measured(20) },
  ]);
  assert.deepEqual(comparison.ratios, [0.9, 0.4, 0.85]);
  assert.equal(comparison.ratio, 0.85);
  assert.equal(comparison.tfjsImagesPerSecond, 17);
  assert.equal(comparison.torch.status === "measured" && comparison.torch.imagesPerSecond, 20);

  const text = formatTorchComparisons([comparison]);
  assert.match(text, /^1\s+17\.0\s+20\.0\s+0\.850 {3}rounds: 0\.900, 0\.400, 0\.850$/m);
  assert.match(text, /width 1: tfjs \/ PyTorch 0\.850, median of 3 rounds \(target >= 0\.9: not met\)/);
  assert.throws(() => summarizeTorchRounds(1, []), /no rounds for width 1/);
});

Deno.test("formatEpochTimings notes epochs of few steps", () => {
  assert.doesNotMatch(formatEpochTimings(TIMINGS), /note:/);
  const short = TIMINGS.map((timing) => ({ ...timing, steps: timing.method === "hard" ? 1 : 8 }));
  assert.match(formatEpochTimings(short), /note: an epoch had only 1 step\. The model waits/);
});
