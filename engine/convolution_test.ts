import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  convolve,
  inputGradientKernel,
  MAX_PHASE_PIXELS,
  phaseInputGradient,
  usesForwardInputGradient,
  usesPhaseInputGradient,
  usesSubsampledPointwise,
} from "./convolution.ts";
import { Random } from "./random.ts";
import { assertClose, nativeBackendAvailable } from "./_native_test_support.ts";

type Shape4D = [number, number, number, number];

function normalTensor(shape: Shape4D, seed: number): tf.Tensor4D {
  const random = new Random(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor4d(Float32Array.from({ length: size }, () => random.normal()), shape);
}

Deno.test("inputGradientKernel flips and swaps axes", async () => {
  await tf.setBackend("cpu");
  const kernel = normalTensor([3, 3, 2, 5], 1);
  const flipped = inputGradientKernel(kernel);
  assert.deepEqual(flipped.shape, [3, 3, 5, 2]);
  const source = kernel.arraySync();
  const result = flipped.arraySync();
  for (const [i, j, o, c] of [[0, 0, 0, 0], [0, 2, 4, 1], [1, 1, 3, 0], [2, 0, 1, 1]]) {
    assert.equal(result[i][j][o][c], source[2 - i][2 - j][c][o], `[${i}, ${j}, ${o}, ${c}]`);
  }
  tf.dispose([kernel, flipped]);
});

// The identity that convolve relies on, checked against tfjs's own gradient on the
// cpu backend, for odd kernels of several sizes.
for (const kernelShape of [[3, 3, 4, 6], [1, 1, 3, 2], [5, 3, 2, 3]] as Shape4D[]) {
  Deno.test(`stride-1 input gradient as convolution, ${kernelShape[0]}x${kernelShape[1]} kernel`, async () => {
    await tf.setBackend("cpu");
    const x = normalTensor([2, 6, 5, kernelShape[2]], 2);
    const kernel = normalTensor(kernelShape, 3);
    const dy = normalTensor([2, 6, 5, kernelShape[3]], 4);
    const expected = tf.grad((input) =>
      tf.sum(tf.mul(tf.conv2d(input as tf.Tensor4D, kernel, 1, "same"), dy))
    )(x);
    const flipped = inputGradientKernel(kernel);
    const actual = tf.conv2d(dy, flipped, 1, "same");
    assertClose(actual.dataSync() as Float32Array, expected.dataSync() as Float32Array, 1e-4, "dx");
    tf.dispose([x, kernel, dy, expected, flipped, actual]);
  });
}

// The phases against tfjs's own stride-2 input gradient on the cpu backend.
for (const xShape of [[2, 8, 8, 3], [1, 6, 10, 2], [3, 2, 4, 4], [1, 2, 2, 1]] as Shape4D[]) {
  Deno.test(`stride-2 input gradient by phases, ${xShape.slice(1).join("x")} input`, async () => {
    await tf.setBackend("cpu");
    const x = normalTensor(xShape, 11);
    const kernel = normalTensor([3, 3, xShape[3], 5], 12);
    const dy = normalTensor([xShape[0], xShape[1] / 2, xShape[2] / 2, 5], 13);
    const expected = tf.grad((input) =>
      tf.sum(tf.mul(tf.conv2d(input as tf.Tensor4D, kernel, 2, "same"), dy))
    )(x);
    const actual = phaseInputGradient(dy, kernel);
    assert.deepEqual(actual.shape, xShape);
    assertClose(actual.dataSync() as Float32Array, expected.dataSync() as Float32Array, 1e-4, "dx");
    tf.dispose([x, kernel, dy, expected, actual]);
  });
}

Deno.test({
  name: "usesPhaseInputGradient needs small even inputs",
  ignore: !(await nativeBackendAvailable()),
  async fn() {
    await tf.setBackend("tensorflow");
    assert.equal(usesPhaseInputGradient([7, 16, 16, 8], [3, 3, 8, 16], 2, false), true, "16 x 16");
    assert.equal(usesPhaseInputGradient([7, 16, 16, 8], [3, 3, 8, 16], 2, true), false, "oneDNN on");
    assert.equal(MAX_PHASE_PIXELS, 256);
    assert.equal(usesPhaseInputGradient([7, 32, 32, 8], [3, 3, 8, 16], 2, false), false, "32 x 32");
    assert.equal(usesPhaseInputGradient([7, 7, 8, 8], [3, 3, 8, 16], 2, false), false, "odd height");
    assert.equal(usesPhaseInputGradient([7, 8, 7, 8], [3, 3, 8, 16], 2, false), false, "odd width");
    assert.equal(usesPhaseInputGradient([7, 8, 8, 8], [3, 3, 8, 16], 1, false), false, "stride 1");
    assert.equal(usesPhaseInputGradient([7, 8, 8, 8], [1, 1, 8, 16], 2, false), false, "1x1");
    await tf.setBackend("cpu");
    assert.equal(usesPhaseInputGradient([7, 16, 16, 8], [3, 3, 8, 16], 2, false), false, "cpu backend");
  },
});

Deno.test("usesForwardInputGradient is false on cpu", async () => {
  await tf.setBackend("cpu");
  assert.equal(usesForwardInputGradient([3, 3, 4, 4], 1, false), false);
});

Deno.test({
  name: "usesForwardInputGradient needs stride 1, odd kernels",
  ignore: !(await nativeBackendAvailable()),
  async fn() {
    await tf.setBackend("tensorflow");
    assert.equal(usesForwardInputGradient([3, 3, 4, 4], 1, false), true, "3x3");
    assert.equal(usesForwardInputGradient([3, 3, 4, 4], 1, true), false, "oneDNN on");
    assert.equal(usesForwardInputGradient([1, 1, 4, 4], 1, false), true, "1x1");
    assert.equal(usesForwardInputGradient([5, 3, 4, 4], 1, false), true, "5x3");
    assert.equal(usesForwardInputGradient([3, 3, 4, 4], 2, false), false, "stride 2");
    assert.equal(usesForwardInputGradient([2, 2, 4, 4], 1, false), false, "2x2");
    assert.equal(usesForwardInputGradient([3, 2, 4, 4], 1, false), false, "3x2");
    assert.equal(usesForwardInputGradient([2, 3, 4, 4], 1, false), false, "2x3");
    await tf.setBackend("cpu");
  },
});

Deno.test({
  name: "usesSubsampledPointwise needs strided 1x1 kernels",
  ignore: !(await nativeBackendAvailable()),
  async fn() {
    await tf.setBackend("tensorflow");
    assert.equal(usesSubsampledPointwise([7, 16, 16, 8], [1, 1, 8, 16], 2), true, "1x1 stride 2");
    assert.equal(usesSubsampledPointwise([7, 16, 16, 8], [1, 1, 8, 16], 1), false, "stride 1");
    assert.equal(usesSubsampledPointwise([7, 16, 16, 8], [3, 3, 8, 16], 2), false, "3x3");
    assert.equal(usesSubsampledPointwise([7, 15, 16, 8], [1, 1, 8, 16], 2), false, "odd height");
    assert.equal(usesSubsampledPointwise([7, 16, 15, 8], [1, 1, 8, 16], 2), false, "odd width");
    await tf.setBackend("cpu");
    assert.equal(usesSubsampledPointwise([7, 16, 16, 8], [1, 1, 8, 16], 2), false, "cpu backend");
  },
});

/** Runs convolve and returns its output and both gradients. */
function convolveWithGradients(
  xShape: Shape4D,
  kernelShape: Shape4D,
  stride: number,
  oneDnn: boolean,
): Float32Array[] {
  const x = normalTensor(xShape, 5);
  const kernel = normalTensor(kernelShape, 6);
  const y = convolve(x, kernel, stride, true, oneDnn);
  const weights = tf.randomNormal(y.shape, 0, 1, "float32", 7);
  const gradients = tf.grads((input, filter) =>
    tf.sum(tf.mul(convolve(input as tf.Tensor4D, filter as tf.Tensor4D, stride, true, oneDnn), weights))
  )([x, kernel]);
  const values = [y, ...gradients].map((tensor) => tensor.dataSync() as Float32Array);
  tf.dispose([x, kernel, y, weights, ...gradients]);
  return values;
}

Deno.test({
  name: "convolve on tensorflow matches cpu gradients",
  ignore: !(await nativeBackendAvailable()),
  sanitizeResources: false,
  async fn() {
    const cases: [Shape4D, Shape4D, number][] = [
      [[3, 8, 8, 4], [3, 3, 4, 5], 1],
      [[2, 5, 7, 3], [1, 1, 3, 6], 1],
      [[2, 8, 8, 4], [3, 3, 4, 6], 2],
      [[2, 16, 16, 3], [3, 3, 3, 5], 2],
      [[2, 6, 10, 3], [3, 3, 3, 4], 2],
      [[2, 32, 32, 2], [3, 3, 2, 3], 2],
      [[2, 7, 7, 3], [3, 3, 3, 4], 2],
      [[7, 16, 16, 8], [1, 1, 8, 16], 2],
      [[1, 6, 4, 3], [1, 1, 3, 5], 2],
      [[2, 5, 5, 3], [1, 1, 3, 4], 2],
    ];
    // With oneDnn false, convolve uses the suite's forward and phase input gradients, and with true, tfjs's own.
    for (const [xShape, kernelShape, stride] of cases) {
      for (const oneDnn of [false, true]) {
        await tf.setBackend("cpu");
        const expected = convolveWithGradients(xShape, kernelShape, stride, oneDnn);
        await tf.setBackend("tensorflow");
        const before = tf.memory().numTensors;
        const actual = convolveWithGradients(xShape, kernelShape, stride, oneDnn);
        assert.equal(tf.memory().numTensors, before, "tensors leaked");
        const label = `${kernelShape.join("x")} stride ${stride} oneDnn ${oneDnn}`;
        ["y", "dx", "dkernel"].forEach((name, i) =>
          assertClose(actual[i], expected[i], 1e-3, `${label} ${name}`)
        );
      }
    }
    await tf.setBackend("cpu");
  },
});

Deno.test({
  name: "convolve without input gradient skips it",
  ignore: !(await nativeBackendAvailable()),
  sanitizeResources: false,
  async fn() {
    await tf.setBackend("tensorflow");
    const x = normalTensor([2, 6, 6, 3], 8);
    const kernel = normalTensor([3, 3, 3, 4], 9);
    const weights = normalTensor([2, 6, 6, 4], 10);
    const loss = (convolution: (filter: tf.Tensor4D) => tf.Tensor4D) => (filter: tf.Tensor) =>
      tf.sum(tf.mul(convolution(filter as tf.Tensor4D), weights));
    const expected = tf.grad(loss((filter) => tf.conv2d(x, filter, 1, "same")))(kernel);
    let actual: tf.Tensor | undefined;
    const profile = await tf.profile(() => {
      actual = tf.grad(loss((filter) => convolve(x, filter, 1, false, false)))(kernel);
    });
    assertClose(actual!.dataSync() as Float32Array, expected.dataSync() as Float32Array, 1e-4, "dkernel");
    // The flipped kernel of the custom gradient would show as a Reverse kernel.
    assert.deepEqual(profile.kernelNames.filter((name) => name === "Reverse"), []);
    tf.dispose([x, kernel, weights, expected, actual!]);
    await tf.setBackend("cpu");
  },
});
