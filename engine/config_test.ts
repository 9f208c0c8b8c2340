import assert from "node:assert/strict";
import { type RunConfig, runIdOf } from "./config.ts";
import { testRunConfig } from "./_config_test_support.ts";

function configOf(method: string, mixupAlpha: number): RunConfig {
  return testRunConfig(method, { mixupAlpha });
}

Deno.test("runIdOf ignores options a method does not read", () => {
  assert.equal(runIdOf(configOf("hard", 0.8), "data"), runIdOf(configOf("hard", 0.2), "data"));
  assert.equal(runIdOf(configOf("mi_adaptive", 0.8), "data"), runIdOf(configOf("mi_adaptive", 0.2), "data"));
});

Deno.test("runIdOf changes with options a method reads", () => {
  assert.notEqual(runIdOf(configOf("mixup", 0.8), "data"), runIdOf(configOf("mixup", 0.2), "data"));
  assert.notEqual(
    runIdOf(configOf("mixup+mi_adaptive", 0.8), "data"),
    runIdOf(configOf("mixup+mi_adaptive", 0.2), "data"),
  );
});

Deno.test("runIdOf spells + as -plus-", () => {
  assert.match(
    runIdOf(configOf("randaugment+mi_adaptive", 0.8), "data"),
    /^randaugment-plus-mi_adaptive__data__seed0__/,
  );
});

Deno.test("runIdOf keeps the ids of runs stored before the confidence option", () => {
  // Pinned ids: a change here means stored results would no longer be found.
  assert.equal(runIdOf(configOf("mi_adaptive", 0.8), "data"), "mi_adaptive__data__seed0__d52b0cba35");
  assert.equal(runIdOf(configOf("hard", 0.8), "data"), "hard__data__seed0__cea26bfbc4");
  const ssim = configOf("mi_adaptive", 0.8);
  ssim.methodOptions = { ...ssim.methodOptions, confidence: "ssim" };
  assert.notEqual(runIdOf(ssim, "data"), "mi_adaptive__data__seed0__d52b0cba35");
});
