import assert from "node:assert/strict";
import { measureChannelStatistics } from "../engine/normalize.ts";
import { DEFAULT_METHOD_OPTIONS } from "../methods/options.ts";
import { memoryImageStore } from "./image_store.ts";
import { type BatchSpec, listBatches } from "./prepare.ts";
import type { WorkerSetup } from "./worker_messages.ts";
import { workerBatchSource } from "./worker_source.ts";
import { NUM_CLASSES, randomSplit } from "./_test_support.ts";

function setupFor(methodName: string): WorkerSetup {
  const split = randomSplit(6);
  return {
    store: memoryImageStore(split, true).describe(),
    methodName,
    methodOptions: DEFAULT_METHOD_OPTIONS,
    numClasses: NUM_CLASSES,
    cropPadding: 1,
    statistics: measureChannelStatistics(split),
    seed: 4,
    stepsPerEpoch: 2,
  };
}

Deno.test("a worker pool returns its batches in training order and then reports that none is left", async () => {
  const source = workerBatchSource(setupFor("hard"), listBatches(4, 6, 4, 0, 2), { workers: 2, prefetch: 3 });
  try {
    const order = [];
    for (let i = 0; i < 4; i++) {
      const { epoch, step, batch } = await source.next();
      order.push([epoch, step, batch.size]);
    }
    assert.deepEqual(order, [[0, 0, 4], [0, 1, 2], [1, 0, 4], [1, 1, 2]]);
    await assert.rejects(source.next(), /requested more batches than its epochs contain/);
    assert.equal(source.description, "2 workers, 3 batches ahead");
  } finally {
    source.close();
  }
});

Deno.test("a worker pool names a method it cannot build", async () => {
  const source = workerBatchSource(setupFor("no_such_method"), listBatches(4, 6, 4, 0, 1), {
    workers: 1,
    prefetch: 2,
  });
  try {
    await assert.rejects(source.next(), /Batch worker 1 could not start: Unknown method "no_such_method"/);
    await assert.rejects(source.next(), /could not start/);
  } finally {
    source.close();
  }
});

Deno.test("a worker pool passes on the error of a batch it could not prepare", async () => {
  function* badSpecs(): Generator<BatchSpec> {
    yield { epoch: 0, step: 0, indices: Int32Array.of(0, 9) };
  }
  const source = workerBatchSource(setupFor("hard"), badSpecs(), { workers: 1, prefetch: 1 });
  try {
    await assert.rejects(
      source.next(),
      /Preparing batch 1 of epoch 1 in worker 1 failed: Image index 9 is outside the split of 6 images/,
    );
  } finally {
    source.close();
  }
});

Deno.test("a worker pool rejects a size or depth below 1", () => {
  const specs = listBatches(4, 6, 4, 0, 1);
  assert.throws(
    () => workerBatchSource(setupFor("hard"), specs, { workers: 0, prefetch: 1 }),
    /Invalid batch pool workers 0: expected an integer of 1 or more/,
  );
  assert.throws(
    () => workerBatchSource(setupFor("hard"), specs, { workers: 1, prefetch: 0.5 }),
    /Invalid batch pool prefetch 0.5/,
  );
});
