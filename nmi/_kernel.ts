/**
 * Loads the WebAssembly pixel passes of the NMI kernel (see `_kernel_wat.ts`) and lays
 * out one workspace's histograms, tables and images in a WebAssembly memory of its own.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { KERNEL_WASM_BASE64 } from "./_kernel_wasm.ts";
import { COLUMN_BLOCK_CELLS, SUMS_RECORD_BYTES } from "./_kernel_wat_sums.ts";

const CHANNELS = 3;

/** Bytes of a WebAssembly memory page. */
const PAGE_BYTES = 65536;

/** Largest memory this module requests: 2 GiB, well under the 4 GiB of 32-bit addresses. */
const MAX_MEMORY_BYTES = 2 ** 31;

/**
 * Most pixels of an image pair copied into the memory at once (1.5 MiB): larger images
 * are counted in chunks, so a workspace's memory does not grow with the image size.
 * 224 x 224 images fit in one chunk.
 */
export const CHUNK_PIXELS = 65536;

/**
 * Histogram cells (rows x padded row) per pixel up to which a small image takes the
 * one-call path: its second pass reads every cell, at a fraction of the cost of
 * counting a value. With 64 bins it took 1.9 us per 8 x 8 image (64 cells per pixel)
 * against 2.5 us for the other WebAssembly path, and lost below about 6 x 6 (Deno 2.9.6,
 * AVX2). The limit sits at 8 x 8, a margin above that break-even, because the
 * break-even moves with the machine.
 */
const SUMS_CELLS_PER_PIXEL = 64;

/** Pixels below which counts fit the one-call path's Uint16 histograms. */
const SUMS_MAX_PIXELS = 2 ** 16;

/**
 * Maximum cells (rows x padded row) of one channel's histogram on the one-call path.
 * Scanning and clearing larger ones cost more than they save. With 65,535 pixels the
 * path took 1.96 ms at 1,100 bins (2.3 million cells) against 2.61 ms for the other
 * path. It took 3.38 ms against 3.27 ms at 1,300 bins (2.7 million), and 6.0 ms
 * against 3.3 ms at 2,047 bins (Deno 2.9.6, AVX2).
 */
const SUMS_MAX_CELLS = 2_500_000;

/** `smallSums` and `smallSumsPowerOfTwo`: see `_kernel_wat_sums.ts`. */
type SmallSumsFunction = (
  clean: number,
  degraded: number,
  pixels: number,
  bins: number,
  joint: number,
  stride: number,
  increase: number,
  countLog2Count: number,
  rowTotals: number,
  columns: number,
  cellAddresses: number,
  out: number,
) => void;

/** The functions of the kernel module; all addresses are byte offsets into its memory. */
interface KernelExports {
  smallSums: SmallSumsFunction;
  smallSumsPowerOfTwo: SmallSumsFunction;
  countLarge(clean: number, degraded: number, pixels: number, bins: number, joint: number): void;
  countSmall(
    clean: number,
    degraded: number,
    pixels: number,
    bins: number,
    joint: number,
    marginals: number,
    increase: number,
    sums: number,
  ): void;
}

/** One workspace's memory: views of its regions, and their byte offsets for the kernel. */
export interface WasmArena {
  joints: [Int32Array, Int32Array, Int32Array];
  marginals: Int32Array;
  /** Increase of c log2 c per count, as in the workspace (small images only, else empty). */
  increase: Float64Array;
  /** Each channel's sum of increases, written by `countSmall`. */
  sums: Float64Array;
  /** Room for a chunk of the image pair, at most {@linkcode CHUNK_PIXELS} pixels, copied before each pass. */
  clean: Float32Array;
  degraded: Float32Array;
  /** Adds the first `pixels` pixels of `clean` and `degraded` to the joints only. */
  countLarge(pixels: number): void;
  /** Adds them to the joints and marginals, and their increases to `sums`. */
  countSmall(pixels: number): void;
  /** The one-call path for small images where {@linkcode usesSmallSums} is true, else undefined. */
  smallSums: SmallSums | undefined;
}

/**
 * The one-call path of a small image pair copied whole into `clean` and `degraded`.
 * Per channel c, `run()` writes the sums of c log2 c over the joint, clean and
 * degraded counts to `sums[4c]`, `sums[4c + 1]` and `sums[4c + 2]`. It writes the
 * nonzero clean and degraded bins to `occupied[8c + 6]` and `occupied[8c + 7]`. The
 * two arrays are views of the same 32-byte records, one per channel.
 */
export interface SmallSums {
  run(): void;
  sums: Float64Array;
  occupied: Int32Array;
}

/**
 * Returns whether images of `pixels` pixels with `bins` bins take the one-call path of
 * `_kernel_wat_sums.ts`: a small image (fewer pixels than bins x bins cells) whose
 * counts fit Uint16 and whose padded histograms have at most
 * {@linkcode SUMS_CELLS_PER_PIXEL} cells per pixel and {@linkcode SUMS_MAX_CELLS} per
 * channel.
 */
export function usesSmallSums(bins: number, pixels: number): boolean {
  const cells = bins * paddedRow(bins);
  return bins * bins > pixels && pixels < SUMS_MAX_PIXELS && cells <= SUMS_CELLS_PER_PIXEL * pixels &&
    cells <= SUMS_MAX_CELLS;
}

/** Cells per row of the one-call path's histograms: a power of two, at least 64 and `bins`. */
function paddedRow(bins: number): number {
  return Math.max(COLUMN_BLOCK_CELLS, 2 ** Math.ceil(Math.log2(bins)));
}

