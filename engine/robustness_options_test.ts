import assert from "node:assert/strict";
import { CORRUPTION_NAMES, HELD_OUT_CORRUPTIONS, TEST_CORRUPTIONS } from "../corruptions/mod.ts";
import { DISTORTION_NAMES } from "../distortions/mod.ts";
import { DEFAULT_DISTORTION_LEVELS } from "./robustness.ts";
import { parseRobustnessPlan } from "./robustness_options.ts";

Deno.test("parseRobustnessPlan defaults to everything", () => {
  const plan = parseRobustnessPlan();

  assert.deepEqual(plan.corruptions, CORRUPTION_NAMES);
  assert.equal(plan.corruptions.length, 19);
  assert.deepEqual(plan.distortions, DISTORTION_NAMES);
  assert.deepEqual(plan.distortionLevels, DEFAULT_DISTORTION_LEVELS);
  assert.equal(plan.valPerClass, 0);
});

Deno.test("parseRobustnessPlan reads groups, names and none", () => {
  assert.deepEqual(parseRobustnessPlan("test").corruptions, TEST_CORRUPTIONS);
  assert.deepEqual(parseRobustnessPlan("held_out").corruptions, HELD_OUT_CORRUPTIONS);
  assert.deepEqual(parseRobustnessPlan("none").corruptions, []);
  assert.deepEqual(parseRobustnessPlan("fog, saturate,fog").corruptions, ["fog", "saturate"]);
  const noLevels = parseRobustnessPlan(undefined, "none");
  assert.deepEqual(noLevels.distortionLevels, []);
  assert.deepEqual(noLevels.distortions, []);
  assert.deepEqual(parseRobustnessPlan(undefined, "0, 0.5,1").distortionLevels, [0, 0.5, 1]);
  assert.equal(parseRobustnessPlan(undefined, undefined, "25").valPerClass, 25);
});

Deno.test("parseRobustnessPlan rejects bad values with the fix", () => {
  assert.throws(
    () => parseRobustnessPlan("fogg"),
    /Unknown corruption "fogg" in --corruptions\. .*gaussian_noise, /,
  );
  assert.throws(() => parseRobustnessPlan(" , "), /Invalid --corruptions " , "/);
  assert.throws(() => parseRobustnessPlan(undefined, "0.5,1.5"), /"1\.5" is not a number in \[0, 1\]/);
  assert.throws(() => parseRobustnessPlan(undefined, "0.5,,0.7"), /"" is not a number in \[0, 1\]/);
  assert.throws(() => parseRobustnessPlan(undefined, "half"), /"half" is not a number/);
  assert.throws(() => parseRobustnessPlan(undefined, undefined, "-1"), /Invalid --robustness-per-class "-1"/);
  assert.throws(() => parseRobustnessPlan(undefined, undefined, "2.5"), /expected an integer >= 0/);
});
