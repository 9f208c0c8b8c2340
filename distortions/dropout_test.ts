import assert from "node:assert/strict";
import { Random } from "../engine/random.ts";
import { applyPatchDropout, type PatchGrid, patchGrid, samplePatchIndices } from "./dropout.ts";
import { meanSquaredError, noiseImage } from "./_testing.ts";

/** Returns an image with values in [0.25, 0.75), so no pixel is 0 before dropout. */
function nonZeroImage(height: number, width: number, seed: number): Float32Array {
  return noiseImage(height, width, seed).map((value) => 0.25 + 0.5 * value);
}

/** Counts the patches of `grid` whose every value is 0. */
function countZeroPatches(image: Float32Array, height: number, width: number, grid: PatchGrid): number {
  let zeroPatches = 0;
  for (let row = 0; row < grid.rows; row++) {
    for (let column = 0; column < grid.columns; column++) {
      let allZero = true;
      for (let y = row * grid.patchSize; y < Math.min((row + 1) * grid.patchSize, height); y++) {
        for (let x = column * grid.patchSize; x < Math.min((column + 1) * grid.patchSize, width); x++) {
          for (let c = 0; c < 3; c++) allZero &&= image[(y * width + x) * 3 + c] === 0;
        }
      }
      if (allZero) zeroPatches++;
    }
  }
  return zeroPatches;
}

Deno.test("patchGrid tiles the image", () => {
  assert.deepEqual(patchGrid(224, 224), { patchSize: 56, rows: 4, columns: 4 });
  assert.deepEqual(patchGrid(32, 40), { patchSize: 8, rows: 4, columns: 5 });
  assert.deepEqual(patchGrid(9, 9), { patchSize: 2, rows: 5, columns: 5 });
  assert.deepEqual(patchGrid(2, 3), { patchSize: 1, rows: 2, columns: 3 });
  assert.deepEqual(patchGrid(10, 9, { patchSize: 4 }), { patchSize: 4, rows: 3, columns: 3 });
  assert.throws(() => patchGrid(8, 8, { patchSize: 0 }), /patchSize must be a positive integer, got 0/);
  assert.throws(() => patchGrid(8, 8, { patchSize: 1.5 }), /got 1.5/);
});

Deno.test("samplePatchIndices draws distinct indices", () => {
  const random = new Random(1);
  for (const [count, level] of [[16, 0], [16, 0.3], [16, 1], [25, 0.5], [1, 0.6]]) {
    const indices = Array.from(samplePatchIndices(count, level, random));
    assert.equal(indices.length, Math.round(level * count));
    assert.equal(new Set(indices).size, indices.length);
    for (const index of indices) {
      assert.ok(index >= 0);
      assert.ok(index < count);
    }
  }
});

Deno.test("samplePatchIndices chooses patches uniformly", () => {
  // 4 of 16 patches per draw: each patch is expected 500 times in 2000 draws, std about 19.
  const random = new Random(2);
  const hits = new Array(16).fill(0);
  for (let draw = 0; draw < 2000; draw++) {
    for (const index of samplePatchIndices(16, 0.25, random)) hits[index]++;
  }
  for (const count of hits) assert.ok(Math.abs(count - 500) < 100, `hits ${hits.join(", ")}`);
});

Deno.test("dropout zeroes the right number of patches", () => {
  const cases = [[32, 32, {}], [10, 9, { patchSize: 4 }], [9, 13, {}]] as const;
  for (const [height, width, options] of cases) {
    const image = nonZeroImage(height, width, 3);
    const grid = patchGrid(height, width, options);
    const total = grid.rows * grid.columns;
    for (const level of [0, 0.1, 0.5, 0.77, 1]) {
      const output = applyPatchDropout(image, height, width, level, new Random(4), options);
      assert.equal(countZeroPatches(output, height, width, grid), Math.round(level * total));
      for (let i = 0; i < output.length; i++) {
        assert.ok(
          output[i] === 0 || output[i] === image[i],
          `value ${output[i]} at ${i} is neither 0 nor kept`,
        );
      }
    }
  }
});

Deno.test("dropout at level 0 returns an equal copy", () => {
  const image = noiseImage(8, 8, 5);
  const output = applyPatchDropout(image, 8, 8, 0, new Random(6));
  assert.notEqual(output, image);
  assert.deepEqual(output, image);
});

Deno.test("dropout degrades more at higher levels", () => {
  const image = nonZeroImage(32, 32, 7);
  const errors = [0, 0.25, 0.5, 1].map((level) =>
    meanSquaredError(image, applyPatchDropout(image, 32, 32, level, new Random(8)))
  );
  for (let i = 1; i < errors.length; i++) {
    assert.ok(errors[i] > errors[i - 1], `errors did not rise: ${errors.join(", ")}`);
  }
});

Deno.test("dropout keeps near-white values unchanged", () => {
  for (const value of [1, 254.5 / 255]) {
    const image = new Float32Array(16 * 16 * 3).fill(value);
    const output = applyPatchDropout(image, 16, 16, 0.5, new Random(9));
    for (const result of output) assert.ok(result === 0 || result === Math.fround(value), `value ${result}`);
  }
});

Deno.test("dropout repeats for the same seed", () => {
  const image = nonZeroImage(16, 16, 10);
  const first = applyPatchDropout(image, 16, 16, 0.5, new Random(11));
  assert.deepEqual(first, applyPatchDropout(image, 16, 16, 0.5, new Random(11)));
  assert.notDeepEqual(first, applyPatchDropout(image, 16, 16, 0.5, new Random(12)));
});
