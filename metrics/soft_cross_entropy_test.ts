import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Random } from "../engine/random.ts";
import { softCrossEntropy, softCrossEntropyValues } from "./soft_cross_entropy.ts";

await tf.setBackend("cpu");

function assertNear(actual: number, expected: number, tolerance: number, label: string): void {
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `${label}: got ${actual}, expected ${expected} within ${tolerance}`,
  );
}

function normalValues(count: number, seed: number): Float32Array {
  const random = new Random(seed);
  return Float32Array.from({ length: count }, () => random.normal());
}

// Row 0: logits [0, ln 3] give softmax [1/4, 3/4], log-softmax [-1.386294, -0.287682];
//        targets [0.5, 0.5] -> 0.5 * 1.386294 + 0.5 * 0.287682 = 0.836988.
// Row 1: logits [1, 1] give log-softmax [-ln 2, -ln 2], and targets [1, 0] -> ln 2 = 0.693147.
// Mean = (0.836988 + 0.693147) / 2 = 0.765068.
const HAND_LOGITS = new Float32Array([0, Math.log(3), 1, 1]);
const HAND_TARGETS = new Float32Array([0.5, 0.5, 1, 0]);
const HAND_LOSS = 0.7650677;

Deno.test("softCrossEntropyValues hand-computed", () => {
  assertNear(softCrossEntropyValues(HAND_LOGITS, HAND_TARGETS, 2), HAND_LOSS, 1e-6, "loss");
});

Deno.test("softCrossEntropy hand-computed", () => {
  const logits = tf.tensor2d(HAND_LOGITS, [2, 2]);
  const targets = tf.tensor2d(HAND_TARGETS, [2, 2]);
  const loss = softCrossEntropy(logits, targets);
  assert.equal(loss.rank, 0);
  assert.equal(loss.dtype, "float32");
  assertNear(loss.dataSync()[0], HAND_LOSS, 1e-6, "loss");
  tf.dispose([logits, targets, loss]);
});

Deno.test("softCrossEntropy one-hot equals tf.losses", () => {
  const logits = tf.tensor2d(normalValues(6 * 4, 1), [6, 4]);
  const targets = tf.oneHot(tf.tensor1d([0, 3, 1, 1, 2, 0], "int32"), 4).toFloat() as tf.Tensor2D;
  const expected = tf.losses.softmaxCrossEntropy(targets, logits).dataSync()[0];
  const actual = softCrossEntropy(logits, targets).dataSync()[0];
  assertNear(actual, expected, 1e-6, "one-hot loss");
});

Deno.test("softCrossEntropy smoothed equals tf.losses labelSmoothing", () => {
  // tf.losses.softmaxCrossEntropy smooths one-hot labels to (1 - eps) * y + eps / K.
  const epsilon = 0.1;
  const numClasses = 4;
  const logits = tf.tensor2d(normalValues(5 * numClasses, 2), [5, numClasses]);
  const oneHot = tf.oneHot(tf.tensor1d([2, 0, 3, 1, 2], "int32"), numClasses).toFloat() as tf.Tensor2D;
  const smoothed = oneHot.mul(1 - epsilon).add(epsilon / numClasses) as tf.Tensor2D;
  const expected = tf.losses.softmaxCrossEntropy(oneHot, logits, undefined, epsilon).dataSync()[0];
  const actual = softCrossEntropy(logits, smoothed).dataSync()[0];
  assertNear(actual, expected, 1e-6, "smoothed loss");
});

Deno.test("softCrossEntropy gradient is (softmax - t) / N", () => {
  const rows = 3;
  const logits = tf.tensor2d(normalValues(rows * 5, 3), [rows, 5]);
  const targets = tf.softmax(tf.tensor2d(normalValues(rows * 5, 4), [rows, 5]));
  const gradient = tf.grad((z) => softCrossEntropy(z as tf.Tensor2D, targets))(logits).dataSync();
  const expected = tf.softmax(logits).sub(targets).div(rows).dataSync();
  for (let i = 0; i < expected.length; i++) {
    assertNear(gradient[i], expected[i], 1e-6, `gradient element ${i}`);
  }
});

Deno.test("softCrossEntropy matches the float64 reference", () => {
  const shape: [number, number] = [7, 10];
  const logitValues = normalValues(70, 5).map((v) => 4 * v);
  const targetTensor = tf.softmax(tf.tensor2d(normalValues(70, 6), shape));
  const targetValues = targetTensor.dataSync() as Float32Array;
  const actual = softCrossEntropy(tf.tensor2d(logitValues, shape), targetTensor).dataSync()[0];
  const expected = softCrossEntropyValues(logitValues, targetValues, 10);
  assertNear(actual, expected, 1e-5, "loss");
});

Deno.test("softCrossEntropy stays finite for large logits", () => {
  // logsumexp([1000, 0]) = 1000 + ln(1 + e^-1000) = 1000, so target [0, 1] costs 1000.
  const logits = new Float32Array([1000, 0]);
  const targets = new Float32Array([0, 1]);
  assert.equal(softCrossEntropyValues(logits, targets, 2), 1000);
  const loss = softCrossEntropy(tf.tensor2d(logits, [1, 2]), tf.tensor2d(targets, [1, 2]));
  assert.equal(loss.dataSync()[0], 1000);
});

Deno.test("softCrossEntropy leaves no tensors behind", () => {
  const logits = tf.tensor2d(HAND_LOGITS, [2, 2]);
  const targets = tf.tensor2d(HAND_TARGETS, [2, 2]);
  const before = tf.memory().numTensors;
  const loss = softCrossEntropy(logits, targets);
  assert.equal(tf.memory().numTensors, before + 1);
  tf.dispose([logits, targets, loss]);
});

Deno.test("softCrossEntropy rejects bad tensors", () => {
  const logits = tf.zeros([2, 3]) as tf.Tensor2D;
  assert.throws(() => softCrossEntropy(logits, tf.zeros([2, 4]) as tf.Tensor2D), /got \[2,3\] and \[2,4\]/);
  assert.throws(
    () => softCrossEntropy(tf.zeros([0, 3]) as tf.Tensor2D, tf.zeros([0, 3]) as tf.Tensor2D),
    /N >= 1/,
  );
  const integerTargets = tf.zeros([2, 3], "int32") as tf.Tensor2D;
  assert.throws(() => softCrossEntropy(logits, integerTargets), /targets int32/);
});

Deno.test("softCrossEntropyValues rejects bad arrays", () => {
  assert.throws(
    () => softCrossEntropyValues(new Float32Array(4), new Float32Array(6), 2),
    /4 values.*6 values/,
  );
  assert.throws(() => softCrossEntropyValues(new Float32Array(5), new Float32Array(5), 2), /\[N, 2\]/);
  assert.throws(() => softCrossEntropyValues(new Float32Array(0), new Float32Array(0), 2), /N >= 1/);
  assert.throws(() => softCrossEntropyValues(new Float32Array(4), new Float32Array(4), 0), /got 0/);
  const logits = new Float32Array([0, 0, 0, Number.NaN]);
  assert.throws(() => softCrossEntropyValues(logits, new Float32Array(4), 2), /Row 1, class 1 has logit NaN/);
});
