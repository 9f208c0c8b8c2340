import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Random } from "./random.ts";
import { initializeWasmBackend, registerWasmTrainingKernels } from "./wasm_kernels.ts";

type Shape4D = [number, number, number, number];
type BackendName = "cpu" | "wasm";

/** |wasm - cpu| may be at most this much, times max(1, |cpu|). */
const TOLERANCE = 1e-4;

async function useBackend(name: BackendName): Promise<void> {
  if (name === "wasm") {
    await initializeWasmBackend();
  } else {
    assert.ok(await tf.setBackend("cpu"));
  }
  assert.equal(tf.getBackend(), name);
}

function normalValues(count: number, seed: number): Float32Array {
  const random = new Random(seed);
  return Float32Array.from({ length: count }, () => random.normal());
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string): void {
  assert.equal(actual.length, expected.length, `${label}: length`);
  for (let i = 0; i < expected.length; i++) {
    const allowed = TOLERANCE * Math.max(1, Math.abs(expected[i]));
    const difference = Math.abs(actual[i] - expected[i]);
    assert.ok(
      difference <= allowed,
      `${label}: element ${i} is ${actual[i]} on wasm and ${expected[i]} on cpu (difference ${difference})`,
    );
  }
}

interface FilterGradientCase {
  name: string;
  xShape: Shape4D;
  filterShape: Shape4D;
  strides: number | [number, number];
  pad: "same" | "valid" | number;
}

const FILTER_GRADIENT_CASES: FilterGradientCase[] = [
  { name: "1x1 stride 1 valid", xShape: [2, 5, 5, 3], filterShape: [1, 1, 3, 4], strides: 1, pad: "valid" },
  {
    name: "1x1 stride 2 same even",
    xShape: [2, 6, 6, 3],
    filterShape: [1, 1, 3, 5],
    strides: 2,
    pad: "same",
  },
  {
    name: "1x1 stride 2 valid odd",
    xShape: [3, 7, 7, 4],
    filterShape: [1, 1, 4, 2],
    strides: 2,
    pad: "valid",
  },
  { name: "3x3 stride 1 same odd", xShape: [2, 7, 7, 3], filterShape: [3, 3, 3, 4], strides: 1, pad: "same" },
  {
    name: "3x3 stride 1 valid even",
    xShape: [2, 8, 8, 2],
    filterShape: [3, 3, 2, 5],
    strides: 1,
    pad: "valid",
  },
  {
    name: "3x3 stride 2 same even",
    xShape: [2, 8, 8, 3],
    filterShape: [3, 3, 3, 6],
    strides: 2,
    pad: "same",
  },
  { name: "3x3 stride 2 same odd", xShape: [3, 7, 7, 4], filterShape: [3, 3, 4, 3], strides: 2, pad: "same" },
  {
    name: "3x3 stride 2 valid even",
    xShape: [2, 8, 8, 3],
    filterShape: [3, 3, 3, 4],
    strides: 2,
    pad: "valid",
  },
  {
    name: "3x3 stride 2 valid odd",
    xShape: [2, 9, 9, 2],
    filterShape: [3, 3, 2, 3],
    strides: 2,
    pad: "valid",
  },
  { name: "3x3 stride 2 pad 1", xShape: [2, 8, 8, 3], filterShape: [3, 3, 3, 4], strides: 2, pad: 1 },
  {
    name: "3x1 strides 2,1 same",
    xShape: [2, 7, 10, 3],
    filterShape: [3, 1, 3, 4],
    strides: [2, 1],
    pad: "same",
  },
];

/** Returns d(sum(conv2d(x, filter) * weights))/dfilter, which is Conv2DBackpropFilter(x, dy = weights). */
async function filterGradient(backend: BackendName, testCase: FilterGradientCase): Promise<Float32Array> {
  await useBackend(backend);
  const { xShape, filterShape, strides, pad } = testCase;
  return tf.tidy(() => {
    const x = tf.tensor4d(normalValues(tf.util.sizeFromShape(xShape), 1), xShape);
    const filter = tf.tensor4d(normalValues(tf.util.sizeFromShape(filterShape), 2), filterShape);
    const outShape = tf.conv2d(x, filter, strides, pad).shape;
    const weights = tf.tensor(normalValues(tf.util.sizeFromShape(outShape), 3), outShape);
    const gradient = tf.grad((f) => tf.conv2d(x, f as tf.Tensor4D, strides, pad).mul(weights).sum())(filter);
    assert.deepEqual(gradient.shape, filterShape);
    return gradient.dataSync() as Float32Array;
  });
}

