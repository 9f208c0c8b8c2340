/**
 * Plasma fractal (diamond-square height map) for the fog corruption.
 *
 * @module
 */

import type { Random } from "../engine/random.ts";

/** Returns the smallest power of two that is >= `side` (1 for side <= 1). */
export function nextPowerOfTwo(side: number): number {
  let size = 1;
  while (size < side) size *= 2;
  return size;
}

/**
 * Generates a periodic diamond-square height map as `plasma_fractal` of the CIFAR-10-C
 * generator (hendrycks/robustness, make_cifar_c.py), rescaled to [0, 1].
 *
 * The corner (0, 0) starts at 0. Each pass halves the step: a square step sets every
 * cell center to the mean of its 4 corners, then a diamond step sets every edge
 * midpoint to the mean of its 4 neighbours. Each new value gets
 * wibble * U(-wibble, wibble) added, with wibble = 100 on the first pass, divided by
 * `decay` after each pass. Neighbours wrap around the map, and the random draws follow
 * row-major order within each step, as in the reference.
 *
 * @param size Side of the map in pixels, a power of two >= 1.
 * @param decay Wibble divisor per pass, > 0. Larger values give a smoother map.
 * @returns Float64Array of shape [size, size], minimum 0 and maximum 1 (all 0 when size is 1).
 */
export function plasmaFractal(size: number, decay: number, random: Random): Float64Array {
  if (!Number.isInteger(size) || size < 1 || (size & (size - 1)) !== 0) {
    throw new RangeError(`plasmaFractal: size must be a power of two >= 1, got ${size}`);
  }
  if (!(decay > 0 && Number.isFinite(decay))) {
    throw new RangeError(`plasmaFractal: decay must be a finite number above 0, got ${decay}`);
  }
  const map = new Float64Array(size * size);
  const at = (row: number, column: number) => map[(row % size) * size + (column % size)];
  const wibbled = (sum: number, wibble: number) => sum / 4 + wibble * (random.uniform() * 2 - 1) * wibble;

  let wibble = 100;
  for (let step = size; step >= 2; step /= 2) {
    const half = step / 2;
    for (let row = 0; row < size; row += step) {
      for (let column = 0; column < size; column += step) {
        const corners = at(row, column) + at(row + step, column) + at(row, column + step) +
          at(row + step, column + step);
        map[(row + half) * size + column + half] = wibbled(corners, wibble);
      }
    }
    // Edge midpoints on the corner rows: corners left and right, centers below and above.
    for (let row = 0; row < size; row += step) {
      for (let column = 0; column < size; column += step) {
        const neighbours = at(row + half, column + half) + at(row - half + size, column + half) +
          at(row, column) + at(row, column + step);
        map[row * size + column + half] = wibbled(neighbours, wibble);
      }
    }
    // Edge midpoints on the center rows: corners above and below, centers right and left.
    for (let row = 0; row < size; row += step) {
      for (let column = 0; column < size; column += step) {
        const neighbours = at(row + half, column + half) + at(row + half, column - half + size) +
          at(row, column) + at(row + step, column);
        map[(row + half) * size + column] = wibbled(neighbours, wibble);
      }
    }
    wibble /= decay;
  }

  let min = Infinity;
  let max = -Infinity;
  for (const value of map) {
    min = Math.min(min, value);
    max = Math.max(max, value);
  }
  const range = max - min;
  for (let i = 0; i < map.length; i++) map[i] = range > 0 ? (map[i] - min) / range : 0;
  return map;
}
