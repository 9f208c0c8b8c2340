import assert from "node:assert/strict";
import { Random } from "../../engine/random.ts";
import { assertNear, assertTargetRows, assertUnitRange, makeBatch } from "../_test_support.ts";
import { DEFAULT_METHOD_OPTIONS } from "../options.ts";
import { createMethod } from "../registry.ts";
import type { ImageBatch } from "../types.ts";
import { boxArea, cutmixBox, pasteBox } from "./mod.ts";

/** Returns a batch whose image i has the constant value (i + 1) / (size + 1), so pasted pixels are visible. */
function constantBatch(size: number, height: number, width: number): ImageBatch {
  const pixels = new Float32Array(size * height * width * 3);
  for (let i = 0; i < size; i++) {
    pixels.fill((i + 1) / (size + 1), i * height * width * 3, (i + 1) * height * width * 3);
  }
  const labels = Int32Array.from({ length: size }, (_, i) => i);
  return { pixels, labels, size, height, width, numClasses: size };
}

Deno.test("cutmixBox inside the image", () => {
  // lambda 0.75 on 8 x 8: sqrt(0.25) = 0.5, half-sides floor(0.5 * 8 / 2) = 2, box 4 x 4 around (4, 4).
  const box = cutmixBox(8, 8, 0.75, 4, 4);
  assert.deepEqual(box, { top: 2, bottom: 6, left: 2, right: 6 });
  assert.equal(boxArea(box), 16);
});

Deno.test("cutmixBox clipped at the border", () => {
  // Centre (0, 7): rows [-2, 2) clip to [0, 2), columns [5, 9) clip to [5, 8), 2 x 3 = 6 pixels.
  const corner = cutmixBox(8, 8, 0.75, 0, 7);
  assert.deepEqual(corner, { top: 0, bottom: 2, left: 5, right: 8 });
  assert.equal(boxArea(corner), 6);
  // lambda 0 on 8 x 8 at (3, 3): half-sides 4, rows and columns [-1, 7) clip to [0, 7), 49 pixels.
  assert.equal(boxArea(cutmixBox(8, 8, 0, 3, 3)), 49);
  // 4 x 8 with lambda 0.75 at (0, 0): half-sides 1 and 2, so rows [0, 1) and columns [0, 2).
  assert.deepEqual(cutmixBox(4, 8, 0.75, 0, 0), { top: 0, bottom: 1, left: 0, right: 2 });
});

Deno.test("cutmixBox with lambda 1 is empty", () => {
  const box = cutmixBox(8, 8, 1, 3, 5);
  assert.equal(boxArea(box), 0);
  const batch = makeBatch(3, 8, 2);
  const before = batch.pixels.slice();
  pasteBox(batch.pixels, 8, 8, box, Int32Array.from([2, 0, 1]));
  assert.deepEqual(batch.pixels, before);
});

Deno.test("pasteBox copies the partner's box", () => {
  const batch = constantBatch(2, 3, 3);
  pasteBox(batch.pixels, 3, 3, { top: 1, bottom: 2, left: 0, right: 2 }, Int32Array.from([1, 0]));
  const a = Math.fround(1 / 3);
  const b = Math.fround(2 / 3);
  // Image 0 (value 1/3) gets 2/3 at row 1, columns 0 and 1; image 1 gets 1/3 there.
  const firstChannel = (image: number) =>
    Array.from({ length: 9 }, (_, p) => batch.pixels[(image * 9 + p) * 3]);
  assert.deepEqual(firstChannel(0), [a, a, a, b, b, a, a, a, a]);
  assert.deepEqual(firstChannel(1), [b, b, b, a, a, b, b, b, b]);
});

Deno.test("cutmix lambda equals the pasted area", () => {
  const method = createMethod("cutmix", DEFAULT_METHOD_OPTIONS);
  let clipped = 0;
  for (let seed = 0; seed < 20; seed++) {
    const batch = constantBatch(6, 7, 5);
    const original = batch.pixels.slice();
    const record = method.augment(batch, new Random(seed));
    const box = record.box!;
    if (boxArea(box) > 0 && (box.top === 0 || box.left === 0 || box.bottom === 7 || box.right === 5)) {
      clipped++;
    }
    for (let i = 0; i < batch.size; i++) {
      if (record.permutation![i] === i) continue;
      let changed = 0;
      for (let p = 0; p < 7 * 5; p++) {
        if (batch.pixels[(i * 35 + p) * 3] !== original[(i * 35 + p) * 3]) changed++;
      }
      assertNear(record.lambda![i], 1 - changed / 35, 1e-6, `seed ${seed}, lambda of image ${i}`);
    }
  }
  assert.ok(clipped > 0, "at least one box was clipped at the border");
});

Deno.test("cutmix keeps shape, range and target rows", () => {
  const batch = makeBatch(12, 8, 12);
  const method = createMethod("cutmix", DEFAULT_METHOD_OPTIONS);
  const record = method.augment(batch, new Random(6));
  assert.equal(batch.pixels.length, 12 * 8 * 8 * 3);
  assertUnitRange(batch.pixels);
  assert.ok(record.sampledLambda! >= 0, "drawn lambda >= 0");
  assert.ok(record.sampledLambda! <= 1, "drawn lambda <= 1");
  const targets = method.targets(batch, record);
  assertTargetRows(targets, batch);
  // Labels are distinct, so image i's own class weighs lambda unless it is its own partner.
  for (let i = 0; i < batch.size; i++) {
    const expected = record.permutation![i] === i ? 1 : record.lambda![i];
    assertNear(targets[i * 12 + batch.labels[i]], expected, 1e-6, `own class weight of image ${i}`);
  }
});
