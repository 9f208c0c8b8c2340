/**
 * WebAssembly text of the NMI kernel's pixel passes, written out by code because the
 * loops are unrolled: 12 values (4 RGB pixels) per iteration, as three 4-lane vectors.
 *
 * `deno task build-nmi-kernel` assembles this text into `nmi/_kernel_wasm.ts`, and a
 * test checks that the two agree. The module imports its memory as `env.memory`. All
 * addresses are byte offsets into it, and it exports four functions:
 *
 * - `countLarge(clean, degraded, pixels, bins, joint)` adds each value pair of the
 *   three channels to its joint cell (Int32 counts, channel c's bins x bins cells
 *   after c of them, row = clean bin), like `countLargeImage` in `_typescript_pass.ts`.
 * - `countSmall(clean, degraded, pixels, bins, joint, marginals, increase, sums)` does
 *   the same and also counts the marginals, like `countSmallImage`. They are Int32:
 *   the clean count of bin b in channel c at entry 8b + 2c, the degraded one after it.
 *   For each increment it adds `increase[count before]` (float64) to its channel's
 *   sum. The three sums are float64 at `sums`, which it reads first and writes back,
 *   so an image can be counted in chunks of whole pixels. It adds in the same order as
 *   `countSmallImage`, so its sums are the same floats.
 * - `smallSums` and `smallSumsPowerOfTwo` do all the counting of a small image in one
 *   call, with Uint16 histograms (see `_kernel_wat_sums.ts`).
 *
 * Bins are computed as in `exactBin`: min(bins - 1, max(0, trunc(v * bins))) with the
 * product in float64, which is exact for a float32 v, and NaN truncated to 0. Only
 * `smallSumsPowerOfTwo` multiplies in float32, which is exact for a power-of-two bin
 * count.
 *
 * @module
 */

import {
  COMMON_LOCALS,
  commonSetup,
  countScalarValue,
  countValue,
  increment,
  LANE_CHANNELS,
  laneOffsets,
  scalarLoop,
  VECTOR_BYTES,
  vectorBins,
  vectorLoop,
} from "./_kernel_wat_parts.ts";
import { smallSumsFunction } from "./_kernel_wat_sums.ts";

/** Bytes of one channel's Int32 joint histogram, bins x bins cells. */
const U32_CHANNEL_BYTES = "(i32.shl (i32.mul (local.get $bins) (local.get $bins)) (i32.const 2))";

/** Byte offset of a value's Int32 cell in its channel's histogram, from $cleanBin and $degradedBin. */
const U32_CELL_OFFSET =
  "(i32.shl (i32.add (i32.mul (local.get $cleanBin) (local.get $bins)) (local.get $degradedBin)) (i32.const 2))";

/** Returns statements that compute the bins of vector `vector` of the iteration into $x and $y. */
function loadBins(vector: number): string {
  const offset = vector * VECTOR_BYTES;
  return `(local.set $x ${vectorBins(`offset=${offset} (local.get $cleanAt)`)})
    (local.set $y ${vectorBins(`offset=${offset} (local.get $degradedAt)`)})
    (local.set $cells (i32x4.add (local.get $jointOffsets${vector})
      (i32x4.shl (i32x4.add (i32x4.mul (local.get $x) (local.get $binsVector)) (local.get $y)) (i32.const 2))))`;
}

/** Returns the body of one `countLarge` iteration for vector `vector`. */
function largeVector(vector: number): string {
  const lanes = [0, 1, 2, 3].map((lane) => increment(`(i32x4.extract_lane ${lane} (local.get $cells))`));
  return [loadBins(vector), ...lanes].join("\n    ");
}

/**
 * Returns statements that add 1 to the joint cell at `cellAddress`, add the increase
 * of its count to the sum of `channel`, and add 1 to the marginal counts at
 * `cleanAddress` and `degradedAddress`.
 */
function smallValue(
  channel: number,
  cellAddress: string,
  cleanAddress: string,
  degradedAddress: string,
): string {
  return `${countValue(channel, cellAddress, "i32")}
    ${increment(cleanAddress)}
    ${increment(degradedAddress)}`;
}

