import assert from "node:assert/strict";
import { buildBaselineDifferences } from "./baseline_differences.ts";
import type { ComparedRun } from "./compare.ts";
import { corruptionEntries, robustnessResult } from "./_test_robustness.ts";

const CONFIG = "ResNet-18 width 0.25, 32 px";

function run(
  method: string,
  seed: number,
  metrics: { top1: number; ece: number; nll: number; fog?: [number, number] },
  configSummary = CONFIG,
): ComparedRun {
  const { fog, ...clean } = metrics;
  return {
    method,
    dataset: "cifar10",
    configSummary,
    seed,
    status: "finished",
    ...clean,
    robustness: fog === undefined ? undefined : robustnessResult(corruptionEntries({ fog })),
  };
}

const HEADER = [
  "method",
  "n (seeds)",
  "n hard (seeds)",
  "top-1 (points)",
  "ECE (points)",
  "NLL (nats)",
  "corruption top-1 (points)",
  "corruption ECE (points)",
];

function rowOf(markdown: string, method: string): Record<string, string> {
  const line = markdown.split("\n").find((text) => text.startsWith(`| ${method} |`));
  assert.ok(line !== undefined, `no row for ${method} in\n${markdown}`);
  const cells = line.slice(2, -2).split(" | ");
  assert.equal(cells.length, HEADER.length);
  return Object.fromEntries(HEADER.map((header, i) => [header, cells[i]]));
}

const HARD = [
  run("hard", 0, { top1: 0.70, ece: 0.05, nll: 0.9, fog: [0.6, 0.4] }),
  run("hard", 1, { top1: 0.72, ece: 0.07, nll: 1.1, fog: [0.6, 0.6] }),
  run("hard", 2, { top1: 0.74, ece: 0.06, nll: 1.0, fog: [0.7, 0.5] }),
];

Deno.test("buildBaselineDifferences computes Welch intervals by hand", () => {
  // Values from scipy.stats.t.ppf with the Welch–Satterthwaite df:
  // top-1 [60, 66, 63] - [70, 72, 74] = -9.00, df 3.485, interval -15.13 to -2.87;
  // ECE [2, 2, 2] - [5, 7, 6] = -4.00, df 2, interval -6.48 to -1.52;
  // NLL [1.2, 1.4, 1.3] - [0.9, 1.1, 1.0] = +0.300, df 4, interval 0.073 to 0.527;
  // corruption top-1 [40, 40, 50] - [50, 60, 60] = -13.33, df 4, interval -26.42 to -0.25.
  // Corruption ECE is 10% in every entry of the helper, so neither side has any spread.
  const mixup = [
    run("mixup", 0, { top1: 0.60, ece: 0.02, nll: 1.2, fog: [0.4, 0.4] }),
    run("mixup", 1, { top1: 0.66, ece: 0.02, nll: 1.4, fog: [0.5, 0.3] }),
    run("mixup", 2, { top1: 0.63, ece: 0.02, nll: 1.3, fog: [0.6, 0.4] }),
  ];
  const markdown = buildBaselineDifferences([...mixup, ...HARD], ["hard", "mixup"]);

  assert.deepEqual(rowOf(markdown, "mixup"), {
    "method": "mixup",
    "n (seeds)": "3",
    "n hard (seeds)": "3",
    "top-1 (points)": "-9.00 (-15.13 to -2.87)",
    "ECE (points)": "-4.00 (-6.48 to -1.52)",
    "NLL (nats)": "+0.300 (0.073 to 0.527)",
    "corruption top-1 (points)": "-13.33 (-26.42 to -0.25)",
    "corruption ECE (points)": "0.00 (no spread)",
  });
  assert.match(markdown, /^Dataset cifar10, ResNet-18 width 0\.25, 32 px:$/m);
  assert.equal(markdown.includes("| hard |"), false, "the baseline has no row of its own");
});

Deno.test("buildBaselineDifferences subtracts another baseline when asked", () => {
  const mixup = run("mixup", 0, { top1: 0.60, ece: 0.02, nll: 1.2 });
  const markdown = buildBaselineDifferences([...HARD, mixup], [], "mixup");
  // hard top-1 mean 72 minus mixup's 60.
  assert.match(markdown, /^\| method \| n \(seeds\) \| n mixup \(seeds\) \|/m);
  assert.match(markdown, /^\| hard \| 3 \| 1 \| \+12\.00 \(–\) \|/m);
  assert.match(markdown, /minus that of mixup/);
});

Deno.test("buildBaselineDifferences marks single seeds and missing robustness", () => {
  const markdown = buildBaselineDifferences([
    ...HARD,
    run("cutmix", 0, { top1: 0.65, ece: 0.03, nll: 1.0 }),
    { ...run("cutmix", 1, { top1: 0, ece: 0, nll: 0 }), status: "failed" },
  ]);
  const cutmix = rowOf(markdown, "cutmix");
  assert.equal(cutmix["n (seeds)"], "1", "the failed run is not counted");
  assert.equal(cutmix["top-1 (points)"], "-7.00 (–)");
  assert.equal(cutmix["corruption top-1 (points)"], "n/a");
});

Deno.test("buildBaselineDifferences needs hard and another method in the same block", () => {
  const otherHarness = run("mixup", 0, { top1: 0.6, ece: 0.02, nll: 1.2 }, "ResNet-18 width 1, 32 px");
  assert.equal(buildBaselineDifferences([...HARD, otherHarness]), "");
  assert.equal(buildBaselineDifferences([otherHarness]), "");
  assert.equal(buildBaselineDifferences([]), "");
});

Deno.test("buildBaselineDifferences uses runs that have the metric", () => {
  // hard seed 2 has no robustness result and mixup seed 3 no test corruption, so corruption
  // top-1 compares [40, 40, 50] with [50, 60]: -11.67, Welch df 1.899, interval -38.89 to
  // 15.55 (scipy.stats.t.ppf).
  const partialHard = [HARD[0], HARD[1], { ...HARD[2], robustness: undefined }];
  const noTestCorruptions = {
    ...run("mixup", 3, { top1: 0.6, ece: 0.02, nll: 1.2 }),
    robustness: robustnessResult([]),
  };
  const mixup = [
    run("mixup", 0, { top1: 0.60, ece: 0.02, nll: 1.2, fog: [0.4, 0.4] }),
    run("mixup", 1, { top1: 0.66, ece: 0.02, nll: 1.4, fog: [0.5, 0.3] }),
    run("mixup", 2, { top1: 0.63, ece: 0.02, nll: 1.3, fog: [0.6, 0.4] }),
  ];
  const markdown = buildBaselineDifferences([...partialHard, ...mixup, noTestCorruptions]);
  const row = rowOf(markdown, "mixup");

  assert.equal(row["n (seeds)"], "4");
  assert.equal(row["corruption top-1 (points)"], "-11.67 (-38.89 to 15.55) [n 3 and 2]");
  assert.match(markdown, /as "\[n 2 and 3\]" \(method and baseline\)/);
});
