import assert from "node:assert/strict";
import { Random } from "../engine/random.ts";
import { applyGaussianBlur } from "../distortions/blur.ts";
import { noiseImage } from "../distortions/_testing.ts";
import { nmiBatch, normalizedMutualInformation } from "./nmi.ts";

/** Returns `image` plus N(0, std^2) noise, clamped to [0, 1]. */
function addGaussianNoise(image: Float32Array, std: number, random: Random): Float32Array {
  return image.map((value) => Math.min(1, Math.max(0, value + std * random.normal())));
}

/** Returns an image whose three channels all hold `values`, one pixel per entry. */
function grayImage(values: number[]): Float32Array {
  return Float32Array.from(values.flatMap((value) => [value, value, value]));
}

Deno.test("nmi of identical images is 1", () => {
  const image = noiseImage(32, 32, 1);
  assert.ok(Math.abs(normalizedMutualInformation(image, image) - 1) < 1e-12);
  assert.ok(Math.abs(normalizedMutualInformation(image, image.slice(), { bins: 8 }) - 1) < 1e-12);
});

Deno.test("nmi of independent noise is near 0", () => {
  // The histogram estimate is biased upward when pixels are few for bins * bins cells,
  // so the default 64 bins get 128 x 128 images and 16 bins get 64 x 64.
  const large = normalizedMutualInformation(noiseImage(128, 128, 1), noiseImage(128, 128, 2));
  assert.ok(large >= 0);
  assert.ok(large < 0.1, `expected NMI < 0.1 for independent 128x128 noise, got ${large}`);
  const small = normalizedMutualInformation(noiseImage(64, 64, 1), noiseImage(64, 64, 2), { bins: 16 });
  assert.ok(small < 0.1, `expected NMI < 0.1 for independent 64x64 noise with 16 bins, got ${small}`);
});

Deno.test("nmi falls as blur strength rises", () => {
  const levels = [0, 0.05, 0.2, 0.6];
  const means = levels.map((level) => {
    let sum = 0;
    for (let seed = 0; seed < 4; seed++) {
      const clean = noiseImage(32, 32, seed);
      sum += normalizedMutualInformation(clean, applyGaussianBlur(clean, 32, 32, level));
    }
    return sum / 4;
  });
  for (let i = 1; i < means.length; i++) {
    assert.ok(means[i] < means[i - 1], `mean NMI did not fall: ${means.join(", ")}`);
  }
});

Deno.test("nmi falls as noise strength rises", () => {
  const deviations = [0, 0.02, 0.1, 0.5];
  const random = new Random(5);
  const means = deviations.map((std) => {
    let sum = 0;
    for (let seed = 0; seed < 4; seed++) {
      const clean = noiseImage(32, 32, seed);
      sum += normalizedMutualInformation(clean, addGaussianNoise(clean, std, random));
    }
    return sum / 4;
  });
  for (let i = 1; i < means.length; i++) {
    assert.ok(means[i] < means[i - 1], `mean NMI did not fall: ${means.join(", ")}`);
  }
});

Deno.test("nmi of two constant images is 1", () => {
  const clean = new Float32Array(30).fill(0.3);
  const degraded = new Float32Array(30).fill(0.8);
  assert.equal(normalizedMutualInformation(clean, degraded), 1);
});

Deno.test("nmi of constant clean and varied degraded is 0", () => {
  const clean = new Float32Array(16 * 16 * 3).fill(0.5);
  const degraded = noiseImage(16, 16, 3);
  assert.equal(normalizedMutualInformation(clean, degraded), 0);
  assert.equal(normalizedMutualInformation(degraded, clean), 0);
});

Deno.test("nmi clamps out-of-range values", () => {
  // -1 and NaN fall in bin 0 like 0 does. 2 and Infinity fall in the last bin like 1.
  const raw = grayImage([-1, 2, NaN, Infinity, -Infinity, 0.5]);
  const clamped = grayImage([0, 1, 0, 1, 0, 0.5]);
  const degraded = grayImage([0.1, 0.9, 0.2, 0.7, 0.4, 0.5]);
  const expected = normalizedMutualInformation(clamped, degraded);
  const nmi = normalizedMutualInformation(raw, degraded);
  assert.ok(!Number.isNaN(nmi));
  assert.equal(nmi, expected);
  assert.equal(normalizedMutualInformation(degraded, raw), normalizedMutualInformation(degraded, clamped));
  assert.equal(normalizedMutualInformation(raw, raw), 1);
});

