import assert from "node:assert/strict";
import { Random } from "../engine/random.ts";
import { makeBatch } from "./_test_support.ts";
import { DEFAULT_METHOD_OPTIONS } from "./options.ts";
import { createMethod, listCompositions, parseMethodList, registerMethod } from "./registry.ts";
import { smoothedTargets } from "./targets.ts";

// Registered here, outside methods/registry.ts, the way a new method folder would be.
registerMethod("test_invert", () => ({
  name: "test_invert",
  augment(batch) {
    batch.pixels.forEach((value, i) => batch.pixels[i] = 1 - value);
    return {};
  },
  targets: (batch) => smoothedTargets(batch.labels, null, batch.numClasses, "k-1"),
}), "augmentation");

Deno.test("a method registered from a test file runs in all", () => {
  assert.ok(parseMethodList("all").includes("test_invert"));
  assert.ok(listCompositions().includes("test_invert+mi_adaptive"));
  const batch = makeBatch(2, 2, 2);
  const before = batch.pixels.slice();
  const method = createMethod("test_invert", DEFAULT_METHOD_OPTIONS);
  method.augment(batch, new Random(0));
  batch.pixels.forEach((value, i) => assert.ok(Math.abs(value - (1 - before[i])) < 1e-7));
});

Deno.test("registerMethod rejects bad and taken names", () => {
  const factory = () => createMethod("hard", DEFAULT_METHOD_OPTIONS);
  assert.throws(() => registerMethod("test_invert", factory), /already registered/);
  assert.throws(() => registerMethod("a+b", factory), /Invalid method name "a\+b"/);
});
