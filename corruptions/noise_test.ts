import assert from "node:assert/strict";
import { Random } from "../engine/random.ts";
import {
  GAUSSIAN_NOISE_SIGMAS,
  gaussianNoise,
  IMPULSE_NOISE_AMOUNTS,
  impulseNoise,
  SHOT_NOISE_SCALES,
  shotNoise,
  SPECKLE_NOISE_SIGMAS,
  speckleNoise,
} from "./noise.ts";
import { logFactorial, samplePoisson } from "./_poisson.ts";
import { SEVERITIES, type Severity } from "./_params.ts";
import { constantImage, meanAndDeviation } from "./_testing.ts";

const SIDE = 64;
const gray = constantImage(SIDE, SIDE, [0.5, 0.5, 0.5]);

/** Returns output - input per value. */
function differences(output: Float32Array, input: Float32Array): Float64Array {
  return Float64Array.from(output, (value, i) => value - input[i]);
}

Deno.test("severity tables match CIFAR-10-C", () => {
  assert.deepEqual(GAUSSIAN_NOISE_SIGMAS, [0.04, 0.06, 0.08, 0.09, 0.1]);
  assert.deepEqual(SHOT_NOISE_SCALES, [500, 250, 100, 75, 50]);
  assert.deepEqual(IMPULSE_NOISE_AMOUNTS, [0.01, 0.02, 0.03, 0.05, 0.07]);
  assert.deepEqual(SPECKLE_NOISE_SIGMAS, [0.06, 0.1, 0.12, 0.16, 0.2]);
});

Deno.test("gaussianNoise has mean 0 and the table sigma", () => {
  for (const severity of SEVERITIES) {
    const sigma = GAUSSIAN_NOISE_SIGMAS[severity - 1];
    const { mean, deviation } = meanAndDeviation(
      differences(gaussianNoise(gray, SIDE, SIDE, severity, new Random(1)), gray),
    );
    // 12288 values: the sample mean has standard error sigma / 111, the deviation about sigma / 157.
    assert.ok(Math.abs(mean) < (5 * sigma) / 111, `severity ${severity}: mean ${mean}`);
    assert.ok(Math.abs(deviation / sigma - 1) < 0.04, `severity ${severity}: deviation ${deviation}`);
  }
});

Deno.test("speckleNoise scales with the value", () => {
  for (const severity of SEVERITIES) {
    const sigma = SPECKLE_NOISE_SIGMAS[severity - 1];
    const dark = constantImage(SIDE, SIDE, [0.2, 0.2, 0.2]);
    const darkSpread = meanAndDeviation(
      differences(speckleNoise(dark, SIDE, SIDE, severity, new Random(2)), dark),
    );
    const graySpread = meanAndDeviation(
      differences(speckleNoise(gray, SIDE, SIDE, severity, new Random(2)), gray),
    );
    assert.ok(
      Math.abs(darkSpread.deviation / (0.2 * sigma) - 1) < 0.04,
      `severity ${severity}: dark ${darkSpread.deviation}`,
    );
    assert.ok(
      Math.abs(graySpread.deviation / (0.5 * sigma) - 1) < 0.04,
      `severity ${severity}: gray ${graySpread.deviation}`,
    );
  }
  const black = constantImage(4, 4, [0, 0, 0]);
  assert.deepEqual(speckleNoise(black, 4, 4, 5, new Random(3)), black);
});

Deno.test("shotNoise has Poisson mean and variance", () => {
  for (const severity of SEVERITIES) {
    const scale = SHOT_NOISE_SCALES[severity - 1];
    const output = shotNoise(gray, SIDE, SIDE, severity, new Random(4));
    const { mean, deviation } = meanAndDeviation(output);
    const expectedDeviation = Math.sqrt(0.5 / scale);
    assert.ok(Math.abs(mean - 0.5) < (5 * expectedDeviation) / 111, `severity ${severity}: mean ${mean}`);
    assert.ok(
      Math.abs(deviation / expectedDeviation - 1) < 0.05,
      `severity ${severity}: deviation ${deviation}`,
    );
    // Every output is a count divided by the scale, up to float32 rounding.
    for (const value of output) {
      assert.ok(Math.abs(value * scale - Math.round(value * scale)) < 1e-4, `${value}`);
    }
  }
  const black = constantImage(4, 4, [0, 0, 0]);
  assert.deepEqual(shotNoise(black, 4, 4, 5, new Random(5)), black);
});

