import assert from "node:assert/strict";
import { epsilonFromConfidence, smoothedTargets } from "./targets.ts";

function rowSums(targets: Float32Array, numClasses: number): number[] {
  const sums: number[] = [];
  for (let row = 0; row < targets.length / numClasses; row++) {
    sums.push(targets.subarray(row * numClasses, (row + 1) * numClasses).reduce((a, b) => a + b, 0));
  }
  return sums;
}

Deno.test("smoothedTargets with epsilon 0 is one-hot", () => {
  const targets = smoothedTargets(Int32Array.from([2, 0]), Float32Array.from([0, 0]), 3, "k-1");
  assert.deepEqual([...targets], [0, 0, 1, 1, 0, 0]);
  assert.deepEqual([...smoothedTargets(Int32Array.from([1]), null, 3, "k")], [0, 1, 0]);
});

Deno.test("smoothedTargets k-1 convention", () => {
  // epsilon 0.3 over K = 4: true class 0.7, others 0.3 / 3 = 0.1.
  const targets = smoothedTargets(Int32Array.from([1]), Float32Array.from([0.3]), 4, "k-1");
  const expected = [0.1, 0.7, 0.1, 0.1];
  targets.forEach((value, i) => assert.ok(Math.abs(value - expected[i]) < 1e-7));
});

Deno.test("smoothedTargets k convention", () => {
  // epsilon 0.4 over K = 4: every class 0.1, true class 0.1 + 0.6 = 0.7.
  const targets = smoothedTargets(Int32Array.from([3]), Float32Array.from([0.4]), 4, "k");
  const expected = [0.1, 0.1, 0.1, 0.7];
  targets.forEach((value, i) => assert.ok(Math.abs(value - expected[i]) < 1e-7));
});

Deno.test("smoothedTargets rows sum to 1", () => {
  const labels = Int32Array.from([0, 4, 9, 2]);
  const epsilon = Float32Array.from([0, 0.25, 0.9, 0.5]);
  for (const convention of ["k-1", "k"] as const) {
    const targets = smoothedTargets(labels, epsilon, 10, convention);
    for (const sum of rowSums(targets, 10)) assert.ok(Math.abs(sum - 1) < 1e-6);
    assert.ok(targets.every((value) => value >= 0));
  }
});

Deno.test("smoothedTargets rejects labels out of range", () => {
  assert.throws(() => smoothedTargets(Int32Array.from([3]), null, 3, "k-1"), /outside \[0, 3\)/);
});

Deno.test("epsilonFromConfidence caps at 0.9", () => {
  assert.equal(epsilonFromConfidence(1, 0.9), 0);
  assert.ok(Math.abs(epsilonFromConfidence(0.7, 0.9) - 0.3) < 1e-12);
  assert.equal(epsilonFromConfidence(0.05, 0.9), 0.9);
  assert.equal(epsilonFromConfidence(0, 0.9), 0.9);
  assert.equal(epsilonFromConfidence(Number.NaN, 0.9), 0.9);
  assert.equal(epsilonFromConfidence(1.5, 0.9), 0);
});
