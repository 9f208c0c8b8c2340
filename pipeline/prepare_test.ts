import assert from "node:assert/strict";
import { measureChannelStatistics } from "../engine/normalize.ts";
import { createMethod } from "../methods/registry.ts";
import { DEFAULT_METHOD_OPTIONS } from "../methods/options.ts";
import { memoryImageStore } from "./image_store.ts";
import { listBatches, type PreparationContext, prepareBatch } from "./prepare.ts";
import { NUM_CLASSES, randomSplit } from "./_test_support.ts";

Deno.test("listBatches covers every image once per epoch, in a new order each epoch", () => {
  const batches = [...listBatches(1, 10, 4, 0, 2)];
  assert.deepEqual(batches.map(({ epoch, step }) => [epoch, step]), [[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [
    1,
    2,
  ]]);
  assert.deepEqual(batches.map(({ indices }) => indices.length), [4, 4, 2, 4, 4, 2]);
  const epochIndices = (epoch: number) =>
    batches.filter((b) => b.epoch === epoch).flatMap((b) => [...b.indices]);
  for (const epoch of [0, 1]) {
    assert.deepEqual(epochIndices(epoch).toSorted((a, b) => a - b), [...Array(10).keys()]);
  }
  assert.notDeepEqual(epochIndices(0), epochIndices(1));
});

Deno.test("listBatches from a later epoch gives the same batches as the full list", () => {
  const full = [...listBatches(5, 9, 4, 0, 3)].filter((batch) => batch.epoch >= 2);
  assert.deepEqual([...listBatches(5, 9, 4, 2, 3)], full);
});

function contextFor(method: string): PreparationContext {
  const split = randomSplit(6);
  return {
    store: memoryImageStore(split),
    method: createMethod(method, DEFAULT_METHOD_OPTIONS),
    numClasses: NUM_CLASSES,
    cropPadding: 0,
    statistics: measureChannelStatistics(split),
    seed: 2,
    stepsPerEpoch: 2,
  };
}

Deno.test("prepareBatch with hard targets and no crop gives normalized pixels or their flip, and one-hot rows", () => {
  const context = contextFor("hard");
  const split = randomSplit(6);
  const { mean, std } = context.statistics;
  const prepared = prepareBatch(context, { epoch: 0, step: 1, indices: Int32Array.of(5, 1) });
  assert.deepEqual([...prepared.batch.labels], [2, 1]);
  assert.deepEqual([...prepared.targets], [0, 0, 1, 0, 1, 0]);
  const normalized = (image: number, y: number, x: number, c: number) =>
    Math.fround((Math.fround(split.images[((image * 8 + y) * 8 + x) * 3 + c] / 255) - mean[c]) / std[c]);
  for (const [i, image] of [[0, 5], [1, 1]]) {
    const at = (y: number, x: number, c: number) => prepared.batch.pixels[((i * 8 + y) * 8 + x) * 3 + c];
    const flipped = at(0, 0, 0) !== normalized(image, 0, 0, 0);
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 8; x++) {
        for (let c = 0; c < 3; c++) assert.equal(at(y, x, c), normalized(image, y, flipped ? 7 - x : x, c));
      }
    }
  }
});

Deno.test("prepareBatch gives the same batch for the same (seed, epoch, step), whatever came before", () => {
  const spec = { epoch: 1, step: 0, indices: Int32Array.of(0, 3, 4) };
  const first = prepareBatch(contextFor("mi_adaptive"), spec);
  const context = contextFor("mi_adaptive");
  prepareBatch(context, { epoch: 0, step: 1, indices: Int32Array.of(2) });
  assert.deepEqual(prepareBatch(context, spec), first);
  assert.notDeepEqual(prepareBatch(context, { ...spec, step: 1 }).batch.pixels, first.batch.pixels);
});
