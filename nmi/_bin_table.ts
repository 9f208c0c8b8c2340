/**
 * Histogram bin lookup for float32 pixel values, read from the value's bit pattern.
 *
 * The bin of a float32 value v among `bins` equal bins over [0, 1] is
 * min(bins - 1, floor(clamp(v, 0, 1) * bins)), with NaN in bin 0. Computing it costs a
 * multiply and two compares per value. A table indexed by the top bits of the value
 * (sign, exponent and the top m mantissa bits) replaces that with one shift and one
 * load.
 *
 * Each table slot covers the floats that share those top bits. All of them have the
 * same sign and exponent, so their values are ordered like their low mantissa bits,
 * and the bin is the same for all of them whenever it is the same for the lowest and
 * the highest. A slot where the two differ contains a bin edge and stores
 * {@linkcode AMBIGUOUS_BIN}, and the caller computes its values with
 * {@linkcode exactBin}.
 *
 * @module
 */

/** Table entry of a slot that contains a bin edge, so its values need {@linkcode exactBin}. */
export const AMBIGUOUS_BIN = 0xffff;

/** Largest bin count that the table can store: bin indices are Uint16 and 0xFFFF is reserved. */
export const MAX_TABLE_BINS = AMBIGUOUS_BIN;

/** Most mantissa bits in a table index, which caps a table at 2^19 entries (1 MiB). */
const MAX_MANTISSA_BITS = 10;

/** Bin lookup table for one bin count. */
export interface BinTable {
  /** Bin of each slot, in [0, bins - 1], or {@linkcode AMBIGUOUS_BIN}. */
  binOfSlot: Uint16Array;
  /** Right shift that turns a float32 bit pattern into a slot index. */
  shift: number;
}

/**
 * Returns the bin of a float32 `value` among `bins` equal bins over [0, 1].
 *
 * Values are clamped to [0, 1] and NaN counts as 0. The index is floor(v * bins), capped
 * at bins - 1 so that v = 1 falls in the last bin, which is closed: [1 - 1/bins, 1].
 * For a float32 v and bins < 2^29 the product v * bins is exact in float64, so
 * `scaled >= bins` is true exactly when v >= 1, and `scaled | 0` is floor(scaled) for
 * 0 < scaled < bins.
 */
export function exactBin(value: number, bins: number): number {
  const scaled = value * bins;
  if (scaled >= bins) return bins - 1;
  // NaN and values <= 0 fail this test and land in bin 0.
  return scaled > 0 ? scaled | 0 : 0;
}

/**
 * Returns the number of mantissa bits in a table index for `bins` bins.
 *
 * A power of two 2^b up to 2^10 needs b bits, and then no slot is ambiguous. Other
 * counts get 4 bits more than ceil(log2 bins), so that at most about 1 slot in 32
 * contains one of the bin edges. Both are capped at 10 bits, so larger counts leave
 * more slots ambiguous and run slower, with the same results.
 */
export function tableMantissaBits(bins: number): number {
  const bits = Math.ceil(Math.log2(bins));
  const isPowerOfTwo = 2 ** bits === bins;
  return Math.min(MAX_MANTISSA_BITS, isPowerOfTwo ? bits : bits + 4);
}

/**
 * Builds the bin lookup table for `bins` bins: 2^(9 + m) Uint16 entries, one per
 * combination of sign, exponent and top m mantissa bits, where m is
 * {@linkcode tableMantissaBits}. That is 64 KiB for 64 bins and at most 1 MiB.
 *
 * @param bins Bin count, an integer in [2, {@linkcode MAX_TABLE_BINS}].
 */
export function buildBinTable(bins: number): BinTable {
  const shift = 23 - tableMantissaBits(bins);
  const table = new Uint16Array(2 ** (32 - shift));
  const words = new Uint32Array(2);
  const floats = new Float32Array(words.buffer);
  const lowBitsMask = 2 ** shift - 1;
  for (let slot = 0; slot < table.length; slot++) {
    words[0] = slot * 2 ** shift;
    words[1] = slot * 2 ** shift + lowBitsMask;
    // The slot of +Infinity also contains NaNs, so its lowest and highest values get
    // different bins and it is marked ambiguous. Slots of NaNs only give bin 0.
    const lowest = exactBin(floats[0], bins);
    const highest = exactBin(floats[1], bins);
    table[slot] = lowest === highest ? lowest : AMBIGUOUS_BIN;
  }
  return { binOfSlot: table, shift };
}
