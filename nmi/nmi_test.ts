import assert from "node:assert/strict";
import { Random } from "../engine/random.ts";
import { applyGaussianBlur } from "../distortions/blur.ts";
import { noiseImage } from "../distortions/_testing.ts";
import { referenceNmi } from "../tests/nmi_reference.ts";
import { usesSmallSums } from "./_kernel.ts";
import { availableNmiKernels, nmiBatch, type NmiKernelOptions, normalizedMutualInformation } from "./nmi.ts";

/**
 * The kernels that run in this process. The native one needs its library built by
 * `deno task setup`. In CI a test of `_native_test.ts` fails without it.
 */
const KERNELS = availableNmiKernels();

/** Maximum difference between the kernel and the float64 reference on any input. */
const REFERENCE_TOLERANCE = 1e-9;

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
  assert.throws(
    () => normalizedMutualInformation(image, image, { bins: 1 }),
    /bins must be an integer in \[2, 65535\], got 1/,
  );
  assert.throws(() => normalizedMutualInformation(image, image, { bins: 2.5 }), /got 2.5/);
  assert.throws(() => normalizedMutualInformation(image, image, { bins: 65536 }), /got 65536/);
  assert.throws(() => nmiBatch(image, image, 1, { bins: 0 }), /nmiBatch: bins must be an integer/);
  const unknownKernel = { kernel: "simd" } as unknown as NmiKernelOptions;
  assert.throws(
    () => normalizedMutualInformation(image, image, unknownKernel),
    /kernel must be "native", "wasm" or "typescript", got "simd"/,
  );
});

Deno.test("nmi rejects arrays other than Float32Array", () => {
  const image = noiseImage(4, 4, 31);
  const wide = Float64Array.from(image);
  for (const kernel of KERNELS) {
    assert.throws(
      () => normalizedMutualInformation(wide as unknown as Float32Array, image, { kernel }),
      /clean must be a Float32Array, got Float64Array\. Convert it with Float32Array\.from/,
    );
    assert.throws(
      () => nmiBatch(image, Array.from(image) as unknown as Float32Array, 1, { kernel }),
      /degraded must be a Float32Array, got Array/,
    );
  }
  const proxy = new Proxy(image, {});
  assert.throws(
    () => normalizedMutualInformation(proxy, image),
    /clean is a Proxy whose buffer cannot be read \(.*\)\. Pass the Float32Array itself, or a copy/,
  );
  const detached = image.slice();
  structuredClone(detached.buffer, { transfer: [detached.buffer] });
  assert.throws(
    () => nmiBatch(image, detached, 1),
    /nmiBatch: degraded has a detached buffer \(transferred or freed\)\. Pass an array that owns its data/,
  );
  // A rejected call must leave the cached histograms as they were.
  assertMatchesReference(image, noiseImage(4, 4, 32), 256, "after rejected arrays");
});

Deno.test("nmi names the type of a wrong option", () => {
  const image = noiseImage(2, 2, 33);
  const textBins = { bins: "64" } as unknown as NmiKernelOptions;
  assert.throws(() => normalizedMutualInformation(image, image, textBins), /got "64" \(string\)/);
  assert.throws(() => nmiBatch(image, image, "1" as unknown as number), /got "1" \(string\)/);
  assert.equal(normalizedMutualInformation(image, image, null), 1);
});

Deno.test("nmi copies a pair in shared memory first", () => {
  const clean = noiseImage(9, 9, 34);
  const degraded = noiseImage(9, 9, 35);
  const shared = new Float32Array(new SharedArrayBuffer(clean.byteLength));
  shared.set(clean);
  for (const kernel of KERNELS) {
    assert.equal(
      normalizedMutualInformation(shared, degraded, { bins: 128, kernel }),
      normalizedMutualInformation(clean, degraded, { bins: 128, kernel }),
    );
  }
});

