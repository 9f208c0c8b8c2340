import assert from "node:assert/strict";
import { Random } from "../engine/random.ts";
import {
  confidenceFromPsnr,
  measureConfidence,
  peakSignalToNoiseRatio,
  structuralSimilarity,
} from "./mod.ts";

function noiseImage(side: number, seed: number): Float32Array {
  const random = new Random(seed);
  return Float32Array.from({ length: side * side * 3 }, () => random.uniform());
}

Deno.test("structuralSimilarity is 1 for identical images", () => {
  const image = noiseImage(16, 1);

  assert.ok(Math.abs(structuralSimilarity(image, image, 16, 16) - 1) < 1e-12);
});

Deno.test("structuralSimilarity of two constant images is the luminance term", () => {
  // Constant images have zero variance, so SSIM = (2ab + C1) / (a^2 + b^2 + C1)
  // = (0.25 + 1e-4) / (0.3125 + 1e-4) = 0.800064 for a = 0.5, b = 0.25.
  const a = new Float32Array(8 * 8 * 3).fill(0.5);
  const b = new Float32Array(8 * 8 * 3).fill(0.25);

  assert.ok(Math.abs(structuralSimilarity(a, b, 8, 8) - 0.2501 / 0.3126) < 1e-7);
});

Deno.test("structuralSimilarity falls with noise and is symmetric", () => {
  const clean = noiseImage(32, 2);
  const random = new Random(3);
  const noisy = (sigma: number) =>
    clean.map((value) => Math.min(1, Math.max(0, value + sigma * random.normal())));
  const light = noisy(0.05);
  const heavy = noisy(0.3);

  assert.ok(structuralSimilarity(clean, light, 32, 32) > structuralSimilarity(clean, heavy, 32, 32));
  assert.ok(
    Math.abs(structuralSimilarity(clean, heavy, 32, 32) - structuralSimilarity(heavy, clean, 32, 32)) < 1e-12,
  );
  assert.ok(structuralSimilarity(clean, noiseImage(32, 9), 32, 32) < 0.1);
});

Deno.test("structuralSimilarity works on images smaller than the window", () => {
  const image = noiseImage(3, 4);
  const shifted = image.map((value) => value * 0.5);

  const ssim = structuralSimilarity(image, shifted, 3, 3);

  assert.ok(Number.isFinite(ssim));
  assert.ok(ssim < 1);
  assert.ok(Math.abs(structuralSimilarity(image, image, 3, 3) - 1) < 1e-12);
  assert.throws(() => structuralSimilarity(image, image, 4, 4), /expected 48 values \(4 x 4 x 3\), got 27/);
});

Deno.test("peakSignalToNoiseRatio hand-computed", () => {
  // MSE 0.01 gives 10 log10(100) = 20 dB. Values outside [0, 1] are clamped first.
  assert.ok(
    Math.abs(peakSignalToNoiseRatio(Float32Array.of(0.5, 0.5), Float32Array.of(0.6, 0.4)) - 20) < 1e-5,
  );
  assert.equal(peakSignalToNoiseRatio(Float32Array.of(0.5), Float32Array.of(0.5)), Infinity);
  assert.equal(peakSignalToNoiseRatio(Float32Array.of(1), Float32Array.of(2)), Infinity);
  assert.ok(Math.abs(peakSignalToNoiseRatio(Float32Array.of(0), Float32Array.of(1))) < 1e-12);
  assert.throws(() => peakSignalToNoiseRatio(Float32Array.of(1), Float32Array.of()), /got 1 and 0/);
});

Deno.test("confidenceFromPsnr maps 10 to 40 dB onto 0 to 1", () => {
  assert.equal(confidenceFromPsnr(10), 0);
  assert.equal(confidenceFromPsnr(5), 0);
  assert.ok(Math.abs(confidenceFromPsnr(20) - 1 / 3) < 1e-12);
  assert.equal(confidenceFromPsnr(40), 1);
  assert.equal(confidenceFromPsnr(Infinity), 1);
  assert.equal(confidenceFromPsnr(Number.NaN), 0);
});

Deno.test("measureConfidence dispatches and clamps each measure", () => {
  const clean = noiseImage(8, 5);
  const unrelated = noiseImage(8, 6);

  for (const measure of ["nmi", "ssim", "psnr"] as const) {
    assert.ok(Math.abs(measureConfidence(measure, clean, clean, 8, 8, 16) - 1) < 1e-9, measure);
    const value = measureConfidence(measure, clean, unrelated, 8, 8, 16);
    assert.ok(value >= 0, `${measure}: ${value}`);
    assert.ok(value < 1, `${measure}: ${value}`);
  }
  // Inverting the image gives a negative SSIM, clamped to 0.
  const inverted = clean.map((value) => 1 - value);
  assert.equal(measureConfidence("ssim", clean, inverted, 8, 8, 16), 0);
  assert.throws(
    () => measureConfidence("mse" as "nmi", clean, clean, 8, 8, 16),
    /Unknown confidence measure "mse"; use one of nmi, ssim, psnr/,
  );
});
