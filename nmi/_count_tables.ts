/**
 * Tables of c log2 c over integer counts, from which every pass of the NMI kernel sums
 * entropies. The workspaces cache them per pixel count, and the native pass's load
 * check builds its own.
 *
 * @module
 */

/** Returns c log2 c for every count c in [0, pixels], with 0 log2 0 = 0. */
export function buildCountLog2Count(pixels: number): Float64Array {
  const table = new Float64Array(pixels + 1);
  for (let count = 2; count <= pixels; count++) table[count] = count * Math.log2(count);
  return table;
}

/** Returns the increase of c log2 c from each count c to c + 1, from the table of {@linkcode buildCountLog2Count}. */
export function buildIncrease(countLog2Count: Float64Array): Float64Array {
  const increase = new Float64Array(countLog2Count.length - 1);
  for (let count = 0; count < increase.length; count++) {
    increase[count] = countLog2Count[count + 1] - countLog2Count[count];
  }
  return increase;
}
