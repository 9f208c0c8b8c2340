import assert from "node:assert/strict";
import { buildRobustnessTables, type RunRobustness } from "./robustness.ts";
import { corruptionEntries, robustnessResult } from "./_test_robustness.ts";

const CONFIG = "width 0.25, 32 px";

/** Builds a run with the given top-1 per corruption at severities 1 and 2. */
function run(method: string, seed: number, top1: Record<string, [number, number]>): RunRobustness {
  const entries = corruptionEntries(top1, 100);
  entries.push({
    kind: "distortion",
    name: "blur",
    level: 0.5,
    top1: 0.4,
    top5: null,
    ece: 0,
    nll: 1,
    brier: 1,
    count: 100,
  });
  return { method, dataset: "cifar10", configSummary: CONFIG, seed, result: robustnessResult(entries, 100) };
}

/** Summary columns after method and dataset, as {@linkcode rowOf} returns them. */
const N = 2, TOP1 = 3, TOP1_CI = 4, MCE = 5, MCE_CI = 6, ECE = 7, ECE_CI = 8, HELD_OUT = 9;

function summaryCells(row: string[]): string[] {
  return [N, TOP1, TOP1_CI, MCE, MCE_CI, ECE, ECE_CI, HELD_OUT].map((index) => row[index]);
}

function rowOf(markdown: string, method: string): string[] {
  const line = markdown.split("\n").find((text) => text.startsWith(`| ${method} | cifar10 |`));
  assert.ok(line !== undefined, `no summary row for ${method}`);
  return line.slice(2, -2).split(" | ");
}

Deno.test("buildRobustnessTables computes mCE against hard by hand", () => {
  // hard errors: fog 0.5 + 0.7 = 1.2, contrast 0.2 + 0.4 = 0.6.
  // mixup errors: fog 0.3 + 0.3 = 0.6 (ratio 0.5), contrast 0.3 + 0.6 = 0.9 (ratio 1.5): mCE 100%.
  // mixup corruption top-1: mean(0.7, 0.7, 0.7, 0.4) = 62.5%; held-out top-1 mean(0.9, 0.8) = 85%.
  const markdown = buildRobustnessTables([
    run("hard", 0, { fog: [0.5, 0.3], contrast: [0.8, 0.6], saturate: [0.9, 0.9] }),
    run("mixup", 0, { fog: [0.7, 0.7], contrast: [0.7, 0.4], saturate: [0.9, 0.8] }),
  ], ["hard", "mixup"]);

  assert.deepEqual(summaryCells(rowOf(markdown, "hard")), [
    "1",
    "55.00 ± –",
    "–",
    "100.0 ± –",
    "–",
    "10.00 ± –",
    "–",
    "90.00 ± –",
  ]);
  assert.deepEqual(summaryCells(rowOf(markdown, "mixup")), [
    "1",
    "62.50 ± –",
    "–",
    "100.0 ± –",
    "–",
    "10.00 ± –",
    "–",
    "85.00 ± –",
  ]);
  assert.match(markdown, /^\| fog \| 40\.00 \| 70\.00 \|$/m);
  assert.match(markdown, /^\| saturate \| 90\.00 \| 85\.00 \|$/m);
  assert.match(markdown, /^\| blur@0\.5 \| 40\.00 \| 40\.00 \|$/m);
});

Deno.test("buildRobustnessTables averages seeds and divides by the baseline mean", () => {
  // hard fog errors 1.0 and 0.6 over two seeds: mean 0.8. mixup errors 0.4 and 0.8: ratios 0.5 and 1.0,
  // mCE mean 75%, std sqrt(((0.5 - 0.75)^2 + (1 - 0.75)^2) / 1) = 35.4%, 95% interval
  // 75 ± t(0.975, 1) · 35.36 / sqrt(2) = 75 ± 317.7. Corruption top-1: 80% and 60%, so 70 ± 127.1.
  const markdown = buildRobustnessTables([
    run("hard", 0, { fog: [0.5, 0.5] }),
    run("hard", 1, { fog: [0.7, 0.7] }),
    run("mixup", 0, { fog: [0.8, 0.8] }),
    run("mixup", 1, { fog: [0.6, 0.6] }),
  ]);

  const mixup = rowOf(markdown, "mixup");
  assert.equal(mixup[MCE], "75.0 ± 35.4");
  assert.equal(mixup[MCE_CI], "-242.7 to 392.7");
  assert.equal(mixup[TOP1_CI], "-57.06 to 197.06");
  assert.equal(mixup[N], "2");
});

Deno.test("buildRobustnessTables shows n/a for mCE without a hard run", () => {
  const markdown = buildRobustnessTables([run("mixup", 0, { fog: [0.8, 0.8] })]);

  assert.equal(rowOf(markdown, "mixup")[MCE], "n/a");
  assert.equal(rowOf(markdown, "mixup")[MCE_CI], "n/a");
  assert.equal(buildRobustnessTables([]), "No robustness results.\n");
});