for (const testCase of FILTER_GRADIENT_CASES) {
  Deno.test(`Conv2DBackpropFilter wasm matches cpu: ${testCase.name}`, async () => {
    const expected = await filterGradient("cpu", testCase);
    const actual = await filterGradient("wasm", testCase);
    assertClose(actual, expected, testCase.name);
  });
}

Deno.test("Conv2DBackpropFilter hand-computed 2x2 case", async () => {
  await useBackend("wasm");
  // x = [[1, 2], [3, 4]], a 2x2 filter with valid padding gives one output,
  // and dy = 2 there, so dfilter[kh][kw] = 2 * x[kh][kw] = [2, 4, 6, 8].
  const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
  const dy = tf.tensor4d([2], [1, 1, 1, 1]);
  const attrs = { strides: 1, pad: "valid", dataFormat: "NHWC", filterShape: [2, 2, 1, 1] };
  const gradient = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, attrs) as tf.Tensor;
  assert.deepEqual(gradient.shape, [2, 2, 1, 1]);
  assert.deepEqual(Array.from(gradient.dataSync()), [2, 4, 6, 8]);
  tf.dispose([x, dy, gradient]);
});

/** Runs the kernel directly, because the conv2d gradient does not pass dimRoundingMode on. */
async function ceilRoundedFilterGradient(backend: BackendName): Promise<Float32Array> {
  await useBackend(backend);
  // H = W = 6, kernel 3, stride 2, pad 1: ceil((6 - 3 + 2) / 2 + 1) = 4 output
  // rows, whose last window reaches one row past the bottom padding.
  const xShape: Shape4D = [2, 6, 6, 2];
  const dyShape: Shape4D = [2, 4, 4, 3];
  const x = tf.tensor4d(normalValues(tf.util.sizeFromShape(xShape), 4), xShape);
  const dy = tf.tensor4d(normalValues(tf.util.sizeFromShape(dyShape), 5), dyShape);
  const attrs = {
    strides: 2,
    pad: 1,
    dataFormat: "NHWC",
    dimRoundingMode: "ceil",
    filterShape: [3, 3, 2, 3],
  };
  const gradient = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, attrs) as tf.Tensor;
  const values = gradient.dataSync() as Float32Array;
  tf.dispose([x, dy, gradient]);
  return values;
}

Deno.test("Conv2DBackpropFilter wasm matches cpu with ceil rounding", async () => {
  const expected = await ceilRoundedFilterGradient("cpu");
  const actual = await ceilRoundedFilterGradient("wasm");
  assertClose(actual, expected, "ceil rounding");
});

Deno.test("Conv2DBackpropFilter rejects NCHW", async () => {
  await useBackend("wasm");
  const x = tf.zeros([1, 2, 4, 4]);
  const dy = tf.zeros([1, 3, 2, 2]);
  const attrs = { strides: 1, pad: "valid", dataFormat: "NCHW", filterShape: [3, 3, 2, 3] };
  assert.throws(
    () => tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, attrs),
    /"NHWC" only, got "NCHW"/,
  );
  tf.dispose([x, dy]);
});

Deno.test("Conv2DBackpropFilter frees its intermediates", async () => {
  await useBackend("wasm");
  const x = tf.tensor4d(normalValues(2 * 8 * 8 * 3, 6), [2, 8, 8, 3]);
  const dy = tf.tensor4d(normalValues(2 * 4 * 4 * 4, 7), [2, 4, 4, 4]);
  const attrs = { strides: 2, pad: "valid", dataFormat: "NHWC", filterShape: [1, 1, 3, 4] };
  const dataIdsBefore = tf.backend().numDataIds();
  const gradient = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, attrs) as tf.Tensor;
  assert.equal(tf.backend().numDataIds(), dataIdsBefore + 1);
  tf.dispose([x, dy, gradient]);
});

