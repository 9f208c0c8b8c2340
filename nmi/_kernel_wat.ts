/**
 * WebAssembly text of the NMI kernel's pixel passes, written out by code because the
 * loops are unrolled: 12 values (4 RGB pixels) per iteration, as three 4-lane vectors.
 *
 * `deno task build-nmi-kernel` assembles this text into `nmi/_kernel_wasm.ts`, and a
 * test checks that the two agree. The module imports its memory as `env.memory`. All
 * addresses are byte offsets into it, and it exports two functions:
 *
 * - `countLarge(clean, degraded, pixels, bins, joint)` adds each value pair of the
 *   three channels to its joint cell (Int32 counts, channel c's bins x bins cells
 *   after c of them, row = clean bin), like `countLargeImage` in `nmi.ts`.
 * - `countSmall(clean, degraded, pixels, bins, joint, marginals, increase, sums)` does
 *   the same and also counts the marginals, like `countSmallImage`. They are Int32:
 *   the clean count of bin b in channel c at entry 8b + 2c, the degraded one after it.
 *   For each increment it adds `increase[count before]` (float64) to its channel's
 *   sum. The three sums are float64 at `sums`, which it reads first and writes back,
 *   so an image can be counted in chunks of whole pixels. It adds in the same order as
 *   `countSmallImage`, so its sums are the same floats.
 *
 * Bins are computed as in `exactBin`: min(bins - 1, max(0, trunc(v * bins))) with the
 * product in float64, which is exact for a float32 v, and NaN truncated to 0.
 *
 * @module
 */

/** Channel of each lane of the three vectors of one iteration: value i is channel i mod 3. */
const LANE_CHANNELS = [
  [0, 1, 2, 0],
  [1, 2, 0, 1],
  [2, 0, 1, 2],
] as const;

/** Bytes of one vector of 4 float32 values. */
const VECTOR_BYTES = 16;

/** Returns an expression of the 4 bins of the float32 vector at byte address `address`. */
function vectorBins(address: string): string {
  // The float64 products of lanes 0-1 and 2-3 are truncated to int32 lanes 0-1 of two
  // vectors, which the outer shuffle joins.
  return `(i32x4.max_s
    (i32x4.min_s
      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
        (i32x4.trunc_sat_f64x2_s_zero
          (f64x2.mul (f64x2.promote_low_f32x4 (local.tee $values (v128.load ${address}))) (local.get $scale)))
        (i32x4.trunc_sat_f64x2_s_zero
          (f64x2.mul
            (f64x2.promote_low_f32x4
              (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $values) (local.get $values)))
            (local.get $scale))))
      (local.get $lastBin))
    (v128.const i32x4 0 0 0 0))`;
}

/** Returns an expression of the bin of the float32 at byte address `address`. */
function scalarBin(address: string): string {
  return `(local.set $bin (i32.trunc_sat_f64_s (f64.mul (f64.promote_f32 (f32.load ${address})) (local.get $scalarScale))))
    (local.set $bin (select (local.get $bin) (i32.const 0) (i32.gt_s (local.get $bin) (i32.const 0))))
    (local.set $bin (select (local.get $bin) (local.get $lastBinScalar) (i32.lt_s (local.get $bin) (local.get $bins))))`;
}

/** Returns statements that compute the bins of vector `vector` of the iteration into $x and $y. */
function loadBins(vector: number): string {
  const offset = vector * VECTOR_BYTES;
  return `(local.set $x ${vectorBins(`offset=${offset} (local.get $cleanAt)`)})
    (local.set $y ${vectorBins(`offset=${offset} (local.get $degradedAt)`)})
    (local.set $cells (i32x4.add (local.get $jointOffsets${vector})
      (i32x4.shl (i32x4.add (i32x4.mul (local.get $x) (local.get $binsVector)) (local.get $y)) (i32.const 2))))`;
}

