import assert from "node:assert/strict";
import { Random } from "../engine/random.ts";
import { assertTargetRows, assertUnitRange, makeBatch } from "./_test_support.ts";
import { measureConfidence } from "../confidence/mod.ts";
import { DEFAULT_METHOD_OPTIONS, describeMethodOptions } from "./options.ts";
import { createMethod, listCompositions, listMethods, parseMethodList } from "./registry.ts";

Deno.test("registry lists the foundation methods", () => {
  for (const name of ["hard", "distort_hard", "mi_adaptive"]) assert.ok(listMethods().includes(name));
  assert.deepEqual(parseMethodList("all"), [
    ...listMethods(),
    "randaugment+mi_adaptive",
    "randaugment+label_smoothing",
    "mixup+mi_adaptive",
  ]);
  assert.deepEqual(parseMethodList("hard, mi_adaptive,hard"), ["hard", "mi_adaptive"]);
});

Deno.test("registry rejects unknown methods with the list", () => {
  assert.throws(
    () => parseMethodList("hard,mixupp"),
    /Unknown method "mixupp".*hard, distort_hard, mi_adaptive/,
  );
  assert.throws(() => createMethod("nope", DEFAULT_METHOD_OPTIONS), /Valid methods/);
  assert.throws(() => parseMethodList(" , "), /No method given/);
});

Deno.test("hard leaves pixels and gives one-hot targets", () => {
  const batch = makeBatch(4, 8, 3);
  const before = batch.pixels.slice();
  const method = createMethod("hard", DEFAULT_METHOD_OPTIONS);
  const record = method.augment(batch, new Random(0));
  assert.deepEqual(batch.pixels, before);
  const targets = method.targets(batch, record);
  assert.deepEqual([...targets.subarray(0, 6)], [1, 0, 0, 0, 1, 0]);
});

Deno.test("distort_hard distorts with one-hot targets", () => {
  const batch = makeBatch(8, 16, 3);
  const before = batch.pixels.slice();
  const method = createMethod("distort_hard", DEFAULT_METHOD_OPTIONS);
  const record = method.augment(batch, new Random(0));
  assert.notDeepEqual(batch.pixels, before);
  assert.equal(record.distortions!.length, 8);
  assert.equal(record.nmi, undefined);
  const targets = method.targets(batch, record);
  assert.ok(targets.every((value) => value === 0 || value === 1));
});

Deno.test("mi_adaptive epsilon follows the NMI", () => {
  const batch = makeBatch(16, 16, 10);
  const method = createMethod("mi_adaptive", DEFAULT_METHOD_OPTIONS);
  const record = method.augment(batch, new Random(4));
  const targets = method.targets(batch, record);
  for (let i = 0; i < batch.size; i++) {
    const epsilon = record.epsilon![i];
    assert.ok(Math.abs(epsilon - Math.min(0.9, 1 - record.nmi![i])) < 1e-6);
    const row = targets.subarray(i * 10, (i + 1) * 10);
    assert.ok(Math.abs(row[batch.labels[i]] - (1 - epsilon)) < 1e-6);
    assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    assert.ok(record.levels![i] >= 0);
    assert.ok(record.levels![i] < 1);
  }
  assert.ok(record.epsilon!.some((epsilon) => epsilon > 0));
});

Deno.test("mi_adaptive with SSIM or PSNR takes epsilon from that confidence", () => {
  for (const confidence of ["ssim", "psnr"] as const) {
    const batch = makeBatch(8, 16, 10);
    const clean = batch.pixels.slice();
    const method = createMethod("mi_adaptive", { ...DEFAULT_METHOD_OPTIONS, confidence });
    const record = method.augment(batch, new Random(4));
    const pixels = 16 * 16 * 3;
    assert.equal(record.nmi, undefined);
    for (let i = 0; i < batch.size; i++) {
      const before = clean.subarray(i * pixels, (i + 1) * pixels);
      const after = batch.pixels.subarray(i * pixels, (i + 1) * pixels);
      const expected = measureConfidence(confidence, before, after, 16, 16, 64);
      assert.ok(Math.abs(record.confidence![i] - expected) < 1e-6, `${confidence} image ${i}`);
      assert.ok(Math.abs(record.epsilon![i] - Math.min(0.9, 1 - expected)) < 1e-6);
    }
  }
  assert.match(
    describeMethodOptions("mi_adaptive", { ...DEFAULT_METHOD_OPTIONS, confidence: "psnr" }).join(", "),
    /confidence psnr/,
  );
  assert.deepEqual(describeMethodOptions("mi_adaptive", DEFAULT_METHOD_OPTIONS), []);
  assert.throws(
    () => createMethod("mi_adaptive", { ...DEFAULT_METHOD_OPTIONS, confidence: "mse" as "nmi" }),
    /Unknown confidence measure "mse"; use one of nmi, ssim, psnr/,
  );
});

Deno.test("mi_adaptive with probability 0 keeps images", () => {
  const batch = makeBatch(4, 8, 3);
  const before = batch.pixels.slice();
  const method = createMethod("mi_adaptive", { ...DEFAULT_METHOD_OPTIONS, distortionProbability: 0 });
  const record = method.augment(batch, new Random(2));
  assert.deepEqual(batch.pixels, before);
  assert.deepEqual([...record.epsilon!], [0, 0, 0, 0]);
});

Deno.test("methods repeat for the same seed", () => {
  const first = makeBatch(6, 12, 5);
  const second = makeBatch(6, 12, 5);
  const method = createMethod("mi_adaptive", DEFAULT_METHOD_OPTIONS);
  const recordA = method.augment(first, new Random(8));
  const recordB = method.augment(second, new Random(8));
  assert.deepEqual(first.pixels, second.pixels);
  assert.deepEqual(recordA.epsilon, recordB.epsilon);
});

Deno.test("method options are validated", () => {
  assert.throws(
    () => createMethod("mi_adaptive", { ...DEFAULT_METHOD_OPTIONS, distortionProbability: 1.5 }),
    /\[0, 1\]/,
  );
  assert.throws(
    () => createMethod("mi_adaptive", { ...DEFAULT_METHOD_OPTIONS, distortions: ["smudge" as "blur"] }),
    /Unknown distortion "smudge"/,
  );
  assert.throws(
    () => createMethod("mi_adaptive", { ...DEFAULT_METHOD_OPTIONS, smoothingConvention: "k+1" as "k" }),
    /smoothing convention/,
  );
});

Deno.test("all lists the baselines", () => {
  for (const name of ["label_smoothing", "mixup", "cutmix", "randaugment"]) {
    assert.ok(parseMethodList("all").includes(name), name);
  }
});

Deno.test("every method repeats for the same seed", () => {
  for (const name of [...listMethods(), ...listCompositions()]) {
    const first = makeBatch(6, 12, 4);
    const second = makeBatch(6, 12, 4);
    const method = createMethod(name, DEFAULT_METHOD_OPTIONS);
    const recordA = method.augment(first, new Random(9));
    const recordB = method.augment(second, new Random(9));
    assert.deepEqual(first.pixels, second.pixels, name);
    assert.deepEqual(recordA, recordB, name);
    assert.equal(first.pixels.length, 6 * 12 * 12 * 3, name);
    assertUnitRange(first.pixels);
    assertTargetRows(method.targets(first, recordA), first);
  }
});
