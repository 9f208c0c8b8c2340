/**
 * The TypeScript pixel pass of the NMI kernel (`{ kernel: "typescript" }`, and where
 * WebAssembly cannot run), and the steps after a pass that `nmi.ts` shares with the
 * WebAssembly one: summarizing or clearing the joint histograms and summing the
 * marginals. Bin indices come from the bin table of `_bin_table.ts`.
 *
 * @module
 */

import { AMBIGUOUS_BIN, exactBin, TABLE_SHIFT } from "./_bin_table.ts";
import type { NmiWorkspace } from "./_workspace.ts";

const CHANNELS = 3;

/**
 * {@linkcode TABLE_SHIFT} copied into a constant of this module. With it the pixel loops
 * ran about 1.5 times faster than with a shift read per call (224 x 224, Deno 2.9.6).
 * With the imported binding itself they ran no faster.
 */
const SHIFT = TABLE_SHIFT;

/**
 * Log2 of the marginal entries per bin. Channel c's clean count of bin b is at
 * (b << MARGINAL_SHIFT) + 2c and its degraded count right after it, so the pixel loop
 * reaches all six histograms with constant offsets.
 */
const MARGINAL_SHIFT = 3;

/** Cells per pixel up to which a small image's joint histograms are cleared whole. */
const FILL_CELLS_PER_PIXEL = 4;

/** The arrays of one image pair and where the pair starts in them. */
export interface ImagePair {
  clean: Float32Array;
  degraded: Float32Array;
  offset: number;
}

/**
 * Counts the image pair of a small image into the joint and marginal histograms of the
 * three channels, in one pass over its pixels, and stores in `workspace.jointSums` the
 * sum of c log2 c over each channel's joint counts.
 *
 * Each increment adds a table entry to the sum, so no cell is visited afterwards. A
 * small image touches few of the bins x bins cells, and visiting them took as long as
 * counting them.
 */
export function countSmallImage(pair: ImagePair, workspace: NmiWorkspace): void {
  const { clean, degraded, offset } = pair;
  const cleanWords = wordsOf(clean);
  const degradedWords = wordsOf(degraded);
  const { bins, marginals, countLog2CountIncrease: increase, jointSums } = workspace;
  const { binOfSlot } = workspace;
  const [red, green, blue] = workspace.joints;
  let redSum = 0;
  let greenSum = 0;
  let blueSum = 0;
  const end = offset + workspace.pixels * CHANNELS;
  // The three channels share one loop: interleaving three independent histograms
  // keeps consecutive increments of one cell apart, and each value is read once.
  // The blocks are written out per channel because helper functions for them ran about
  // 25% slower (Deno 2.9.6, 224 x 224 images).
  for (let i = offset; i < end; i += CHANNELS) {
    let x = binOfSlot[cleanWords[i] >>> SHIFT];
    if (x === AMBIGUOUS_BIN) x = exactBin(clean[i], bins);
    let y = binOfSlot[degradedWords[i] >>> SHIFT];
    if (y === AMBIGUOUS_BIN) y = exactBin(degraded[i], bins);
    let cell = x * bins + y;
    let previous = red[cell];
    red[cell] = previous + 1;
    redSum += increase[previous];
    marginals[x << MARGINAL_SHIFT]++;
    marginals[(y << MARGINAL_SHIFT) + 1]++;

    x = binOfSlot[cleanWords[i + 1] >>> SHIFT];
    if (x === AMBIGUOUS_BIN) x = exactBin(clean[i + 1], bins);
    y = binOfSlot[degradedWords[i + 1] >>> SHIFT];
    if (y === AMBIGUOUS_BIN) y = exactBin(degraded[i + 1], bins);
    cell = x * bins + y;
    previous = green[cell];
    green[cell] = previous + 1;
    greenSum += increase[previous];
    marginals[(x << MARGINAL_SHIFT) + 2]++;
    marginals[(y << MARGINAL_SHIFT) + 3]++;

    x = binOfSlot[cleanWords[i + 2] >>> SHIFT];
    if (x === AMBIGUOUS_BIN) x = exactBin(clean[i + 2], bins);
    y = binOfSlot[degradedWords[i + 2] >>> SHIFT];
    if (y === AMBIGUOUS_BIN) y = exactBin(degraded[i + 2], bins);
    cell = x * bins + y;
    previous = blue[cell];
    blue[cell] = previous + 1;
    blueSum += increase[previous];
    marginals[(x << MARGINAL_SHIFT) + 4]++;
    marginals[(y << MARGINAL_SHIFT) + 5]++;
  }
  jointSums[0] = redSum;
  jointSums[1] = greenSum;
  jointSums[2] = blueSum;
}

/**
 * Counts the image pair of a large image into the joint histograms of the three
 * channels, in one pass over its pixels. {@linkcode summarizeJoints} then derives the
 * rest from the joint counts, which costs less than counting more per pixel when the
 * image has more pixels than a histogram has cells.
 */
