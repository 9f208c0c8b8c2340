import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { nativeBackendAvailable } from "./_native_test_support.ts";
import { Random } from "./random.ts";
import { createResNet18, disposeResNet18, type ResNet18 } from "./resnet.ts";
import { NesterovSgd } from "./sgd.ts";
import { predictProbabilities, trainStep } from "./train_step.ts";

const NUM_CLASSES = 3;
const SIDE = 8;

function makeBatch(size: number, seed: number): { images: tf.Tensor4D; targets: tf.Tensor2D } {
  const random = new Random(seed);
  const pixels = Float32Array.from({ length: size * SIDE * SIDE * 3 }, () => random.normal());
  const targets = new Float32Array(size * NUM_CLASSES);
  for (let i = 0; i < size; i++) targets[i * NUM_CLASSES + (i % NUM_CLASSES)] = 1;
  return {
    images: tf.tensor4d(pixels, [size, SIDE, SIDE, 3]),
    targets: tf.tensor2d(targets, [size, NUM_CLASSES]),
  };
}

function makeModel(seed: number): { model: ResNet18; optimizer: NesterovSgd } {
  const model = createResNet18({ numClasses: NUM_CLASSES, width: 0.125, imageSide: SIDE, seed });
  const optimizer = new NesterovSgd({ momentum: 0.9, weightDecay: 5e-4, decayed: model.decayed });
  return { model, optimizer };
}

async function trainLosses(seed: number, steps: number): Promise<number[]> {
  const { model, optimizer } = makeModel(seed);
  const { images, targets } = makeBatch(6, 1);
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    losses.push(await trainStep(model, optimizer, images, targets, 0.05));
  }
  images.dispose();
  targets.dispose();
  optimizer.dispose();
  disposeResNet18(model);
  return losses;
}

async function assertNoLeak(backend: string): Promise<void> {
  await tf.setBackend(backend);
  const { model, optimizer } = makeModel(0);
  const { images, targets } = makeBatch(4, 2);
  await trainStep(model, optimizer, images, targets, 0.1);
  const afterFirst = tf.memory().numTensors;
  for (let step = 0; step < 3; step++) await trainStep(model, optimizer, images, targets, 0.1);
  assert.equal(tf.memory().numTensors, afterFirst);
  await predictProbabilities(model, images);
  assert.equal(tf.memory().numTensors, afterFirst);
  images.dispose();
  targets.dispose();
  optimizer.dispose();
  disposeResNet18(model);
  await tf.setBackend("cpu");
}

Deno.test("trainStep leaks no tensors on cpu", () => assertNoLeak("cpu"));

Deno.test({
  name: "trainStep leaks no tensors on tensorflow",
  ignore: !(await nativeBackendAvailable()),
  sanitizeResources: false,
  fn: () => assertNoLeak("tensorflow"),
});

Deno.test("trainStep lowers the loss", async () => {
  await tf.setBackend("cpu");
  const losses = await trainLosses(3, 8);
  assert.ok(losses.every(Number.isFinite));
  assert.ok(losses[7] < losses[0], `loss went from ${losses[0]} to ${losses[7]}`);
});

Deno.test("trainStep repeats for the same seed", async () => {
  await tf.setBackend("cpu");
  assert.deepEqual(await trainLosses(5, 3), await trainLosses(5, 3));
});

Deno.test("trainStep accepts a batch of one", async () => {
  await tf.setBackend("cpu");
  const { model, optimizer } = makeModel(0);
  const { images, targets } = makeBatch(1, 4);
  const loss = await trainStep(model, optimizer, images, targets, 0.1);
  assert.ok(Number.isFinite(loss));
  const probabilities = await predictProbabilities(model, images);
  assert.ok(probabilities.every(Number.isFinite));
  images.dispose();
  targets.dispose();
  optimizer.dispose();
  disposeResNet18(model);
});

Deno.test("trainStep updates running statistics", async () => {
  await tf.setBackend("cpu");
  const { model, optimizer } = makeModel(0);
  const { images, targets } = makeBatch(4, 5);
  const before = model.runningStatistics.get("stem.bn.mean")!.dataSync().slice();
  await trainStep(model, optimizer, images, targets, 0.1);
  const after = model.runningStatistics.get("stem.bn.mean")!.dataSync();
  assert.ok(after.some((value, i) => value !== before[i]));
  images.dispose();
  targets.dispose();
  optimizer.dispose();
  disposeResNet18(model);
});
