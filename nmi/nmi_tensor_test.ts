import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { nativeBackendAvailable } from "../engine/_native_test_support.ts";
import { Random } from "../engine/random.ts";
import { noiseImage } from "../distortions/_testing.ts";
import { referenceNmi } from "../tests/nmi_reference.ts";
import { float32BinEdges, nmiBatchTensor, type NmiTensorOptions } from "./nmi_tensor.ts";

await tf.setBackend("cpu");

/**
 * Tolerance against the float64 reference. The entropies are float32 sums, and their
 * differences I = H(X) + H(Y) - H(X, Y) lose digits; measured errors were about 1e-7.
 */
const TENSOR_TOLERANCE = 1e-5;

/** A batch of clean and degraded images, [count, height, width, 3] each. */
interface Batch {
  clean: Float32Array;
  degraded: Float32Array;
  shape: [number, number, number, number];
}

function makeBatch(count: number, height: number, width: number, seed: number): Batch {
  const random = new Random(seed);
  const clean = noiseImage(count * height, width, seed);
  const degraded = clean.map((value) => value + 0.1 * random.normal());
  return { clean, degraded, shape: [count, height, width, 3] };
}

/** Replaces every 7th value of `values` in turn by a value outside [0, 1], NaN or +-Infinity. */
function insertSpecialValues(values: Float32Array): void {
  const special = [-0.5, 1.5, NaN, Infinity, -Infinity, 1, 0];
  for (let i = 0, k = 0; i < values.length; i += 7, k++) values[i] = special[k % special.length];
}

/** Runs nmiBatchTensor on `batch` and returns the values, disposing every tensor it made. */
function tensorNmi(batch: Batch, options: NmiTensorOptions): Float32Array {
  const clean = tf.tensor4d(batch.clean, batch.shape);
  const degraded = tf.tensor4d(batch.degraded, batch.shape);
  const result = nmiBatchTensor(clean, degraded, options);
  const values = result.dataSync() as Float32Array;
  tf.dispose([clean, degraded, result]);
  return values;
}

function assertMatchesReference(batch: Batch, options: NmiTensorOptions, label: string): void {
  const [count, height, width] = batch.shape;
  const imageLength = height * width * 3;
  const actual = tensorNmi(batch, options);
  assert.equal(actual.length, count, `${label}: output length`);
  for (let n = 0; n < count; n++) {
    const range = [n * imageLength, (n + 1) * imageLength] as const;
    const expected = referenceNmi(
      batch.clean.slice(...range),
      batch.degraded.slice(...range),
      options.bins ?? 64,
    );
    assert.ok(
      Math.abs(actual[n] - expected) <= TENSOR_TOLERANCE,
      `${label}, image ${n}: tensor ${actual[n]}, reference ${expected}`,
    );
  }
}

Deno.test("nmiBatchTensor matches reference on cpu", () => {
  const cases: [number, number, number, number][] = [
    // count, height, width, bins
    [3, 32, 32, 64],
    [2, 32, 32, 16],
    [2, 17, 9, 100],
    [4, 5, 7, 3],
    [1, 1, 1, 32],
  ];
  for (const [count, height, width, bins] of cases) {
    const batch = makeBatch(count, height, width, height * 31 + bins);
    insertSpecialValues(batch.degraded);
    assertMatchesReference(batch, { bins }, `${count}x${height}x${width}, ${bins} bins`);
  }
});

Deno.test("nmiBatchTensor matches reference at 224x224", () => {
  assertMatchesReference(makeBatch(1, 224, 224, 5), { bins: 64 }, "224x224");
});

Deno.test("nmiBatchTensor of constant images", () => {
  const length = 6 * 6 * 3;
  const constant = new Float32Array(length).fill(0.3);
  const other = new Float32Array(length).fill(0.8);
  const varied = noiseImage(6, 6, 1);
  const clean = Float32Array.of(...constant, ...constant, ...varied);
  const degraded = Float32Array.of(...other, ...varied, ...constant);
  const actual = tensorNmi({ clean, degraded, shape: [3, 6, 6, 3] }, { bins: 16 });
  assert.deepEqual(Array.from(actual), [1, 0, 0]);
});

