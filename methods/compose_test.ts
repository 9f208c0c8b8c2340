import assert from "node:assert/strict";
import { Random } from "../engine/random.ts";
import { assertNear, assertTargetRows, makeBatch } from "./_test_support.ts";
import { composeMethods } from "./compose.ts";
import { mixupPixels } from "./mixup/mod.ts";
import { DEFAULT_METHOD_OPTIONS } from "./options.ts";
import { createMethod, listCompositions, methodNameForRunId, parseMethodList } from "./registry.ts";

Deno.test("compositions include the required three", () => {
  for (const name of ["randaugment+mi_adaptive", "randaugment+label_smoothing", "mixup+mi_adaptive"]) {
    assert.ok(listCompositions().includes(name), name);
  }
  assert.deepEqual(parseMethodList("randaugment+mi_adaptive, hard"), ["randaugment+mi_adaptive", "hard"]);
});

Deno.test("invalid combinations are rejected with the list", () => {
  for (
    const name of [
      "mi_adaptive+randaugment",
      "mixup+hard",
      "mixup+cutmix",
      "randaugment+mixup+mi_adaptive",
      "foo+mi_adaptive",
    ]
  ) {
    assert.throws(
      () => parseMethodList(`hard,${name}`),
      (error: Error) =>
        error.message.includes(`Invalid method combination "${name}"`) &&
        error.message.includes("Valid combinations: ") &&
        error.message.includes("randaugment+mi_adaptive"),
      name,
    );
  }
  assert.throws(() => createMethod("mixup+hard", DEFAULT_METHOD_OPTIONS), /Invalid method combination/);
});

Deno.test("randaugment+mi_adaptive records both stages", () => {
  const batch = makeBatch(8, 16, 10);
  const method = createMethod("randaugment+mi_adaptive", DEFAULT_METHOD_OPTIONS);
  const record = method.augment(batch, new Random(3));
  assert.equal(record.operations!.length, 8);
  assert.equal(record.distortions!.length, 8);
  const targets = method.targets(batch, record);
  assertTargetRows(targets, batch);
  for (let i = 0; i < batch.size; i++) {
    assertNear(record.epsilon![i], Math.min(0.9, 1 - record.nmi![i]), 1e-6, `epsilon of image ${i}`);
    assertNear(targets[i * 10 + batch.labels[i]], 1 - record.epsilon![i], 1e-6, `true class of image ${i}`);
  }
});

Deno.test("randaugment+label_smoothing targets", () => {
  const batch = makeBatch(4, 8, 5);
  const method = createMethod("randaugment+label_smoothing", DEFAULT_METHOD_OPTIONS);
  const record = method.augment(batch, new Random(1));
  assert.equal(record.operations!.length, 4);
  const targets = method.targets(batch, record);
  // Epsilon 0.1 over K = 5 with k-1: 0.9 on the true class, 0.025 elsewhere.
  for (let i = 0; i < 4; i++) {
    for (let k = 0; k < 5; k++) {
      assertNear(targets[i * 5 + k], k === batch.labels[i] ? 0.9 : 0.025, 1e-7, `target ${i}, ${k}`);
    }
  }
});

Deno.test("mixup+mi_adaptive distorts, then mixes", () => {
  // The rule draws first, so mi_adaptive alone with the same seed draws the same distortions.
  const options = DEFAULT_METHOD_OPTIONS;
  const alone = makeBatch(6, 16, 3);
  const aloneRecord = createMethod("mi_adaptive", options).augment(alone, new Random(7));
  const batch = makeBatch(6, 16, 3);
  const method = createMethod("mixup+mi_adaptive", options);
  const record = method.augment(batch, new Random(7));
  assert.deepEqual(record.epsilon, aloneRecord.epsilon);
  mixupPixels(alone.pixels, 16 * 16 * 3, record.lambda![0], record.permutation!);
  assert.deepEqual(batch.pixels, alone.pixels);
  const targets = method.targets(batch, record);
  assertTargetRows(targets, batch);
  // Row i = l * smoothed(i) + (1 - l) * smoothed(partner), each with its own epsilon and K - 1 = 2.
  const lambda = record.lambda![0];
  for (let i = 0; i < batch.size; i++) {
    const partner = record.permutation![i];
    for (let k = 0; k < 3; k++) {
      const own = k === batch.labels[i] ? 1 - record.epsilon![i] : record.epsilon![i] / 2;
      const other = k === batch.labels[partner] ? 1 - record.epsilon![partner] : record.epsilon![partner] / 2;
      assertNear(targets[i * 3 + k], lambda * own + (1 - lambda) * other, 1e-6, `target ${i}, ${k}`);
    }
  }
});

Deno.test("composition rejects overlapping records", () => {
  const method = composeMethods(
    "label_smoothing+mi_adaptive",
    createMethod("label_smoothing", DEFAULT_METHOD_OPTIONS),
    createMethod("mi_adaptive", DEFAULT_METHOD_OPTIONS),
  );
  assert.throws(
    () => method.augment(makeBatch(2, 8, 2), new Random(0)),
    /both of its methods record "epsilon"/,
  );
});

Deno.test("methodNameForRunId maps + only", () => {
  assert.equal(methodNameForRunId("randaugment+mi_adaptive"), "randaugment-plus-mi_adaptive");
  assert.equal(methodNameForRunId("mi_adaptive"), "mi_adaptive");
  for (const name of listCompositions()) assert.match(methodNameForRunId(name), /^[a-z0-9_-]+$/);
});
