/**
 * WebAssembly text of the NMI kernel's one-call path for small images, the functions
 * `smallSums` and `smallSumsPowerOfTwo`. They count an image pair into Uint16 joint
 * histograms and derive the marginal counts from them with vector sums. They write
 * every sum of c log2 c that the NMI needs to memory and leave the histograms at zero.
 * See
 * {@linkcode smallSumsFunction}.
 *
 * @module
 */

import {
  COMMON_LOCALS,
  commonSetup,
  countScalarValue,
  countValue,
  scalarLoop,
  VECTOR_BYTES,
  vectorBins,
  vectorBinsPowerOfTwo,
  vectorLoop,
} from "./_kernel_wat_parts.ts";

/** Uint16 cells of a joint row that one pass over the rows sums: 8 vectors of 8 lanes. */
export const COLUMN_BLOCK_CELLS = 64;

/** Bytes of one output record per channel: three float64 sums and two Int32 counts. */
export const SUMS_RECORD_BYTES = 32 as const;

const BLOCK_VECTORS = [0, 1, 2, 3, 4, 5, 6, 7];

/**
 * Returns the body of one iteration of the binning loop for vector `vector`: stores
 * the byte addresses of its 4 cells at $cellAt.
 */
function cellVector(vector: number, powerOfTwo: boolean): string {
  const bins = powerOfTwo ? vectorBinsPowerOfTwo : vectorBins;
  const offset = vector * VECTOR_BYTES;
  return `(local.set $x ${bins(`offset=${offset} (local.get $cleanAt)`)})
    (local.set $y ${bins(`offset=${offset} (local.get $degradedAt)`)})
    (v128.store offset=${offset} (local.get $cellAt) (i32x4.add (local.get $jointOffsets${vector})
      (i32x4.shl (i32x4.add (i32x4.shl (local.get $x) (local.get $strideShift)) (local.get $y)) (i32.const 1))))`;
}

/**
 * Returns the counting loop: reads back the cell addresses of the whole groups of 4
 * pixels, 12 at a time, and counts them. Loading an address costs less than taking it
 * out of a vector lane, once the binning loop has stored them all.
 */
function countLoop(): string {
  const values = Array.from(
    { length: 12 },
    (_, i) => countValue(i % 3, `(i32.load offset=${i * 4} (local.get $cellRead))`, "i16"),
  );
  return `(local.set $cellRead (local.get $cellAddresses))
    (block $countsDone
      (loop $nextCount
        (br_if $countsDone (i32.ge_u (local.get $cellRead) (local.get $cellAt)))
        ${values.join("\n        ")}
        (local.set $cellRead (i32.add (local.get $cellRead) (i32.const 48)))
        (br $nextCount)))`;
}

/** The values after the vector loop add to the joint sums in memory, in value order. */
const SCALAR_BODY = countScalarValue("i16", "(local.get $out)", SUMS_RECORD_BYTES);

/** Byte offset of a value's cell in its channel's histogram, from $cleanBin and $degradedBin. */
const CELL_OFFSET =
  `(i32.shl (i32.add (i32.shl (local.get $cleanBin) (local.get $strideShift)) (local.get $degradedBin)) (i32.const 1))`;

/**
 * Returns one pass over the rows of the current channel's histogram, over the 64
 * columns that start at byte $block of each row. It adds each row's sum over them to
 * its Int32 total at $rowTotals. It stores their column sums as Uint16 at $columns +
 * $block.
 */
