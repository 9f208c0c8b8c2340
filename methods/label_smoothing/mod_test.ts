import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Random } from "../../engine/random.ts";
import { softCrossEntropy } from "../../metrics/soft_cross_entropy.ts";
import { assertNear, assertTargetRows, makeBatch } from "../_test_support.ts";
import { DEFAULT_METHOD_OPTIONS } from "../options.ts";
import { createMethod } from "../registry.ts";

await tf.setBackend("cpu");

Deno.test("label_smoothing k-1 targets by hand", () => {
  // Default epsilon 0.1 over K = 4: true class 0.9, the others 0.1 / 3.
  const batch = makeBatch(2, 4, 4);
  const before = batch.pixels.slice();
  const method = createMethod("label_smoothing", DEFAULT_METHOD_OPTIONS);
  const record = method.augment(batch, new Random(0));
  assert.deepEqual(batch.pixels, before);
  assert.deepEqual([...record.epsilon!], [0.1, 0.1].map(Math.fround));
  const targets = method.targets(batch, record);
  const expected = [0.9, 0.1 / 3, 0.1 / 3, 0.1 / 3, 0.1 / 3, 0.9, 0.1 / 3, 0.1 / 3];
  expected.forEach((value, i) => assertNear(targets[i], value, 1e-7, `target ${i}`));
  assertTargetRows(targets, batch);
});

Deno.test("label_smoothing k targets by hand", () => {
  // Epsilon 0.2 over K = 4 with convention k: every class 0.05, true class 0.05 + 0.8 = 0.85.
  const batch = makeBatch(1, 4, 4);
  const options = {
    ...DEFAULT_METHOD_OPTIONS,
    labelSmoothingEpsilon: 0.2,
    smoothingConvention: "k" as const,
  };
  const method = createMethod("label_smoothing", options);
  const targets = method.targets(batch, method.augment(batch, new Random(0)));
  [0.85, 0.05, 0.05, 0.05].forEach((value, i) => assertNear(targets[i], value, 1e-7, `target ${i}`));
});

Deno.test("label_smoothing k loss equals tf.losses", () => {
  const numClasses = 5;
  const batch = makeBatch(6, 2, numClasses);
  const options = { ...DEFAULT_METHOD_OPTIONS, smoothingConvention: "k" as const };
  const method = createMethod("label_smoothing", options);
  const targets = method.targets(batch, method.augment(batch, new Random(0)));
  const random = new Random(9);
  const logitValues = Float32Array.from({ length: 6 * numClasses }, () => 3 * random.normal());
  const [actual, expected] = tf.tidy(() => {
    const logits = tf.tensor2d(logitValues, [6, numClasses]);
    const oneHot = tf.oneHot(tf.tensor1d(batch.labels, "int32"), numClasses).toFloat() as tf.Tensor2D;
    return [
      softCrossEntropy(logits, tf.tensor2d(targets, [6, numClasses])).dataSync()[0],
      tf.losses.softmaxCrossEntropy(oneHot, logits, undefined, 0.1).dataSync()[0],
    ];
  });
  assertNear(actual, expected, 1e-5, "loss");
});

Deno.test("label_smoothing rejects epsilon outside [0, 1)", () => {
  for (const epsilon of [1, -0.1, Number.NaN]) {
    assert.throws(
      () => createMethod("label_smoothing", { ...DEFAULT_METHOD_OPTIONS, labelSmoothingEpsilon: epsilon }),
      /Invalid label-smoothing epsilon .*\[0, 1\)/,
    );
  }
});
