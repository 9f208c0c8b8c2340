/**
 * Plain reference implementation of the normalized mutual information, kept for tests
 * and for the `nmi-bench` task to check and time the optimized kernel in
 * `nmi/nmi.ts` against.
 *
 * It favors obvious code over speed: one pass over the pixels per channel, float64
 * histograms allocated on every call and cleared per channel, and loops over every bin
 * and every cell of the bins x bins joint histogram with `Math.log2`.
 *
 * @module
 */

const CHANNELS = 3;

/**
 * Returns the bin of `value` among `bins` equal bins over [0, 1]. Values are clamped
 * to [0, 1] first and NaN counts as 0. floor(v * bins) is capped at bins - 1 so that
 * v = 1 falls in the last bin, which is closed: [1 - 1/bins, 1].
 */
function referenceBin(value: number, bins: number): number {
  if (Number.isNaN(value)) return 0;
  const clamped = Math.min(1, Math.max(0, value));
  return Math.min(bins - 1, Math.floor(clamped * bins));
}

/** Returns -sum p log2 p over the nonzero `counts` divided by `total`, so 0 log 0 = 0. */
function referenceEntropyBits(counts: Float64Array, total: number): number {
  let entropy = 0;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] > 0) {
      const p = counts[i] / total;
      entropy -= p * Math.log2(p);
    }
  }
  return entropy;
}

/** Float64 histograms of one channel: joint (bins x bins, row = clean bin) and marginals. */
interface ReferenceHistograms {
  joint: Float64Array;
  cleanCounts: Float64Array;
  degradedCounts: Float64Array;
}

/** Returns the NMI of channel `channel` of an image pair with `pixels` pixels. */
function referenceChannelNmi(
  clean: Float32Array,
  degraded: Float32Array,
  pixels: number,
  channel: number,
  bins: number,
  histograms: ReferenceHistograms,
): number {
  const { joint, cleanCounts, degradedCounts } = histograms;
  joint.fill(0);
  cleanCounts.fill(0);
  degradedCounts.fill(0);
  for (let p = 0; p < pixels; p++) {
    const i = p * CHANNELS + channel;
    const x = referenceBin(clean[i], bins);
    const y = referenceBin(degraded[i], bins);
    joint[x * bins + y] += 1;
    cleanCounts[x] += 1;
    degradedCounts[y] += 1;
  }

  const entropySum = referenceEntropyBits(cleanCounts, pixels) + referenceEntropyBits(degradedCounts, pixels);
  // Both channels constant: nothing was lost, so NMI is 1 rather than 0 / 0.
  if (entropySum === 0) return 1;

  // I(X; Y) = sum over nonzero cells of p(x, y) log2(p(x, y) / (p(x) p(y))).
  let information = 0;
  for (let x = 0; x < bins; x++) {
    for (let y = 0; y < bins; y++) {
      const count = joint[x * bins + y];
      if (count > 0) {
        information += (count / pixels) * Math.log2((pixels * count) / (cleanCounts[x] * degradedCounts[y]));
      }
    }
  }
  return (2 * information) / entropySum;
}

/**
 * Computes the channel-averaged NMI of a clean image and its degraded copy, the
 * straightforward way.
 *
 * Same definition as `normalizedMutualInformation` in `nmi/nmi.ts`: per channel,
 * values clamped to [0, 1] (NaN as 0), bin = min(bins - 1, floor(v * bins)),
 * NMI = 2 I(X; Y) / (H(X) + H(Y)) in bits with 0 log 0 = 0, 1 when both channels are
 * constant, and the mean of the three channels clamped to [0, 1].
 *
 * @param clean Pixels, shape [H, W, 3] (HWC), values nominally in [0, 1].
 * @param degraded Pixels of the same shape.
 * @param bins Histogram bins per channel, an integer >= 2.
 * @returns The NMI in [0, 1].
 * @throws RangeError when the lengths differ, are not a positive multiple of 3, or
 *   when `bins` is not an integer >= 2.
 */
export function referenceNmi(clean: Float32Array, degraded: Float32Array, bins: number): number {
  if (clean.length !== degraded.length || clean.length === 0 || clean.length % CHANNELS !== 0) {
    throw new RangeError(
      `referenceNmi: expected two images of the same positive length, a multiple of 3, got ${clean.length} and ${degraded.length}`,
    );
  }
  if (!Number.isInteger(bins) || bins < 2) {
    throw new RangeError(`referenceNmi: bins must be an integer >= 2, got ${bins}`);
  }
  const pixels = clean.length / CHANNELS;
  const histograms = {
    joint: new Float64Array(bins * bins),
    cleanCounts: new Float64Array(bins),
    degradedCounts: new Float64Array(bins),
  };
  let sum = 0;
  for (let c = 0; c < CHANNELS; c++) {
    sum += referenceChannelNmi(clean, degraded, pixels, c, bins, histograms);
  }
  return Math.min(1, Math.max(0, sum / CHANNELS));
}