function rowPass(): string {
  const loads = BLOCK_VECTORS.map((k) =>
    `(local.set $v${k} (v128.load offset=${k * VECTOR_BYTES} (local.get $rowAt)))
          (local.set $k${k} (i16x8.add (local.get $k${k}) (local.get $v${k})))`
  );
  const pairs = [0, 2, 4, 6].map((k) => `(i16x8.add (local.get $v${k}) (local.get $v${k + 1}))`);
  return `${BLOCK_VECTORS.map((k) => `(local.set $k${k} (v128.const i32x4 0 0 0 0))`).join(" ")}
      (local.set $rowAt (i32.add (local.get $channelAt) (local.get $block)))
      (local.set $rowTotalAt (local.get $rowTotals))
      (block $rowsDone
        (loop $nextRow
          (br_if $rowsDone (i32.ge_u (local.get $rowTotalAt) (local.get $rowTotalsEnd)))
          ${loads.join("\n          ")}
          ;; Lanes hold at most the image's pixel count, under 2^16.
          (local.set $h (i32x4.extadd_pairwise_i16x8_u
            (i16x8.add (i16x8.add ${pairs[0]} ${pairs[1]}) (i16x8.add ${pairs[2]} ${pairs[3]}))))
          (local.set $h (i32x4.add (local.get $h)
            (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $h) (local.get $h))))
          (i32.store (local.get $rowTotalAt) (i32.add (i32.load (local.get $rowTotalAt))
            (i32.add (i32x4.extract_lane 0 (local.get $h)) (i32x4.extract_lane 1 (local.get $h)))))
          (local.set $rowAt (i32.add (local.get $rowAt) (local.get $rowBytes)))
          (local.set $rowTotalAt (i32.add (local.get $rowTotalAt) (i32.const 4)))
          (br $nextRow)))
      ${
    BLOCK_VECTORS.map((k) =>
      `(v128.store offset=${
        k * VECTOR_BYTES
      } (i32.add (local.get $columns) (local.get $block)) (local.get $k${k}))`
    ).join("\n      ")
  }`;
}

/**
 * Returns a loop over `bins` counts, the first at `first` and one every `step` bytes,
 * read with `load`. It adds c log2 c of each to $marginalSum and 1 for each nonzero
 * one to $occupied. Then it stores both at `record`, at byte offsets `sumOffset` and
 * `occupiedOffset`. With `clear`, it sets each count back to 0.
 */
function marginalSums(
  load: "i32.load" | "i32.load16_u",
  first: string,
  step: number,
  clear: boolean,
  sumOffset: number,
  occupiedOffset: number,
): string {
  return `(local.set $marginalSum (f64.const 0))
      (local.set $occupied (i32.const 0))
      (local.set $address ${first})
      (local.set $bin (i32.const 0))
      (block $binsDone
        (loop $nextBin
          (br_if $binsDone (i32.ge_u (local.get $bin) (local.get $bins)))
          (local.set $count (${load} (local.get $address)))
          ${clear ? "(i32.store (local.get $address) (i32.const 0))" : ""}
          (local.set $marginalSum (f64.add (local.get $marginalSum)
            (f64.load (i32.add (local.get $countLog2Count) (i32.shl (local.get $count) (i32.const 3))))))
          (local.set $occupied (i32.add (local.get $occupied) (i32.ne (local.get $count) (i32.const 0))))
          (local.set $address (i32.add (local.get $address) (i32.const ${step})))
          (local.set $bin (i32.add (local.get $bin) (i32.const 1)))
          (br $nextBin)))
      (f64.store offset=${sumOffset} (local.get $record) (local.get $marginalSum))
      (i32.store offset=${occupiedOffset} (local.get $record) (local.get $occupied))`;
}

/** Returns pass two: per channel, the row and column sums and their sums of c log2 c. */
function summarizeChannels(): string {
  return `(local.set $channel (i32.const 0))
    (block $channelsDone
      (loop $nextChannel
        (br_if $channelsDone (i32.ge_u (local.get $channel) (i32.const 3)))
        (local.set $channelAt (i32.add (local.get $joint) (i32.mul (local.get $channel) (local.get $channelBytes))))
        (local.set $record (i32.add (local.get $out) (i32.mul (local.get $channel) (i32.const ${SUMS_RECORD_BYTES}))))
        (local.set $block (i32.const 0))
        (block $blocksDone
          (loop $nextBlock
            (br_if $blocksDone (i32.ge_u (local.get $block) (local.get $rowBytes)))
            ${rowPass()}
            (local.set $block (i32.add (local.get $block) (i32.const ${COLUMN_BLOCK_CELLS * 2})))
            (br $nextBlock)))
        ${marginalSums("i32.load", "(local.get $rowTotals)", 4, true, 8, 24)}
        ${marginalSums("i32.load16_u", "(local.get $columns)", 2, false, 16, 28)}
        (local.set $channel (i32.add (local.get $channel) (i32.const 1)))
        (br $nextChannel)))
    (memory.fill (local.get $joint) (i32.const 0) (i32.mul (local.get $channelBytes) (i32.const 3)))`;
}