Deno.test("nmi matches a hand-computed case", () => {
  // Four pixels, 2 bins (edge at 0.5).
  // Red: clean bins [0, 0, 1, 1], degraded bins [0, 1, 1, 1].
  //   p(x) = (1/2, 1/2), so H(X) = 1 bit.
  //   p(y) = (1/4, 3/4), so H(Y) = 1/4 * 2 + 3/4 * log2(4/3) = 2 - (3/4) log2 3.
  //   p(x, y): (0,0) = 1/4, (0,1) = 1/4, (1,1) = 1/2, so H(X, Y) = 1/2 + 1/2 + 1/2 = 3/2.
  //   I = H(X) + H(Y) - H(X, Y) = 3/2 - (3/4) log2 3.
  //   NMI = 2I / (H(X) + H(Y)) = (3 - (3/2) log2 3) / (3 - (3/4) log2 3), about 0.3837.
  // Green: both images hold the same two-valued channel, so NMI = 1.
  // Blue: both channels are constant, so NMI = 1 by definition.
  const red = (3 - 1.5 * Math.log2(3)) / (3 - 0.75 * Math.log2(3));
  const expected = (red + 1 + 1) / 3;

  const clean = Float32Array.from([
    [0.1, 0.1, 0.3],
    [0.2, 0.9, 0.3],
    [0.7, 0.1, 0.3],
    [0.9, 0.9, 0.3],
  ].flat());
  const degraded = Float32Array.from([
    [0.2, 0.1, 0.6],
    [0.8, 0.9, 0.6],
    [0.7, 0.1, 0.6],
    [0.6, 0.9, 0.6],
  ].flat());
  const nmi = normalizedMutualInformation(clean, degraded, { bins: 2 });
  assert.ok(Math.abs(nmi - expected) < 1e-12, `expected ${expected}, got ${nmi}`);
});

Deno.test("nmi puts value 1 in the last bin", () => {
  // With 4 bins, 1.0 and 0.8 share the last bin [0.75, 1], so both images bin alike.
  const clean = grayImage([0, 0.3, 1, 1]);
  const degraded = grayImage([0, 0.3, 0.8, 0.8]);
  assert.equal(normalizedMutualInformation(clean, degraded, { bins: 4 }), 1);
});

Deno.test("nmi rejects invalid inputs", () => {
  const image = new Float32Array(12);
  assert.throws(
    () => normalizedMutualInformation(image, new Float32Array(9)),
    /12 values but degraded has 9/,
  );
  assert.throws(() => normalizedMutualInformation(new Float32Array(0), new Float32Array(0)), /got 0/);
  assert.throws(
    () => normalizedMutualInformation(new Float32Array(10), new Float32Array(10)),
    /multiple of 3/,
  );
  assert.throws(() => normalizedMutualInformation(image, image, { bins: 1 }), /bins must be an integer >= 2/);
  assert.throws(() => normalizedMutualInformation(image, image, { bins: 2.5 }), /got 2.5/);
});

Deno.test("nmiBatch matches per-image values", () => {
  const count = 3;
  const clean = noiseImage(8 * count, 8, 4);
  const degraded = applyGaussianBlur(clean, 8 * count, 8, 0.3);
  const batch = nmiBatch(clean, degraded, count, { bins: 16 });
  const imageLength = 8 * 8 * 3;
  assert.equal(batch.length, count);
  for (let n = 0; n < count; n++) {
    const range = [n * imageLength, (n + 1) * imageLength] as const;
    const single = normalizedMutualInformation(clean.slice(...range), degraded.slice(...range), { bins: 16 });
    assert.equal(batch[n], Math.fround(single));
  }
});

Deno.test("nmiBatch rejects invalid counts", () => {
  const batch = new Float32Array(24);
  assert.throws(
    () => nmiBatch(batch, batch, 5),
    /count must be a positive integer dividing the length 24, got 5/,
  );
  assert.throws(() => nmiBatch(batch, batch, 0), /got 0/);
  assert.throws(() => nmiBatch(batch, batch, 6), /each image has 4 values, not a multiple of 3/);
});
