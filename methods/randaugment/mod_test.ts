import assert from "node:assert/strict";
import { Random } from "../../engine/random.ts";
import { assertNear, assertTargetRows, assertUnitRange, makeBatch } from "../_test_support.ts";
import { DEFAULT_METHOD_OPTIONS } from "../options.ts";
import { createMethod } from "../registry.ts";
import { applyRandAugment, RANDAUGMENT_OPERATIONS, sampleRandAugment } from "./mod.ts";

function operation(name: string) {
  const found = RANDAUGMENT_OPERATIONS.find((candidate) => candidate.name === name);
  assert.ok(found !== undefined, `operation ${name} exists`);
  return found;
}

Deno.test("RandAugment has the 14 standard operations", () => {
  assert.deepEqual(RANDAUGMENT_OPERATIONS.map((candidate) => candidate.name), [
    "identity",
    "shear_x",
    "shear_y",
    "translate_x",
    "translate_y",
    "rotate",
    "brightness",
    "color",
    "contrast",
    "sharpness",
    "posterize",
    "solarize",
    "auto_contrast",
    "equalize",
  ]);
});

Deno.test("RandAugment values at magnitudes 0, 9 and 30", () => {
  // On 32 x 32 images: translate 150 / 331 * 32 * M / 30 truncated (4 at M = 9, 14 at M = 30);
  // posterize 8 - round(M / 7.5) bits; solarize threshold 1 - M / 30.
  const cases: [string, number, number, number][] = [
    ["shear_x", 0, 0.09, 0.3],
    ["shear_y", 0, 0.09, 0.3],
    ["translate_x", 0, 4, 14],
    ["translate_y", 0, 4, 14],
    ["rotate", 0, 9, 30],
    ["brightness", 0, 0.27, 0.9],
    ["color", 0, 0.27, 0.9],
    ["contrast", 0, 0.27, 0.9],
    ["sharpness", 0, 0.27, 0.9],
    ["posterize", 8, 7, 4],
    ["solarize", 1, 0.7, 0],
    ["identity", 0, 0, 0],
    ["auto_contrast", 0, 0, 0],
    ["equalize", 0, 0, 0],
  ];
  for (const [name, atZero, atNine, atThirty] of cases) {
    const { value } = operation(name);
    assertNear(value(0, 32, 32), atZero, 1e-12, `${name} at M = 0`);
    assertNear(value(9, 32, 32), atNine, 1e-12, `${name} at M = 9`);
    assertNear(value(30, 32, 32), atThirty, 1e-12, `${name} at M = 30`);
  }
  // Translations scale with their own side: 150 / 331 * 64 * 0.3 = 8.7 columns on a 16 x 64 image.
  assert.equal(operation("translate_x").value(9, 16, 64), 8);
  assert.equal(operation("translate_y").value(9, 16, 64), 2);
});

Deno.test("RandAugment magnitude 0 keeps 8-bit images", () => {
  // Values k / 255 below 1, so posterize at 8 bits and solarize at threshold 1 change nothing.
  // Auto-contrast and equalize take no magnitude and are left out.
  const base = Float32Array.from({ length: 6 * 6 * 3 }, (_, i) => (i * 7 % 255) / 255);
  for (const candidate of RANDAUGMENT_OPERATIONS) {
    if (candidate.name === "auto_contrast" || candidate.name === "equalize") continue;
    const image = base.slice();
    candidate.apply(image, 6, 6, candidate.value(0, 6, 6));
    assert.deepEqual(image, base, candidate.name);
  }
});

Deno.test("sampleRandAugment draws N signed operations per image", () => {
  const batch = makeBatch(200, 8, 3);
  const operations = sampleRandAugment(batch, 2, 9, new Random(5));
  assert.equal(operations.length, 200);
  assert.ok(operations.every((steps) => steps.length === 2));
  const steps = operations.flat();
  assert.equal(new Set(steps.map((step) => step.name)).size, 14);
  const rotations = steps.filter((step) => step.name === "rotate").map((step) => step.value);
  assert.ok(rotations.every((value) => Math.abs(value) === 9));
  assert.ok(rotations.some((value) => value < 0) && rotations.some((value) => value > 0), "both signs");
  const unsigned = steps.filter((step) => step.name === "posterize" || step.name === "solarize");
  assert.ok(unsigned.every((step) => step.value > 0));
});

Deno.test("applyRandAugment rejects bad operation lists", () => {
  const batch = makeBatch(2, 4, 2);
  assert.throws(() => applyRandAugment(batch, [[]]), /operations for 1 images, expected 2/);
  assert.throws(
    () => applyRandAugment(batch, [[{ name: "blur", value: 1 }], []]),
    /Unknown RandAugment operation "blur"; valid ones: identity, shear_x/,
  );
});

Deno.test("randaugment keeps shape and range, with one-hot targets", () => {
  const batch = makeBatch(16, 8, 4);
  const before = batch.pixels.slice();
  const method = createMethod("randaugment", { ...DEFAULT_METHOD_OPTIONS, randAugmentMagnitude: 30 });
  const record = method.augment(batch, new Random(2));
  assert.equal(batch.pixels.length, before.length);
  assertUnitRange(batch.pixels);
  assert.notDeepEqual(batch.pixels, before);
  assert.equal(record.operations!.length, 16);
  const targets = method.targets(batch, record);
  assertTargetRows(targets, batch);
  assert.ok(targets.every((value) => value === 0 || value === 1));
});

Deno.test("randaugment with N 0 keeps images", () => {
  const batch = makeBatch(4, 8, 2);
  const before = batch.pixels.slice();
  const method = createMethod("randaugment", { ...DEFAULT_METHOD_OPTIONS, randAugmentNumOps: 0 });
  const record = method.augment(batch, new Random(2));
  assert.deepEqual(batch.pixels, before);
  assert.deepEqual(record.operations, [[], [], [], []]);
});

Deno.test("randaugment rejects magnitudes outside [0, 30]", () => {
  for (const magnitude of [31, -1, 4.5]) {
    assert.throws(
      () => createMethod("randaugment", { ...DEFAULT_METHOD_OPTIONS, randAugmentMagnitude: magnitude }),
      /Invalid RandAugment magnitude .*integer in \[0, 30\]/,
    );
  }
  assert.throws(
    () => createMethod("randaugment", { ...DEFAULT_METHOD_OPTIONS, randAugmentNumOps: -1 }),
    /Invalid RandAugment operation count -1/,
  );
});
