import { robustnessResult } from "./_test_robustness.ts";
import assert from "node:assert/strict";
import type { DegradedMetrics, RobustnessResult } from "../engine/robustness.ts";
import type { ReliabilityBin } from "../metrics/classification.ts";
import {
  distortionCurve,
  distortionNames,
  informationCurve,
  meanOverSeeds,
  poolReliabilityBins,
  sameInformation,
  severityCurve,
  sharedTestCorruptions,
  top1BySeverity,
} from "./chart_data.ts";

function bin(
  lower: number,
  upper: number,
  count: number,
  confidence: number,
  accuracy: number,
): ReliabilityBin {
  return count === 0
    ? { lower, upper, count: 0, meanConfidence: null, accuracy: null }
    : { lower, upper, count, meanConfidence: confidence, accuracy };
}

function assertClose(actual: number | null | undefined, expected: number, message?: string): void {
  assert.ok(typeof actual === "number", `${message ?? "value"} is ${actual}, expected ${expected}`);
  assert.ok(Math.abs(actual - expected) < 1e-12, `${message ?? "value"} is ${actual}, expected ${expected}`);
}

Deno.test("poolReliabilityBins hand-computed two seeds", () => {
  // Seed 0: bin 1 has 2 images (confidence 0.4, 0.5; 1 right), bin 2 has 4 (mean 0.9, 3 right).
  // Seed 1: bin 1 empty, bin 2 has 6 (mean 0.8, 6 right).
  // Pooled bin 2: 10 images, confidence (4 * 0.9 + 6 * 0.8) / 10 = 0.84, accuracy (3 + 6) / 10 = 0.9.
  const seed0 = [bin(0, 1 / 3, 0, 0, 0), bin(1 / 3, 2 / 3, 2, 0.45, 0.5), bin(2 / 3, 1, 4, 0.9, 0.75)];
  const seed1 = [bin(0, 1 / 3, 0, 0, 0), bin(1 / 3, 2 / 3, 0, 0, 0), bin(2 / 3, 1, 6, 0.8, 1)];
  const pooled = poolReliabilityBins([seed0, seed1]);

  assert.equal(pooled.length, 3);
  assert.deepEqual(pooled[0], { lower: 0, upper: 1 / 3, count: 0, meanConfidence: null, accuracy: null });
  assert.equal(pooled[1].count, 2);
  assertClose(pooled[1].meanConfidence, 0.45, "bin 1 confidence");
  assertClose(pooled[1].accuracy, 0.5, "bin 1 accuracy");
  assert.equal(pooled[2].count, 10);
  assertClose(pooled[2].meanConfidence, 0.84, "bin 2 confidence");
  assertClose(pooled[2].accuracy, 0.9, "bin 2 accuracy");
  assert.equal(pooled[2].lower, 2 / 3);
  assert.equal(pooled[2].upper, 1);
});

Deno.test("poolReliabilityBins single and no diagrams", () => {
  const one = [bin(0, 0.5, 3, 0.3, 1 / 3), bin(0.5, 1, 1, 0.7, 1)];
  assert.deepEqual(poolReliabilityBins([one]), one);
  assert.deepEqual(poolReliabilityBins([]), []);
});

Deno.test("poolReliabilityBins rejects mismatched bins", () => {
  const two = [bin(0, 0.5, 1, 0.3, 0), bin(0.5, 1, 1, 0.7, 1)];
  const three = [bin(0, 1 / 3, 1, 0.3, 0), bin(1 / 3, 2 / 3, 1, 0.5, 1), bin(2 / 3, 1, 1, 0.7, 1)];
  assert.throws(() => poolReliabilityBins([two, three]), /diagram 1 has 3 bins, but diagram 0 has 2/);
  const shifted = [bin(0, 0.4, 1, 0.3, 0), bin(0.4, 1, 1, 0.7, 1)];
  assert.throws(() => poolReliabilityBins([two, shifted]), /Bin 0 of reliability diagram 1 is \(0, 0\.4\]/);
});

function corruption(
  name: string,
  severity: number,
  top1: number,
  set: "test" | "held_out" = "test",
): DegradedMetrics {
  return {
    kind: "corruption",
    name,
    set,
    severity,
    top1,
    top5: null,
    ece: 0.1,
    nll: 1,
    brier: 0.5,
    count: 100,
  };
}

function distortion(name: string, level: number, top1: number, nmi?: number): DegradedMetrics {
  const entry: DegradedMetrics = {
    kind: "distortion",
    name,
    level,
    top1,
    top5: null,
    ece: 0.1,
    nll: 1,
    brier: 0.5,
    count: 100,
  };
  if (nmi === undefined) return entry;
  return { ...entry, nmi: { mean: nmi, std: 0.05 }, epsilon: { mean: Math.min(0.9, 1 - nmi), std: 0.05 } };
}

function result(entries: DegradedMetrics[]): RobustnessResult {
  return robustnessResult(entries, 100);
}

