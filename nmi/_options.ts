/**
 * Bin count option shared by the typed-array and the tensor NMI.
 *
 * @module
 */

import { MAX_TABLE_BINS } from "./_bin_table.ts";

/** Number of histogram bins per channel when `options.bins` is not given. */
export const DEFAULT_NMI_BINS = 64;

/**
 * Largest accepted `options.bins`. Bin indices are stored as Uint16 with 0xFFFF
 * reserved. Memory limits much smaller counts in practice: the three joint histograms
 * of the typed-array kernel take 12 bins^2 bytes, 192 MiB at 4096 bins.
 */
export const MAX_NMI_BINS = MAX_TABLE_BINS;

/**
 * Largest bin count that the command-line options (`bench --nmi-bins`, `nmi-bench
 * --bins`) accept. Its three joint histograms take 192 MiB.
 */
export const MAX_NMI_BINS_OPTION = 4096;

/** Options for the NMI functions. */
export interface NmiOptions {
  /** Histogram bins per channel over [0, 1], an integer in [2, 65535]. Default 64. */
  bins?: number;
}

/** Returns `value` as error messages show it: a number as it is, anything else as JSON with its type. */
export function describeValue(value: unknown): string {
  if (typeof value === "number") return String(value);
  const type = value === null ? "null" : typeof value;
  if (typeof value === "bigint") return `${value}n (${type})`;
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    // Cyclic objects, and objects whose toJSON throws, are shown by their type only.
    json = undefined;
  }
  return `${json ?? String(value)} (${type})`;
}

/**
 * Returns `options.bins`, or {@linkcode DEFAULT_NMI_BINS} when it is missing.
 *
 * @param caller Function name that starts the error message.
 * @throws RangeError when the bin count is not an integer in [2, {@linkcode MAX_NMI_BINS}].
 */
export function resolveNmiBins(options: NmiOptions, caller: string): number {
  const bins = options.bins ?? DEFAULT_NMI_BINS;
  if (!Number.isInteger(bins) || bins < 2 || bins > MAX_NMI_BINS) {
    throw new RangeError(
      `${caller}: bins must be an integer in [2, ${MAX_NMI_BINS}], got ${describeValue(bins)}`,
    );
  }
  return bins;
}
