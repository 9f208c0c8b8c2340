import assert from "node:assert/strict";
import { mean, sampleStandardDeviation } from "./statistics.ts";

function assertNear(actual: number, expected: number, label: string): void {
  assert.ok(Math.abs(actual - expected) <= 1e-12, `${label}: got ${actual}, expected ${expected}`);
}

Deno.test("mean hand-computed", () => {
  assert.equal(mean([1, 2, 6]), 3);
  assert.equal(mean([5]), 5);
  assert.equal(mean([-1, 1]), 0);
  assert.equal(mean([0.5, 0.25]), 0.375);
});

Deno.test("sampleStandardDeviation hand-computed", () => {
  // [1, 2, 6]: mean 3, squared deviations 4 + 1 + 9 = 14, 14 / (3 - 1) = 7.
  assertNear(sampleStandardDeviation([1, 2, 6]), Math.sqrt(7), "[1, 2, 6]");
  // [2, 4, 4, 4, 5, 5, 7, 9]: mean 5, squares 9+1+1+1+0+0+4+16 = 32, 32 / 7.
  // The population formula (32 / 8) would give exactly 2.
  assertNear(sampleStandardDeviation([2, 4, 4, 4, 5, 5, 7, 9]), Math.sqrt(32 / 7), "eight values");
  // Two values a, b: |a - b| / sqrt(2) = 2 / sqrt(2) = sqrt(2).
  assertNear(sampleStandardDeviation([10, 12]), Math.SQRT2, "[10, 12]");
});

Deno.test("sampleStandardDeviation of equal values is 0", () => {
  assert.equal(sampleStandardDeviation([0.7, 0.7, 0.7]), 0);
  assert.equal(sampleStandardDeviation([1e9 + 0.1, 1e9 + 0.1]), 0);
});

Deno.test("statistics reject too few values", () => {
  assert.throws(() => mean([]), /mean needs at least 1 value\(s\), got 0/);
  assert.throws(() => sampleStandardDeviation([3]), /needs at least 2 value\(s\), got 1/);
});

Deno.test("statistics name the non-finite value", () => {
  assert.throws(() => mean([1, Number.NaN]), /value NaN at index 1/);
  assert.throws(() => sampleStandardDeviation([Number.POSITIVE_INFINITY, 1]), /value Infinity at index 0/);
});
