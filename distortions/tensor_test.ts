import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Random } from "../engine/random.ts";
import { applyDistortion, DISTORTION_NAMES } from "./mod.ts";
import { applyDistortionPlans, planDistortion } from "./tensor.ts";

/** Returns an image with values in [-0.1, 1.1], so that clamping is exercised too. */
function randomImage(height: number, width: number, seed: number): Float32Array {
  const random = new Random(seed);
  return Float32Array.from({ length: height * width * 3 }, () => random.uniform() * 1.2 - 0.1);
}

for (const name of DISTORTION_NAMES) {
  Deno.test(`${name} on tensors matches the Float32Array version to 1e-5`, async () => {
    await tf.setBackend("cpu");
    for (const [height, width] of [[8, 8], [7, 11], [32, 32]]) {
      for (const level of [0, 0.3, 0.77, 1]) {
        const image = randomImage(height, width, height * 100 + width);
        const cpuRandom = new Random(5, 9);
        const expected = applyDistortion(name, image, height, width, level, cpuRandom);
        const planRandom = new Random(5, 9);
        const plan = planDistortion(name, height, width, level, planRandom);
        assert.deepEqual(
          planRandom.getState(),
          cpuRandom.getState(),
          "the plan draws what the CPU version draws",
        );
        const batch = tf.tensor4d(image, [1, height, width, 3]);
        const distorted = applyDistortionPlans(batch, [plan]);
        const actual = await distorted.data();
        tf.dispose([batch, distorted]);
        const worst = expected.reduce((max, value, i) => Math.max(max, Math.abs(value - actual[i])), 0);
        assert.ok(worst <= 1e-5, `${height}x${width} level ${level}: max difference ${worst}`);
      }
    }
  });
}

Deno.test("applyDistortionPlans distorts each image of a batch by its own plan", async () => {
  await tf.setBackend("cpu");
  const [height, width] = [6, 6];
  const images = [randomImage(height, width, 1), randomImage(height, width, 2)];
  const plans = [
    planDistortion("mosaic", height, width, 0.5, new Random(0)),
    planDistortion("blur", height, width, 0.5, new Random(0)),
  ];
  const batch = tf.tensor4d(Float32Array.of(...images[0], ...images[1]), [2, height, width, 3]);
  const distorted = applyDistortionPlans(batch, plans);
  const actual = await distorted.data();
  tf.dispose([batch, distorted]);
  const expected = [
    applyDistortion("mosaic", images[0], height, width, 0.5, new Random(0)),
    applyDistortion("blur", images[1], height, width, 0.5, new Random(0)),
  ];
  const flat = Float32Array.of(...expected[0], ...expected[1]);
  flat.forEach((value, i) => assert.ok(Math.abs(value - actual[i]) <= 1e-5, `value ${i}`));
  assert.throws(() => applyDistortionPlans(batch, plans.slice(1)), /1 plans for a batch of 2 images/);
});
