import assert from "node:assert/strict";
import { forEachWithConcurrency } from "./_pool.ts";

Deno.test("forEachWithConcurrency visits every item once", async () => {
  const seen: number[] = [];
  await forEachWithConcurrency([10, 20, 30, 40, 50], 2, async (item, index) => {
    await new Promise((resolve) => setTimeout(resolve, 5 - index));
    seen.push(item);
  });
  assert.deepEqual(seen.toSorted((a, b) => a - b), [10, 20, 30, 40, 50]);
});

Deno.test("forEachWithConcurrency respects the limit", async () => {
  let running = 0;
  let maxRunning = 0;
  await forEachWithConcurrency(Array.from({ length: 20 }, (_, i) => i), 3, async () => {
    running++;
    maxRunning = Math.max(maxRunning, running);
    await new Promise((resolve) => setTimeout(resolve, 2));
    running--;
  });
  assert.equal(maxRunning, 3);
});

Deno.test("forEachWithConcurrency finishes all before rejecting", async () => {
  const finished: number[] = [];
  await assert.rejects(
    forEachWithConcurrency([0, 1, 2, 3], 2, async (item) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (item === 0) throw new Error("item 0 failed");
      finished.push(item);
    }),
    /item 0 failed/,
  );
  assert.deepEqual(finished.toSorted(), [1, 2, 3]);
});

Deno.test("forEachWithConcurrency rejects a zero limit", async () => {
  await assert.rejects(forEachWithConcurrency([1], 0, async () => {}), /positive integer, got 0/);
});

Deno.test("forEachWithConcurrency with stopOnError starts no task after a rejection", async () => {
  const started: number[] = [];
  await assert.rejects(
    forEachWithConcurrency([0, 1, 2, 3, 4, 5], 2, async (item) => {
      started.push(item);
      await Promise.resolve();
      if (item === 1) throw new Error("disk full");
    }, true),
    /disk full/,
  );
  assert.deepEqual(started, [0, 1, 2]);
});
