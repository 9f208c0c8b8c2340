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

import { type BinTable, buildBinTable } from "./_bin_table.ts";

/** Maximum number of entries kept in each cache before the least recently used one is dropped. */
const CACHE_CAPACITY = 8;

/** Histograms, touched-cell lists and tables of the kernel for one bin count and one pixel count. */
export interface NmiWorkspace {
  /** Bins per channel. */
  bins: number;
  /** Pixels per image. */
  pixels: number;
  /** log2(pixels). */
  log2Pixels: number;
  /** Bin of a float32 by its top bits, shared by every workspace with this bin count. */
  binTable: BinTable;
  /** c log2 c for every count c in [0, pixels], with 0 log2 0 = 0. Shared per pixel count. */
  countLog2Count: Float64Array;
  /** Joint counts of the three channels, bins * bins each, row = clean bin. All zero between calls. */
  joints: [Int32Array, Int32Array, Int32Array];
  /**
   * Cells of each channel's joint histogram that the current image touched, in order
   * of first touch. Length min(pixels, bins^2) + 1 because the kernel writes one entry
   * past the last touched cell.
   */
  touchedCells: [Int32Array, Int32Array, Int32Array];
  /** Number of entries of each list in `touchedCells`, set by the histogram pass. */
  touchedCounts: Int32Array;
  /** Clean-image marginal counts of the current channel, bins entries, zero between calls. */
  cleanCounts: Int32Array;
  /** Degraded-image marginal counts of the current channel, bins entries, zero between calls. */
  degradedCounts: Int32Array;
  /** Clean bins with a nonzero count, in order of first touch, plus one spare entry. */
  cleanTouchedBins: Uint16Array;
  /** Degraded bins with a nonzero count, in order of first touch, plus one spare entry. */
  degradedTouchedBins: Uint16Array;
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

const binTables = new Map<number, BinTable>();
const countLog2CountTables = new Map<number, Float64Array>();
const workspaces = new Map<string, NmiWorkspace>();
let lastWorkspace: NmiWorkspace | undefined;

function buildCountLog2Count(pixels: number): Float64Array {
  const table = new Float64Array(pixels + 1);
  for (let count = 2; count <= pixels; count++) table[count] = count * Math.log2(count);
  return table;
}

function createWorkspace(bins: number, pixels: number): NmiWorkspace {
  const cells = bins * bins;
  const touchedLength = Math.min(pixels, cells) + 1;
  return {
    bins,
    pixels,
    log2Pixels: Math.log2(pixels),
    binTable: cached(binTables, bins, () => buildBinTable(bins)),
    countLog2Count: cached(countLog2CountTables, pixels, () => buildCountLog2Count(pixels)),
    joints: [new Int32Array(cells), new Int32Array(cells), new Int32Array(cells)],
    touchedCells: [
      new Int32Array(touchedLength),
      new Int32Array(touchedLength),
      new Int32Array(touchedLength),
    ],
    touchedCounts: new Int32Array(3),
    cleanCounts: new Int32Array(bins),
    degradedCounts: new Int32Array(bins),
    cleanTouchedBins: new Uint16Array(bins + 1),
    degradedTouchedBins: new Uint16Array(bins + 1),
  };
}

/**
 * Returns the workspace for `bins` bins and images of `pixels` pixels, creating it on
 * first use. A workspace takes up to 24 bins^2 + 8 pixels bytes plus the bin table
 * (64 KiB for 64 bins, at most 1 MiB), and the 8 most recently used ones stay cached.
 */
export function getWorkspace(bins: number, pixels: number): NmiWorkspace {
  // Callers usually repeat one shape, which this check serves without building a key.
  if (lastWorkspace !== undefined && lastWorkspace.bins === bins && lastWorkspace.pixels === pixels) {
    return lastWorkspace;
  }
  lastWorkspace = cached(workspaces, `${bins}x${pixels}`, () => createWorkspace(bins, pixels));
  return lastWorkspace;
}