let compiled: WebAssembly.Module | undefined;
let unavailableReason: string | undefined;

/**
 * Compiles the kernel module on first use. Returns undefined, and keeps the reason for
 * {@linkcode wasmKernelUnavailableReason}, when this runtime cannot compile it: no
 * WebAssembly (as with V8's `--jitless`), or no fixed-width or relaxed SIMD. Deno
 * 2.9.6 compiles both.
 */
function kernelModule(): WebAssembly.Module | undefined {
  if (compiled !== undefined || unavailableReason !== undefined) return compiled;
  try {
    compiled = new WebAssembly.Module(Buffer.from(KERNEL_WASM_BASE64, "base64"));
  } catch (error) {
    unavailableReason = `the WebAssembly NMI kernel did not compile here (${String(error)})`;
  }
  return compiled;
}

/** Returns why the WebAssembly kernel cannot run in this runtime, or undefined when it can. */
export function wasmKernelUnavailableReason(): string | undefined {
  kernelModule();
  return unavailableReason;
}

/** Returns `bytes` rounded up to a multiple of 16, so that every region starts aligned. */
function aligned(bytes: number): number {
  return Math.ceil(bytes / 16) * 16;
}

/** Returns the byte offset of each region of `sizes` (bytes), laid out in order and aligned, and the total. */
function layOut<K extends string>(sizes: Record<K, number>): { at: Record<K, number>; bytes: number } {
  const at = {} as Record<K, number>;
  let bytes = 0;
  for (const name of Object.keys(sizes) as K[]) {
    at[name] = bytes;
    bytes = aligned(bytes + sizes[name]);
  }
  return { at, bytes };
}

/** Tables of the workspace that small images need in the memory: see `NmiWorkspace`. */
export interface ArenaTables {
  countLog2Count: Float64Array;
  increase: Float64Array;
}

/**
 * Creates the memory of one workspace for `bins` bins and images of `pixels` pixels.
 * Returns undefined when the WebAssembly kernel is unavailable, when the memory would
 * exceed 2 GiB (more than about 13,000 bins) or when it cannot be allocated. The
 * tables are copied in for small images, which have fewer pixels than bins x bins
 * cells.
 */
export function createWasmArena(bins: number, pixels: number, tables: ArenaTables): WasmArena | undefined {
  const module = kernelModule();
  const cells = bins * bins;
  const small = cells > pixels;
  const summed = usesSmallSums(bins, pixels);
  const stride = paddedRow(bins);
  const values = Math.min(pixels, CHUNK_PIXELS) * CHANNELS;
  const { at, bytes } = layOut({
    joint: CHANNELS * cells * 4,
    marginals: 8 * bins * 4,
    increase: small ? tables.increase.length * 8 : 0,
    sums: CHANNELS * 8,
    clean: values * 4,
    degraded: values * 4,
    joint16: summed ? CHANNELS * bins * stride * 2 : 0,
    countLog2Count: summed ? tables.countLog2Count.length * 8 : 0,
    rowTotals: summed ? bins * 4 : 0,
    columns: summed ? stride * 2 : 0,
    cellAddresses: summed ? values * 4 : 0,
    records: summed ? CHANNELS * SUMS_RECORD_BYTES : 0,
  });
  if (module === undefined || bytes > MAX_MEMORY_BYTES) return undefined;

  let memory: WebAssembly.Memory;
  try {
    memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / PAGE_BYTES) });
  } catch (error) {
    // When the system cannot allocate the memory (RangeError), the TypeScript pass runs.
    if (error instanceof RangeError) return undefined;
    throw error;
  }
  const kernel = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
  const buffer = memory.buffer;
  const joint = (c: number) => new Int32Array(buffer, at.joint + c * cells * 4, cells);
  const arena: WasmArena = {
    joints: [joint(0), joint(1), joint(2)],
    marginals: new Int32Array(buffer, at.marginals, 8 * bins),
    increase: new Float64Array(buffer, at.increase, small ? tables.increase.length : 0),
    sums: new Float64Array(buffer, at.sums, CHANNELS),
    clean: new Float32Array(buffer, at.clean, values),
    degraded: new Float32Array(buffer, at.degraded, values),
    countLarge: (count) => kernel.countLarge(at.clean, at.degraded, count, bins, at.joint),
    countSmall: (count) =>
      kernel.countSmall(at.clean, at.degraded, count, bins, at.joint, at.marginals, at.increase, at.sums),
    smallSums: undefined,
  };
  if (small) arena.increase.set(tables.increase);
  if (summed) {
    new Float64Array(buffer, at.countLog2Count, tables.countLog2Count.length).set(tables.countLog2Count);
    const runSmallSums = (bins & (bins - 1)) === 0 ? kernel.smallSumsPowerOfTwo : kernel.smallSums;
    const { clean, degraded, joint16, increase, countLog2Count, rowTotals, columns, cellAddresses, records } =
      at;
    arena.smallSums = {
      run: () =>
        runSmallSums(
          clean,
          degraded,
          pixels,
          bins,
          joint16,
          stride,
          increase,
          countLog2Count,
          rowTotals,
          columns,
          cellAddresses,
          records,
        ),
      sums: new Float64Array(buffer, at.records, CHANNELS * SUMS_RECORD_BYTES / 8),
      occupied: new Int32Array(buffer, at.records, CHANNELS * SUMS_RECORD_BYTES / 4),
    };
  }
  return arena;
}
