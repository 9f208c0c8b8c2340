import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { batchNormTraining } from "./batch_norm.ts";
import { Random } from "./random.ts";
import { assertClose, nativeBackendAvailable } from "./_native_test_support.ts";

interface Outcome {
  y: Float32Array;
  mean: Float32Array;
  variance: Float32Array;
  gradients: Float32Array[];
}

function runBatchNorm(shape: [number, number, number, number]): Outcome {
  const random = new Random(3);
  const size = shape.reduce((a, b) => a * b, 1);
  const channels = shape[3];
  const x = tf.tensor4d(Float32Array.from({ length: size }, () => random.normal() * 2 + 1), shape);
  const gamma = tf.tensor1d(Float32Array.from({ length: channels }, () => 1 + random.normal() * 0.1));
  const beta = tf.tensor1d(Float32Array.from({ length: channels }, () => random.normal() * 0.1));
  const weights = tf.tensor4d(Float32Array.from({ length: size }, () => random.normal()), shape);
  let mean: tf.Tensor1D | undefined;
  let variance: tf.Tensor1D | undefined;
  const gradients = tf.grads((input, scale, offset) => {
    const result = batchNormTraining(input as tf.Tensor4D, scale as tf.Tensor1D, offset as tf.Tensor1D, 1e-5);
    mean = result.mean;
    variance = result.variance;
    return tf.sum(tf.mul(result.y, weights));
  })([x, gamma, beta]);
  const y = tf.tidy(() => {
    const result = batchNormTraining(x, gamma, beta, 1e-5);
    result.mean.dispose();
    result.variance.dispose();
    return result.y;
  });
  const outcome = {
    y: y.dataSync() as Float32Array,
    mean: mean!.dataSync() as Float32Array,
    variance: variance!.dataSync() as Float32Array,
    gradients: gradients.map((gradient) => gradient.dataSync() as Float32Array),
  };
  tf.dispose([x, gamma, beta, weights, y, mean!, variance!, ...gradients]);
  return outcome;
}

Deno.test({
  name: "fused batch norm matches the composite",
  ignore: !(await nativeBackendAvailable()),
  sanitizeResources: false,
  async fn() {
    for (const shape of [[4, 5, 3, 6], [1, 1, 1, 2], [2, 3, 3, 4]] as [number, number, number, number][]) {
      await tf.setBackend("cpu");
      const expected = runBatchNorm(shape);
      await tf.setBackend("tensorflow");
      const before = tf.memory().numTensors;
      const actual = runBatchNorm(shape);
      assert.equal(tf.memory().numTensors, before, "tensors leaked");
      const label = shape.join("x");
      assertClose(actual.y, expected.y, 1e-4, `${label} y`);
      assertClose(actual.mean, expected.mean, 1e-5, `${label} mean`);
      assertClose(actual.variance, expected.variance, 1e-4, `${label} variance`);
      actual.gradients.forEach((gradient, i) =>
        assertClose(gradient, expected.gradients[i], 1e-3, `${label} grad ${i}`)
      );
    }
    await tf.setBackend("cpu");
  },
});
