/**
 * Test helpers of the native backend's kernels: loads the backend where `deno task setup`
 * built it, and compares its outputs with the cpu backend's.
 *
 * @module
 */
import assert from "node:assert/strict";
import { selectBackend } from "./backend.ts";

let available: Promise<boolean> | undefined;

/** Returns whether the `tensorflow` backend starts here; registers it once as a side effect. */
export function nativeBackendAvailable(): Promise<boolean> {
  available ??= selectBackend("tensorflow").then(() => true, () => false);
  return available;
}

/** Asserts that two arrays have the same length and differ by at most `tolerance` everywhere. */
export function assertClose(
  actual: Float32Array,
  expected: Float32Array,
  tolerance: number,
  label: string,
): void {
  assert.equal(actual.length, expected.length, label);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(
      Math.abs(actual[i] - expected[i]) <= tolerance,
      `${label}[${i}]: ${actual[i]} vs ${expected[i]}`,
    );
  }
}
