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

/**
 * Mantissa bits in a table index, the same for every bin count. Fewer bits (a smaller
 * table) ran at most 5% faster at 64 bins and leave more slots ambiguous for other counts.
 */
export const TABLE_MANTISSA_BITS = 10;

/**
 * Right shift that turns a float32 bit pattern into a slot index. It is one constant for
 * all bin counts because the pixel loops of `nmi.ts` ran about 1.5 times faster with a
 * constant shift than with one read per call (224 x 224 images, Deno 2.9.6).
 */
export const TABLE_SHIFT = 23 - TABLE_MANTISSA_BITS;

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
 * Builds the bin lookup table for `bins` bins: 2^(9 + {@linkcode TABLE_MANTISSA_BITS})
 * Uint16 entries (1 MiB), one per combination of sign, exponent and top mantissa bits.
 * Index it with `word >>> TABLE_SHIFT`.
 *
 * A power of two up to 2^10 leaves no slot in [0, 1] ambiguous. Other counts up to 64
 * leave at most 1 slot in 32, and larger counts more, which run slower with the same
 * results.
 *
 * @param bins Bin count, an integer in [2, {@linkcode MAX_TABLE_BINS}].
 */
export function buildBinTable(bins: number): Uint16Array {
  const table = new Uint16Array(2 ** (32 - TABLE_SHIFT));
  const words = new Uint32Array(2);
  const floats = new Float32Array(words.buffer);
  const lowBitsMask = 2 ** TABLE_SHIFT - 1;
  for (let slot = 0; slot < table.length; slot++) {
    words[0] = slot * 2 ** TABLE_SHIFT;
    words[1] = slot * 2 ** TABLE_SHIFT + lowBitsMask;
    // The slot of +Infinity also contains NaNs, so its lowest and highest values get
    // different bins and it is marked ambiguous. Slots of NaNs only give bin 0.
    const lowest = exactBin(floats[0], bins);
    const highest = exactBin(floats[1], bins);
    table[slot] = lowest === highest ? lowest : AMBIGUOUS_BIN;
  }
  return table;
}
