import assert from "node:assert/strict";
import { applyMosaic, mosaicBlockSize } from "./mosaic.ts";
import { meanSquaredError, noiseImage, valueRange } from "./_testing.ts";

Deno.test("mosaicBlockSize follows sqrt of the level", () => {
  assert.equal(mosaicBlockSize(0, 32, 32), 1);
  assert.equal(mosaicBlockSize(1, 32, 20), 32);
  assert.equal(mosaicBlockSize(0.25, 32, 32), 16);
  assert.equal(mosaicBlockSize(0.36, 3, 3), 2);
  assert.equal(mosaicBlockSize(0.001, 3, 3), 1);
  assert.throws(() => mosaicBlockSize(2, 3, 3), /level must be a number in \[0, 1\], got 2/);
});

Deno.test("mosaic averages a 2x2 image", () => {
  // Level 1 makes one 2x2 block. Red: (0 + 0.25 + 0.5 + 1) / 4 = 0.4375.
  // Green: (1 + 1 + 1 + 0) / 4 = 0.75. Blue: (0.5 + 0.5 + 0 + 0) / 4 = 0.25.
  const image = Float32Array.from([0, 1, 0.5, 0.25, 1, 0.5, 0.5, 1, 0, 1, 0, 0]);
  const output = applyMosaic(image, 2, 2, 1);
  const mean = [0.4375, 0.75, 0.25];
  assert.deepEqual(Array.from(output), [...mean, ...mean, ...mean, ...mean]);
});

Deno.test("mosaic uses partial blocks at the edges", () => {
  // 3x3 gray image with values 0..8 / 8 in row order. Level 0.36 gives b = 2.
  // Blocks: top-left {0, 1, 3, 4} -> 2, top-right {2, 5} -> 3.5,
  // bottom-left {6, 7} -> 6.5, bottom-right {8} -> 8 (all divided by 8).
  const gray = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((value) => value / 8);
  const image = Float32Array.from(gray.flatMap((value) => [value, value, value]));
  const output = applyMosaic(image, 3, 3, 0.36);
  const expected = [2, 2, 3.5, 2, 2, 3.5, 6.5, 6.5, 8].map((value) => value / 8);
  for (let p = 0; p < 9; p++) {
    for (let c = 0; c < 3; c++) assert.equal(output[p * 3 + c], expected[p], `pixel ${p}, channel ${c}`);
  }
});

Deno.test("mosaic at level 0 returns an equal copy", () => {
  const image = noiseImage(7, 5, 1);
  const output = applyMosaic(image, 7, 5, 0);
  assert.notEqual(output, image);
  assert.deepEqual(output, image);
});

Deno.test("mosaic degrades more at higher levels", () => {
  const image = noiseImage(32, 32, 2);
  const errors = [0, 0.1, 0.4, 1].map((level) => meanSquaredError(image, applyMosaic(image, 32, 32, level)));
  for (let i = 1; i < errors.length; i++) {
    assert.ok(errors[i] > errors[i - 1], `errors did not rise: ${errors.join(", ")}`);
  }
});

Deno.test("mosaic keeps near-white values near 1", () => {
  for (const value of [1, 254.5 / 255]) {
    const image = new Float32Array(16 * 16 * 3).fill(value);
    for (const level of [0.2, 1]) {
      const { min, max } = valueRange(applyMosaic(image, 16, 16, level));
      assert.ok(min > value - 1e-6, `min ${min} for input ${value} at level ${level}`);
      assert.ok(max <= 1);
    }
  }
});