/** Returns the body of one `countSmall` iteration for vector `vector`. */
function smallVector(vector: number): string {
  const statements = [
    loadBins(vector),
    `(local.set $cleanMarginals (i32x4.add (local.get $marginalOffsets${vector}) (i32x4.shl (local.get $x) (i32.const 5))))`,
    `(local.set $degradedMarginals (i32x4.add (local.get $marginalOffsets${vector})
      (i32x4.add (i32x4.shl (local.get $y) (i32.const 5)) (v128.const i32x4 4 4 4 4))))`,
  ];
  for (let lane = 0; lane < 4; lane++) {
    statements.push(smallValue(
      LANE_CHANNELS[vector][lane],
      `(i32x4.extract_lane ${lane} (local.get $cells))`,
      `(i32x4.extract_lane ${lane} (local.get $cleanMarginals))`,
      `(i32x4.extract_lane ${lane} (local.get $degradedMarginals))`,
    ));
  }
  return statements.join("\n    ");
}

function countLargeFunction(): string {
  return `(func (export "countLarge")
    (param $clean i32) (param $degraded i32) (param $pixels i32) (param $bins i32) (param $joint i32)
    ${COMMON_LOCALS}
    ${commonSetup(U32_CHANNEL_BYTES)}
    ${vectorLoop([0, 1, 2].map(largeVector).join("\n    "))}
    ${scalarLoop(increment("(local.get $cell)"), U32_CELL_OFFSET)})`;
}

function countSmallFunction(): string {
  // The scalar values after the vector loop add to the sums in memory, in value order.
  const scalarBody = `${countScalarValue("i32", "(local.get $sums)", 8)}
        ${increment(marginalAddress("(local.get $cleanBin)", 0))}
        ${increment(marginalAddress("(local.get $degradedBin)", 4))}`;
  return `(func (export "countSmall")
    (param $clean i32) (param $degraded i32) (param $pixels i32) (param $bins i32) (param $joint i32)
    (param $marginals i32) (param $increase i32) (param $sums i32)
    ${COMMON_LOCALS} (local $count i32)
    (local $marginalOffsets0 v128) (local $marginalOffsets1 v128) (local $marginalOffsets2 v128)
    (local $cleanMarginals v128) (local $degradedMarginals v128)
    (local $sum0 f64) (local $sum1 f64) (local $sum2 f64)
    ${commonSetup(U32_CHANNEL_BYTES)}
    ;; The sums go on from the values in memory, so that an image counted in chunks
    ;; adds in the same order as in one call.
    (local.set $sum0 (f64.load offset=0 (local.get $sums)))
    (local.set $sum1 (f64.load offset=8 (local.get $sums)))
    (local.set $sum2 (f64.load offset=16 (local.get $sums)))
    ${
    [0, 1, 2].map((v) =>
      `(local.set $marginalOffsets${v} ${laneOffsets(v, "(i32.const 8)", "(local.get $marginals)")})`
    ).join("\n    ")
  }
    ${vectorLoop([0, 1, 2].map(smallVector).join("\n    "))}
    (f64.store offset=0 (local.get $sums) (local.get $sum0))
    (f64.store offset=8 (local.get $sums) (local.get $sum1))
    (f64.store offset=16 (local.get $sums) (local.get $sum2))
    ${scalarLoop(scalarBody, U32_CELL_OFFSET)})`;
}

/** Returns the byte address of the marginal count of `bin` in $channel, clean at 0 or degraded at 4 bytes. */
function marginalAddress(bin: string, side: 0 | 4): string {
  return `(i32.add (i32.add (local.get $marginals) (i32.shl ${bin} (i32.const 5)))
          (i32.add (i32.shl (local.get $channel) (i32.const 3)) (i32.const ${side})))`;
}

/** Returns the WebAssembly text of the kernel module. */
export function kernelWat(): string {
  return `(module
  (import "env" "memory" (memory 1))
  ${countLargeFunction()}
  ${countSmallFunction()}
  ${smallSumsFunction(false)}
  ${smallSumsFunction(true)})
`;
}
