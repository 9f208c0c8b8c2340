/**
 * Pieces of WebAssembly text shared by the functions of the NMI kernel module
 * (`_kernel_wat.ts`, `_kernel_wat_sums.ts`): bin expressions, per-lane channel offsets
 * and the loops over an image pair.
 *
 * Each function of the module walks the pair in groups of 4 RGB pixels, 12 values
 * loaded as three 4-lane vectors, then one value at a time over the last 0 to 3
 * pixels. Value i belongs to channel i mod 3.
 *
 * @module
 */

/** Channel of each lane of the three vectors of one iteration: value i is channel i mod 3. */
export const LANE_CHANNELS = [
  [0, 1, 2, 0],
  [1, 2, 0, 1],
  [2, 0, 1, 2],
] as const;

/** Bytes of one vector of 4 float32 values. */
export const VECTOR_BYTES = 16;

/**
 * Returns an expression of the 4 bins of the float32 vector at byte address `address`,
 * min(bins - 1, max(0, trunc(v * bins))) with NaN in bin 0. The product is in float64,
 * which is exact for a float32 v and any bin count.
 *
 * pmax(0, p) is p > 0 ? p : 0, which also turns NaN into 0, and pmin(p, bins - 1)
 * caps the rest, so every lane is in range before the relaxed truncation, whose result
 * is then the same on every platform. Needs the locals $values, $scale (bins,
 * float64x2) and $lastBin64 (bins - 1, float64x2).
 */
export function vectorBins(address: string): string {
  const half = (values: string) =>
    `(i32x4.relaxed_trunc_f64x2_s_zero (f64x2.pmin
      (f64x2.pmax (v128.const f64x2 0 0) (f64x2.mul (f64x2.promote_low_f32x4 ${values}) (local.get $scale)))
      (local.get $lastBin64)))`;
  // Lanes 0-1 and 2-3 are truncated to int32 lanes 0-1 of two vectors, which the outer shuffle joins.
  return `(i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
    ${half(`(local.tee $values (v128.load ${address}))`)}
    ${
    half("(i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $values) (local.get $values))")
  })`;
}

/**
 * Returns the bins of {@linkcode vectorBins} for a bin count that is a power of two,
 * with the product in float32, which is exact when multiplying by a power of two.
 * Needs $scale32 (bins, float32x4) and $lastBin32 (bins - 1, float32x4).
 */
export function vectorBinsPowerOfTwo(address: string): string {
  return `(i32x4.relaxed_trunc_f32x4_s (f32x4.pmin
    (f32x4.pmax (v128.const f32x4 0 0 0 0) (f32x4.mul (v128.load ${address}) (local.get $scale32)))
    (local.get $lastBin32)))`;
}

/** Returns statements that store in $bin the bin of the float32 at byte address `address`. */
export function scalarBin(address: string): string {
  return `(local.set $bin (i32.trunc_sat_f64_s (f64.mul (f64.promote_f32 (f32.load ${address})) (local.get $scalarScale))))
    (local.set $bin (select (local.get $bin) (i32.const 0) (i32.gt_s (local.get $bin) (i32.const 0))))
    (local.set $bin (select (local.get $bin) (local.get $lastBinScalar) (i32.lt_s (local.get $bin) (local.get $bins))))`;
}

/** Returns an i32x4 expression of `base` + channel x `stride` for each lane of `vector`. */
export function laneOffsets(vector: number, stride: string, base: string): string {
  const channels = LANE_CHANNELS[vector].join(" ");
  return `(i32x4.add (i32x4.splat ${base}) (i32x4.mul (i32x4.splat ${stride}) (v128.const i32x4 ${channels})))`;
}

/** Returns statements that add 1 to the Int32 at byte address `address`. */
export function increment(address: string): string {
  return `(local.set $address ${address})
    (i32.store (local.get $address) (i32.add (i32.load (local.get $address)) (i32.const 1)))`;
}

/** Locals that {@linkcode commonSetup} and the loops use. */
export const COMMON_LOCALS = `(local $scale v128) (local $lastBin64 v128) (local $binsVector v128)
    (local $jointOffsets0 v128) (local $jointOffsets1 v128) (local $jointOffsets2 v128)
    (local $values v128) (local $x v128) (local $y v128) (local $cells v128)
    (local $scalarScale f64) (local $lastBinScalar i32) (local $channelBytes i32)
    (local $cleanAt i32) (local $degradedAt i32) (local $vectorEnd i32) (local $end i32)
    (local $address i32) (local $bin i32) (local $cell i32) (local $channel i32)
    (local $cleanBin i32) (local $degradedBin i32)`;