const SUMS_LOCALS =
  `(local $scale32 v128) (local $lastBin32 v128) (local $strideShift i32) (local $rowBytes i32) (local $count i32)
    (local $sum0 f64) (local $sum1 f64) (local $sum2 f64) (local $h v128)
    ${BLOCK_VECTORS.map((k) => `(local $v${k} v128) (local $k${k} v128)`).join(" ")}
    (local $channelAt i32) (local $record i32) (local $block i32) (local $rowAt i32)
    (local $rowTotalAt i32) (local $rowTotalsEnd i32) (local $cellAt i32) (local $cellRead i32) (local $marginalSum f64) (local $occupied i32)`;

/**
 * Returns the function `smallSums`, or `smallSumsPowerOfTwo` with `powerOfTwo`, which
 * bins in float32 and so gives the same bins only for a power-of-two bin count:
 *
 * `(clean, degraded, pixels, bins, joint, stride, increase, countLog2Count, rowTotals, columns, cellAddresses, out)`
 *
 * - Pass one stores the byte address of each value pair's joint cell (Int32, at
 *   `cellAddresses`, 4 bytes per value of the whole groups of 4 pixels). Then it adds
 *   1 to each cell, and to the cells of the last 0 to 3 pixels directly. The cells are Uint16
 *   counts, `stride` cells per row (a power of two, a multiple of
 *   {@linkcode COLUMN_BLOCK_CELLS}, at least `bins`), `bins` rows per channel, row =
 *   clean bin, all zero at entry. For each increment it adds `increase[count before]` to
 *   its channel's sum, in the order of `countSmallImage` in `_typescript_pass.ts`, so
 *   the sums are the same floats.
 * - Pass two sums each channel's rows (Int32 at `rowTotals`, zero at entry and exit)
 *   and columns (Uint16 at `columns`, `stride` entries). Then it sums c log2 c over
 *   them in bin order from the `countLog2Count` table (float64), as
 *   `sumCountLog2CountAndReset` in `_typescript_pass.ts` does.
 * - It writes, per channel c at `out` + 32c: the joint, clean and degraded sums
 *   (float64) and the nonzero clean and degraded bins (Int32), and sets the joint
 *   histograms back to zero.
 *
 * Counts are Uint16, so `pixels` must be below 2^16.
 */
export function smallSumsFunction(powerOfTwo: boolean): string {
  const name = powerOfTwo ? "smallSumsPowerOfTwo" : "smallSums";
  const channelBytes = "(i32.shl (i32.mul (local.get $bins) (local.get $stride)) (i32.const 1))";
  return `(func (export "${name}")
    (param $clean i32) (param $degraded i32) (param $pixels i32) (param $bins i32) (param $joint i32)
    (param $stride i32) (param $increase i32) (param $countLog2Count i32) (param $rowTotals i32)
    (param $columns i32) (param $cellAddresses i32) (param $out i32)
    ${COMMON_LOCALS} ${SUMS_LOCALS}
    ${commonSetup(channelBytes)}
    (local.set $scale32 (f32x4.splat (f32.convert_i32_s (local.get $bins))))
    (local.set $lastBin32 (f32x4.splat (f32.convert_i32_s (local.get $lastBinScalar))))
    (local.set $strideShift (i32.ctz (local.get $stride)))
    (local.set $rowBytes (i32.shl (local.get $stride) (i32.const 1)))
    (local.set $rowTotalsEnd (i32.add (local.get $rowTotals) (i32.shl (local.get $bins) (i32.const 2))))
    (local.set $cellAt (local.get $cellAddresses))
    ${
    vectorLoop([
      ...[0, 1, 2].map((vector) => cellVector(vector, powerOfTwo)),
      "(local.set $cellAt (i32.add (local.get $cellAt) (i32.const 48)))",
    ].join("\n    "))
  }
    ${countLoop()}
    (f64.store offset=0 (local.get $out) (local.get $sum0))
    (f64.store offset=${SUMS_RECORD_BYTES} (local.get $out) (local.get $sum1))
    (f64.store offset=${2 * SUMS_RECORD_BYTES} (local.get $out) (local.get $sum2))
    ${scalarLoop(SCALAR_BODY, CELL_OFFSET)}
    ${summarizeChannels()})`;
}