Deno.test("nmiBatchTensor is exact on bin edges", () => {
  // Values on and next to each edge k / bins, where the float32 product v * bins can
  // round into the next bin. One misplaced value among 3 (bins + 1) pixels would move
  // the NMI by far more than the tolerance.
  for (const bins of [3, 7, 10, 100]) {
    const edges = float32BinEdges(bins);
    const values: number[] = [];
    for (let k = 1; k < bins; k++) values.push(edges[k], stepDown(edges[k]), k / bins);
    const clean = Float32Array.from(values.flatMap((value) => [value, value, value]));
    const degraded = noiseImage(1, values.length, bins);
    assertMatchesReference({ clean, degraded, shape: [1, 1, values.length, 3] }, { bins }, `${bins} bins`);
  }
});

/** Returns the largest float32 below the positive float32 `value`. */
function stepDown(value: number): number {
  const scratch = new Float32Array([value]);
  new Uint32Array(scratch.buffer)[0] -= 1;
  return scratch[0];
}

Deno.test("float32BinEdges are the smallest float32 at each edge", () => {
  for (const bins of [2, 3, 7, 64, 100, 1000]) {
    const edges = float32BinEdges(bins);
    assert.equal(edges.length, bins + 1);
    assert.equal(edges[0], 0);
    assert.equal(edges[bins], Infinity);
    for (let k = 1; k < bins; k++) {
      assert.ok(edges[k] * bins >= k, `${bins} bins, edge ${k}: ${edges[k]} is below k / bins`);
      assert.ok(stepDown(edges[k]) * bins < k, `${bins} bins, edge ${k}: ${edges[k]} is not the smallest`);
    }
  }
});

Deno.test("nmiBatchTensor gives the same values in chunks", () => {
  const batch = makeBatch(5, 8, 8, 9);
  const whole = tensorNmi(batch, { bins: 16 });
  // 3 * 64 pixels * 16 bins = 3072 elements per image, so 2 images per chunk.
  const chunked = tensorNmi(batch, { bins: 16, maxOneHotElements: 7000 });
  const single = tensorNmi(batch, { bins: 16, maxOneHotElements: 1 });
  assert.deepEqual(Array.from(chunked), Array.from(whole));
  assert.deepEqual(Array.from(single), Array.from(whole));
});

Deno.test("nmiBatchTensor leaks no tensors", () => {
  const batch = makeBatch(3, 8, 8, 10);
  const clean = tf.tensor4d(batch.clean, batch.shape);
  const degraded = tf.tensor4d(batch.degraded, batch.shape);
  const before = tf.memory().numTensors;
  const result = nmiBatchTensor(clean, degraded, { bins: 8, maxOneHotElements: 2000 });
  assert.equal(tf.memory().numTensors, before + 1);
  assert.deepEqual(result.shape, [3]);
  assert.equal(result.dtype, "float32");
  tf.dispose([clean, degraded, result]);
});

Deno.test("nmiBatchTensor rejects invalid inputs", () => {
  const images = tf.zeros([2, 4, 4, 3]) as tf.Tensor4D;
  const otherShape = tf.zeros([2, 4, 5, 3]) as tf.Tensor4D;
  const gray = tf.zeros([2, 4, 4, 1]) as tf.Tensor4D;
  const integers = tf.zeros([2, 4, 4, 3], "int32") as tf.Tensor4D;
  assert.throws(
    () => nmiBatchTensor(images, otherShape),
    /degraded has shape \[2, 4, 5, 3\] but clean has \[2, 4, 4, 3\]/,
  );
  assert.throws(
    () => nmiBatchTensor(gray, gray),
    /shape \[N, H, W, 3\] with positive sizes, got \[2, 4, 4, 1\]/,
  );
  assert.throws(() => nmiBatchTensor(integers, integers), /must be float32, got int32 and int32/);
  assert.throws(
    () => nmiBatchTensor(images, images, { bins: 1 }),
    /bins must be an integer in \[2, 65535\], got 1/,
  );
  assert.throws(
    () => nmiBatchTensor(images, images, { maxOneHotElements: 0 }),
    /maxOneHotElements must be a positive integer, got 0/,
  );
  tf.dispose([images, otherShape, gray, integers]);
});

Deno.test({
  name: "nmiBatchTensor matches reference on tensorflow",
  ignore: !(await nativeBackendAvailable()),
  sanitizeResources: false,
  async fn() {
    await tf.setBackend("tensorflow");
    try {
      const batch = makeBatch(2, 32, 32, 12);
      insertSpecialValues(batch.clean);
      assertMatchesReference(batch, { bins: 64 }, "tensorflow 32x32");
      assertMatchesReference(makeBatch(2, 9, 13, 13), { bins: 100 }, "tensorflow 9x13");
    } finally {
      await tf.setBackend("cpu");
    }
  },
});
