import assert from "node:assert/strict";
import {
  borderIndex,
  boxFilter3,
  correlate2d,
  correlateSeparable,
  gaussianFilter,
  gaussianKernel,
  motionBlurFilter,
} from "./_filters.ts";

Deno.test("borderIndex follows the scipy modes", () => {
  const indices = [-5, -4, -3, -2, -1, 0, 3, 4, 5, 6, 7, 8];
  assert.deepEqual(indices.map((i) => borderIndex(i, 4, "nearest")), [0, 0, 0, 0, 0, 0, 3, 3, 3, 3, 3, 3]);
  // reflect: d c b a | a b c d | d c b a
  assert.deepEqual(indices.map((i) => borderIndex(i, 4, "reflect")), [3, 3, 2, 1, 0, 0, 3, 3, 2, 1, 0, 0]);
  // mirror: c b | a b c d | c b a
  assert.deepEqual(indices.map((i) => borderIndex(i, 4, "mirror")), [1, 2, 3, 2, 1, 0, 3, 2, 1, 0, 1, 2]);
  for (const border of ["nearest", "reflect", "mirror"] as const) {
    assert.deepEqual([-3, 0, 2].map((i) => borderIndex(i, 1, border)), [0, 0, 0], border);
  }
});

Deno.test("gaussianKernel uses the scipy radius", () => {
  assert.deepEqual(gaussianKernel(0), Float64Array.of(1));
  assert.deepEqual(gaussianKernel(0.05), Float64Array.of(1));
  assert.equal(gaussianKernel(0.4).length, 5); // int(4 * 0.4 + 0.5) = 2
  assert.equal(gaussianKernel(1).length, 9);
  assert.equal(gaussianKernel(2, 3).length, 13);
  const kernel = gaussianKernel(0.7);
  const sum = kernel.reduce((total, weight) => total + weight, 0);
  assert.ok(Math.abs(sum - 1) < 1e-15);
  assert.ok(Math.abs(kernel[2] / kernel[3] - Math.exp(-1 / (2 * 0.49))) < 1e-12);
  assert.throws(() => gaussianKernel(-1), /sigma must be a finite number >= 0, got -1/);
});

Deno.test("gaussianFilter keeps each channel apart", () => {
  const plane = Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1);
  const output = gaussianFilter(plane, 1, 3, 3, 1);
  for (let x = 0; x < 3; x++) {
    const sum = output[x * 3] + output[x * 3 + 1] + output[x * 3 + 2];
    assert.ok(Math.abs(sum - 1) < 1e-12, `pixel ${x}`);
  }
  assert.ok(output[0] > output[3]);
  assert.ok(output[3] > output[6]);
});

Deno.test("correlateSeparable matches a hand sum", () => {
  // Row [1, 2, 4] with kernel [0.25, 0.5, 0.25] and edge repetition:
  // left 0.25*1 + 0.5*1 + 0.25*2, middle 0.25*1 + 0.5*2 + 0.25*4, right 0.25*2 + 0.5*4 + 0.25*4.
  const kernel = Float64Array.of(0.25, 0.5, 0.25);
  const output = correlateSeparable(Float64Array.of(1, 2, 4), 1, 3, 1, kernel, Float64Array.of(1), "nearest");
  assert.deepEqual(Array.from(output), [1.25, 2.25, 3.5]);
});

Deno.test("correlate2d matches a hand sum", () => {
  // 3 x 3 plane 1..9, kernel with a single 1 up-left of the center: output(y, x) = plane(y - 1, x - 1),
  // mirrored at the border (index -1 reads index 1).
  const plane = Float64Array.from({ length: 9 }, (_, i) => i + 1);
  const kernel = Float64Array.of(1, 0, 0, 0, 0, 0, 0, 0, 0);
  const output = correlate2d(plane, 3, 3, 1, kernel, 3, 3, "mirror");
  assert.deepEqual(Array.from(output), [5, 4, 5, 2, 1, 2, 5, 4, 5]);
  assert.throws(() => correlate2d(plane, 3, 3, 1, kernel, 3, 2), /kernel must have odd sides/);
});

Deno.test("boxFilter3 averages a 3x3 window", () => {
  const plane = Float64Array.from({ length: 9 }, (_, i) => i + 1);
  assert.ok(Math.abs(boxFilter3(plane, 3, 3, 1)[4] - 5) < 1e-12);
});

Deno.test("motionBlurFilter uses a one-sided Gaussian line", () => {
  // Radius 2 gives 5 taps with weights exp(-i^2 / 2), i = 0..4. At angle 0, output x
  // reads x + i, so an impulse at 5 lands on x = 5 - i.
  const row = new Float64Array(10);
  row[5] = 1;
  const weights = [0, 1, 2, 3, 4].map((i) => Math.exp(-(i * i) / 2));
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const output = motionBlurFilter(row, 1, 10, 1, 2, 1, 0);
  for (let x = 0; x < 10; x++) {
    const expected = x <= 5 && 5 - x <= 4 ? weights[5 - x] / total : 0;
    assert.ok(Math.abs(output[x] - expected) < 1e-15, `x=${x}: ${output[x]} vs ${expected}`);
  }
  const column = motionBlurFilter(row, 10, 1, 1, 2, 1, 90);
  assert.deepEqual(column, output);
});

Deno.test("motionBlurFilter rounds diagonal offsets", () => {
  // At 45 degrees tap i reads (ceil(0.7071 i - 0.5), same) = (0, 1, 1, 2, 3) for i = 0..4.
  const side = 9;
  const plane = new Float64Array(side * side);
  plane[6 * side + 6] = 1;
  const output = motionBlurFilter(plane, side, side, 1, 2, 100, 45);
  const reached = [];
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) if (output[y * side + x] > 0) reached.push(`${y},${x}`);
  }
  assert.deepEqual(reached.sort(), ["3,3", "4,4", "5,5", "6,6"]);
  // Taps 1 and 2 both read (6, 6) from (5, 5), tap 0 reads (6, 6) from itself.
  const weight = (i: number) => Math.exp(-(i * i) / (2 * 100 * 100));
  const ratio = output[5 * side + 5] / output[6 * side + 6];
  assert.ok(Math.abs(ratio - (weight(1) + weight(2)) / weight(0)) < 1e-12, `ratio ${ratio}`);
  assert.throws(() => motionBlurFilter(plane, side, side, 1, 0, 1, 0), /radius and sigma must be > 0/);
});
