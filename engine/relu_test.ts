import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { reluTraining } from "./relu.ts";
import { nativeBackendAvailable } from "./_native_test_support.ts";

/** Values with negatives, exact zeros and positives, [1, 2, 2, 3]. */
const VALUES = [-2, -0.5, 0, 0, 0.25, 3, -1, 1, 0, 2, -3, 0.5];
const WEIGHTS = [1, 2, 3, 4, 5, 6, -1, -2, -3, -4, -5, -6];

function reluWithGradient(): [Float32Array, Float32Array] {
  const x = tf.tensor4d(VALUES, [1, 2, 2, 3]);
  const weights = tf.tensor4d(WEIGHTS, [1, 2, 2, 3]);
  const y = reluTraining(x);
  const gradient = tf.grad((input) => tf.sum(tf.mul(reluTraining(input as tf.Tensor4D), weights)))(x);
  const values: [Float32Array, Float32Array] = [
    y.dataSync() as Float32Array,
    gradient.dataSync() as Float32Array,
  ];
  tf.dispose([x, weights, y, gradient]);
  return values;
}

Deno.test("reluTraining values and gradient on cpu", async () => {
  await tf.setBackend("cpu");
  const [y, gradient] = reluWithGradient();
  assert.deepEqual(Array.from(y), VALUES.map((v) => Math.max(v, 0)));
  // Adding 0 turns the -0 of negative weights times 0 into 0.
  assert.deepEqual(
    Array.from(gradient, (value) => value + 0),
    VALUES.map((v, i) => (v > 0 ? WEIGHTS[i] : 0)),
  );
});

Deno.test({
  name: "reluTraining on tensorflow matches cpu",
  ignore: !(await nativeBackendAvailable()),
  sanitizeResources: false,
  async fn() {
    await tf.setBackend("cpu");
    const expected = reluWithGradient();
    await tf.setBackend("tensorflow");
    const before = tf.memory().numTensors;
    const actual = reluWithGradient();
    assert.equal(tf.memory().numTensors, before, "tensors leaked");
    assert.deepEqual(
      actual.map((values) => Array.from(values)),
      expected.map((values) => Array.from(values)),
    );
    await tf.setBackend("cpu");
  },
});
