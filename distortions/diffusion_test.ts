import assert from "node:assert/strict";
import { Random } from "../engine/random.ts";
import {
  applyDiffusionNoise,
  DIFFUSION_BETA_END,
  DIFFUSION_BETA_START,
  DIFFUSION_STEPS,
  diffusionAlphaBar,
  diffusionStep,
  linearAlphaBarSchedule,
} from "./diffusion.ts";
import { meanSquaredError, noiseImage, valueRange } from "./_testing.ts";

Deno.test("linearAlphaBarSchedule follows the linear betas", () => {
  const alphaBar = linearAlphaBarSchedule();
  assert.equal(alphaBar.length, DIFFUSION_STEPS);
  assert.equal(alphaBar[0], 1 - DIFFUSION_BETA_START);

  const secondBeta = DIFFUSION_BETA_START +
    (DIFFUSION_BETA_END - DIFFUSION_BETA_START) / (DIFFUSION_STEPS - 1);
  assert.ok(Math.abs(alphaBar[1] - (1 - DIFFUSION_BETA_START) * (1 - secondBeta)) < 1e-15);
  const lastRatio = alphaBar[DIFFUSION_STEPS - 1] / alphaBar[DIFFUSION_STEPS - 2];
  assert.ok(Math.abs(lastRatio - (1 - DIFFUSION_BETA_END)) < 1e-12);
  for (let t = 1; t < alphaBar.length; t++) assert.ok(alphaBar[t] < alphaBar[t - 1]);
  assert.ok(alphaBar[DIFFUSION_STEPS - 1] > 0);
});

Deno.test("linearAlphaBarSchedule rejects bad arguments", () => {
  assert.throws(() => linearAlphaBarSchedule(0), /steps must be an integer >= 1, got 0/);
  assert.throws(() => linearAlphaBarSchedule(10, 0), /betaStart must be in \(0, 1\), got 0/);
  assert.throws(() => linearAlphaBarSchedule(10, 1e-4, 1), /betaEnd must be in \(0, 1\), got 1/);
  assert.deepEqual(Array.from(linearAlphaBarSchedule(1, 0.5, 0.9)), [0.5]);
});

Deno.test("diffusionAlphaBar reads the default table", () => {
  const alphaBar = linearAlphaBarSchedule();
  for (const t of [0, 1, 500, 999]) assert.equal(diffusionAlphaBar(t), alphaBar[t]);
  assert.throws(() => diffusionAlphaBar(1000), /step must be an integer in \[0, 999\], got 1000/);
  assert.throws(() => diffusionAlphaBar(0.5), /got 0.5/);
});

Deno.test("diffusionStep maps levels to steps", () => {
  assert.equal(diffusionStep(0), 0);
  assert.equal(diffusionStep(1), 999);
  assert.equal(diffusionStep(0.5), 500);
  assert.equal(diffusionStep(0.25), 250);
  assert.throws(() => diffusionStep(NaN), /level must be a number in \[0, 1\], got NaN/);
});

Deno.test("diffusion at level 0 adds noise of std 0.01", () => {
  const image = new Float32Array(64 * 64 * 3).fill(0.5);
  const output = applyDiffusionNoise(image, 64, 64, 0, new Random(1));
  const signalScale = Math.sqrt(diffusionAlphaBar(0));
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < output.length; i++) {
    const noise = output[i] - signalScale * image[i];
    sum += noise;
    squares += noise * noise;
  }
  const mean = sum / output.length;
  const std = Math.sqrt(squares / output.length - mean * mean);
  assert.ok(Math.abs(mean) < 0.001, `noise mean ${mean}`);
  assert.ok(Math.abs(std - 0.01) < 0.0005, `noise std ${std}`);
});

Deno.test("diffusion degrades more at higher levels", () => {
  const image = noiseImage(16, 16, 2);
  const errors = [0, 0.25, 0.5, 1].map((level) =>
    meanSquaredError(image, applyDiffusionNoise(image, 16, 16, level, new Random(3)))
  );
  for (let i = 1; i < errors.length; i++) {
    assert.ok(errors[i] > errors[i - 1], `errors did not rise: ${errors.join(", ")}`);
  }
});

Deno.test("diffusion keeps near-white values near 1", () => {
  for (const value of [1, 254.5 / 255]) {
    const image = new Float32Array(32 * 32 * 3).fill(value);
    const { min, max } = valueRange(applyDiffusionNoise(image, 32, 32, 0, new Random(4)));
    assert.ok(min > 0.9, `min ${min} for input ${value}`);
    assert.ok(max <= 1);
  }
});

Deno.test("diffusion draws its noise from the generator", () => {
  const image = noiseImage(8, 8, 5);
  const first = applyDiffusionNoise(image, 8, 8, 0.4, new Random(6));
  const second = applyDiffusionNoise(image, 8, 8, 0.4, new Random(6));
  const other = applyDiffusionNoise(image, 8, 8, 0.4, new Random(7));
  assert.deepEqual(first, second);
  assert.notDeepEqual(first, other);
});
