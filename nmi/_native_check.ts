/**
 * A check that the loaded native pass adds the same float64 terms in the same order as
 * the other passes. Compiler flags in $CC that change floating-point arithmetic (such
 * as x87 math with `-mfpmath=387`) would give other floats, and the stamp file records
 * no flags, so the loader runs this once before it uses the library.
 *
 * @module
 */

import { buildCountLog2Count, buildIncrease } from "./_count_tables.ts";

const CHANNELS = 3;

/** The native pass's entry point, as `_native.ts` declares it. */
export type NativeSums = (
  clean: Float32Array,
  degraded: Float32Array,
  pixels: number,
  bins: number,
  countLog2Count: Float64Array,
  increase: Float64Array,
  scratch: Uint8Array,
  out: Float64Array,
) => number;

/** Returns `count` float32 values in [0, 1) from a fixed linear congruential sequence. */
function fixedValues(count: number, seed: number): Float32Array {
  const values = new Float32Array(count);
  let state = seed;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    values[i] = (state >>> 8) / 2 ** 24;
  }
  return values;
}

/**
 * Returns the five sums per channel that `mials_nmi_sums` writes, computed here with
 * the order of `_typescript_pass.ts`: increases in value order for small images, cells
 * in row order for the others, marginal bins in order. Values must lie in [0, 1).
 */
export function expectedSums(
  clean: Float32Array,
  degraded: Float32Array,
  bins: number,
  countLog2Count: Float64Array,
  increase: Float64Array,
): Float64Array {
  const pixels = clean.length / CHANNELS;
  const small = bins * bins > pixels;
  const out = new Float64Array(5 * CHANNELS);
  for (let channel = 0; channel < CHANNELS; channel++) {
    const joint = new Int32Array(bins * bins);
    let jointSum = 0;
    for (let i = channel; i < clean.length; i += CHANNELS) {
      const cell = Math.floor(clean[i] * bins) * bins + Math.floor(degraded[i] * bins);
      if (small) jointSum += increase[joint[cell]];
      joint[cell]++;
    }
    const rows = new Int32Array(bins);
    const columns = new Int32Array(bins);
    for (let cell = 0; cell < joint.length; cell++) {
      if (!small) jointSum += countLog2Count[joint[cell]];
      rows[Math.floor(cell / bins)] += joint[cell];
      columns[cell % bins] += joint[cell];
    }
    const record = 5 * channel;
    out[record] = jointSum;
    out[record + 1] = rows.reduce((sum, count) => sum + countLog2Count[count], 0);
    out[record + 2] = columns.reduce((sum, count) => sum + countLog2Count[count], 0);
    out[record + 3] = rows.filter((count) => count > 0).length;
    out[record + 4] = columns.filter((count) => count > 0).length;
  }
  return out;
}

/**
 * Runs `sums` on fixed images on both of its paths (32 x 32 pixels with 64 and 100
 * bins, 16 x 16 with 8) and returns why its floats differ from {@linkcode expectedSums},
 * or undefined when they are the same.
 */
export function nativeSumsProblem(
  sums: NativeSums,
  scratchBytes: (pixels: number, bins: number) => number,
): string | undefined {
  for (const [pixels, bins] of [[1024, 64], [1024, 100], [256, 8]]) {
    const clean = fixedValues(CHANNELS * pixels, pixels + bins);
    const degraded = fixedValues(CHANNELS * pixels, 7 * bins);
    const countLog2Count = buildCountLog2Count(pixels);
    const increase = buildIncrease(countLog2Count);
    const out = new Float64Array(5 * CHANNELS);
    const scratch = new Uint8Array(scratchBytes(pixels, bins));
    if (sums(clean, degraded, pixels, bins, countLog2Count, increase, scratch, out) !== 0) {
      return `it rejected ${pixels} pixels with ${bins} bins`;
    }
    const expected = expectedSums(clean, degraded, bins, countLog2Count, increase);
    const index = out.findIndex((value, i) => !Object.is(value, expected[i]));
    if (index >= 0) {
      return `its sum ${index} for ${pixels} pixels with ${bins} bins is ${out[index]}, not ${
        expected[index]
      }`;
    }
  }
  return undefined;
}
