import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Random } from "./random.ts";
import { createResNet18, disposeResNet18, type ResNet18 } from "./resnet.ts";
import { NesterovSgd } from "./sgd.ts";
import { captureTrainingTensors, restoreTrainingTensors } from "./training_state.ts";
import { trainStep } from "./train_step.ts";

const SIDE = 8;

function makeModel(seed: number, width = 0.125): { model: ResNet18; optimizer: NesterovSgd } {
  const model = createResNet18({ numClasses: 3, width, imageSide: SIDE, seed });
  const optimizer = new NesterovSgd({ momentum: 0.9, weightDecay: 5e-4, decayed: model.decayed });
  return { model, optimizer };
}

function dispose({ model, optimizer }: { model: ResNet18; optimizer: NesterovSgd }): void {
  optimizer.dispose();
  disposeResNet18(model);
}

/** Two SGD steps on a fixed batch, so that weights, batch-norm statistics and momentum all move. */
async function trainTwoSteps(model: ResNet18, optimizer: NesterovSgd): Promise<number> {
  const random = new Random(3);
  const images = tf.tensor4d(Float32Array.from({ length: 4 * SIDE * SIDE * 3 }, () => random.normal()), [
    4,
    SIDE,
    SIDE,
    3,
  ]);
  const targets = tf.oneHot(tf.tensor1d([0, 1, 2, 0], "int32"), 3).toFloat() as tf.Tensor2D;
  let loss = 0;
  for (let step = 0; step < 2; step++) loss = await trainStep(model, optimizer, images, targets, 0.1);
  images.dispose();
  targets.dispose();
  return loss;
}

Deno.test("training tensors restore exactly", async () => {
  await tf.setBackend("cpu");
  const source = makeModel(0);
  await trainTwoSteps(source.model, source.optimizer);
  const arrays = await captureTrainingTensors(source.model, source.optimizer);
  const groups = new Set(arrays.map((array) => array.group));
  assert.deepEqual([...groups], ["weights", "batchNormStatistics", "momentum"]);
  const mean = arrays.find((array) => array.name === "stem.bn.mean")!;
  assert.ok(mean.values.some((value) => value !== 0), "batch-norm statistics moved");

  const target = makeModel(1);
  const tensorsBefore = tf.memory().numTensors;
  restoreTrainingTensors(target.model, target.optimizer, arrays);
  const momentumCount = arrays.filter((array) => array.group === "momentum").length;
  assert.equal(tf.memory().numTensors, tensorsBefore + momentumCount, "only the momentum buffers are new");
  assert.deepEqual(await captureTrainingTensors(target.model, target.optimizer), arrays);

  const sourceLoss = await trainTwoSteps(source.model, source.optimizer);
  const targetLoss = await trainTwoSteps(target.model, target.optimizer);
  assert.equal(targetLoss, sourceLoss);
  dispose(source);
  dispose(target);
});

Deno.test("training tensors reject another model", async () => {
  await tf.setBackend("cpu");
  const narrow = makeModel(0);
  const arrays = await captureTrainingTensors(narrow.model, narrow.optimizer);
  const wide = makeModel(0, 0.25);
  assert.throws(
    () => restoreTrainingTensors(wide.model, wide.optimizer, arrays),
    /checkpoint does not match the model: weights\/stem\.conv has shape \[3,3,3,8\], the model \[3,3,3,16\]; .* and \d+ more\. .*Pass --force/,
  );
  const missing = arrays.filter((array) => array.name !== "head.bias");
  assert.throws(
    () => restoreTrainingTensors(narrow.model, narrow.optimizer, missing),
    /weights\/head\.bias is missing/,
  );
  const extra = [...arrays, { ...arrays[0], group: "momentum" as const, name: "nowhere" }];
  assert.throws(
    () => restoreTrainingTensors(narrow.model, narrow.optimizer, extra),
    /momentum\/nowhere is not in the model/,
  );
  dispose(narrow);
  dispose(wide);
});
