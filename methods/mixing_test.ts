import assert from "node:assert/strict";
import { Random } from "../engine/random.ts";
import { mixTargetRows, samplePermutation } from "./mixing.ts";

Deno.test("mixTargetRows by hand", () => {
  // Row 0 keeps 0.25 of [0.9, 0.1] and takes 0.75 of row 1 [0.2, 0.8]: [0.375, 0.625].
  // Row 1 keeps 0.25 of [0.2, 0.8] and takes 0.75 of row 0: [0.725, 0.275].
  const targets = Float32Array.from([0.9, 0.1, 0.2, 0.8]);
  const mixed = mixTargetRows(targets, 2, Float32Array.from([0.25, 0.25]), Int32Array.from([1, 0]));
  const expected = [0.375, 0.625, 0.725, 0.275];
  expected.forEach((value, i) => assert.ok(Math.abs(mixed[i] - value) < 1e-6, `value ${i}: ${mixed[i]}`));
  assert.deepEqual([...targets], [0.9, 0.1, 0.2, 0.8].map(Math.fround));
});

Deno.test("samplePermutation is a permutation", () => {
  const permutation = samplePermutation(50, new Random(4));
  assert.deepEqual([...permutation].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
  assert.notDeepEqual([...permutation], Array.from({ length: 50 }, (_, i) => i));
  assert.deepEqual(samplePermutation(50, new Random(4)), permutation);
});
