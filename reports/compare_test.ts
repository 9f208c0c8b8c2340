import { corruptionEntries, robustnessResult } from "./_test_robustness.ts";
import assert from "node:assert/strict";
import type { RobustnessResult } from "../engine/robustness.ts";
import { buildComparison, type ComparedRun, COMPARISON_HEADER } from "./compare.ts";

const CONFIG = "width 0.25, 32 px";
const LABELS = { a: "results-old", b: "results-new" };

/** Builds a robustness result with the given top-1 per test corruption at severities 1 and 2. */
function robustness(top1: Record<string, [number, number]>): RobustnessResult {
  return robustnessResult(corruptionEntries(top1));
}

function run(
  method: string,
  seed: number,
  top1: number,
  ece: number,
  nll: number,
  extra: Partial<ComparedRun> = {},
) {
  return {
    method,
    dataset: "cifar10",
    configSummary: CONFIG,
    seed,
    status: "finished",
    top1,
    ece,
    nll,
    ...extra,
  } as ComparedRun;
}

/** Cells of the table row of a method, by header. */
function rowOf(markdown: string, method: string): Record<string, string> {
  const line = markdown.split("\n").find((text) => text.startsWith(`| ${method} |`));
  assert.ok(line !== undefined, `no row for ${method} in\n${markdown}`);
  const cells = line.slice(2, -2).split(" | ");
  assert.equal(cells.length, COMPARISON_HEADER.length);
  return Object.fromEntries(COMPARISON_HEADER.map((header, i) => [header, cells[i]]));
}

const A: ComparedRun[] = [
  run("hard", 0, 0.70, 0.05, 0.9, { robustness: robustness({ fog: [0.6, 0.4], contrast: [0.5, 0.3] }) }),
  run("hard", 1, 0.72, 0.07, 1.1, { robustness: robustness({ fog: [0.6, 0.6], contrast: [0.5, 0.5] }) }),
  run("mixup", 0, 0.60, 0.02, 1.2),
  run("mixup", 1, 0.0, 0.0, 0.0, { status: "failed" }),
];

const B: ComparedRun[] = [
  run("hard", 0, 0.75, 0.04, 0.8, {
    robustness: robustness({ fog: [0.7, 0.5], contrast: [0.6, 0.4], snow: [0, 0], saturate: [0, 0] }),
  }),
  run("cutmix", 0, 0.65, 0.03, 1.0),
];

Deno.test("buildComparison hand-computed differences", () => {
  const markdown = buildComparison(A, B, LABELS, ["hard", "mixup", "cutmix"]);
  const hard = rowOf(markdown, "hard");
  // A: top-1 mean (70 + 72) / 2 = 71, ECE 6, NLL 1.0. B: 75, 4, 0.8.
  assert.equal(hard["n A"], "2");
  assert.equal(hard["n B"], "1");
  assert.equal(hard["top-1 A (%)"], "71.00");
  assert.equal(hard["top-1 B (%)"], "75.00");
  assert.equal(hard["top-1 B − A"], "+4.00");
  assert.equal(hard["ECE A (%)"], "6.00");
  assert.equal(hard["ECE B (%)"], "4.00");
  assert.equal(hard["ECE B − A"], "-2.00");
  assert.equal(hard["NLL A"], "1.000");
  assert.equal(hard["NLL B"], "0.800");
  assert.equal(hard["NLL B − A"], "-0.200");
  // Corruptions shared by all runs: fog and contrast (snow is only in B, saturate is held out).
  // A: seed 0 mean(0.6, 0.4, 0.5, 0.3) = 0.45, seed 1 mean(0.6, 0.6, 0.5, 0.5) = 0.55, so 50%.
  // B: mean(0.7, 0.5, 0.6, 0.4) = 55%.
  assert.equal(hard["corruption top-1 A (%)"], "50.00");
  assert.equal(hard["corruption top-1 B (%)"], "55.00");
  assert.equal(hard["corruption top-1 B − A"], "+5.00");
  assert.equal(hard.configuration, CONFIG);
});

Deno.test("buildComparison groups in one folder only", () => {
  const markdown = buildComparison(A, B, LABELS, ["hard", "mixup", "cutmix"]);
  const mixup = rowOf(markdown, "mixup");
  assert.equal(mixup["n A"], "1", "the failed run is not counted");
  assert.equal(mixup["n B"], "0");
  assert.equal(mixup["top-1 A (%)"], "60.00");
  assert.equal(mixup["top-1 B (%)"], "–");
  assert.equal(mixup["top-1 B − A"], "–");
  assert.equal(mixup["corruption top-1 A (%)"], "–", "mixup has no robustness result");
  const cutmix = rowOf(markdown, "cutmix");
  assert.equal(cutmix["n A"], "0");
  assert.equal(cutmix["top-1 B (%)"], "65.00");

  assert.match(markdown, /^Only in A \(results-old\):\n\n- mixup on cifar10 \(width 0\.25, 32 px, 1 run\)$/m);
  assert.match(
    markdown,
    /^Only in B \(results-new\):\n\n- cutmix on cifar10 \(width 0\.25, 32 px, 1 run\)$/m,
  );
  assert.match(markdown, /^1 of 3 groups have finished runs in both folders\./m);
  assert.match(markdown, /^A \(results-old\) has 1 failed run\(s\), left out\.$/m);
  assert.doesNotMatch(markdown, /^B \(results-new\) has/m);
});

Deno.test("buildComparison orders rows by method order", () => {
  const markdown = buildComparison(A, B, LABELS, ["cutmix", "hard", "mixup"]);
  const methods = markdown.split("\n").filter((line) =>
    /^\| [a-z]/.test(line) && !line.startsWith("| method")
  )
    .map((line) => line.split(" | ")[0].slice(2));
  assert.deepEqual(methods, ["cutmix", "hard", "mixup"]);
});

Deno.test("buildComparison n/a when a run lacks robustness", () => {
  const a = [A[0], run("hard", 1, 0.72, 0.07, 1.1)];
  const hard = rowOf(buildComparison(a, B, LABELS), "hard");
  assert.equal(hard["corruption top-1 A (%)"], "–");
  assert.equal(hard["corruption top-1 B (%)"], "55.00");
  assert.equal(hard["corruption top-1 B − A"], "–");
});

Deno.test("buildComparison same folder gives zero differences", () => {
  const hard = rowOf(buildComparison(A, A, LABELS), "hard");
  assert.equal(hard["top-1 B − A"], "0.00");
  assert.equal(hard["ECE B − A"], "0.00");
  assert.equal(hard["NLL B − A"], "0.000");
  assert.equal(hard["corruption top-1 B − A"], "0.00");
});

Deno.test("buildComparison keeps configurations apart", () => {
  const wide = run("hard", 0, 0.8, 0.05, 0.7, { configSummary: "width 0.5" });
  const markdown = buildComparison([A[0]], [wide], LABELS);
  assert.match(markdown, /^Only in A \(results-old\):\n\n- hard on cifar10 \(width 0\.25, 32 px, 1 run\)$/m);
  assert.match(markdown, /^Only in B \(results-new\):\n\n- hard on cifar10 \(width 0\.5, 1 run\)$/m);
});

Deno.test("buildComparison without finished runs", () => {
  const markdown = buildComparison([], [run("hard", 0, 0, 0, 0, { status: "failed" })], LABELS);
  assert.match(markdown, /No finished runs in A or B\./);
  assert.match(markdown, /B \(results-new\) has 1 failed run\(s\), left out\./);
  assert.doesNotMatch(markdown, /^\| method/m);
});