Deno.test("registerWasmTrainingKernels is idempotent", async () => {
  await useBackend("wasm");
  const filterKernel = tf.getKernel(tf.Conv2DBackpropFilter, "wasm");
  const poolKernel = tf.getKernel(tf.MaxPoolGrad, "wasm");
  assert.notEqual(filterKernel, undefined);
  assert.deepEqual(registerWasmTrainingKernels(), []);
  assert.equal(tf.getKernel(tf.Conv2DBackpropFilter, "wasm").kernelFunc, filterKernel.kernelFunc);
  assert.equal(tf.getKernel(tf.MaxPoolGrad, "wasm").kernelFunc, poolKernel.kernelFunc);
});

/** Returns d(sum(maxPool(x) * [1, 2, 3, ...]))/dx. */
async function maxPoolInputGradient(
  backend: BackendName,
  values: Float32Array,
  shape: Shape4D,
  filterSize: number,
  stride: number,
  pad: "same" | "valid",
): Promise<number[]> {
  await useBackend(backend);
  return tf.tidy(() => {
    const x = tf.tensor4d(values, shape);
    const outShape = tf.maxPool(x, filterSize, stride, pad).shape;
    const weights = tf.tensor(
      Float32Array.from({ length: tf.util.sizeFromShape(outShape) }, (_, i) => i + 1),
      outShape,
    );
    const gradient = tf.grad((input) =>
      tf.maxPool(input as tf.Tensor4D, filterSize, stride, pad).mul(weights).sum()
    )(x);
    return Array.from(gradient.dataSync());
  });
}

Deno.test("MaxPoolGrad hand-computed zero windows", async () => {
  // Each 2x2 window of a 4x4 zero input is a tie at 0. The first position of
  // window w (row-major) receives weight w + 1. The package's own wasm kernel
  // passed only window 1's gradient here.
  const expected = [1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4, 0, 0, 0, 0, 0];
  const actual = await maxPoolInputGradient("wasm", new Float32Array(16), [1, 4, 4, 1], 2, 2, "valid");
  assert.deepEqual(actual, expected);
});

const MAX_POOL_CASES: { name: string; values: Float32Array; shape: Shape4D; pad: "same" | "valid" }[] = [
  {
    name: "negative values",
    values: normalValues(2 * 6 * 6 * 3, 8).map((v) => -Math.abs(v)),
    shape: [2, 6, 6, 3],
    pad: "same",
  },
  { name: "signed values", values: normalValues(2 * 7 * 7 * 2, 9), shape: [2, 7, 7, 2], pad: "same" },
  {
    name: "ReLU output with ties",
    values: normalValues(2 * 6 * 6 * 3, 10).map((v) => Math.max(0, v)),
    shape: [2, 6, 6, 3],
    pad: "valid",
  },
  {
    name: "equal positive values",
    values: new Float32Array(2 * 5 * 5 * 2).fill(0.5),
    shape: [2, 5, 5, 2],
    pad: "same",
  },
];

for (const { name, values, shape, pad } of MAX_POOL_CASES) {
  for (const [filterSize, stride] of [[2, 2], [3, 2], [3, 1]]) {
    Deno.test(`MaxPoolGrad wasm matches cpu: ${name}, ${filterSize}x${filterSize} stride ${stride}`, async () => {
      const expected = await maxPoolInputGradient("cpu", values, shape, filterSize, stride, pad);
      const actual = await maxPoolInputGradient("wasm", values, shape, filterSize, stride, pad);
      assert.deepEqual(actual, expected);
    });
  }
}

const PARAMETER_SHAPES: Record<string, number[]> = {
  stemFilter: [3, 3, 3, 8],
  gamma: [8],
  beta: [8],
  blockFilter: [3, 3, 8, 8],
  downsampleFilter: [1, 1, 8, 16],
  mainFilter: [3, 3, 8, 16],
  mainBias: [16],
  denseWeights: [16, 5],
  denseBias: [5],
};

interface TrainingStepResult {
  loss: number;
  gradients: Record<string, Float32Array>;
  tensorCounts: number[];
}

/**
 * Computes the loss of a small residual conv net built from the op types of a
 * ResNet-18 training step: conv2d (plain and fused), moments and batch norm,
 * ReLU, residual add, max pool, global mean, dense layer and log-softmax.
 */