/**
 * Returns the setup shared by the functions: scales, the bytes of one channel's joint
 * histogram (`channelBytes`, an expression), each lane's joint offset, loop bounds.
 * Needs the parameters $clean, $degraded, $pixels, $bins and $joint.
 */
export function commonSetup(channelBytes: string): string {
  const offsets = [0, 1, 2].map((v) =>
    `(local.set $jointOffsets${v} ${laneOffsets(v, "(local.get $channelBytes)", "(local.get $joint)")})`
  );
  return `(local.set $scalarScale (f64.convert_i32_s (local.get $bins)))
    (local.set $scale (f64x2.splat (local.get $scalarScale)))
    (local.set $lastBinScalar (i32.sub (local.get $bins) (i32.const 1)))
    (local.set $lastBin64 (f64x2.splat (f64.convert_i32_s (local.get $lastBinScalar))))
    (local.set $binsVector (i32x4.splat (local.get $bins)))
    (local.set $channelBytes ${channelBytes})
    ${offsets.join("\n    ")}
    ;; Whole groups of 4 pixels go through the vector loop, the rest through the scalar one.
    (local.set $cleanAt (local.get $clean))
    (local.set $degradedAt (local.get $degraded))
    (local.set $vectorEnd (i32.add (local.get $clean) (i32.mul (i32.shr_u (local.get $pixels) (i32.const 2)) (i32.const 48))))
    (local.set $end (i32.add (local.get $clean) (i32.mul (local.get $pixels) (i32.const 12))))`;
}

/** Returns a loop over the whole groups of 4 pixels with `body` per group. */
export function vectorLoop(body: string): string {
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
 * in $cell, which `cellOffset` gives within the channel's histogram from those bins.
 */
export function scalarLoop(body: string, cellOffset: string): string {
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
          ${cellOffset}))
        ${body}
        (local.set $channel (select (i32.const 0) (i32.add (local.get $channel) (i32.const 1))
          (i32.eq (local.get $channel) (i32.const 2))))
        (local.set $cleanAt (i32.add (local.get $cleanAt) (i32.const 4)))
        (local.set $degradedAt (i32.add (local.get $degradedAt) (i32.const 4)))
        (br $nextScalar)))`;
}

/** Load and store instructions of a joint histogram's counts: Int32 or Uint16. */
export type CountWidth = "i32" | "i16";

function countOps(width: CountWidth): [string, string] {
  return width === "i32" ? ["i32.load", "i32.store"] : ["i32.load16_u", "i32.store16"];
}

/**
 * Returns statements that add 1 to the count at byte address `cell` and add the
 * increase of c log2 c for its count before, `increase[count]` (float64), to the local
 * $sum`channel`. Needs the locals $address and $count and the parameter $increase.
 */
export function countValue(channel: number, cell: string, width: CountWidth): string {
  const [load, store] = countOps(width);
  return `(local.set $address ${cell})
    (local.set $count (${load} (local.get $address)))
    (${store} (local.get $address) (i32.add (local.get $count) (i32.const 1)))
    (local.set $sum${channel} (f64.add (local.get $sum${channel})
      (f64.load (i32.add (local.get $increase) (i32.shl (local.get $count) (i32.const 3))))))`;
}

/**
 * Returns the same as {@linkcode countValue} for the cell $cell of a value after the
 * vector loop, whose channel is only known at run time: the increase goes to the
 * float64 sum in memory at `sums` + $channel * `sumStride` bytes.
 */
export function countScalarValue(width: CountWidth, sums: string, sumStride: 8 | 32): string {
  const [load, store] = countOps(width);
  return `(local.set $count (${load} (local.get $cell)))
        (${store} (local.get $cell) (i32.add (local.get $count) (i32.const 1)))
        (local.set $address (i32.add ${sums} (i32.mul (local.get $channel) (i32.const ${sumStride}))))
        (f64.store (local.get $address) (f64.add (f64.load (local.get $address))
          (f64.load (i32.add (local.get $increase) (i32.shl (local.get $count) (i32.const 3))))))`;
}
