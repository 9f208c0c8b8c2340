import assert from "node:assert/strict";
import { boxResize, clippedZoom, roundHalfEven, sampleBilinear } from "./_resample.ts";

Deno.test("roundHalfEven rounds ties to even", () => {
  assert.deepEqual([0.5, 1.5, 2.5, 2.4, 2.6, -0.5, -1.5, 32.5].map(roundHalfEven), [
    0,
    2,
    2,
    2,
    3,
    0,
    -2,
    32,
  ]);
});

Deno.test("sampleBilinear interpolates and reflects", () => {
  // Row [0, 10, 20, 30]; reflect mode repeats the edge, so -0.5 reads (0 + 0) / 2.
  const plane = Float64Array.of(0, 10, 20, 30);
  const target = new Float64Array(1);
  const read = (x: number) => {
    sampleBilinear(plane, 1, 4, 1, 0, x, "reflect", target, 0);
    return target[0];
  };
  assert.equal(read(1.25), 12.5);
  assert.equal(read(-0.5), 0);
  assert.equal(read(3.5), 30);
  assert.equal(read(-1.5), 5);
});

Deno.test("clippedZoom by 1 is a copy", () => {
  const plane = Float64Array.from({ length: 5 * 7 * 3 }, (_, i) => i);
  assert.deepEqual(clippedZoom(plane, 5, 7, 3, 1), plane);
  assert.throws(() => clippedZoom(plane, 5, 7, 3, 0.5), /factor must be a finite number >= 1, got 0.5/);
});

Deno.test("clippedZoom matches a hand computation", () => {
  // Side 4, factor 2: crop ceil(4 / 2) = 2 pixels from index 1, zoom to 4 samples at
  // 1 + i / 3 (corner-aligned), no trim. Row [0, 3, 6, 9] gives [3, 4, 5, 6].
  const row = Float64Array.of(0, 3, 6, 9);
  const output = clippedZoom(row, 1, 4, 1, 2);
  const expected = [3, 4, 5, 6];
  for (let x = 0; x < 4; x++) assert.ok(Math.abs(output[x] - expected[x]) < 1e-12, `x=${x}: ${output[x]}`);
});

Deno.test("boxResize follows Pillow's BOX filter", () => {
  // 4 -> 3: output pixels average input pixels whose centers fall in
  // (0, 1.33], (1.33, 2.67], (2.67, 4]. 3 -> 4 then picks 0, 1, 1, 2.
  const row = Float64Array.of(1, 2, 4, 8);
  const small = boxResize(row, 1, 4, 1, 1, 3);
  assert.deepEqual(Array.from(small), [1, 3, 8]);
  assert.deepEqual(Array.from(boxResize(small, 1, 3, 1, 1, 4)), [1, 3, 3, 8]);
  // 4 x 4 -> 2 x 2 averages 2 x 2 blocks.
  const plane = Float64Array.from({ length: 16 }, (_, i) => i);
  assert.deepEqual(Array.from(boxResize(plane, 4, 4, 1, 2, 2)), [2.5, 4.5, 10.5, 12.5]);
});
