import assert from "node:assert/strict";
import {
  confidenceInterval95,
  formatFixed,
  formatInterval95,
  formatSigned,
  mean,
  median,
  sampleStandardDeviation,
  studentTQuantile,
  welchInterval95,
} from "./statistics.ts";

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

Deno.test("studentTQuantile matches the printed table of t(0.975)", () => {
  // Two-sided 95% values from standard tables, rounded to 3 decimals.
  const table: [number, number][] = [[1, 12.706], [2, 4.303], [3, 3.182], [4, 2.776], [9, 2.262], [
    29,
    2.045,
  ]];
  for (const [degrees, expected] of table) {
    assert.ok(Math.abs(studentTQuantile(0.975, degrees) - expected) < 5e-4, `df ${degrees}`);
  }
  assert.ok(Math.abs(studentTQuantile(0.975, 1e6) - 1.95996) < 1e-4);
  assert.ok(Math.abs(studentTQuantile(0.995, 5) - 4.032) < 5e-4);
  assert.equal(studentTQuantile(0.5, 3), 0);
  assert.ok(Math.abs(studentTQuantile(0.025, 2) + 4.303) < 5e-4);
  // df 1 is the Cauchy distribution: the quantile is tan(pi (p - 1/2)) exactly.
  assert.ok(Math.abs(studentTQuantile(0.9, 1) - Math.tan(Math.PI * 0.4)) < 1e-8);
});

Deno.test("studentTQuantile rejects bad arguments", () => {
  assert.throws(() => studentTQuantile(1, 3), /p must be in \(0, 1\), got 1/);
  assert.throws(() => studentTQuantile(0.9, 0), /degrees of freedom .* got 0/);
  assert.throws(() => studentTQuantile(0.9, Number.NaN), /got NaN/);
});

Deno.test("confidenceInterval95 hand-computed for three seeds", () => {
  // mean 2, s = 1, t(0.975, 2) = 4.302653, half-width 4.302653 / sqrt(3) = 2.484138.
  const [low, high] = confidenceInterval95([1, 2, 3]);
  assert.ok(Math.abs(low - (2 - 2.484138)) < 1e-5);
  assert.ok(Math.abs(high - (2 + 2.484138)) < 1e-5);
  assert.deepEqual(confidenceInterval95([5, 5]), [5, 5]);
  assert.throws(() => confidenceInterval95([1]), /needs at least 2 value/);
});

Deno.test("formatInterval95 scales both ends and shows a dash below two values", () => {
  // mean 0.2, s 0.1, t(0.975, 2) = 4.302653: 0.2 ± 0.248414, times 100.
  assert.equal(formatInterval95([0.1, 0.2, 0.3], 100, 1), "-4.8 to 44.8");
  assert.equal(formatInterval95([0.5], 100, 2), "–");
  assert.equal(formatInterval95([], 100, 2), "–");
});

Deno.test("welchInterval95 matches hand-computed intervals", () => {
  // a = [1, 2, 3], b = [4, 6, 8]: difference -4, s_a² / 3 = 1 / 3, s_b² / 3 = 4 / 3, so
  // df = (5 / 3)² / ((1 / 3)² / 2 + (4 / 3)² / 2) = 50 / 17 and t(0.975, 50 / 17) = 3.2187586
  // (scipy.stats.t.ppf), half-width 3.2187586 · sqrt(5 / 3) = 4.1553995.
  const [low, high] = welchInterval95([1, 2, 3], [4, 6, 8]);
  assert.ok(Math.abs(low - -8.1553995) < 1e-6, `low ${low}`);
  assert.ok(Math.abs(high - 0.1553995) < 1e-6, `high ${high}`);
  // One constant group: df = 1 from the other alone, t(0.975, 1) = 12.7062047.
  const [constantLow, constantHigh] = welchInterval95([1, 1, 1], [0, 2]);
  assert.ok(Math.abs(constantLow - -12.7062047) < 1e-6, `low ${constantLow}`);
  assert.ok(Math.abs(constantHigh - 12.7062047) < 1e-6, `high ${constantHigh}`);
  assert.deepEqual(welchInterval95([2, 2], [1, 1]), [1, 1]);
  assert.throws(() => welchInterval95([1], [1, 2]), /at least 2 value/);
  assert.throws(() => welchInterval95([1, NaN], [1, 2]), /value NaN at index 1/);
});

Deno.test("formatSigned signs nonzero values and prints a rounded zero unsigned", () => {
  assert.equal(formatSigned(1.234, 2), "+1.23");
  assert.equal(formatSigned(-26.437, 2), "-26.44");
  assert.equal(formatSigned(-0.001, 2), "0.00");
  assert.equal(formatSigned(0.0004, 3), "0.000");
});

Deno.test("formatFixed never prints negative zero", () => {
  assert.equal(formatFixed(-0.001, 2), "0.00");
  assert.equal(formatFixed(-0, 1), "0.0");
  assert.equal(formatFixed(-1.005, 1), "-1.0");
  assert.equal(formatFixed(2.5, 0), "3");
});

Deno.test("median of odd, even and empty lists", () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([7]), 7);
  assert.throws(() => median([]), /no values/);
});
