import assert from "node:assert/strict";
import { measureChannelStatistics } from "../engine/normalize.ts";
import { createMethod } from "../methods/registry.ts";
import { DEFAULT_METHOD_OPTIONS } from "../methods/options.ts";
import type { TrainingMethod } from "../methods/types.ts";
import {
  defaultWorkerCount,
  listBatches,
  openBatchSource,
  type PipelineOptions,
  type PreparedBatch,
} from "./mod.ts";
import type { TrainSplit } from "../datasets/types.ts";
import { NUM_CLASSES, pipelineConfig, randomSplit, streamedCopy } from "./_test_support.ts";

const SPLIT = randomSplit(10);

async function allBatches(
  method: string,
  options: PipelineOptions,
  instance?: TrainingMethod,
  split: TrainSplit = SPLIT,
) {
  const config = pipelineConfig(method);
  const run = {
    config,
    split,
    method: instance ?? createMethod(method, DEFAULT_METHOD_OPTIONS),
    numClasses: NUM_CLASSES,
    statistics: measureChannelStatistics(SPLIT),
  };
  const source = openBatchSource(run, listBatches(config.seed, SPLIT.count, config.batchSize, 0, 2), options);
  try {
    const batches: PreparedBatch[] = [];
    for (let i = 0; i < 6; i++) batches.push(await source.next());
    return { batches, description: source.description };
  } finally {
    source.close();
  }
}

for (const method of ["mi_adaptive", "mixup+mi_adaptive", "randaugment+label_smoothing", "cutmix"]) {
  Deno.test(`${method}: the same batches on the training thread and in pools of 1 and 3 workers`, async () => {
    const inline = await allBatches(method, { workers: 0 });
    assert.equal(inline.description, "the training thread");
    for (const options of [{ workers: 1, prefetch: 1 }, { workers: 3 }]) {
      const pooled = await allBatches(method, options);
      assert.deepEqual(pooled.batches, inline.batches, JSON.stringify(options));
    }
  });
}

Deno.test("a streamed split gives the same batches as the split in memory", async () => {
  const streamed = await streamedCopy(SPLIT);
  const inline = await allBatches("mi_adaptive", { workers: 0 });
  for (const workers of [0, 2]) {
    const { batches } = await allBatches("mi_adaptive", { workers }, undefined, streamed);
    assert.deepEqual(batches, inline.batches, `${workers} workers`);
  }
});

Deno.test("a method that the config does not name is prepared on the training thread, with the reason", async () => {
  const hard = createMethod("hard", DEFAULT_METHOD_OPTIONS);
  const custom: TrainingMethod = { ...hard, name: "custom_hard" };
  const { description } = await allBatches("hard", { workers: 2 }, custom);
  assert.equal(
    description,
    'the training thread (method "custom_hard" is not built in, so workers cannot build it)',
  );
});

Deno.test("the default worker count is half the cores, at least 1 and at most 8", () => {
  assert.deepEqual([1, 2, 3, 4, 16, 64].map((cores) => defaultWorkerCount(cores)), [1, 1, 1, 2, 8, 8]);
});