export function countLargeImage(pair: ImagePair, workspace: NmiWorkspace): void {
  const { clean, degraded, offset } = pair;
  const cleanWords = wordsOf(clean);
  const degradedWords = wordsOf(degraded);
  const { bins } = workspace;
  const { binOfSlot } = workspace;
  const [red, green, blue] = workspace.joints;
  const end = offset + workspace.pixels * CHANNELS;
  // The bin lookups repeat those of countSmallImage: with one helper function for them,
  // both loops ran 20% to 40% slower (nmi-bench, Deno 2.9.6).
  for (let i = offset; i < end; i += CHANNELS) {
    let x = binOfSlot[cleanWords[i] >>> SHIFT];
    if (x === AMBIGUOUS_BIN) x = exactBin(clean[i], bins);
    let y = binOfSlot[degradedWords[i] >>> SHIFT];
    if (y === AMBIGUOUS_BIN) y = exactBin(degraded[i], bins);
    red[x * bins + y]++;

    x = binOfSlot[cleanWords[i + 1] >>> SHIFT];
    if (x === AMBIGUOUS_BIN) x = exactBin(clean[i + 1], bins);
    y = binOfSlot[degradedWords[i + 1] >>> SHIFT];
    if (y === AMBIGUOUS_BIN) y = exactBin(degraded[i + 1], bins);
    green[x * bins + y]++;

    x = binOfSlot[cleanWords[i + 2] >>> SHIFT];
    if (x === AMBIGUOUS_BIN) x = exactBin(clean[i + 2], bins);
    y = binOfSlot[degradedWords[i + 2] >>> SHIFT];
    if (y === AMBIGUOUS_BIN) y = exactBin(degraded[i + 2], bins);
    blue[x * bins + y]++;
  }
}

/**
 * After {@linkcode countLargeImage}: visits every joint cell once, storing each
 * channel's sum of c log2 c in `workspace.jointSums` and its row and column sums as the
 * marginal counts, and sets the cells back to zero.
 */
export function summarizeJoints(workspace: NmiWorkspace): void {
  const { bins, marginals, countLog2Count, jointSums } = workspace;
  for (let channel = 0; channel < CHANNELS; channel++) {
    const joint = workspace.joints[channel];
    const clean = 2 * channel;
    let sum = 0;
    for (let x = 0; x < bins; x++) {
      const row = x * bins;
      let rowSum = 0;
      for (let y = 0; y < bins; y++) {
        const count = joint[row + y];
        sum += countLog2Count[count];
        rowSum += count;
        marginals[(y << MARGINAL_SHIFT) + clean + 1] += count;
      }
      marginals[(x << MARGINAL_SHIFT) + clean] = rowSum;
    }
    jointSums[channel] = sum;
    joint.fill(0);
  }
}

/**
 * After {@linkcode countSmallImage}: sets the joint histograms back to zero, whole when
 * they have at most {@linkcode FILL_CELLS_PER_PIXEL} cells per pixel, otherwise the
 * cells of the image's pixels one by one.
 */
export function clearSmallImageJoints(pair: ImagePair, workspace: NmiWorkspace): void {
  const { joints, bins, pixels } = workspace;
  if (bins * bins <= FILL_CELLS_PER_PIXEL * pixels) {
    for (const joint of joints) joint.fill(0);
    return;
  }
  const { clean, degraded, offset } = pair;
  for (let i = offset; i < offset + pixels * CHANNELS; i++) {
    joints[(i - offset) % CHANNELS][exactBin(clean[i], bins) * bins + exactBin(degraded[i], bins)] = 0;
  }
}

/**
 * Returns the sum of c log2 c over the `bins` marginal counts that start at `first`,
 * one per 2^{@linkcode MARGINAL_SHIFT} entries, stores how many of them are nonzero
 * in `workspace.occupiedBins[slot]`, and sets them back to 0.
 */
export function sumCountLog2CountAndReset(workspace: NmiWorkspace, first: number, slot: number): number {
  const { marginals, countLog2Count, bins, occupiedBins } = workspace;
  let sum = 0;
  let nonzero = 0;
  for (let bin = 0; bin < bins; bin++) {
    const index = (bin << MARGINAL_SHIFT) + first;
    const count = marginals[index];
    sum += countLog2Count[count];
    nonzero += count > 0 ? 1 : 0;
    marginals[index] = 0;
  }
  occupiedBins[slot] = nonzero;
  return sum;
}

/**
 * Returns a Uint32 view of the bit patterns of `values`, without copying. The
 * TypeScript pass makes one per image, a small object next to its loop over the pixels.
 */
function wordsOf(values: Float32Array): Uint32Array {
  return new Uint32Array(values.buffer, values.byteOffset, values.length);
}