Deno.test("sharedTestCorruptions keeps common test names", () => {
  const a = result([
    corruption("fog", 1, 0.5),
    corruption("snow", 1, 0.5),
    corruption("saturate", 1, 0.5, "held_out"),
  ]);
  const b = result([corruption("snow", 1, 0.5), corruption("fog", 1, 0.5), corruption("frost", 1, 0.5)]);
  assert.deepEqual(sharedTestCorruptions([a, b]), ["fog", "snow"]);
  assert.deepEqual(sharedTestCorruptions([]), []);
});

Deno.test("top1BySeverity averages corruptions per severity", () => {
  // Severity 1: (0.8 + 0.6) / 2 = 0.7; severity 2: (0.4 + 0.2) / 2 = 0.3. Held-out saturate is not averaged.
  // Severity 3 lacks snow, so it is left out.
  const run = result([
    corruption("fog", 1, 0.8),
    corruption("snow", 1, 0.6),
    corruption("fog", 2, 0.4),
    corruption("snow", 2, 0.2),
    corruption("fog", 3, 0.1),
    corruption("saturate", 1, 0, "held_out"),
  ]);
  const means = top1BySeverity(run, ["fog", "snow"]);
  assert.deepEqual([...means.keys()].sort(), [1, 2]);
  assertClose(means.get(1), 0.7, "severity 1");
  assertClose(means.get(2), 0.3, "severity 2");
  assert.equal(top1BySeverity(run, []).size, 0);
});

Deno.test("severityCurve means over seeds hand-computed", () => {
  // Seed 0 at severity 1: (0.8 + 0.6) / 2 = 0.7; seed 1: (0.6 + 0.4) / 2 = 0.5.
  // Mean 0.6, sample std sqrt(((0.1)^2 + (0.1)^2) / 1) = 0.141421...
  // Snow is only in seed 0, so it is not averaged.
  const seed0 = result([corruption("fog", 1, 0.8), corruption("contrast", 1, 0.6), corruption("snow", 1, 0)]);
  const seed1 = result([corruption("fog", 1, 0.6), corruption("contrast", 1, 0.4)]);
  const curve = severityCurve([seed0, seed1]);
  assert.equal(curve.length, 1);
  assert.equal(curve[0].x, 1);
  assert.equal(curve[0].seeds, 2);
  assertClose(curve[0].mean, 0.6, "mean");
  assertClose(curve[0].std, Math.sqrt(0.02), "std");
});

Deno.test("meanOverSeeds single seed has no std", () => {
  const curve = meanOverSeeds([new Map([[2, 0.5], [1, 0.25]]), new Map([[2, 0.7]])]);
  assert.deepEqual(curve.map((point) => point.x), [1, 2]);
  assert.equal(curve[0].std, undefined);
  assert.equal(curve[0].seeds, 1);
  assertClose(curve[1].mean, 0.6, "mean at 2");
  assert.equal(curve[1].seeds, 2);
});

Deno.test("distortionCurve averages levels over seeds", () => {
  const seed0 = result([
    distortion("blur", 0.5, 0.4),
    distortion("blur", 0.1, 0.8),
    distortion("mosaic", 0.5, 0.1),
  ]);
  const seed1 = result([distortion("blur", 0.5, 0.6), distortion("blur", 0.1, 0.6)]);
  assert.deepEqual(distortionNames([seed0, seed1]), ["blur", "mosaic"]);
  const curve = distortionCurve([seed0, seed1], "blur");
  assert.deepEqual(curve.map((point) => point.x), [0.1, 0.5]);
  assertClose(curve[0].mean, 0.7, "level 0.1");
  assertClose(curve[1].mean, 0.5, "level 0.5");
  assertClose(curve[1].std, Math.sqrt(0.02), "std at 0.5");
});

Deno.test("informationCurve sorts levels and skips entries without NMI", () => {
  const run = result([
    distortion("blur", 0.9, 0.1, 0.2),
    distortion("blur", 0.1, 0.8, 0.9),
    distortion("blur", 0.5, 0.5),
  ]);
  const curve = informationCurve(run, "blur");
  assert.deepEqual(curve.map((point) => point.level), [0.1, 0.9]);
  assert.equal(curve[0].nmi.mean, 0.9);
  assertClose(curve[0].epsilon.mean, 0.1, "epsilon at 0.1");
  assert.equal(curve[1].epsilon.mean, 0.8);
  assert.deepEqual(informationCurve(run, "mosaic"), []);
});

Deno.test("sameInformation detects other validation images", () => {
  const a = result([distortion("blur", 0.1, 0.8, 0.9)]);
  const b = result([distortion("blur", 0.1, 0.3, 0.9), distortion("blur", 0.5, 0.3, 0.5)]);
  const c = result([distortion("blur", 0.1, 0.8, 0.85)]);
  assert.equal(sameInformation(a, b, "blur"), true);
  assert.equal(sameInformation(a, c, "blur"), false);
});
