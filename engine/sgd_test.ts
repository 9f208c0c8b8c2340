import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { NesterovSgd } from "./sgd.ts";

Deno.test("NesterovSgd matches hand-computed steps", async () => {
  await tf.setBackend("cpu");
  const weight = tf.variable(tf.tensor1d([1, -2]), true, "sgd_test.weight");
  const bias = tf.variable(tf.tensor1d([0.5]), true, "sgd_test.bias");
  const variables = new Map([["w", weight], ["b", bias]]);
  const optimizer = new NesterovSgd({ momentum: 0.9, weightDecay: 0.1, decayed: new Set(["w"]) });
  const gradients = { [weight.name]: tf.tensor1d([0.2, 0.4]), [bias.name]: tf.tensor1d([1]) };

  // Step 1, w[0]: g = 0.2 + 0.1 * 1 = 0.3, b = 0.3, step = 0.3 + 0.9 * 0.3 = 0.57, w = 1 - 0.1 * 0.57 = 0.943.
  // Bias (no decay): g = 1, b = 1, step = 1.9, bias = 0.5 - 0.19 = 0.31.
  optimizer.apply(variables, gradients, 0.1);
  assert.ok(Math.abs(weight.dataSync()[0] - 0.943) < 1e-6);
  assert.ok(Math.abs(bias.dataSync()[0] - 0.31) < 1e-6);

  // Step 2, w[0]: g = 0.2 + 0.0943 = 0.2943, b = 0.9 * 0.3 + 0.2943 = 0.5643,
  // step = 0.2943 + 0.9 * 0.5643 = 0.80217, w = 0.943 - 0.080217 = 0.862783.
  optimizer.apply(variables, gradients, 0.1);
  assert.ok(Math.abs(weight.dataSync()[0] - 0.862783) < 1e-6);

  optimizer.dispose();
  weight.dispose();
  bias.dispose();
  Object.values(gradients).forEach((gradient) => gradient.dispose());
});