Deno.test("impulseNoise replaces the table fraction", () => {
  for (const severity of SEVERITIES) {
    const amount = IMPULSE_NOISE_AMOUNTS[severity - 1];
    const output = impulseNoise(gray, SIDE, SIDE, severity, new Random(6));
    let salt = 0;
    let pepper = 0;
    for (const value of output) {
      if (value === 1) salt++;
      else if (value === 0) pepper++;
      else assert.equal(value, 0.5);
    }
    const count = output.length;
    const standardError = Math.sqrt(count * amount * (1 - amount));
    assert.ok(
      Math.abs(salt + pepper - count * amount) < 5 * standardError,
      `severity ${severity}: ${salt + pepper}`,
    );
    assert.ok(
      Math.abs(salt - pepper) < 5 * Math.sqrt(salt + pepper),
      `severity ${severity}: ${salt} vs ${pepper}`,
    );
  }
});

Deno.test("noise functions reject bad input", () => {
  const badSeverity = 6 as Severity;
  assert.throws(
    () => gaussianNoise(gray, SIDE, SIDE, badSeverity, new Random(1)),
    /gaussianNoise: invalid severity 6/,
  );
  assert.throws(() => shotNoise(gray, SIDE, SIDE - 1, 1, new Random(1)), /shotNoise: image length/);
});

Deno.test("logFactorial matches a direct sum", () => {
  for (const k of [0, 1, 5, 19, 20, 21, 50, 170, 1000]) {
    let direct = 0;
    for (let i = 2; i <= k; i++) direct += Math.log(i);
    assert.ok(
      Math.abs(logFactorial(k) - direct) <= 1e-12 * Math.max(1, direct),
      `k=${k}: ${logFactorial(k)} vs ${direct}`,
    );
  }
});

Deno.test("samplePoisson has the Poisson mean and variance", () => {
  const random = new Random(7);
  const draws = 40000;
  for (const rate of [0.3, 4, 9.99, 10, 37, 250, 500]) {
    const samples = Float64Array.from({ length: draws }, () => samplePoisson(rate, random));
    for (const sample of samples) {
      assert.ok(Number.isInteger(sample), `rate ${rate}: ${sample}`);
      assert.ok(sample >= 0, `rate ${rate}: ${sample}`);
    }
    const { mean, deviation } = meanAndDeviation(samples);
    assert.ok(Math.abs(mean - rate) < (5 * Math.sqrt(rate)) / Math.sqrt(draws), `rate ${rate}: mean ${mean}`);
    assert.ok(Math.abs(deviation ** 2 / rate - 1) < 0.04, `rate ${rate}: variance ${deviation ** 2}`);
  }
});

Deno.test("samplePoisson matches the probability mass", () => {
  // Rate 12 uses the rejection sampler. Compare the frequency of k = 8 .. 16 with the pmf.
  const random = new Random(8);
  const draws = 50000;
  const counts = new Map<number, number>();
  for (let i = 0; i < draws; i++) {
    const k = samplePoisson(12, random);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  for (let k = 8; k <= 16; k++) {
    const probability = Math.exp(-12 + k * Math.log(12) - logFactorial(k));
    const expected = draws * probability;
    const observed = counts.get(k) ?? 0;
    assert.ok(Math.abs(observed - expected) < 5 * Math.sqrt(expected), `k=${k}: ${observed} vs ${expected}`);
  }
});

Deno.test("samplePoisson handles rate 0 and rejects bad rates", () => {
  assert.equal(samplePoisson(0, new Random(1)), 0);
  assert.throws(() => samplePoisson(-1, new Random(1)), /rate must be a finite number >= 0, got -1/);
  assert.throws(() => samplePoisson(Infinity, new Random(1)), /got Infinity/);
});
