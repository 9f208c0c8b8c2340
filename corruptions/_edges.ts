/**
 * The OpenCV steps that the water variant of the spatter corruption chains: Canny edge
 * detection, the 5 x 5 chamfer distance transform and histogram equalization, on
 * single-channel planes of shape [height, width] with 8-bit values stored as numbers.
 *
 * @module
 */

import { borderIndex } from "./_filters.ts";

/** tan(22.5 degrees), the sector bound of Canny's non-maximum suppression. */
const TAN_22_5 = Math.SQRT2 - 1;

/** Rounds to the nearest integer with ties to even and clamps to [0, 255], as OpenCV's saturate_cast<uchar>. */
export function saturateUint8(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  let rounded = fraction > 0.5 || (fraction === 0.5 && floor % 2 !== 0) ? floor + 1 : floor;
  if (rounded < 0) rounded = 0;
  return rounded > 255 ? 255 : rounded;
}

/** Returns the 3 x 3 Sobel derivatives of a plane, with the edge pixel repeated outside. */
function sobel(plane: Float64Array, height: number, width: number): { dx: Float64Array; dy: Float64Array } {
  const dx = new Float64Array(plane.length);
  const dy = new Float64Array(plane.length);
  const at = (y: number, x: number) =>
    plane[borderIndex(y, height, "nearest") * width + borderIndex(x, width, "nearest")];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      dx[y * width + x] = at(y - 1, x + 1) + 2 * at(y, x + 1) + at(y + 1, x + 1) -
        at(y - 1, x - 1) - 2 * at(y, x - 1) - at(y + 1, x - 1);
      dy[y * width + x] = at(y + 1, x - 1) + 2 * at(y + 1, x) + at(y + 1, x + 1) -
        at(y - 1, x - 1) - 2 * at(y - 1, x) - at(y - 1, x + 1);
    }
  }
  return { dx, dy };
}

/**
 * Detects edges as OpenCV's `Canny(image, low, high)` with a 3 x 3 Sobel aperture and
 * the L1 gradient norm |dx| + |dy|. A pixel is a candidate when its norm exceeds `low`
 * and is a maximum along the gradient direction, quantized to 0, 45, 90 or 135
 * degrees. Candidates above `high` are edges, and so is every candidate 8-connected to
 * an edge through other candidates. Norms outside the image count as 0.
 *
 * @param plane Values in [0, 255], shape [height, width].
 * @returns Uint8Array of shape [height, width], 255 on edges and 0 elsewhere.
 */
export function cannyEdges(
  plane: Float64Array,
  height: number,
  width: number,
  low: number,
  high: number,
): Uint8Array {
  const { dx, dy } = sobel(plane, height, width);
  const norm = new Float64Array(plane.length);
  for (let i = 0; i < norm.length; i++) norm[i] = Math.abs(dx[i]) + Math.abs(dy[i]);
  const normAt = (y: number, x: number) =>
    y < 0 || y >= height || x < 0 || x >= width ? 0 : norm[y * width + x];

  const candidate = new Uint8Array(plane.length);
  const stack: number[] = [];
  const edges = new Uint8Array(plane.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const value = norm[i];
      if (!(value > low)) continue;
      const xs = Math.abs(dx[i]);
      const ys = Math.abs(dy[i]);
      let isMaximum: boolean;
      if (ys < xs * TAN_22_5) {
        isMaximum = value > normAt(y, x - 1) && value >= normAt(y, x + 1);
      } else if (ys > xs * (TAN_22_5 + 2)) {
        isMaximum = value > normAt(y - 1, x) && value >= normAt(y + 1, x);
      } else {
        const sign = dx[i] * dy[i] < 0 ? -1 : 1;
        isMaximum = value > normAt(y - 1, x - sign) && value > normAt(y + 1, x + sign);
      }
      if (!isMaximum) continue;
      candidate[i] = 1;
      if (value > high) {
        edges[i] = 255;
        stack.push(i);
      }
    }
  }

  while (stack.length > 0) {
    const i = stack.pop()!;
    const y = Math.floor(i / width);
    const x = i % width;
    for (let ny = Math.max(0, y - 1); ny <= Math.min(height - 1, y + 1); ny++) {
      for (let nx = Math.max(0, x - 1); nx <= Math.min(width - 1, x + 1); nx++) {
        const neighbour = ny * width + nx;
        if (candidate[neighbour] && edges[neighbour] === 0) {
          edges[neighbour] = 255;
          stack.push(neighbour);
        }
      }
    }
  }
  return edges;
}

/** Offsets (dy, dx) and costs of the causal half of the 5 x 5 chamfer mask. */
const CHAMFER_FORWARD: readonly (readonly [number, number, number])[] = [
  [-2, -1, 2.1969],
  [-2, 1, 2.1969],
  [-1, -2, 2.1969],
  [-1, -1, 1.4],
  [-1, 0, 1],
  [-1, 1, 1.4],
  [-1, 2, 2.1969],
  [0, -1, 1],
];

/**
 * Approximates the Euclidean distance of each pixel to the nearest 0 pixel, as
 * OpenCV's `distanceTransform(src, DIST_L2, 5)`: a two-pass chamfer transform with
 * costs 1 (edge neighbour), 1.4 (diagonal) and 2.1969 (knight's move). Pixels outside
 * the image are never 0.
 *
 * @returns Float64Array of shape [height, width]; Infinity everywhere when no pixel is 0.
 */
export function chamferDistance(plane: ArrayLike<number>, height: number, width: number): Float64Array {
  const distance = new Float64Array(height * width);
  for (let i = 0; i < distance.length; i++) distance[i] = plane[i] === 0 ? 0 : Infinity;
  const relax = (y: number, x: number, sign: number) => {
    let best = distance[y * width + x];
    for (const [dy, dx, cost] of CHAMFER_FORWARD) {
      const ny = y + sign * dy;
      const nx = x + sign * dx;
      if (ny < 0 || ny >= height || nx < 0 || nx >= width) continue;
      best = Math.min(best, distance[ny * width + nx] + cost);
    }
    distance[y * width + x] = best;
  };
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) relax(y, x, 1);
  for (let y = height - 1; y >= 0; y--) for (let x = width - 1; x >= 0; x--) relax(y, x, -1);
  return distance;
}

/**
 * Equalizes the histogram of an 8-bit plane as OpenCV's `equalizeHist`: the lowest
 * occupied level maps to 0 and level v to round(255 * count(lowest < level <= v) /
 * count(level > lowest)). A constant plane is returned unchanged.
 *
 * @param plane Integer values in [0, 255].
 */
export function equalizeHistogram(plane: ArrayLike<number>): Float64Array {
  const histogram = new Int32Array(256);
  for (let i = 0; i < plane.length; i++) histogram[plane[i]]++;
  let lowest = 0;
  while (lowest < 255 && histogram[lowest] === 0) lowest++;
  const output = new Float64Array(plane.length);
  if (histogram[lowest] === plane.length) {
    output.fill(lowest);
    return output;
  }
  const scale = 255 / (plane.length - histogram[lowest]);
  const lookup = new Float64Array(256);
  let sum = 0;
  for (let level = lowest + 1; level < 256; level++) {
    sum += histogram[level];
    lookup[level] = saturateUint8(sum * scale);
  }
  for (let i = 0; i < plane.length; i++) output[i] = lookup[plane[i]];
  return output;
}
