import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { countParameters, createResNet18, defaultStem, disposeResNet18 } from "./resnet.ts";
import { forwardResNet18 } from "./resnet_forward.ts";

Deno.test("ResNet-18 has 11.17M parameters at width 1", async () => {
  await tf.setBackend("cpu");
  const model = createResNet18({ numClasses: 10, width: 1, imageSide: 32, seed: 0 });
  // torchvision's resnet18 with a 3x3 stem and 10 classes: 11,173,962 parameters.
  assert.equal(countParameters(model), 11_173_962);
  disposeResNet18(model);
});

Deno.test("ResNet-18 picks the stem by side", () => {
  assert.equal(defaultStem(32), "cifar");
  assert.equal(defaultStem(64), "cifar");
  assert.equal(defaultStem(224), "imagenet");
});

Deno.test("ResNet-18 logits have shape [N, K]", async () => {
  await tf.setBackend("cpu");
  for (const side of [8, 72]) {
    const model = createResNet18({ numClasses: 5, width: 0.125, imageSide: side, seed: 1 });
    const images = tf.zeros([2, side, side, 3]) as tf.Tensor4D;
    const { logits, updates } = forwardResNet18(model, images, true);
    assert.deepEqual(logits.shape, [2, 5]);
    assert.ok(updates.length > 0);
    updates.forEach((update) => {
      update.mean.dispose();
      update.variance.dispose();
    });
    tf.dispose([images, logits]);
    disposeResNet18(model);
  }
});

Deno.test("ResNet-18 rejects empty widths and small sides", () => {
  assert.throws(() => createResNet18({ numClasses: 10, width: 0.001, imageSide: 32, seed: 0 }), /channels/);
  assert.throws(() => createResNet18({ numClasses: 10, width: 1, imageSide: 4, seed: 0 }), /too small/);
  assert.throws(
    () => createResNet18({ numClasses: 10, width: 1, imageSide: 16, stem: "imagenet", seed: 0 }),
    /too small/,
  );
});

Deno.test("ResNet-18 weights repeat for one seed", async () => {
  await tf.setBackend("cpu");
  const first = createResNet18({ numClasses: 3, width: 0.125, imageSide: 8, seed: 9 });
  const second = createResNet18({ numClasses: 3, width: 0.125, imageSide: 8, seed: 9 });
  for (const [name, variable] of first.trainable) {
    assert.deepEqual(variable.dataSync(), second.trainable.get(name)!.dataSync(), name);
  }
  disposeResNet18(first);
  disposeResNet18(second);
});
