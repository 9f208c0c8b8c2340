import assert from "node:assert/strict";
import { inMemorySplit } from "./types.ts";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { EMBEDDED_DATASET_ROOT, loadEmbeddedDataset } from "./embedded.ts";

Deno.test("EMBEDDED_DATASET_ROOT points at the shipped subset", () => {
  assert.ok(EMBEDDED_DATASET_ROOT.endsWith(join("data", "cifar10-small")), EMBEDDED_DATASET_ROOT);
  assert.ok(existsSync(join(EMBEDDED_DATASET_ROOT, "PROVENANCE.md")));
});

Deno.test("loadEmbeddedDataset loads 2000 train and 500 val", async () => {
  const cacheDir = await Deno.makeTempDir();

  const dataset = await loadEmbeddedDataset({ side: 32, cacheDir });

  assert.equal(dataset.name, "cifar10-embedded");
  assert.deepEqual(dataset.classNames, [
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
  ]);
  assert.equal(dataset.train.count, 2000);
  assert.equal(dataset.val.count, 500);
  assert.equal(inMemorySplit(dataset.train).images.length, 2000 * 32 * 32 * 3);
  for (const split of [dataset.train, dataset.val]) {
    const perClass = new Array(10).fill(0);
    split.labels.forEach((label) => perClass[label]++);
    assert.deepEqual(perClass, new Array(10).fill(split.count / 10));
  }
  const mean = inMemorySplit(dataset.train).images.reduce((sum, value) => sum + value, 0) /
    inMemorySplit(dataset.train).images.length;
  assert.ok(mean > 60, `mean pixel ${mean} is too dark for natural images`);
  assert.ok(mean < 200, `mean pixel ${mean} is too bright for natural images`);
});
