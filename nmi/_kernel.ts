/**
 * Loads the WebAssembly pixel passes of the NMI kernel (see `_kernel_wat.ts`) and lays
 * out one workspace's histograms, tables and images in a WebAssembly memory of its own.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { KERNEL_WASM_BASE64 } from "./_kernel_wasm.ts";

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

/** The functions of the kernel module; all addresses are byte offsets into its memory. */
interface KernelExports {
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
}

let compiled: WebAssembly.Module | undefined;
let unavailableReason: string | undefined;

/**
 * Compiles the kernel module on first use. Returns undefined, and keeps the reason for
 * {@linkcode wasmKernelUnavailableReason}, when this runtime cannot compile it: no
 * WebAssembly (as with V8's `--jitless`) or no fixed-width SIMD.
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

/**
 * Creates the memory of one workspace for `bins` bins and images of `pixels` pixels.
 * Returns undefined when the WebAssembly kernel is unavailable, when the memory would
 * exceed 2 GiB (more than about 13,000 bins) or when it cannot be allocated.
 * `increase` is copied in for small images, which have fewer pixels than bins x bins
 * cells.
 */
export function createWasmArena(bins: number, pixels: number, increase: Float64Array): WasmArena | undefined {
  const module = kernelModule();
  const cells = bins * bins;
  const small = cells > pixels;
  const values = Math.min(pixels, CHUNK_PIXELS) * CHANNELS;
  const jointAt = 0;
  const marginalsAt = aligned(jointAt + CHANNELS * cells * 4);
  const increaseAt = aligned(marginalsAt + 8 * bins * 4);
  const sumsAt = aligned(increaseAt + (small ? increase.length * 8 : 0));
  const cleanAt = aligned(sumsAt + CHANNELS * 8);
  const degradedAt = aligned(cleanAt + values * 4);
  const bytes = degradedAt + values * 4;
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
  const joint = (c: number) => new Int32Array(buffer, jointAt + c * cells * 4, cells);
  const arena: WasmArena = {
    joints: [joint(0), joint(1), joint(2)],
    marginals: new Int32Array(buffer, marginalsAt, 8 * bins),
    increase: new Float64Array(buffer, increaseAt, small ? increase.length : 0),
    sums: new Float64Array(buffer, sumsAt, CHANNELS),
    clean: new Float32Array(buffer, cleanAt, values),
    degraded: new Float32Array(buffer, degradedAt, values),
    countLarge: (count) => kernel.countLarge(cleanAt, degradedAt, count, bins, jointAt),
    countSmall: (count) =>
      kernel.countSmall(cleanAt, degradedAt, count, bins, jointAt, marginalsAt, increaseAt, sumsAt),
  };
  if (small) arena.increase.set(increase);
  return arena;
}
