/**
 * Reusable buffers of the NMI kernel, cached per bin count and pixel count so that a
 * call allocates no histograms or tables.
 *
 * The caches are module state, but they only change speed, never results: every
 * buffer that a call writes is back to zero when the call returns. Calls are
 * synchronous, so two calls never share a workspace at the same time (each worker has
 * its own module instance).
 *
 * @module
 */

import { buildBinTable } from "./_bin_table.ts";
import { buildCountLog2Count, buildIncrease } from "./_count_tables.ts";
import { createWasmArena, type WasmArena } from "./_kernel.ts";
import { createNativeArena, type NativeArena } from "./_native.ts";

/** Maximum number of entries kept in each cache before the least recently used one is dropped. */
const CACHE_CAPACITY = 8;

const CHANNELS = 3;

/** Histograms and tables of the kernel for one bin count and one pixel count. */
export interface NmiWorkspace {
  /** Bins per channel. */
  bins: number;
  /** Pixels per image. */
  pixels: number;
  /** log2(pixels). */
  log2Pixels: number;
  /**
   * Bin of a float32 by its top bits (see `buildBinTable`), shared by every workspace
   * with this bin count.
   */
  binOfSlot: Uint16Array;
  /** c log2 c for every count c in [0, pixels], with 0 log2 0 = 0. Shared per pixel count. */
  countLog2Count: Float64Array;
  /**
   * Increase of the sum of c log2 c when a count goes from c to c + 1, for every c in
   * [0, pixels - 1]. Shared per pixel count.
   */
  countLog2CountIncrease: Float64Array;
  /** Joint counts of the three channels, bins * bins each, row = clean bin. All zero between calls. */
  joints: [Int32Array, Int32Array, Int32Array];
  /**
   * Marginal counts of the three channels, clean and degraded, 8 entries per bin: the
   * clean count of bin b in channel c at 8b + 2c, its degraded count at 8b + 2c + 1,
   * and two unused entries. All zero between calls.
   */
  marginals: Int32Array;
  /** The sum of c log2 c over each channel's joint counts, written by the pixel pass. */
  jointSums: Float64Array;
  /** Nonzero clean and degraded bins of the channel being summed. */
  occupiedBins: Int32Array;
  /**
   * The WebAssembly kernel's memory, where `joints`, `marginals` and `jointSums` then
   * live too; undefined where that kernel cannot run.
   */
  wasm: WasmArena | undefined;
  /**
   * Buffers of the native pass, created by {@linkcode workspaceNativeArena} on first
   * use: undefined before, null where the native pass cannot run or does not take
   * this shape.
   */
  native: NativeArena | null | undefined;
}

/** Returns the cached value of `key`, or creates, caches and returns it, dropping the least recently used entry when full. */
function cached<K, V>(cache: Map<K, V>, key: K, create: () => V): V {
  const hit = cache.get(key);
  if (hit !== undefined) {
    // Re-inserting moves the entry to the end of the Map's order, the most recent end.
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const value = create();
  if (cache.size >= CACHE_CAPACITY) cache.delete(cache.keys().next().value as K);
  cache.set(key, value);
  return value;
}

const binTables = new Map<number, Uint16Array>();
const countLog2CountTables = new Map<number, Float64Array>();
const increaseTables = new Map<number, Float64Array>();
const workspaces = new Map<string, NmiWorkspace>();
let lastWorkspace: NmiWorkspace | undefined;

function jointHistograms(cells: number): [Int32Array, Int32Array, Int32Array] {
  return [new Int32Array(cells), new Int32Array(cells), new Int32Array(cells)];
}

function createWorkspace(bins: number, pixels: number): NmiWorkspace {
  const cells = bins * bins;
  const countLog2Count = cached(countLog2CountTables, pixels, () => buildCountLog2Count(pixels));
  const increase = cached(increaseTables, pixels, () => buildIncrease(countLog2Count));
  const wasm = createWasmArena(bins, pixels, { countLog2Count, increase });
  return {
    bins,
    pixels,
    log2Pixels: Math.log2(pixels),
    binOfSlot: cached(binTables, bins, () => buildBinTable(bins)),
    countLog2Count,
    countLog2CountIncrease: increase,
    joints: wasm?.joints ?? jointHistograms(cells),
    marginals: wasm?.marginals ?? new Int32Array(8 * bins),
    jointSums: wasm?.sums ?? new Float64Array(CHANNELS),
    occupiedBins: new Int32Array(2),
    wasm,
    native: undefined,
  };
}

/**
 * Returns the workspace for `bins` bins and images of `pixels` pixels, creating it on
 * first use. A workspace takes 12 bins^2 + 32 bins bytes, and 24 bytes per pixel more
 * for the image pair in the WebAssembly kernel's memory (8 more for small images, and
 * 20 more plus 6 bytes per cell of the padded Uint16 histograms where they take the
 * one-call path of `_kernel.ts`). Once the native pass runs on the shape, its buffers
 * add 6 bytes per cell, 6 per pixel and 6 per bin, plus up to 48 bytes of padding. It shares tables of 16 bytes per pixel with the
 * workspaces of the same pixel count, and the bin table (1 MiB) with those of the same
 * bin count. The 8 most recently used workspaces stay cached.
 */
export function getWorkspace(bins: number, pixels: number): NmiWorkspace {
  // Callers usually repeat one shape, which this check serves without building a key.
  if (lastWorkspace !== undefined && lastWorkspace.bins === bins && lastWorkspace.pixels === pixels) {
    return lastWorkspace;
  }
  lastWorkspace = cached(workspaces, `${bins}x${pixels}`, () => createWorkspace(bins, pixels));
  return lastWorkspace;
}

/**
 * Returns the workspace's buffers for the native pass, creating them on first use, or
 * undefined where the native pass cannot run or does not take the workspace's shape.
 * Workspaces that only the other passes use allocate none.
 */
export function workspaceNativeArena(workspace: NmiWorkspace): NativeArena | undefined {
  if (workspace.native === undefined) {
    const { bins, pixels, countLog2Count, countLog2CountIncrease: increase } = workspace;
    workspace.native = createNativeArena(bins, pixels, { countLog2Count, increase }) ?? null;
  }
  return workspace.native ?? undefined;
}