Deno.test("nmi counts images larger than one chunk", () => {
  // 300 x 300 pixels exceed the 65,536 that the WebAssembly pass copies at once. With
  // 512 bins the image has fewer pixels than cells, so the sums go on across chunks.
  const random = new Random(36);
  const clean = noiseImage(300, 300, 37);
  const noisy = addGaussianNoise(clean, 0.05, random);
  assertMatchesReference(clean, noisy, 64, "300x300");
  assertMatchesReference(clean, noisy, 512, "300x300");
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

/**
 * Asserts that every kernel that runs here agrees with the reference on one pair and
 * that they give the same float, naming the case on failure.
 */
function assertMatchesReference(
  clean: Float32Array,
  degraded: Float32Array,
  bins: number,
  label: string,
): void {
  const expected = referenceNmi(clean, degraded, bins);
  const results = KERNELS.map((kernel) => normalizedMutualInformation(clean, degraded, { bins, kernel }));
  for (const [index, actual] of results.entries()) {
    assert.ok(
      Math.abs(actual - expected) <= REFERENCE_TOLERANCE,
      `${label}, ${bins} bins: ${KERNELS[index]} kernel ${actual}, reference ${expected}`,
    );
  }
  for (const [index, actual] of results.entries()) {
    assert.equal(actual, results[0], `${label}, ${bins} bins: ${KERNELS[index]} and ${KERNELS[0]} differ`);
  }
}

/** Returns `image` plus N(0, std^2) noise, not clamped, so values leave [0, 1]. */
function addUnclampedNoise(image: Float32Array, std: number, random: Random): Float32Array {
  return image.map((value) => value + std * random.normal());
}

/**
 * Returns a copy of `image` in which every 5th value is replaced, in turn, by a value
 * below 0 or above 1, NaN, +-Infinity, -0 or 1.
 */
function withOutOfRangeValues(image: Float32Array): Float32Array {
  const special = [-0.25, 1.25, NaN, Infinity, -Infinity, -0, 1, 2, -3];
  const result = image.slice();
  for (let i = 0, k = 0; i < result.length; i += 5, k++) result[i] = special[k % special.length];
  return result;
}

const REFERENCE_BINS = [2, 3, 7, 16, 32, 64, 100, 128];

Deno.test("nmi matches reference on fixed vectors", () => {
  const vectors: [number[], number[]][] = [
    [[0, 0.5, 1, 0.25, 0.75, 0.125], [0.1, 0.6, 0.9, 0.3, 0.7, 0.2]],
    [[0.3, 0.3, 0.3, 0.9, 0.9, 0.9], [0.3, 0.31, 0.32, 0.6, 0.61, 0.62]],
    [[0.999, 0.001, 0.5, 0.5, 0.001, 0.999, 0.2, 0.8, 0.4], [0.5, 0.5, 0.5, 0.2, 0.7, 0.9, 0.1, 0.1, 0.1]],
  ];
  for (const [index, [clean, degraded]] of vectors.entries()) {
    for (const bins of REFERENCE_BINS) {
      assertMatchesReference(Float32Array.from(clean), Float32Array.from(degraded), bins, `vector ${index}`);
    }
  }
});

Deno.test("nmi matches reference on random images", () => {
  const random = new Random(11);
  const sizes: [number, number][] = [[32, 32], [17, 23], [1, 1], [1, 5], [63, 1]];
  for (const [height, width] of sizes) {
    for (const bins of REFERENCE_BINS) {
      const clean = noiseImage(height, width, bins * 1000 + height);
      const blurred = height > 2 && width > 2 ? applyGaussianBlur(clean, height, width, 0.2) : clean.slice();
      const noisy = addGaussianNoise(clean, 0.05, random);
      const independent = noiseImage(height, width, bins * 1000 + height + 1);
      const label = `${height}x${width}`;
      assertMatchesReference(clean, blurred, bins, `${label} blurred`);
      assertMatchesReference(clean, noisy, bins, `${label} noisy`);
      assertMatchesReference(clean, independent, bins, `${label} independent`);
      assertMatchesReference(noisy, clean, bins, `${label} noisy, swapped`);
    }
  }
});

Deno.test("nmi matches reference at 224x224", () => {
  const random = new Random(12);
  const clean = noiseImage(224, 224, 7);
  const noisy = addGaussianNoise(clean, 0.1, random);
  for (const bins of [16, 32, 64, 128, 100]) {
    assertMatchesReference(clean, noisy, bins, "224x224 noisy");
  }
  assertMatchesReference(clean, noiseImage(224, 224, 8), 64, "224x224 independent");
});

Deno.test("nmi matches reference on constant images", () => {
  for (const bins of REFERENCE_BINS) {
    for (const [height, width] of [[32, 32], [5, 7], [1, 1]]) {
      const length = height * width * 3;
      const constant = new Float32Array(length).fill(0.4);
      const other = new Float32Array(length).fill(0.9);
      const varied = noiseImage(height, width, bins);
      const label = `${height}x${width}`;
      assertMatchesReference(constant, other, bins, `${label} both constant`);
      assertMatchesReference(constant, varied, bins, `${label} constant clean`);
      assertMatchesReference(varied, constant, bins, `${label} constant degraded`);
    }
  }
});

Deno.test("nmi of nearly constant 224x224 image matches reference", () => {
  // One differing pixel gives entropies near 3e-4 bits, where the kernel's
  // log2(n) - S / n form loses the most digits to cancellation.
  const clean = new Float32Array(224 * 224 * 3).fill(0.5);
  const degraded = clean.slice();
  degraded[3 * 1000] = 0.9;
  clean[3 * 2000 + 1] = 0.1;
  for (const bins of [16, 64, 128]) {
    assertMatchesReference(clean, degraded, bins, "one differing pixel");
  }
});

Deno.test("nmi matches reference on out-of-range values", () => {
  const random = new Random(13);
  for (const [height, width] of [[32, 32], [224, 224], [9, 11]]) {
    const clean = noiseImage(height, width, height);
    const outOfRange = withOutOfRangeValues(clean);
    const unclamped = addUnclampedNoise(clean, 0.3, random);
    for (const bins of height === 224 ? [64] : REFERENCE_BINS) {
      const label = `${height}x${width}`;
      assertMatchesReference(outOfRange, clean, bins, `${label} special clean`);
      assertMatchesReference(clean, outOfRange, bins, `${label} special degraded`);
      assertMatchesReference(clean, unclamped, bins, `${label} unclamped noise`);
    }
  }
});

Deno.test("nmi matches reference on bin edges", () => {
  // Values on and one float32 step around each edge k / bins, where a bin table slot
  // is ambiguous for bin counts that are not powers of two.
  for (const bins of [3, 7, 64, 100, 1000]) {
    const values: number[] = [];
    for (let k = 0; k <= bins; k++) {
      const edge = Math.fround(k / bins);
      values.push(edge, nextFloat32(edge, -1), nextFloat32(edge, 1));
    }
    const clean = Float32Array.from(values.flatMap((value) => [value, value, 1 - value]));
    const degraded = noiseImage(1, values.length, bins);
    assertMatchesReference(clean, degraded, bins, "edge values");
    assertMatchesReference(degraded, clean, bins, "edge values, swapped");
  }
});

/** Returns the float32 next to `value` (positive or 0) in the direction of `step`, -1 or 1. */
function nextFloat32(value: number, step: -1 | 1): number {
  // Below +0 comes the negative float32 of smallest magnitude, bit pattern 0x80000001.
  if (value === 0 && step === -1) return -(2 ** -149);
  const scratch = new Float32Array([value]);
  new Uint32Array(scratch.buffer)[0] += step;
  return scratch[0];
}

Deno.test("nmi gives the same value after other shapes and bin counts", () => {
  // The workspace cache keeps histograms between calls, so a call must leave them at zero.
  const clean = noiseImage(16, 16, 1);
  const degraded = noiseImage(16, 16, 2);
  const first = normalizedMutualInformation(clean, degraded, { bins: 32 });
  normalizedMutualInformation(withOutOfRangeValues(clean), degraded, { bins: 32, kernel: "typescript" });
  normalizedMutualInformation(withOutOfRangeValues(degraded), clean, { bins: 32, kernel: "wasm" });
  normalizedMutualInformation(noiseImage(8, 8, 3), noiseImage(8, 8, 4), { bins: 32 });
  normalizedMutualInformation(clean, degraded, { bins: 7 });
  for (let bins = 2; bins < 14; bins++) normalizedMutualInformation(clean, degraded, { bins });
  assert.equal(normalizedMutualInformation(clean, degraded, { bins: 32 }), first);
});

Deno.test("nmi reads subarrays at their offset", () => {
  const batch = noiseImage(8, 4, 5);
  const other = noiseImage(8, 4, 6);
  const half = 4 * 4 * 3;
  const clean = batch.subarray(half);
  const degraded = other.subarray(0, half);
  assert.equal(
    normalizedMutualInformation(clean, degraded, { bins: 8 }),
    normalizedMutualInformation(clean.slice(), degraded.slice(), { bins: 8 }),
  );
});

Deno.test("nmiBatch matches reference per image", () => {
  const random = new Random(14);
  for (const [count, height, width] of [[4, 32, 32], [3, 7, 5], [2, 224, 224]]) {
    const clean = noiseImage(count * height, width, height);
    const degraded = withOutOfRangeValues(addUnclampedNoise(clean, 0.1, random));
    const imageLength = height * width * 3;
    for (
      const [bins, kernel] of (count === 2 ? [64] : [16, 64, 100]).flatMap((b) =>
        KERNELS.map((k) => [b, k] as const)
      )
    ) {
      const batch = nmiBatch(clean, degraded, count, { bins, kernel });
      for (let n = 0; n < count; n++) {
        const range = [n * imageLength, (n + 1) * imageLength] as const;
        const expected = referenceNmi(clean.slice(...range), degraded.slice(...range), bins);
        assert.ok(
          Math.abs(batch[n] - expected) <= 1e-7,
          `image ${n} of ${count}x${height}x${width}, ${bins} bins, ${kernel}: batch ${
            batch[n]
          }, reference ${expected}`,
        );
      }
    }
  }
});

Deno.test("nmi clears sparse histograms fully", () => {
  // 128 bins on 6 x 6 images give far more cells than pixels, so the kernel clears only
  // the cells of the image's pixels, binned again. A missed cell would change the next result.
  const clean = noiseImage(6, 6, 21);
  const degraded = noiseImage(6, 6, 22);
  normalizedMutualInformation(withOutOfRangeValues(clean), withOutOfRangeValues(degraded), { bins: 128 });
  assertMatchesReference(clean, degraded, 128, "6x6 after out-of-range values");
  assertMatchesReference(degraded, clean, 128, "6x6 swapped");
});

Deno.test("nmi small shapes take one-call path", () => {
  // The shapes and bin counts above that reach each variant of `smallSums`: a power of
  // two in one column block and in two, another count with leftover pixels.
  for (const [bins, pixels] of [[64, 32 * 32], [128, 32 * 32], [100, 17 * 23]]) {
    assert.ok(usesSmallSums(bins, pixels), `${bins} bins, ${pixels} pixels`);
  }
  // Not small, too sparse, counts past Uint16.
  for (const [bins, pixels] of [[64, 64 * 64], [64, 5 * 7], [512, 300 * 300]]) {
    assert.ok(!usesSmallSums(bins, pixels), `${bins} bins, ${pixels} pixels`);
  }
});

Deno.test("nmi counts up to Uint16 limit", () => {
  // 255 x 255 = 65,025 pixels with 256 bins is the largest square image whose counts
  // fit Uint16; a constant channel puts all of them in one cell, row and column.
  assert.ok(usesSmallSums(256, 255 * 255));
  const random = new Random(38);
  const clean = noiseImage(255, 255, 39);
  const constant = new Float32Array(clean.length).fill(0.7);
  assertMatchesReference(clean, addGaussianNoise(clean, 0.05, random), 256, "255x255 noisy");
  assertMatchesReference(constant, clean, 256, "255x255 constant clean");
  assertMatchesReference(constant, constant.slice(), 256, "255x255 both constant");
});

Deno.test("nmi one-call path skips huge histograms", () => {
  // 1,100 bins pad rows to 2,048 cells, 2.3 million per channel; 1,300 bins 2.7 million.
  assert.ok(usesSmallSums(1100, 65535));
  assert.ok(!usesSmallSums(1300, 65535));
  assert.ok(!usesSmallSums(2047, 65535));
});

Deno.test("nmi reads options before the images", () => {
  // A getter that shrinks the input's buffer after the check of its length would make
  // the clearing step bin other values than the count, leaving counts behind.
  const pixels = 35;
  const clean = noiseImage(5, 7, 40);
  const degraded = noiseImage(5, 7, 41);
  const expected = normalizedMutualInformation(clean, degraded, { bins: 64 });
  const buffer = new ArrayBuffer(pixels * 12, { maxByteLength: pixels * 12 });
  const shrinking = new Float32Array(buffer);
  shrinking.set(degraded);
  const options = {
    bins: 64,
    get kernel() {
      buffer.resize(12);
      return "wasm" as const;
    },
  };
  assert.throws(() => normalizedMutualInformation(shrinking, degraded, options), /clean has 3 values/);
  assert.equal(normalizedMutualInformation(clean, degraded, { bins: 64 }), expected);
});

Deno.test("nmi reads a Proxy's values once", () => {
  // Index reads of this Proxy return 0.9, so the count and the clearing step would see
  // different values if both read through it.
  const clean = noiseImage(5, 7, 42);
  const degraded = noiseImage(5, 7, 43);
  for (const kernel of KERNELS) {
    const expected = normalizedMutualInformation(clean, degraded, { bins: 64, kernel });
    const target = noiseImage(5, 7, 44);
    const lying = new Proxy(target, {
      get: (array, key) => {
        if (typeof key === "string" && /^\d+$/.test(key)) return 0.9;
        const value = Reflect.get(array, key, array);
        return typeof value === "function" ? value.bind(array) : value;
      },
    });
    normalizedMutualInformation(lying, degraded, { bins: 64, kernel });
    assert.equal(normalizedMutualInformation(clean, degraded, { bins: 64, kernel }), expected, kernel);
  }
});

Deno.test("nmi rejects odd option values", () => {
  const image = noiseImage(2, 2, 45);
  const bigBins = { bins: 64n } as unknown as NmiKernelOptions;
  const bigKernel = { kernel: 1n } as unknown as NmiKernelOptions;
  const number = 5 as unknown as NmiKernelOptions;
  assert.throws(
    () => normalizedMutualInformation(image, image, bigBins),
    /bins must be an integer .* got 64n/,
  );
  assert.throws(() => normalizedMutualInformation(image, image, bigKernel), /kernel must be .* got 1n/);
  assert.throws(() => nmiBatch(image, image, 2n as unknown as number), /count must be .* got 2n/);
  assert.throws(() => normalizedMutualInformation(image, image, number), /options must be an object/);
  const nullKernel = { kernel: null } as unknown as NmiKernelOptions;
  assert.equal(
    normalizedMutualInformation(image, image, nullKernel),
    normalizedMutualInformation(image, image),
  );
});