/** Returns statements that add 1 to the Int32 at byte address `address`. */
function increment(address: string): string {
  return `(local.set $address ${address})
    (i32.store (local.get $address) (i32.add (i32.load (local.get $address)) (i32.const 1)))`;
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
  return `(local.set $address ${cellAddress})
    (local.set $count (i32.load (local.get $address)))
    (i32.store (local.get $address) (i32.add (local.get $count) (i32.const 1)))
    (local.set $sum${channel} (f64.add (local.get $sum${channel})
      (f64.load (i32.add (local.get $increase) (i32.shl (local.get $count) (i32.const 3))))))
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

/** Returns `(v128.const i32x4 ...)` of the lane channels of `vector` times `stride`, plus `base`. */
function laneOffsets(vector: number, stride: string, base: string): string {
  const channels = LANE_CHANNELS[vector].join(" ");
  return `(i32x4.add (i32x4.splat ${base}) (i32x4.mul (i32x4.splat ${stride}) (v128.const i32x4 ${channels})))`;
}

/** Locals and setup shared by both functions: scales, channel offsets, loop bounds. */
const COMMON_LOCALS = `(local $scale v128) (local $lastBin v128) (local $binsVector v128)
    (local $jointOffsets0 v128) (local $jointOffsets1 v128) (local $jointOffsets2 v128)
    (local $values v128) (local $x v128) (local $y v128) (local $cells v128)
    (local $scalarScale f64) (local $lastBinScalar i32) (local $channelBytes i32)
    (local $cleanAt i32) (local $degradedAt i32) (local $vectorEnd i32) (local $end i32)
    (local $address i32) (local $bin i32) (local $cell i32) (local $channel i32)`;

const COMMON_SETUP = `(local.set $scalarScale (f64.convert_i32_s (local.get $bins)))
    (local.set $scale (f64x2.splat (local.get $scalarScale)))
    (local.set $lastBinScalar (i32.sub (local.get $bins) (i32.const 1)))
    (local.set $lastBin (i32x4.splat (local.get $lastBinScalar)))
    (local.set $binsVector (i32x4.splat (local.get $bins)))
    (local.set $channelBytes (i32.shl (i32.mul (local.get $bins) (local.get $bins)) (i32.const 2)))
    ${
  [0, 1, 2].map((v) =>
    `(local.set $jointOffsets${v} ${laneOffsets(v, "(local.get $channelBytes)", "(local.get $joint)")})`
  ).join("\n    ")
}
    ;; Whole groups of 4 pixels go through the vector loop, the rest through the scalar one.
    (local.set $cleanAt (local.get $clean))
    (local.set $degradedAt (local.get $degraded))
    (local.set $vectorEnd (i32.add (local.get $clean) (i32.mul (i32.shr_u (local.get $pixels) (i32.const 2)) (i32.const 48))))
    (local.set $end (i32.add (local.get $clean) (i32.mul (local.get $pixels) (i32.const 12))))`;

/** Returns a loop over the whole groups of 4 pixels with `body` per group. */
function vectorLoop(body: string): string {
  return `(block $vectorsDone
      (loop $nextVector
        (br_if $vectorsDone (i32.ge_u (local.get $cleanAt) (local.get $vectorEnd)))
        ${body}
        (local.set $cleanAt (i32.add (local.get $cleanAt) (i32.const 48)))
        (local.set $degradedAt (i32.add (local.get $degradedAt) (i32.const 48)))
        (br $nextVector)))`;
}

/**
 * Returns a loop over the values left after the vector loop (at most 3 pixels), one
 * value at a time, with `body` per value. The body can read the value's channel in
 * $channel, its bins in $cleanBin and $degradedBin, and its joint cell's byte address
 * in $cell.
 */
function scalarLoop(body: string): string {
  return `(local.set $channel (i32.const 0))
    (block $scalarsDone
      (loop $nextScalar
        (br_if $scalarsDone (i32.ge_u (local.get $cleanAt) (local.get $end)))
        ${scalarBin("(local.get $cleanAt)")}
        (local.set $cleanBin (local.get $bin))
        ${scalarBin("(local.get $degradedAt)")}
        (local.set $degradedBin (local.get $bin))
        (local.set $cell (i32.add
          (i32.add (local.get $joint) (i32.mul (local.get $channel) (local.get $channelBytes)))
          (i32.shl (i32.add (i32.mul (local.get $cleanBin) (local.get $bins)) (local.get $degradedBin)) (i32.const 2))))
        ${body}
        (local.set $channel (select (i32.const 0) (i32.add (local.get $channel) (i32.const 1))
          (i32.eq (local.get $channel) (i32.const 2))))
        (local.set $cleanAt (i32.add (local.get $cleanAt) (i32.const 4)))
        (local.set $degradedAt (i32.add (local.get $degradedAt) (i32.const 4)))
        (br $nextScalar)))`;
}

function countLargeFunction(): string {
  return `(func (export "countLarge")
    (param $clean i32) (param $degraded i32) (param $pixels i32) (param $bins i32) (param $joint i32)
    ${COMMON_LOCALS} (local $cleanBin i32) (local $degradedBin i32)
    ${COMMON_SETUP}
    ${vectorLoop([0, 1, 2].map(largeVector).join("\n    "))}
    ${scalarLoop(increment("(local.get $cell)"))})`;
}

function countSmallFunction(): string {
  // The scalar values after the vector loop add to the sums in memory, in value order.
  const scalarBody = `(local.set $count (i32.load (local.get $cell)))
        (i32.store (local.get $cell) (i32.add (local.get $count) (i32.const 1)))
        (local.set $address (i32.add (local.get $sums) (i32.shl (local.get $channel) (i32.const 3))))
        (f64.store (local.get $address) (f64.add (f64.load (local.get $address))
          (f64.load (i32.add (local.get $increase) (i32.shl (local.get $count) (i32.const 3))))))
        ${increment(marginalAddress("(local.get $cleanBin)", 0))}
        ${increment(marginalAddress("(local.get $degradedBin)", 4))}`;
  return `(func (export "countSmall")
    (param $clean i32) (param $degraded i32) (param $pixels i32) (param $bins i32) (param $joint i32)
    (param $marginals i32) (param $increase i32) (param $sums i32)
    ${COMMON_LOCALS} (local $cleanBin i32) (local $degradedBin i32) (local $count i32)
    (local $marginalOffsets0 v128) (local $marginalOffsets1 v128) (local $marginalOffsets2 v128)
    (local $cleanMarginals v128) (local $degradedMarginals v128)
    (local $sum0 f64) (local $sum1 f64) (local $sum2 f64)
    ${COMMON_SETUP}
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
    ${scalarLoop(scalarBody)})`;
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
  ${countSmallFunction()})
`;
}
