import assert from "node:assert/strict";
import { Random } from "../../engine/random.ts";
import { assertNear, assertTargetRows, assertUnitRange, makeBatch } from "../_test_support.ts";
import { DEFAULT_METHOD_OPTIONS } from "../options.ts";
import { createMethod } from "../registry.ts";
import type { ImageBatch } from "../types.ts";
import { mixupPixels } from "./mod.ts";

function twoPixelBatch(): ImageBatch {
  return {
    pixels: Float32Array.from([0.2, 0.4, 0.6, 1, 0, 0.5]),
    labels: Int32Array.from([0, 1]),
    size: 2,
    height: 1,
    width: 1,
    numClasses: 2,
  };
}

Deno.test("mixup seed 0 matches a hand mixture", () => {
  // Random(0) draws lambda = 0.75997585 from Beta(0.8, 0.8), then swaps the two images.
  const batch = twoPixelBatch();
  const method = createMethod("mixup", DEFAULT_METHOD_OPTIONS);
  const record = method.augment(batch, new Random(0));
  const lambda = 0.75997585;
  assertNear(record.lambda![0], lambda, 1e-7, "lambda");
  assert.deepEqual([...record.permutation!], [1, 0]);
  // Image 0: 0.2 l + (1 - l), 0.4 l, 0.6 l + 0.5 (1 - l); image 1 the same with the roles swapped.
  const expected = [0.39201932, 0.30399034, 0.57599759, 0.80798068, 0.09600966, 0.52400241];
  expected.forEach((value, i) => assertNear(batch.pixels[i], value, 1e-6, `pixel value ${i}`));
  const targets = method.targets(batch, record);
  [lambda, 1 - lambda, 1 - lambda, lambda].forEach((value, i) =>
    assertNear(targets[i], value, 1e-6, `target ${i}`)
  );
});

Deno.test("mixupPixels with lambda 1 keeps images", () => {
  const batch = makeBatch(4, 3, 2);
  const before = batch.pixels.slice();
  mixupPixels(batch.pixels, 3 * 3 * 3, 1, Int32Array.from([3, 2, 1, 0]));
  assert.deepEqual(batch.pixels, before);
});

Deno.test("mixup keeps shape, range and target rows", () => {
  const batch = makeBatch(16, 8, 10);
  const method = createMethod("mixup", DEFAULT_METHOD_OPTIONS);
  const record = method.augment(batch, new Random(3));
  assert.equal(batch.pixels.length, 16 * 8 * 8 * 3);
  assertUnitRange(batch.pixels);
  assert.equal(record.lambda!.length, 16);
  assert.ok(record.lambda!.every((value) => value === record.lambda![0]), "one lambda per batch");
  const targets = method.targets(batch, record);
  assertTargetRows(targets, batch);
  for (let i = 0; i < batch.size; i++) {
    const partner = record.permutation![i];
    const ownLabel = batch.labels[i];
    const partnerLabel = batch.labels[partner];
    const expectedOwn = ownLabel === partnerLabel ? 1 : record.lambda![i];
    assertNear(targets[i * 10 + ownLabel], expectedOwn, 1e-6, `own class weight of image ${i}`);
  }
});
