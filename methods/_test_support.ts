/**
 * Batches and checks shared by the method tests.
 *
 * @module
 */
import assert from "node:assert/strict";
import { Random } from "../engine/random.ts";
import type { ImageBatch } from "./types.ts";

/** Returns a batch of uniform random pixels in [0, 1) with labels i mod numClasses. */
export function makeBatch(size: number, side: number, numClasses: number, seed = 1): ImageBatch {
  const random = new Random(seed);
  const pixels = Float32Array.from({ length: size * side * side * 3 }, () => random.uniform());
  const labels = Int32Array.from({ length: size }, (_, i) => i % numClasses);
  return { pixels, labels, size, height: side, width: side, numClasses };
}

/** Asserts that `actual` is within `tolerance` of `expected`. */
export function assertNear(actual: number, expected: number, tolerance: number, label: string): void {
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `${label}: got ${actual}, expected ${expected} within ${tolerance}`,
  );
}

/** Asserts that targets have shape [size, numClasses], no negative value, and rows that sum to 1. */
export function assertTargetRows(targets: Float32Array, batch: ImageBatch): void {
  assert.equal(targets.length, batch.size * batch.numClasses);
  assert.ok(targets.every((value) => value >= 0), "no negative target");
  for (let i = 0; i < batch.size; i++) {
    const row = targets.subarray(i * batch.numClasses, (i + 1) * batch.numClasses);
    assertNear(row.reduce((sum, value) => sum + value, 0), 1, 1e-5, `sum of target row ${i}`);
  }
}

/** Asserts that every pixel value lies in [0, 1]. */
export function assertUnitRange(pixels: Float32Array): void {
  assert.ok(pixels.every((value) => value >= 0 && value <= 1), "pixel values in [0, 1]");
}