function residualNetLoss(
  parameters: Record<string, tf.Variable>,
  x: tf.Tensor4D,
  targets: tf.Tensor2D,
): tf.Scalar {
  return tf.tidy(() => {
    const stem = tf.conv2d(x, parameters.stemFilter as tf.Tensor4D, 1, "same");
    const { mean, variance } = tf.moments(stem, [0, 1, 2]);
    const gamma = parameters.gamma as tf.Tensor1D;
    const beta = parameters.beta as tf.Tensor1D;
    const normalized = tf.relu(tf.batchNorm(stem, mean, variance, beta, gamma, 1e-5)) as tf.Tensor4D;
    const block = tf.relu(
      tf.add(normalized, tf.conv2d(normalized, parameters.blockFilter as tf.Tensor4D, 1, "same")),
    );
    const pooled = tf.maxPool(block as tf.Tensor4D, 3, 1, "same");
    const downsample = tf.conv2d(pooled, parameters.downsampleFilter as tf.Tensor4D, 2, "same");
    const main = tf.fused.conv2d({
      x: pooled,
      filter: parameters.mainFilter as tf.Tensor4D,
      strides: 2,
      pad: "same",
      bias: parameters.mainBias,
      activation: "relu",
    });
    const features = tf.mean(tf.add(downsample, main), [1, 2]) as tf.Tensor2D;
    const logits = tf.add(tf.matMul(features, parameters.denseWeights as tf.Tensor2D), parameters.denseBias);
    return tf.neg(tf.mean(tf.sum(tf.mul(targets, tf.logSoftmax(logits as tf.Tensor2D)), 1))) as tf.Scalar;
  });
}

async function runTrainingSteps(backend: BackendName): Promise<TrainingStepResult> {
  await useBackend(backend);
  const parameters: Record<string, tf.Variable> = {};
  let seed = 20;
  for (const [name, shape] of Object.entries(PARAMETER_SHAPES)) {
    const values = normalValues(tf.util.sizeFromShape(shape), seed++).map((v) => 0.3 * v);
    parameters[name] = tf.variable(tf.tensor(values, shape), true, `${name}_${backend}`);
  }
  const x = tf.tensor4d(normalValues(4 * 9 * 9 * 3, 40), [4, 9, 9, 3]);
  const targets = tf.tidy(() => tf.softmax(tf.tensor2d(normalValues(4 * 5, 41), [4, 5])));
  const loss = () => residualNetLoss(parameters, x, targets);

  const { value, grads } = tf.variableGrads(loss);
  const gradients: Record<string, Float32Array> = {};
  for (const [name, gradient] of Object.entries(grads)) {
    gradients[name.replace(`_${backend}`, "")] = gradient.dataSync() as Float32Array;
  }
  const result = { loss: value.dataSync()[0], gradients, tensorCounts: [] as number[] };
  tf.dispose([value, ...Object.values(grads)]);

  const optimizer = tf.train.momentum(0.01, 0.9);
  for (let step = 0; step < 4; step++) {
    optimizer.minimize(loss, true)?.dispose();
    result.tensorCounts.push(tf.memory().numTensors);
  }
  optimizer.dispose();
  tf.dispose([x, targets, ...Object.values(parameters)]);
  return result;
}

Deno.test("residual net training step on wasm matches cpu", async () => {
  const expected = await runTrainingSteps("cpu");
  const actual = await runTrainingSteps("wasm");
  assertClose([actual.loss], [expected.loss], "loss");
  assert.deepEqual(Object.keys(actual.gradients).sort(), Object.keys(PARAMETER_SHAPES).sort());
  for (const name of Object.keys(PARAMETER_SHAPES)) {
    assertClose(actual.gradients[name], expected.gradients[name], `gradient of ${name}`);
  }
  const [afterFirstStep, ...laterCounts] = actual.tensorCounts;
  for (const count of laterCounts) assert.equal(count, afterFirstStep, "tensor count grew between steps");
});

Deno.test("initializeWasmBackend selects wasm", async () => {
  assert.ok(await tf.setBackend("cpu"));
  await initializeWasmBackend();
  assert.equal(tf.getBackend(), "wasm");
  const sum = tf.tidy(() => tf.add(tf.tensor1d([1, 2]), 1).dataSync());
  assert.deepEqual(Array.from(sum), [2, 3]);
});
