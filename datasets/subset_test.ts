import assert from "node:assert/strict";
import { takePerClass } from "./subset.ts";

Deno.test("takePerClass keeps first images per class", () => {
  const labels = Int32Array.from([0, 1, 0, 0, 1, 2]);
  const images = Uint8Array.from({ length: 6 * 3 }, (_, i) => Math.floor(i / 3));
  const split = { images, labels, count: 6, height: 1, width: 1 };
  const subset = takePerClass(split, 2);
  assert.deepEqual([...subset.labels], [0, 1, 0, 1, 2]);
  assert.deepEqual([...subset.images.filter((_, i) => i % 3 === 0)], [0, 1, 2, 4, 5]);
  assert.equal(subset.count, 5);
  assert.equal(takePerClass(split, 0), split);
  assert.throws(() => takePerClass(split, -1), /non-negative integer/);
});
