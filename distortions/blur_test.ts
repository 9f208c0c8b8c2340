import assert from "node:assert/strict";
import { applyGaussianBlur, blurRadius, blurSigma, gaussianKernel } from "./blur.ts";
import { meanSquaredError, noiseImage, valueRange } from "./_testing.ts";

Deno.test("gaussianKernel sums to 1", () => {
  for (const [sigma, radius] of [[0.3, 1], [1, 3], [2.5, 8], [10, 2], [4, 0]]) {
    const kernel = gaussianKernel(sigma, radius);
    assert.equal(kernel.length, 2 * radius + 1);
    const sum = kernel.reduce((total, weight) => total + weight, 0);
    assert.ok(Math.abs(sum - 1) < 1e-12, `sum ${sum} for sigma ${sigma}, radius ${radius}`);
    for (let k = 0; k < radius; k++) assert.equal(kernel[k], kernel[kernel.length - 1 - k]);
  }
});

Deno.test("gaussianKernel matches hand values", () => {
  // sigma 1, radius 1: weights exp(-1/2), 1, exp(-1/2), divided by their sum.
  const side = Math.exp(-0.5);
  const kernel = gaussianKernel(1, 1);
  const expected = [side, 1, side].map((weight) => weight / (1 + 2 * side));
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(kernel[i] - expected[i]) < 1e-15);
  assert.throws(
    () => gaussianKernel(0, 1),
    /sigma must be > 0 and radius an integer >= 0, got sigma=0, radius=1/,
  );
});

Deno.test("blurSigma scales with the image side", () => {
  assert.equal(blurSigma(1, 224, 224), 50);
  assert.equal(blurSigma(0.5, 100, 448), 50);
  assert.ok(Math.abs(blurSigma(1, 32, 32) - (50 * 32) / 224) < 1e-12);
  assert.equal(blurSigma(0.5, 32, 32, { sigmaScale: "absolute" }), 25);
  assert.equal(blurSigma(0, 32, 32), 0);
  const badScale = { sigmaScale: "height" } as unknown as { sigmaScale: "side" };
  assert.throws(
    () => blurSigma(0.5, 8, 8, badScale),
    /sigmaScale must be "side" or "absolute", got "height"/,
  );
});

Deno.test("blurRadius fits the kernel to the axis", () => {
  assert.equal(blurRadius(1, 100), 3);
  assert.equal(blurRadius(0.1, 100), 1);
  assert.equal(blurRadius(10, 5), 2);
  assert.equal(blurRadius(10, 4), 1);
  assert.equal(blurRadius(10, 3), 1);
  assert.equal(blurRadius(10, 2), 0);
  assert.equal(blurRadius(10, 1), 0);
});

Deno.test("blur at level 0 returns an equal copy", () => {
  const image = noiseImage(9, 7, 1);
  const output = applyGaussianBlur(image, 9, 7, 0);
  assert.notEqual(output, image);
  assert.deepEqual(output, image);
});

Deno.test("blur mirrors at the borders", () => {
  // One row [0, 1, 0] per channel, radius capped at 1 by the width of 3. Mirroring
  // without repeating the edge makes the left neighbour of pixel 0 equal pixel 1, so
  // pixel 0 becomes a * 1 + b * 0 + a * 1 = 2a and pixel 1 stays b, for kernel [a, b, a].
  const image = Float32Array.from([0, 0, 0, 1, 1, 1, 0, 0, 0]);
  const output = applyGaussianBlur(image, 1, 3, 0.5, { sigmaScale: "absolute" });
  const [a, b] = gaussianKernel(25, 1);
  for (let c = 0; c < 3; c++) {
    assert.ok(Math.abs(output[c] - 2 * a) < 1e-6);
    assert.ok(Math.abs(output[3 + c] - b) < 1e-6);
    assert.ok(Math.abs(output[6 + c] - 2 * a) < 1e-6);
  }
});

Deno.test("blur degrades more at higher levels", () => {
  const image = noiseImage(32, 32, 2);
  const errors = [0, 0.05, 0.2, 0.6].map((level) =>
    meanSquaredError(image, applyGaussianBlur(image, 32, 32, level))
  );
  for (let i = 1; i < errors.length; i++) {
    assert.ok(errors[i] > errors[i - 1], `errors did not rise: ${errors.join(", ")}`);
  }
});

Deno.test("blur keeps near-white values near 1", () => {
  for (const value of [1, 254.5 / 255]) {
    const image = new Float32Array(16 * 16 * 3).fill(value);
    for (const level of [0.1, 1]) {
      const { min, max } = valueRange(applyGaussianBlur(image, 16, 16, level));
      assert.ok(min > value - 1e-6, `min ${min} for input ${value} at level ${level}`);
      assert.ok(max <= 1);
    }
  }
});

Deno.test("blur leaves short axes unblurred", () => {
  const single = Float32Array.from([0.2, 0.4, 0.6]);
  assert.deepEqual(applyGaussianBlur(single, 1, 1, 1), single);

  // Height 2 caps the vertical kernel at one tap, so rows do not mix. Both images have
  // max(H, W) = 3 and so the same sigma.
  const image = noiseImage(2, 3, 3);
  const output = applyGaussianBlur(image, 2, 3, 1);
  const firstRowOnly = applyGaussianBlur(image.slice(0, 9), 1, 3, 1);
  assert.deepEqual(output.slice(0, 9), firstRowOnly);
});
